//! The hourly sweep that keeps the database from growing without end: every refresh
//! adds a token row and every sign-in attempt an audit row. Ended sessions and audit
//! events older than `BATON_RETENTION` are deleted (see `Store::prune`).
//!
//! Every instance sweeps; the deletes are idempotent, so several instances on one
//! database only repeat each other's (cheap, indexed) work.

use crate::{auth::now_ms, state::AppState};
use std::time::Duration;
use tokio::task::JoinHandle;

const EVERY: Duration = Duration::from_secs(3600);
/// Not in the middle of start-up: migrations, key loading and the first requests.
const FIRST_AFTER: Duration = Duration::from_secs(60);

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
    let cutoff = now_ms() - state.settings.retention.as_millis() as i64;
    match state.store.prune(cutoff).await {
        Ok((0, 0)) => {}
        Ok((sessions, events)) => tracing::info!(sessions, events, "deleted ended sessions and old audit events"),
        Err(e) => tracing::warn!(error = %e, "retention sweep failed; next try in an hour"),
    }
}
