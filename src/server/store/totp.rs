//! The `totp` table: an account's authenticator app. The secret is what the app
//! holds too, so it is stored as it is (like the signing keys, it lives only in the
//! database); `last_step` makes every code single use.

use super::tx::{StoreError, Tx};
use crate::server::{ids::UserId, time::UnixMillis};
use sqlx::AnyPool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TotpRow {
    /// The working secret (base32), set once a setup was confirmed.
    pub secret: Option<String>,
    /// A setup waiting for its first code.
    pub pending_secret: Option<String>,
    /// When that setup stops waiting.
    pub pending_expires_at: Option<UnixMillis>,
    /// Wrong codes entered for that setup.
    pub pending_failures: i64,
    pub enabled_at: Option<UnixMillis>,
    pub last_step: i64,
}

impl TotpRow {
    /// The secret codes are checked against, when two-step verification is on.
    pub fn enabled_secret(&self) -> Option<&str> {
        self.enabled_at.and(self.secret.as_deref())
    }

    /// The secret of a setup still waiting for its first code at `now`: started less
    /// than its lifetime ago, with fewer than `max_failures` wrong codes.
    pub fn pending_secret(&self, now: UnixMillis, max_failures: i64) -> Option<&str> {
        let live = self.pending_expires_at.is_some_and(|end| end > now) && self.pending_failures < max_failures;
        self.pending_secret.as_deref().filter(|_| live)
    }
}

const COLUMNS: &str = "secret, pending_secret, pending_expires_at, pending_failures, enabled_at, last_step";

pub async fn of(pool: &AnyPool, user: UserId) -> Result<Option<TotpRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM totp WHERE user_id = $1"))
        .bind(user)
        .fetch_optional(pool)
        .await?)
}

/// [`of`], inside a transaction (after its checks took their locks).
pub async fn of_in(tx: &mut Tx<'_>, user: UserId) -> Result<Option<TotpRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM totp WHERE user_id = $1"))
        .bind(user)
        .fetch_optional(tx.conn())
        .await?)
}

/// Whether `user` has two-step verification turned on.
pub async fn enabled(pool: &AnyPool, user: UserId) -> Result<bool, StoreError> {
    Ok(of(pool, user).await?.is_some_and(|row| row.enabled_secret().is_some()))
}

/// Starts a setup: `secret` waits for its first code until `expires_at`. A working
/// secret keeps working.
pub async fn set_pending(
    tx: &mut Tx<'_>,
    user: UserId,
    secret: &str,
    expires_at: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO totp (user_id, pending_secret, pending_expires_at, pending_failures) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret, \
         pending_expires_at = excluded.pending_expires_at, pending_failures = 0",
    )
    .bind(user)
    .bind(secret)
    .bind(expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Counts a wrong code against the setup waiting for `secret`.
pub async fn pending_failed(tx: &mut Tx<'_>, user: UserId, secret: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE totp SET pending_failures = pending_failures + 1 WHERE user_id = $1 AND pending_secret = $2")
        .bind(user)
        .bind(secret)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends a setup that waits for its first code (a credential change); a working secret
/// keeps working, and a row with nothing else in it goes.
pub async fn end_pending(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM totp WHERE user_id = $1 AND enabled_at IS NULL").bind(user).execute(tx.conn()).await?;
    sqlx::query(
        "UPDATE totp SET pending_secret = NULL, pending_expires_at = NULL, pending_failures = 0 WHERE user_id = $1",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Makes the pending secret the working one, if it is still `secret` (a newer setup
/// did not replace it meanwhile). `step` is the step of the code that confirmed it, so
/// that code cannot sign anyone in.
pub async fn enable(
    tx: &mut Tx<'_>,
    user: UserId,
    secret: &str,
    step: i64,
    now: UnixMillis,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE totp SET secret = pending_secret, pending_secret = NULL, pending_expires_at = NULL, \
         pending_failures = 0, enabled_at = $1, last_step = $2 WHERE user_id = $3 AND pending_secret = $4",
    )
    .bind(now)
    .bind(step)
    .bind(user)
    .bind(secret)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts a code of `step`: true only for a step later than every one accepted
/// before, so a code works once, whichever instance sees it first.
pub async fn accept_step(tx: &mut Tx<'_>, user: UserId, step: i64) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1 AND enabled_at IS NOT NULL")
            .bind(step)
            .bind(user)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the authenticator app off: false if it was not on.
pub async fn delete(tx: &mut Tx<'_>, user: UserId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM totp WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

/// [`enabled`], inside a transaction.
pub async fn enabled_in(tx: &mut Tx<'_>, user: UserId) -> Result<bool, StoreError> {
    let row: Option<(Option<UnixMillis>,)> =
        sqlx::query_as("SELECT enabled_at FROM totp WHERE user_id = $1").bind(user).fetch_optional(tx.conn()).await?;
    Ok(row.is_some_and(|(enabled_at,)| enabled_at.is_some()))
}
