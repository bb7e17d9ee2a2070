//! The `sessions` table: one row per sign-in on one device (a refresh-token family).
//!
//! [`revoke`] is the only statement that ends sessions. It announces them to the
//! other instances (`notify`) and, through [`Tx::commit`], to this one's in-memory
//! revocation set: logout, logout everywhere, revoking one session and reuse
//! detection all end sessions through it.

use super::{
    notify, revocations,
    tx::{StoreError, Tx},
};
use crate::server::{
    ids::{SessionId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

text_enum! {
    /// Why a session ended.
    pub enum RevokeReason {
        /// Signed out on this device.
        Logout = "logout",
        /// "Sign out everywhere".
        LogoutAll = "logout_all",
        /// Revoked from another device's session list.
        Revoked = "revoked",
        /// One of its refresh tokens came back after it had been rotated.
        Reuse = "reuse",
        /// The password was changed from another session of the account.
        PasswordChanged = "password_changed",
        /// The account was deleted.
        AccountDeleted = "account_deleted",
        /// The password was reset through a mailed link.
        PasswordReset = "password_reset",
        /// The owner said a sign-in or a change was not theirs ("This wasn't me").
        NotMe = "not_me",
        /// An administrator signed the account out everywhere.
        Admin = "admin",
        /// An administrator locked the account.
        Locked = "locked",
    }
}

/// A session about to be created (one sign-in on one device).
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: UnixMillis,
    /// The absolute end, never extended.
    pub expires_at: UnixMillis,
    pub user_agent: String,
    pub client_addr: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: SessionId,
    pub created_at: UnixMillis,
    pub last_used_at: UnixMillis,
    /// When its current refresh token expires.
    pub idle_expires_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub user_agent: String,
}

/// Which sessions to end.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// This one, whoever's it is (its refresh token proved the right to end it).
    One(SessionId),
    /// This one, if it belongs to this user.
    OneOf(UserId, SessionId),
    /// Every session of this user.
    AllOf(UserId),
    /// Every session of this user but this one (the one changing the password).
    AllOfExcept(UserId, SessionId),
    /// This session of the user, if any, and every one of theirs begun at or after
    /// the instant ("This wasn't me": that sign-in and whatever came after it).
    BegunSince(UserId, Option<SessionId>, UnixMillis),
}

/// Creates the session; `idle_expires_at` is when its first refresh token expires.
/// It starts with a sign-in, so it was authenticated when it was created.
pub async fn insert(tx: &mut Tx<'_>, session: &NewSession, idle_expires_at: UnixMillis) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_used_at, authenticated_at, idle_expires_at, expires_at, \
                               user_agent, client_addr) \
         VALUES ($1, $2, $3, $3, $3, $4, $5, $6, $7)",
    )
    .bind(session.id)
    .bind(session.user_id)
    .bind(session.created_at)
    .bind(idle_expires_at)
    .bind(session.expires_at)
    .bind(&session.user_agent)
    .bind(&session.client_addr)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Ends the live sessions in `scope` and returns their ids.
pub async fn revoke(
    tx: &mut Tx<'_>,
    scope: Scope,
    reason: RevokeReason,
    now: UnixMillis,
) -> Result<Vec<SessionId>, StoreError> {
    let filter = match scope {
        Scope::One(_) => "id = $3",
        Scope::OneOf(..) => "id = $3 AND user_id = $4",
        Scope::AllOf(_) => "user_id = $3",
        Scope::AllOfExcept(..) => "user_id = $3 AND id <> $4",
        Scope::BegunSince(..) => "user_id = $3 AND (id = $4 OR created_at >= $5)",
    };
    let sql = format!(
        "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE revoked_at IS NULL AND {filter} RETURNING id"
    );
    let query = sqlx::query_scalar(&sql).bind(now).bind(reason);
    let query = match scope {
        Scope::One(sid) => query.bind(sid),
        Scope::OneOf(user, sid) => query.bind(sid).bind(user),
        Scope::AllOf(user) => query.bind(user),
        Scope::AllOfExcept(user, sid) => query.bind(user).bind(sid),
        Scope::BegunSince(user, sid, since) => query.bind(user).bind(sid).bind(since),
    };
    let ended: Vec<SessionId> = query.fetch_all(tx.conn()).await?;
    revocations::log(tx, &ended, now).await?;
    notify::revoked(tx, &ended, now).await?;
    for sid in &ended {
        tx.ended(*sid, now, reason.as_str());
    }
    Ok(ended)
}

/// Whether `sid` is (or was) a session of `user`.
pub async fn belongs_to(pool: &AnyPool, sid: SessionId, user: UserId) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(sid)
        .bind(user)
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// The user's live sessions, newest first.
pub async fn live_of(pool: &AnyPool, user: UserId, now: UnixMillis) -> Result<Vec<SessionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_used_at, idle_expires_at, expires_at, user_agent FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND idle_expires_at > $2 \
         ORDER BY created_at DESC, id",
    )
    .bind(user)
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Records that the person proved who they are in live session `sid` at `at` (a
/// re-authentication); false if the session is not live.
pub async fn authenticated(tx: &mut Tx<'_>, sid: SessionId, at: UnixMillis) -> Result<bool, StoreError> {
    let updated = sqlx::query("UPDATE sessions SET authenticated_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(sid)
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(updated == 1)
}

/// Every session of `user`, live or ended (within retention), newest first: for the
/// data export.
pub async fn all_of(pool: &AnyPool, user: UserId) -> Result<Vec<EndedOrLive>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_used_at, idle_expires_at, expires_at, revoked_at, revoke_reason, user_agent, \
                client_addr FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user)
    .fetch_all(pool)
    .await?)
}

/// A session as the data export shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EndedOrLive {
    pub id: SessionId,
    pub created_at: UnixMillis,
    pub last_used_at: UnixMillis,
    pub idle_expires_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub revoked_at: Option<UnixMillis>,
    pub revoke_reason: Option<RevokeReason>,
    pub user_agent: String,
    pub client_addr: String,
}

/// When a session began, if it exists.
pub async fn created_at(tx: &mut Tx<'_>, sid: SessionId) -> Result<Option<UnixMillis>, StoreError> {
    Ok(sqlx::query_scalar("SELECT created_at FROM sessions WHERE id = $1").bind(sid).fetch_optional(tx.conn()).await?)
}

/// When a session reaches its absolute lifetime, if it exists.
pub async fn absolute_end(pool: &AnyPool, sid: SessionId) -> Result<Option<UnixMillis>, StoreError> {
    Ok(sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = $1").bind(sid).fetch_optional(pool).await?)
}

/// Deletes up to `batch` sessions that ended (revoked, idle past their refresh token,
/// or past their absolute lifetime) before `cutoff`, their refresh tokens with them
/// (the foreign key cascades). A token of an ended session is refused either way, so
/// nothing a request can still use is touched.
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        // One branch per way a session ends, each read from its own index. The three
        // conditions OR-ed in one WHERE make SQLite scan the whole table (half a second
        // at 2,000,000 sessions) inside the write transaction whenever few sessions
        // have ended, which is every hourly sweep.
        "DELETE FROM sessions WHERE id IN (SELECT id FROM ( \
           SELECT id FROM sessions WHERE revoked_at < $1 \
           UNION ALL SELECT id FROM sessions WHERE idle_expires_at < $1 \
           UNION ALL SELECT id FROM sessions WHERE expires_at < $1) ended LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
