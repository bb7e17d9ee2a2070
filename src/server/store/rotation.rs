//! A refresh as one unit of work, and how it is committed.
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
//! statements ([`refresh_tokens::claim_many`]) and one durable commit, then answers
//! each. A presentation not claimed (a token already spent, presented twice in one
//! batch, refused) then goes through [`rotate_in`] on its own, in arrival order. So
//! the outcomes are those of one serial order, the batch's claims first, and every
//! answer leaves after its commit: two presentations of one token in one batch still
//! give one claim and one grace (or reuse) answer.

use super::{
    refresh_tokens::{self, NotClaimed, RefreshLimit, RefreshRow, Successor},
    security_events::{self, Event, EventKind},
    sessions::{self, RevokeReason, Scope},
    tx::{Core, StoreError, Tx},
};
use crate::server::db::{self, Backend};
use crate::server::{
    ids::{SessionId, TokenId},
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
    let claims: Vec<refresh_tokens::Claim<'_>> = batch
        .iter()
        .zip(&firsts)
        .filter(|(_, first)| **first)
        .map(|(job, _)| {
            let p = &job.presented;
            refresh_tokens::Claim { jti: p.jti, sid: p.sid, next: &p.next, now: p.now }
        })
        .collect();
    // Every job of a batch carries the server's one refresh limit.
    let limit = batch[0].presented.limit;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut claimed = refresh_tokens::claim_many(&tx, &claims, limit)?.into_iter();
    tx.commit()?;
    Ok(firsts.iter().map(|&first| if first { claimed.next().flatten() } else { None }).collect())
}
