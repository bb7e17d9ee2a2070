//! The `outbox` table: mails waiting to be delivered (docs/API.md, "Email").
//!
//! A request that causes a mail writes it here in its own transaction and returns;
//! [`Tx::commit`] then wakes this instance's sender (`crate::server::mail::sender`).
//! Senders on every instance [`claim`] due mails for a lease: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so two instances never claim the same row; on SQLite
//! under the one writer. A delivered mail is deleted; a failed one waits for its next
//! attempt. A sender that dies mid-delivery leaves its lease to run out, and the mail
//! is claimed again.

use super::tx::{StoreError, Tx};
use crate::server::{
    db::Backend,
    ids::{CodeId, LinkId, MailId, UserId},
    time::UnixMillis,
};
use std::time::Duration;

/// A mail about to be queued; `letter` says what to write (`mail::letters`).
pub struct NewMail<'a> {
    /// The account it is about; none for a sign-in code to an address without one.
    pub user_id: Option<UserId>,
    /// The link it carries: the mail goes if the link goes (replaced, used).
    pub link_id: Option<LinkId>,
    /// The sign-in code it carries, which it goes with likewise.
    pub code_id: Option<CodeId>,
    pub to: &'a str,
    pub letter: &'a str,
}

pub async fn enqueue(tx: &mut Tx<'_>, mail: &NewMail<'_>, now: UnixMillis) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, user_id, link_id, code_id, to_addr, letter, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(MailId::generate())
    .bind(mail.user_id)
    .bind(mail.link_id)
    .bind(mail.code_id)
    .bind(mail.to)
    .bind(mail.letter)
    .bind(now)
    .execute(tx.conn())
    .await?;
    tx.mail_queued();
    Ok(())
}

/// How many mails wait to be delivered (the metrics' gauge).
pub async fn pending(pool: &sqlx::AnyPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(pool).await?)
}

/// A claimed mail.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MailRow {
    pub id: MailId,
    pub user_id: Option<UserId>,
    pub link_id: Option<LinkId>,
    pub code_id: Option<CodeId>,
    pub to_addr: String,
    pub letter: String,
    pub created_at: UnixMillis,
    /// Including this one.
    pub attempts: i64,
}

/// Claims up to `batch` due mails for `lease`: nobody else delivers them meanwhile.
pub async fn claim(tx: &mut Tx<'_>, now: UnixMillis, lease: Duration, batch: i64) -> Result<Vec<MailRow>, StoreError> {
    // PostgreSQL: rows another instance is claiming are skipped, not waited for.
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM outbox WHERE next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) \
             ORDER BY next_attempt_at LIMIT $3{lock}) \
         RETURNING id, user_id, link_id, code_id, to_addr, letter, created_at, attempts"
    );
    Ok(sqlx::query_as(&sql).bind(now.plus(lease)).bind(now).bind(batch).fetch_all(tx.conn()).await?)
}

/// The mail went (or can never go): it leaves the outbox.
pub async fn remove(tx: &mut Tx<'_>, id: MailId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM outbox WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Delivery failed: try again at `at`.
pub async fn retry_at(tx: &mut Tx<'_>, id: MailId, at: UnixMillis) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET claimed_until = NULL, next_attempt_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
