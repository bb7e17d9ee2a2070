//! A refresh as one unit of work, and how it is committed.
//!
//! Two paths, told apart by what they run on. The async table functions of
//! `refresh_tokens` run through sqlx, in a [`Tx`]: [`rotate_in`], and PostgreSQL's
//! [`at_once`]. SQLite's group commit ([`GroupCommit`], at the end of this file) runs
//! on a thread of its own with a `rusqlite` connection, and claims a batch with
//! [`claim_many`].
//!
//! [`rotate_in`] is the whole of it inside a transaction: the claim, or the
//! explanation of why nothing was claimed; a reused token ends its session (and is
//! recorded) in the same transaction.
//!
//! On PostgreSQL each rotation commits on its own, its claim in one statement
//! ([`refresh_tokens::claim_at_once`]); the server flushes concurrent commits together. On SQLite every commit is its own fsync (`synchronous=FULL`: an
//! answer leaves only once its rotation is durable), and one writer at a time. So
//! rotations go through a group commit ([`GroupCommit`]): one thread takes every
//! rotation waiting at that moment and claims them in one transaction of three
//! statements ([`claim_many`]) and one durable commit, then answers
//! each. A presentation not claimed (a token already spent, presented twice in one
//! batch, refused) then goes through [`rotate_in`] on its own, in arrival order. So
//! the outcomes are those of one serial order, the batch's claims first, and every
//! answer leaves after its commit: two presentations of one token in one batch still
//! give one claim and one grace (or reuse) answer.

