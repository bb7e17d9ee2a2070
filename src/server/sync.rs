//! Keeps this instance in step with the others sharing its database: the in-memory
//! set of revoked sessions and the signing keys.
//!
//! On PostgreSQL, `LISTEN` delivers a revocation made by another instance within
//! milliseconds (what is sent, and how, is `store::notify`). Notifications are not
//! durable (one sent while this instance is reconnecting is lost), so a catch-up query
//! also runs every second and after every reconnect; it alone keeps the bound on
//! SQLite, where a second process (the `baton keys rotate` command) is the only other
//! writer.

use super::{
    db::Backend,
    state::AppState,
    store::{
        notify::{Notification, KEYS_CHANNEL, REVOKED_CHANNEL},
        sessions, StoreError,
    },
    time::UnixMillis,
};
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::task::JoinHandle;

const POLL: Duration = Duration::from_secs(1);
/// Keys change rarely; a notification or an unknown `kid` triggers a reload sooner.
const KEY_RELOAD_EVERY_POLLS: u32 = 10;
/// Look this far behind the previous poll: a revocation's timestamp is taken before
/// its transaction commits, and instances' clocks differ a little.
const SLACK: Duration = Duration::from_secs(10);

pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        if state.store.backend() == Backend::Postgres {
            tokio::join!(poll(state.clone()), listen(state));
        } else {
            poll(state).await;
        }
    })
}

async fn poll(state: AppState) {
    let mut since = state.clock.now().minus(SLACK);
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut polls: u32 = 0;
    loop {
        interval.tick().await;
        let started = state.clock.now();
        if catch_up(&state, since).await.is_ok() {
            since = started.minus(SLACK);
        }
        state.store.revoked().prune(started);
        polls = polls.wrapping_add(1);
        if polls.is_multiple_of(KEY_RELOAD_EVERY_POLLS) {
            let _ = state.tokens.keys().reload().await;
        }
    }
}

async fn catch_up(state: &AppState, since: UnixMillis) -> Result<(), StoreError> {
    for (sid, at) in sessions::revoked_since(state.store.pool(), since).await? {
        state.store.revoked().insert(sid, at);
    }
    Ok(())
}

/// Catches up as far back as a revoked session's access tokens can live.
async fn catch_up_fully(state: &AppState) {
    let since = state.clock.now().minus(state.store.revoked().horizon());
    let _ = catch_up(state, since).await;
}

async fn listen(state: AppState) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match PgListener::connect(&state.database_url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen_all([REVOKED_CHANNEL, KEYS_CHANNEL]).await {
                    tracing::warn!(error = %e, "cannot LISTEN for revocations");
                } else {
                    backoff = Duration::from_millis(500);
                    // Whatever was announced while we were not listening.
                    catch_up_fully(&state).await;
                    let _ = state.tokens.keys().reload().await;
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => {
                                on_notification(
                                    &state,
                                    Notification::parse(notification.channel(), notification.payload()),
                                )
                                .await
                            }
                            // The connection dropped; the next try_recv reconnects, and
                            // anything sent in between is found by the catch-up.
                            Ok(None) => catch_up_fully(&state).await,
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the revocation listener");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect the revocation listener"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn on_notification(state: &AppState, notification: Notification) {
    match notification {
        Notification::Revoked { at, sids } => {
            for sid in sids {
                state.store.revoked().insert(sid, at);
            }
        }
        Notification::CatchUp => catch_up_fully(state).await,
        Notification::KeysChanged => {
            let _ = state.tokens.keys().reload().await;
        }
    }
}
