//! The `admin_actions` table: what administrators and the command line did to
//! accounts (docs/API.md, "Roles and administration"), newest first. Actor and target
//! are copied in, so the log outlives the accounts it names.

use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{AdminActionId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

/// What was done; the contract's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Locked,
    Unlocked,
    SignedOut,
    RolesChanged,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Locked => "locked",
            Action::Unlocked => "unlocked",
            Action::SignedOut => "signed_out",
            Action::RolesChanged => "roles_changed",
            Action::Deleted => "deleted",
        }
    }
}

/// Who did it: an administrator, or the command line (`actor_id` NULL, `cli`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Admin { id: UserId, email: String },
    Cli,
}

impl Actor {
    /// Who, for the server's log: an administrator's id (never their email), or `cli`.
    pub fn label(&self) -> String {
        match self {
            Actor::Admin { id, .. } => id.to_string(),
            Actor::Cli => "cli".to_string(),
        }
    }
}

/// One action about to be recorded.
pub struct Record<'a> {
    pub action: Action,
    pub actor: &'a Actor,
    pub target: UserId,
    /// `None` for an account deleted in the same transaction.
    pub target_email: Option<&'a str>,
    pub reason: Option<&'a str>,
}

pub async fn record(tx: &mut Tx<'_>, at: UnixMillis, record: &Record<'_>) -> Result<AdminActionId, StoreError> {
    let id = AdminActionId::generate();
    let (actor_id, actor_email) = match record.actor {
        Actor::Admin { id, email } => (Some(*id), email.as_str()),
        Actor::Cli => (None, "cli"),
    };
    sqlx::query(
        "INSERT INTO admin_actions (id, at, actor_id, actor_email, action, target_id, target_email, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(at)
    .bind(actor_id)
    .bind(actor_email)
    .bind(record.action.as_str())
    .bind(record.target)
    .bind(record.target_email)
    .bind(record.reason)
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// One row of the log, as the administration reads it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActionRow {
    pub id: AdminActionId,
    pub at: UnixMillis,
    pub actor_id: Option<UserId>,
    /// `cli` for the command line; `None` once the administrator's account is deleted.
    pub actor_email: Option<String>,
    pub action: String,
    pub target_id: UserId,
    /// `None` once the account is deleted.
    pub target_email: Option<String>,
    pub reason: Option<String>,
}

/// Where a page of [`page`] starts: after the action at `at` with `id` (newest first).
#[derive(Clone, Copy, Debug)]
pub struct Before {
    pub at: UnixMillis,
    pub id: AdminActionId,
}

/// Up to `limit` actions, newest first, after `before` (the index `admin_actions_by_time`).
pub async fn page(pool: &AnyPool, before: Option<Before>, limit: i64) -> Result<Vec<ActionRow>, StoreError> {
    let columns = "id, at, actor_id, actor_email, action, target_id, target_email, reason";
    let rows = match before {
        None => {
            sqlx::query_as(&format!("SELECT {columns} FROM admin_actions ORDER BY at DESC, id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        Some(before) => {
            sqlx::query_as(&format!(
                "SELECT {columns} FROM admin_actions WHERE at < $1 OR (at = $1 AND id < $2) \
                 ORDER BY at DESC, id DESC LIMIT $3"
            ))
            .bind(before.at)
            .bind(before.id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(rows)
}

/// The account `user` is being deleted: the log keeps what it did and what was done
/// to it, without its address.
pub async fn forget_email(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE admin_actions SET actor_email = NULL WHERE actor_id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE admin_actions SET target_email = NULL WHERE target_id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes up to `batch` actions older than `cutoff` (the retention sweep).
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM admin_actions WHERE id IN (SELECT id FROM admin_actions WHERE at < $1 LIMIT $2)")
        .bind(cutoff)
        .bind(batch)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
