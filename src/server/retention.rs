//! The hourly sweep that keeps the database from growing without end: every refresh
//! adds a token row and every sign-in attempt a security event. Ended sessions and
//! events older than `BATON_RETENTION` are deleted.
//!
//! Every instance sweeps; the deletes are idempotent, so several instances on one
//! database only repeat each other's (cheap, indexed) work. Each batch is its own
//! short transaction followed by a pause, so refreshes are never held up for long and
//! keep most of the writer however many rows go.

use super::{
    state::AppState,
    store::{
        admin_actions, ceremonies, email_codes, email_links, known_browsers, known_devices, mfa_challenges, oidc_flows,
        revocations, security_events, sessions, StoreError,
    },
    time::UnixMillis,
};
use std::time::Duration;
use tokio::task::JoinHandle;

const EVERY: Duration = Duration::from_secs(3600);
/// Not in the middle of start-up: migrations, key loading and the first requests.
const FIRST_AFTER: Duration = Duration::from_secs(60);
/// Rows one batch deletes at most (sessions: a fifth as many, each going with its
/// refresh tokens, five on average).
const BATCH: i64 = 100;
/// How long one batch may hold the writer (SQLite's one writer; on PostgreSQL the
/// rows' locks and the I/O), about as long as a rotation's commit: a batch that took
/// longer halves the next, one that took less than half of it doubles it (up to
/// [`BATCH`]). Where the pages are not all in memory, 20 sessions take 16 ms, which a
/// refresh waiting behind them would add to its own time.
const HOLD: Duration = Duration::from_millis(3);
/// After a full batch the sweep waits this many times as long as the batch took: it
/// takes at most a tenth of the writer's time. Every row it deletes dirties pages of
/// every index of its table, which the writer then writes and checkpoints: at a million
/// accounts refreshes keep 93 % of their throughput beside it, and 71 % beside a sweep
/// taking a fifth (`make scale`). A backlog of millions of rows thus takes hours, but
/// an hourly sweep of an hour's rows is over in minutes.
const PAUSE_FACTOR: u32 = 9;

pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + FIRST_AFTER, EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            sweep(&state).await;
        }
    })
}

/// One sweep; failures are logged and retried at the next one.
pub async fn sweep(state: &AppState) {
    match prune(state, state.clock.now().minus(state.settings.operations.retention)).await {
        Ok(Pruned { sessions: 0, events: 0, .. }) => {}
        Ok(Pruned { sessions, events, .. }) => {
            tracing::info!(sessions, events, "deleted ended sessions and old security events")
        }
        Err(e) => tracing::warn!(error = %e, "retention sweep failed; next try in an hour"),
    }
}

/// What one sweep deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Sessions (with their refresh tokens).
    pub sessions: u64,
    /// Security events and administrators' actions.
    pub events: u64,
    /// Entries of the revocation log.
    pub revocations: u64,
    /// Expired mail links.
    pub links: u64,
    /// Device and address pairs, and browsers, not signed in from within the
    /// retention period.
    pub devices: u64,
    /// Expired second steps, passkey ceremonies, trips to providers and sign-in codes.
    pub challenges: u64,
}

/// Deletes what ended before `cutoff`.
pub async fn prune(state: &AppState, cutoff: UnixMillis) -> Result<Pruned, StoreError> {
    Ok(Pruned {
        sessions: prune_table(state, Table::Sessions, cutoff).await?,
        events: prune_table(state, Table::Events, cutoff).await?
            + prune_table(state, Table::AdminActions, cutoff).await?,
        revocations: prune_table(state, Table::Revocations, cutoff).await?,
        // A link is useless once expired (its unsent mail goes with it).
        links: prune_table(state, Table::Links, state.clock.now()).await?,
        devices: prune_table(state, Table::Devices, cutoff).await?
            + prune_table(state, Table::Browsers, cutoff).await?,
        challenges: prune_table(state, Table::MfaChallenges, state.clock.now()).await?
            + prune_table(state, Table::Ceremonies, state.clock.now()).await?
            + prune_table(state, Table::OidcFlows, state.clock.now()).await?
            + prune_table(state, Table::EmailCodes, state.clock.now()).await?,
    })
}

#[derive(Clone, Copy)]
enum Table {
    Sessions,
    Events,
    AdminActions,
    Revocations,
    Links,
    Devices,
    Browsers,
    MfaChallenges,
    Ceremonies,
    OidcFlows,
    EmailCodes,
}

async fn prune_table(state: &AppState, table: Table, cutoff: UnixMillis) -> Result<u64, StoreError> {
    let mut total = 0;
    let most = match table {
        Table::Sessions => BATCH / 5,
        _ => BATCH,
    };
    let mut batch = most;
    loop {
        let mut tx = state.store.begin().await?;
        // From the write turn on: what the batch held the writer for.
        let started = std::time::Instant::now();
        let deleted = match table {
            Table::Sessions => sessions::prune(&mut tx, cutoff, batch).await?,
            Table::Events => security_events::prune(&mut tx, cutoff, batch).await?,
            Table::AdminActions => admin_actions::prune(&mut tx, cutoff, batch).await?,
            Table::Revocations => revocations::prune(&mut tx, cutoff, batch).await?,
            Table::Links => email_links::prune(&mut tx, cutoff, batch).await?,
            Table::Devices => known_devices::prune(&mut tx, cutoff, batch).await?,
            Table::Browsers => known_browsers::prune(&mut tx, cutoff, batch).await?,
            Table::MfaChallenges => mfa_challenges::prune(&mut tx, cutoff, batch).await?,
            Table::Ceremonies => ceremonies::prune(&mut tx, cutoff, batch).await?,
            Table::OidcFlows => oidc_flows::prune(&mut tx, cutoff, batch).await?,
            Table::EmailCodes => email_codes::prune(&mut tx, cutoff, batch).await?,
        };
        tx.commit().await?;
        total += deleted;
        if deleted < batch as u64 {
            return Ok(total);
        }
        let held = started.elapsed();
        if held > HOLD {
            batch = (batch / 2).max(1);
        } else if held < HOLD / 2 {
            batch = (batch * 2).min(most);
        }
        tokio::time::sleep(held * PAUSE_FACTOR).await;
    }
}
