//! The `known_devices` table: each account's (device, address) pairs, so that a
//! sign-in from a new one can be told to the owner (docs/API.md, "New-device mail").

use super::tx::{StoreError, Tx};
use crate::server::{ids::UserId, time::UnixMillis};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Signed in from this device and address before.
    Before,
    /// A pair the account has not used.
    New,
    /// The account's first recorded pair: its sign-up, or an account older than this
    /// table, which has nothing to compare with (and nothing to tell).
    First,
}

/// Records that `user` signed in on `device` from `addr` now, and says whether that
/// pair was known.
pub async fn sign_in(
    tx: &mut Tx<'_>,
    user: UserId,
    device: &str,
    addr: &str,
    now: UnixMillis,
) -> Result<Seen, StoreError> {
    let updated = sqlx::query(
        "UPDATE known_devices SET last_seen_at = $1 WHERE user_id = $2 AND device = $3 AND client_addr = $4",
    )
    .bind(now)
    .bind(user)
    .bind(device)
    .bind(addr)
    .execute(tx.conn())
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(Seen::Before);
    }
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM known_devices WHERE user_id = $1")
        .bind(user)
        .fetch_one(tx.conn())
        .await?;
    // A parallel sign-in from the same new pair may insert it first (PostgreSQL): then
    // that one tells the owner, and this one is not news.
    let inserted = sqlx::query(
        "INSERT INTO known_devices (user_id, device, client_addr, last_seen_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, device, client_addr) DO NOTHING",
    )
    .bind(user)
    .bind(device)
    .bind(addr)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(match (inserted.rows_affected(), others) {
        (0, _) => Seen::Before,
        (_, 0) => Seen::First,
        _ => Seen::New,
    })
}

/// Forgets pairs not used since `cutoff` (the retention period).
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM known_devices WHERE (user_id, device, client_addr) IN \
         (SELECT user_id, device, client_addr FROM known_devices WHERE last_seen_at < $1 LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
