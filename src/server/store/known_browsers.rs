//! The `known_browsers` table: the browsers (their `device` cookie, as SHA-256) that
//! signed in to each account. Past the per-account cap on failed sign-ins only these
//! may keep trying (`auth::limits`).

use super::{
    secret_token::SecretToken,
    tx::{StoreError, Tx},
};
use crate::server::{ids::UserId, time::UnixMillis};
use sqlx::AnyPool;

/// Records that `browser` signed in to `user` now.
pub async fn signed_in(
    tx: &mut Tx<'_>,
    user: UserId,
    browser: &SecretToken,
    now: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO known_browsers (user_id, browser_hash, last_seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, browser_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(user)
    .bind(browser.hash())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whether `browser` signed in to `user` before.
pub async fn knows(pool: &AnyPool, user: UserId, browser: &SecretToken) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM known_browsers WHERE user_id = $1 AND browser_hash = $2")
            .bind(user)
            .bind(browser.hash())
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// Forgets browsers that have not signed in since `cutoff` (the retention period).
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM known_browsers WHERE (user_id, browser_hash) IN \
         (SELECT user_id, browser_hash FROM known_browsers WHERE last_seen_at < $1 LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
