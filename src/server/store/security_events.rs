//! The `audit_events` table: the security trail (sign-ups, sign-ins, failures, sign-outs,
//! revocations, reuse). It is also what the sign-in and registration limits count, so
//! that they hold across every instance sharing the database.

use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{EventId, SessionId, UserId},
    time::UnixMillis,
};
use sqlx::{Any, Executor};

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
        /// A registration got past the registration limit (whatever came of it).
        RegisterAttempt = "register_attempt",
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
    /// What the limits count by (`Device::net`).
    pub client_net: Option<&'a str>,
}

impl Event<'_> {
    /// An event of `kind` about nothing yet; the fields say about what.
    pub fn new(kind: EventKind) -> Self {
        Event { kind, user_id: None, session_id: None, email: None, client_addr: None, client_net: None }
    }
}

pub async fn record(tx: &mut Tx<'_>, at: UnixMillis, event: &Event<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, kind, user_id, session_id, email, client_addr, client_net) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(EventId::generate())
    .bind(at)
    .bind(event.kind)
    .bind(event.user_id)
    .bind(event.session_id)
    .bind(event.email)
    .bind(event.client_addr)
    .bind(event.client_net)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whose events a limit counts.
#[derive(Clone, Copy, Debug)]
pub enum Counted<'a> {
    /// Those about one account (by email) from one client net.
    AccountFrom { email: &'a str, net: &'a str },
    /// Those from one client net, whatever the account.
    From { net: &'a str },
}

/// The instant of the `n`-th most recent event of `kind` and `whose` after `since`,
/// if there were that many: when it leaves the window, one more is allowed.
pub async fn nth_latest<'e>(
    executor: impl Executor<'e, Database = Any>,
    kind: EventKind,
    whose: Counted<'_>,
    since: UnixMillis,
    n: u32,
) -> Result<Option<UnixMillis>, StoreError> {
    let filter = match whose {
        Counted::AccountFrom { .. } => "email = $4 AND client_net = $5",
        Counted::From { .. } => "client_net = $4",
    };
    let sql = format!(
        "SELECT at FROM audit_events WHERE kind = $1 AND at > $2 AND {filter} ORDER BY at DESC LIMIT 1 OFFSET $3"
    );
    let query = sqlx::query_scalar(&sql).bind(kind).bind(since).bind(i64::from(n) - 1);
    let query = match whose {
        Counted::AccountFrom { email, net } => query.bind(email).bind(net),
        Counted::From { net } => query.bind(net),
    };
    Ok(query.fetch_optional(executor).await?)
}

/// Deletes up to `batch` events older than `cutoff`.
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT $2)")
        .bind(cutoff)
        .bind(batch)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
