//! A refresh as one unit of work, and how it is committed.
//!
//! [`rotate_in`] is the whole of it inside a transaction: the claim, or the
//! explanation of why nothing was claimed; a reused token ends its session (and is
//! recorded) in the same transaction.
//!
//! On PostgreSQL each rotation commits on its own; the server flushes concurrent
//! commits together. On SQLite every commit is its own fsync (`synchronous=FULL`: an
//! answer leaves only once its rotation is durable), and one writer at a time. So
//! rotations go through a group commit ([`GroupCommit`]): one task takes every
//! rotation waiting at that moment into one transaction and one durable commit, then
//! answers each with its own outcome, in three statements for the whole batch
//! ([`refresh_tokens::claim_many`]) plus the explanations of those not claimed. The
//! outcomes are those of one serial order, the claims first and then the rest in
//! arrival order, all committed before any answer leaves: two presentations of one
//! token in one batch still give one claim and one grace (or reuse) answer.

use super::{
    refresh_tokens::{self, NotClaimed, RefreshLimit, RefreshRow, Successor},
    security_events::{self, Event, EventKind},
    sessions::{self, RevokeReason, Scope},
    tx::{Core, StoreError, Tx},
};
use crate::server::{
    ids::{SessionId, TokenId},
    time::UnixMillis,
};
use std::time::Duration;
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
        let event = Event { user_id: Some(*user_id), session_id: Some(*sid), ..Event::new(EventKind::RefreshReuse) };
        security_events::record(tx, *now, &event).await?;
    }
    Ok(Err(why))
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
    /// Starts the task; it ends when the last `Store` holding this is gone. It runs
    /// on a thread of its own: between the statements of a batch it waits for
    /// SQLite's answers, and each of those waits would otherwise end in the async
    /// runtime's queue, behind every request in flight.
    pub(super) fn start(core: Core) -> Self {
        let (jobs, waiting) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(runtime) => {
                let spawned = std::thread::Builder::new()
                    .name("baton-group-commit".into())
                    .spawn(move || runtime.block_on(run(core, waiting)));
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

async fn run(core: Core, mut waiting: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // A connection of its own, held across batches: no trip through the pool per
    // batch. Taken again after a failure, in case the failure was the connection.
    let mut own: Option<sqlx::pool::PoolConnection<sqlx::Any>> = None;
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if own.is_none() {
            own = core.pool.acquire().await.ok();
        }
        let result = match own.as_mut() {
            Some(conn) => together(&core, conn, &batch).await,
            None => Err(StoreError::from(sqlx::Error::PoolTimedOut)),
        };
        if result.is_err() {
            own = None;
        }
        match result {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.answer.send(Ok(outcome));
                }
            }
            // Nothing of the batch was committed. Each goes again on its own, so that
            // one rotation that fails does not fail the others.
            Err(_) => {
                for job in batch.drain(..) {
                    let _ = job.answer.send(alone(&core, &job.presented).await);
                }
            }
        }
    }
}

/// Every rotation of `batch` in one transaction, one commit. The first presentation
/// of each token is claimed together with the others; a token presented again, and
/// every presentation not claimed, then goes through [`rotate_in`] in arrival order.
async fn together(core: &Core, conn: &mut sqlx::AnyConnection, batch: &[Job]) -> Result<Vec<Outcome>, StoreError> {
    let mut tx = core.begin_on(conn).await?;
    let mut seen = std::collections::HashSet::with_capacity(batch.len());
    let firsts: Vec<usize> = (0..batch.len()).filter(|&i| seen.insert(batch[i].presented.jti)).collect();
    let claims: Vec<refresh_tokens::Claim<'_>> = firsts
        .iter()
        .map(|&i| {
            let p = &batch[i].presented;
            refresh_tokens::Claim { jti: p.jti, sid: p.sid, next: &p.next, now: p.now }
        })
        .collect();
    // Every job of a batch carries the server's one refresh limit.
    let limit = batch[0].presented.limit;
    let claimed = refresh_tokens::claim_many(&mut tx, &claims, limit).await?;
    let mut outcomes: Vec<Option<Outcome>> = batch.iter().map(|_| None).collect();
    for (&i, next) in firsts.iter().zip(claimed) {
        outcomes[i] = next.map(Ok);
    }
    for (job, outcome) in batch.iter().zip(outcomes.iter_mut()) {
        if outcome.is_none() {
            *outcome = Some(rotate_in(&mut tx, &job.presented).await?);
        }
    }
    tx.commit().await?;
    Ok(outcomes.into_iter().flatten().collect())
}