use super::{
    refresh_tokens::{self, sql, Claimed, NotClaimed, RefreshLimit, RefreshRow, Successor},
    security_events::{self, Event, EventKind},
    sessions::{self, RevokeReason, Scope},
    tx::{Core, StoreError, Tx},
};
use crate::server::db::{self, Backend};
use crate::server::{
    ids::{SessionId, TokenId, UserId},
    time::UnixMillis,
};
use std::{path::PathBuf, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// A refresh token presented for rotation, with everything needed to decide.
#[derive(Debug)]
pub struct Presented {
    pub jti: TokenId,
    pub sid: SessionId,
    pub next: Successor,
    /// How long the predecessor of an unused current token is forgiven.
    pub grace: Duration,
    pub limit: RefreshLimit,
    /// When it was presented (read before waiting for any lock).
    pub now: UnixMillis,
}

/// What presenting it led to: `Ok` the new current token, or why not.
pub type Outcome = Result<RefreshRow, NotClaimed>;

/// One rotation inside `tx`.
pub async fn rotate_in(tx: &mut Tx<'_>, presented: &Presented) -> Result<Outcome, StoreError> {
    let Presented { jti, sid, next, grace, limit, now } = presented;
    if let Some(next) = refresh_tokens::claim(tx, *jti, *sid, next, *limit, *now).await? {
        return Ok(Ok(next));
    }
    let why = refresh_tokens::why_not_claimed(tx, *jti, *sid, *grace, *limit, *now).await?;
    if let NotClaimed::Reused { user_id } = &why {
        sessions::revoke(tx, Scope::One(*sid), RevokeReason::Reuse, *now).await?;
        let event =
            Event { user_id: Some(*user_id), session_id: Some(*sid), ..Event::new(EventKind::RefreshTokenReused) };
        security_events::record(tx, *now, &event).await?;
    }
    Ok(Err(why))
}

/// PostgreSQL's way: the claim in one statement committed on its own (the server
/// flushes concurrent commits together); a presentation it did not claim then goes
/// through [`rotate_in`] in a transaction.
/// (An in-memory SQLite database, which has no group commit, takes the transaction.)
pub(super) async fn at_once(core: &Core, presented: &Presented) -> Result<Outcome, StoreError> {
    if core.backend != Backend::Postgres {
        return alone(core, presented).await;
    }
    let Presented { jti, sid, next, limit, now, .. } = presented;
    match refresh_tokens::claim_at_once(&core.pool, *jti, *sid, next, *limit, *now).await? {
        Some(next) => Ok(Ok(next)),
        None => alone(core, presented).await,
    }
}

/// One rotation in a transaction of its own.
pub(super) async fn alone(core: &Core, presented: &Presented) -> Result<Outcome, StoreError> {
    let mut tx = core.begin().await?;
    let outcome = rotate_in(&mut tx, presented).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The most rotations one transaction takes (more wait for the next one).
const MAX_BATCH: usize = 128;

struct Job {
    presented: Presented,
    answer: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// SQLite's group commit: a task that commits waiting rotations together.
#[derive(Clone)]
pub(super) struct GroupCommit {
    jobs: mpsc::UnboundedSender<Job>,
}

impl GroupCommit {
    /// Starts the task for the SQLite database in `file`; it ends when the last `Store`
    /// holding this is gone. It runs on a thread of its own, which talks to SQLite
    /// directly (the statements of a batch take microseconds; each through sqlx would
    /// be a round trip to its worker thread and back through an async wake-up, about
    /// a third of a millisecond on a busy two-core machine) and sleeps only in the
    /// commit's fsync.
    pub(super) fn start(core: Core, file: PathBuf) -> Self {
        let (jobs, waiting) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(runtime) => {
                let spawned = std::thread::Builder::new()
                    .name("baton-group-commit".into())
                    .spawn(move || runtime.block_on(run(core, file, waiting)));
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "cannot start the group commit thread");
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot start the group commit runtime"),
        }
        GroupCommit { jobs }
    }

    pub(super) async fn rotate(&self, presented: Presented) -> Result<Outcome, StoreError> {
        let (answer, outcome) = oneshot::channel();
        let gone = || StoreError::from(sqlx::Error::PoolClosed);
        self.jobs.send(Job { presented, answer }).map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }
}

async fn run(core: Core, file: PathBuf, mut waiting: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // A connection of its own, held across batches; opened again after a failure, in
    // case the failure was the connection.
    let mut own: Option<rusqlite::Connection> = None;
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if own.is_none() {
            own = db::open_sqlite(&file)
                .inspect_err(|e| tracing::error!(error = %e, "the group commit cannot open the database"))
                .ok();
        }
        let claimed = match own.as_mut() {
            Some(conn) => {
                let _turn = core.turn().await;
                claim_together(conn, &batch)
            }
            None => Err(StoreError::from(sqlx::Error::PoolTimedOut)),
        };
        if let Err(e) = &claimed {
            tracing::warn!(error = %e, "a group commit failed; its rotations go one by one");
            own = None;
        }
        // Those claimed are durable: answer them all first. Nothing of a failed batch
        // was committed: each of its rotations goes again on its own, so that one
        // that fails does not fail the others. So do those not claimed, which need the
        // explanation (and a reuse its revocation) that `rotate_in` gives, after the
        // claims and in arrival order.
        let mut claimed = claimed.unwrap_or_default().into_iter();
        let mut rest = Vec::new();
        for job in batch.drain(..) {
            match claimed.next().flatten() {
                Some(next) => {
                    let _ = job.answer.send(Ok(Ok(next)));
                }
                None => rest.push(job),
            }
        }
        for job in rest {
            let _ = job.answer.send(alone(&core, &job.presented).await);
        }
    }
}

/// Claims the first presentation of each token of `batch` in one transaction and one
/// durable commit. For each job in order: its successor if it was claimed.
fn claim_together(conn: &mut rusqlite::Connection, batch: &[Job]) -> Result<Vec<Option<RefreshRow>>, StoreError> {
    let mut seen = std::collections::HashSet::with_capacity(batch.len());
    let firsts: Vec<bool> = batch.iter().map(|job| seen.insert(job.presented.jti)).collect();
    let claims: Vec<Claim<'_>> = batch
        .iter()
        .zip(&firsts)
        .filter(|(_, first)| **first)
        .map(|(job, _)| {
            let p = &job.presented;
            Claim { jti: p.jti, sid: p.sid, next: &p.next, now: p.now }
        })
        .collect();
    // Every job of a batch carries the server's one refresh limit.
    let limit = batch[0].presented.limit;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut claimed = claim_many(&tx, &claims, limit)?.into_iter();
    tx.commit()?;
    Ok(firsts.iter().map(|&first| if first { claimed.next().flatten() } else { None }).collect())
}

/// One presentation for [`claim_many`].
struct Claim<'a> {
    jti: TokenId,
    sid: SessionId,
    next: &'a Successor,
    now: UnixMillis,
}

