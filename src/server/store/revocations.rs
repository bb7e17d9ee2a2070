//! The `revocations` table: every ended session, numbered in commit order.
//!
//! Instances keep a set of revoked sessions in memory ([`super::revoked`]) and catch
//! up with each other by reading the entries numbered after the last one they have
//! seen. Numbers are taken under a lock held until commit (SQLite's single writer;
//! `pg_advisory_xact_lock` on PostgreSQL), so no entry can become visible after a
//! higher-numbered one: nothing is missed however late a transaction commits or
//! however far apart two hosts' clocks are.

use super::{
    revoked::RevokedSessions,
    tx::{StoreError, Tx},
};
use crate::server::{db::Backend, ids::SessionId, time::UnixMillis};
use sqlx::AnyPool;

/// Held by a revoking transaction until it commits (PostgreSQL; an arbitrary
/// constant that names "the revocation log").
const LOG_LOCK: i64 = 0x6261_746f_6e72;

#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Revocation {
    pub seq: i64,
    pub session_id: SessionId,
    pub revoked_at: UnixMillis,
}

/// Applies entries of the log to this instance's set; `through` is the highest number
/// the reader has seen (all entries up to it are in `entries`, or too old to matter).
pub fn apply(revoked: &RevokedSessions, entries: &[Revocation], through: i64) {
    for entry in entries {
        revoked.insert(entry.session_id, entry.revoked_at);
    }
    revoked.caught_up_to(entries.iter().map(|e| e.seq).fold(through, i64::max));
}

/// Records that `sids` ended at `at`.
pub async fn log(tx: &mut Tx<'_>, sids: &[SessionId], at: UnixMillis) -> Result<(), StoreError> {
    if sids.is_empty() {
        return Ok(());
    }
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOG_LOCK).execute(tx.conn()).await?;
    }
    for sid in sids {
        sqlx::query(
            "INSERT INTO revocations (seq, session_id, revoked_at) \
             VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM revocations), $1, $2)",
        )
        .bind(*sid)
        .bind(at)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// The entries numbered after `seq`, in order.
pub async fn after(pool: &AnyPool, seq: i64) -> Result<Vec<Revocation>, StoreError> {
    Ok(sqlx::query_as("SELECT seq, session_id, revoked_at FROM revocations WHERE seq > $1 ORDER BY seq")
        .bind(seq)
        .fetch_all(pool)
        .await?)
}

/// The entries of sessions revoked at or after `since`, and the highest number so far
/// (to catch up from): what an instance loads at start-up.
pub async fn since(pool: &AnyPool, since: UnixMillis) -> Result<(Vec<Revocation>, i64), StoreError> {
    let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM revocations").fetch_one(pool).await?;
    let recent = sqlx::query_as(
        "SELECT seq, session_id, revoked_at FROM revocations WHERE revoked_at >= $1 AND seq <= $2 ORDER BY seq",
    )
    .bind(since)
    .bind(latest)
    .fetch_all(pool)
    .await?;
    Ok((recent, latest))
}

/// Deletes up to `batch` entries older than `cutoff`, never the newest one (its
/// number is where the next one counts on from).
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM revocations WHERE seq IN (SELECT seq FROM revocations \
         WHERE revoked_at < $1 AND seq < (SELECT MAX(seq) FROM revocations) LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
