//! The `audit_events` table: the security trail (sign-ups, sign-ins, failures, sign-outs,
//! revocations, reuse). It is also what the sign-in and registration limits count, so
//! that they hold across every instance sharing the database.

use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{EventId, SessionId, UserId},
    time::UnixMillis,
};
use sqlx::{Any, AnyPool, Executor};

pub use crate::shared::activity::EventKind;

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
    /// The browser's User-Agent, for the activity page.
    pub user_agent: Option<&'a str>,
    /// What an administrator wrote when they acted on the account.
    pub reason: Option<&'a str>,
    /// How a `signed_in` was made (`SignInMethod::as_str`).
    pub method: Option<&'a str>,
}

impl Event<'_> {
    /// An event of `kind` about nothing yet; the fields say about what.
    pub fn new(kind: EventKind) -> Self {
        Event {
            kind,
            user_id: None,
            session_id: None,
            email: None,
            client_addr: None,
            client_net: None,
            user_agent: None,
            reason: None,
            method: None,
        }
    }
}

/// Records `event`; its id, for an attempt a limit admitted that may yet be taken
/// back ([`forget`]).
pub async fn record(tx: &mut Tx<'_>, at: UnixMillis, event: &Event<'_>) -> Result<EventId, StoreError> {
    insert(tx, at, event, "").await
}

/// Deletes one event: a failure a limit counted in advance, which turned out a success.
pub async fn forget(tx: &mut Tx<'_>, id: EventId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM audit_events WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Records `event` unless its session already has an event of its kind (a session
/// expires once, however often its last token comes back).
pub async fn record_once_per_session(tx: &mut Tx<'_>, at: UnixMillis, event: &Event<'_>) -> Result<(), StoreError> {
    insert(tx, at, event, " WHERE NOT EXISTS (SELECT 1 FROM audit_events WHERE kind = $3 AND session_id = $5)").await?;
    Ok(())
}

async fn insert(tx: &mut Tx<'_>, at: UnixMillis, event: &Event<'_>, condition: &str) -> Result<EventId, StoreError> {
    let id = EventId::generate();
    let sql = format!(
        "INSERT INTO audit_events \
           (id, at, kind, user_id, session_id, email, client_addr, client_net, user_agent, reason, method) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11{condition}"
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(at)
        .bind(event.kind)
        .bind(event.user_id)
        .bind(event.session_id)
        .bind(event.email)
        .bind(event.client_addr)
        .bind(event.client_net)
        .bind(event.user_agent)
        .bind(event.reason)
        .bind(event.method)
        .execute(tx.conn())
        .await?;
    Ok(id)
}

/// An event as the person it concerns sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: EventId,
    pub at: UnixMillis,
    pub kind: EventKind,
    pub session_id: Option<SessionId>,
    /// The User-Agent of the session the event is about, else of the request.
    pub user_agent: Option<String>,
    pub client_addr: Option<String>,
    pub reason: Option<String>,
    pub method: Option<String>,
}

/// Where a page of events starts: strictly older than this event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Before {
    pub at: UnixMillis,
    pub id: EventId,
}

/// Up to `limit` of `user`'s events, newest first, older than `before` if given.
/// Ordered by (`at`, `id`), which no later insert can reorder: a page never repeats
/// or skips an event however many are recorded meanwhile (they are all newer).
pub async fn of_user(
    pool: &AnyPool,
    user: UserId,
    before: Option<Before>,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    // With no cursor, start after anything that can exist.
    let before = before.unwrap_or(Before { at: UnixMillis(i64::MAX), id: EventId(uuid::Uuid::max()) });
    // The hidden kinds are our own constants, written into the statement: every kind
    // added to `HIDDEN` is left out without touching this query.
    let hidden: Vec<String> = EventKind::HIDDEN.iter().map(|kind| format!("'{}'", kind.as_str())).collect();
    let sql = format!(
        "SELECT e.id, e.at, e.kind, e.session_id, COALESCE(s.user_agent, e.user_agent) AS user_agent, e.client_addr, \
           e.reason, e.method \
         FROM audit_events e LEFT JOIN sessions s ON s.id = e.session_id \
         WHERE e.user_id = $1 AND e.kind NOT IN ({}) AND (e.at < $2 OR (e.at = $2 AND e.id < $3)) \
         ORDER BY e.at DESC, e.id DESC LIMIT $4",
        hidden.join(", ")
    );
    Ok(sqlx::query_as(&sql).bind(user).bind(before.at).bind(before.id).bind(limit).fetch_all(pool).await?)
}

/// Deletes every event of `user` or naming its address `email`, the anonymous ones
/// too (a reset asked for it, a failed sign-in with it): the account is being deleted,
/// in `tx`.
pub async fn delete_of_user(tx: &mut Tx<'_>, user: UserId, email: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM audit_events WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
    sqlx::query("DELETE FROM audit_events WHERE email = $1").bind(email).execute(tx.conn()).await?;
    Ok(())
}

/// Whose events a limit counts.
#[derive(Clone, Copy, Debug)]
pub enum Counted<'a> {
    /// Those about one account (by email) from one client net.
    AccountFrom { email: &'a str, net: &'a str },
    /// Those from one client net, whatever the account.
    From { net: &'a str },
    /// Those about one email address, from anywhere.
    About { email: &'a str },
    /// Those of one account.
    Of { user: UserId },
}

/// The instant of the `n`-th most recent event of one of `kinds` and `whose` after
/// `since`, if there were that many: when it leaves the window, one more is allowed.
pub async fn nth_latest<'e>(
    executor: impl Executor<'e, Database = Any>,
    kinds: &[EventKind],
    whose: Counted<'_>,
    since: UnixMillis,
    n: u32,
) -> Result<Option<UnixMillis>, StoreError> {
    let filter = match whose {
        Counted::AccountFrom { .. } => "email = $3 AND client_net = $4",
        Counted::From { .. } => "client_net = $3",
        Counted::About { .. } => "email = $3",
        Counted::Of { .. } => "user_id = $3",
    };
    // The kinds are our own constants, written into the statement (as `of_user` does).
    let kinds: Vec<String> = kinds.iter().map(|kind| format!("'{}'", kind.as_str())).collect();
    let sql = format!(
        "SELECT at FROM audit_events WHERE kind IN ({}) AND at > $1 AND {filter} ORDER BY at DESC LIMIT 1 OFFSET $2",
        kinds.join(", ")
    );
    let query = sqlx::query_scalar(&sql).bind(since).bind(i64::from(n) - 1);
    let query = match whose {
        Counted::AccountFrom { email, net } => query.bind(email).bind(net),
        Counted::From { net } => query.bind(net),
        Counted::About { email } => query.bind(email),
        Counted::Of { user } => query.bind(user),
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
