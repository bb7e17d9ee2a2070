//! The `audit_events` table: the security trail (sign-ups, sign-ins, failures, sign-outs,
//! revocations, reuse). It is also what the failed sign-in limits count, so that they
//! hold across every instance sharing the database.

use super::{StoreError, Tx};
use crate::server::{
    ids::{EventId, SessionId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

text_enum! {
    /// What happened.
    pub enum EventKind {
        Register = "register",
        LoginOk = "login_ok",
        LoginFailed = "login_failed",
        RefreshReuse = "refresh_reuse",
        Logout = "logout",
        LogoutAll = "logout_all",
        Revoke = "revoke",
    }
}

/// A security event about to be recorded.
#[derive(Debug)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub email: Option<&'a str>,
    pub client_addr: Option<&'a str>,
}

impl Event<'_> {
    /// An event of `kind` about nothing yet; the fields say about what.
    pub fn new(kind: EventKind) -> Self {
        Event { kind, user_id: None, session_id: None, email: None, client_addr: None }
    }
}

pub async fn record(tx: &mut Tx, at: UnixMillis, event: &Event<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, kind, user_id, session_id, email, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(EventId::random())
    .bind(at)
    .bind(event.kind)
    .bind(event.user_id)
    .bind(event.session_id)
    .bind(event.email)
    .bind(event.client_addr)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whose failed sign-ins to count.
#[derive(Clone, Copy, Debug)]
pub enum FailuresOf<'a> {
    Email(&'a str),
    ClientAddr(&'a str),
}

/// The instant of the `n`-th most recent failed sign-in of `whose` after `since`, if
/// there were that many: when the oldest of them leaves the window, one more attempt
/// is allowed.
pub async fn nth_latest_failure(
    pool: &AnyPool,
    whose: FailuresOf<'_>,
    since: UnixMillis,
    n: u32,
) -> Result<Option<UnixMillis>, StoreError> {
    let (column, value) = match whose {
        FailuresOf::Email(email) => ("email", email),
        FailuresOf::ClientAddr(addr) => ("client_addr", addr),
    };
    let sql = format!(
        "SELECT at FROM audit_events WHERE kind = $1 AND {column} = $2 AND at > $3 ORDER BY at DESC LIMIT 1 OFFSET $4"
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(EventKind::LoginFailed)
        .bind(value)
        .bind(since)
        .bind(i64::from(n) - 1)
        .fetch_optional(pool)
        .await?)
}

/// Deletes up to `batch` events older than `cutoff`.
pub async fn prune(tx: &mut Tx, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT $2)")
        .bind(cutoff)
        .bind(batch)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