/// `(` placeholders `)` for `rows` rows of `columns` values each, numbered from `first`.
fn values(rows: usize, columns: usize, first: usize) -> String {
    let row = |r: usize| {
        let numbers: Vec<String> = (0..columns).map(|c| format!("?{}", first + r * columns + c)).collect();
        format!("({})", numbers.join(", "))
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}

/// `refresh_tokens::claim` for many presentations in three statements, whatever their
/// number: the decision for all of them, the sessions' bookkeeping for those claimed,
/// and their successors, from the same SQL parts as `claim` (`refresh_tokens::sql`).
/// On the group commit's own connection, which talks to SQLite directly: through sqlx
/// each statement would be a round trip to its worker thread. `claims` must name
/// distinct tokens. Returns, for each claim in order, its successor if it was claimed.
fn claim_many(
    tx: &rusqlite::Transaction<'_>,
    claims: &[Claim<'_>],
    limit: RefreshLimit,
) -> rusqlite::Result<Vec<Option<RefreshRow>>> {
    use rusqlite::types::Value;
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let text = |id: &dyn std::fmt::Display| Value::Text(id.to_string());
    let parse = |row: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<uuid::Uuid> {
        let text: String = row.get(i)?;
        uuid::Uuid::parse_str(&text)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
    };

    // The decisions, as `claim`'s: (jti, presented at, session, its window opened before).
    let sql = format!(
        "UPDATE refresh_tokens SET used_at = v.column2 FROM (VALUES {}) AS v \
         WHERE refresh_tokens.jti = v.column1 AND refresh_tokens.session_id = v.column3 \
           AND refresh_tokens.used_at IS NULL \
           AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = v.column3 AND {}) \
         RETURNING refresh_tokens.jti",
        values(claims.len(), 4, 2),
        sql::session_may_rotate("s", "v.column2", "v.column4", "?1"),
    );
    let mut args = vec![Value::Integer(i64::from(limit.max))];
    for claim in claims {
        args.extend([
            text(&claim.jti),
            Value::Integer(claim.now.0),
            text(&claim.sid),
            Value::Integer(claim.now.minus(limit.per).0),
        ]);
    }
    let mut statement = tx.prepare_cached(&sql)?;
    let spent: std::collections::HashSet<TokenId> = statement
        .query_map(rusqlite::params_from_iter(args), |row| Ok(TokenId(parse(row, 0)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let claimed: Vec<&Claim<'_>> = claims.iter().filter(|c| spent.contains(&c.jti)).collect();
    if claimed.is_empty() {
        return Ok(claims.iter().map(|_| None).collect());
    }

    // The books of their sessions, as `claim` keeps them: (session, presented at, the
    // successor's wanted expiry, window opened before).
    let sql = format!(
        "UPDATE sessions SET {} FROM (VALUES {}) AS v WHERE sessions.id = v.column1 \
         RETURNING sessions.id, sessions.user_id, sessions.expires_at, sessions.authenticated_at",
        sql::bookkeeping("v.column2", "v.column3", "v.column4"),
        values(claimed.len(), 4, 1),
    );
    let mut args = Vec::with_capacity(claimed.len() * 4);
    for claim in &claimed {
        let wanted = claim.now.as_secs().plus(claim.next.ttl).as_millis();
        args.extend([
            text(&claim.sid),
            Value::Integer(claim.now.0),
            Value::Integer(wanted.0),
            Value::Integer(claim.now.minus(limit.per).0),
        ]);
    }
    let mut statement = tx.prepare_cached(&sql)?;
    // Each claimed session: its account, absolute expiry and authentication time.
    let sessions: std::collections::HashMap<SessionId, Claimed> = statement
        .query_map(rusqlite::params_from_iter(args), |row| {
            let claimed = Claimed {
                user_id: UserId(parse(row, 1)?),
                expires_at: UnixMillis(row.get(2)?),
                authenticated_at: UnixMillis(row.get(3)?),
            };
            Ok((SessionId(parse(row, 0)?), claimed))
        })?
        .collect::<rusqlite::Result<_>>()?;

    // Their successors, in one insert.
    let mut successors = Vec::with_capacity(claimed.len());
    for claim in &claimed {
        let session = sessions.get(&claim.sid).ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        successors.push(claim.next.row(claim.sid, session, claim.now.as_secs()));
    }
    let sql = format!(
        "INSERT INTO refresh_tokens (jti, session_id, parent_jti, kid, iat, exp) VALUES {}",
        values(successors.len(), 6, 1)
    );
    let mut args = Vec::with_capacity(successors.len() * 6);
    for (claim, next) in claimed.iter().zip(&successors) {
        args.extend([
            text(&next.jti),
            text(&next.session_id),
            text(&claim.jti),
            Value::Text(next.kid.clone()),
            Value::Integer(next.iat.0),
            Value::Integer(next.exp.0),
        ]);
    }
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(args))?;

    let mut by_jti: std::collections::HashMap<TokenId, RefreshRow> =
        claimed.iter().zip(successors).map(|(claim, next)| (claim.jti, next)).collect();
    Ok(claims.iter().map(|claim| by_jti.remove(&claim.jti)).collect())
}
