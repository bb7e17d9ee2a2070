//! Keeps this instance in step with the others sharing its database: the in-memory
//! set of revoked sessions and the signing keys.
//!
//! On PostgreSQL, `LISTEN` delivers a revocation made by another instance within
//! milliseconds (what is sent, and how, is `store::notify`). Notifications are not
//! durable (one sent while this instance is reconnecting is lost), so a catch-up
//! query also runs every second and after every reconnect. It reads the revocation
//! log after the last number this instance has applied (`store::revocations`), so a
//! late commit or another host's clock cannot make it miss one.

use super::{
    db::Backend,
    state::AppState,
    store::{
        notify::{Notification, KEYS_CHANNEL, REVOKED_CHANNEL},
        revocations, StoreError,
    },
};
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::task::JoinHandle;

const POLL: Duration = Duration::from_secs(1);
/// Keys change rarely; a notification or an unknown `kid` triggers a reload sooner.
const KEY_RELOAD_EVERY_POLLS: u32 = 10;

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
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut polls: u32 = 0;
    loop {
        interval.tick().await;
        let _ = catch_up(&state).await;
        state.store.revoked().prune(state.clock.now());
        polls = polls.wrapping_add(1);
        if polls.is_multiple_of(KEY_RELOAD_EVERY_POLLS) {
            let _ = state.tokens.keys().reload().await;
        }
    }
}

/// Applies the revocations logged after the last one applied here.
async fn catch_up(state: &AppState) -> Result<(), StoreError> {
    let revoked = state.store.revoked();
    let seen = revoked.seen();
    let entries = revocations::after(state.store.pool(), seen).await?;
    revocations::apply(revoked, &entries, seen);
    Ok(())
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
                    let _ = catch_up(&state).await;
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
                            Ok(None) => {
                                let _ = catch_up(&state).await;
                            }
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
        Notification::CatchUp => {
            let _ = catch_up(state).await;
        }
        Notification::KeysChanged => {
            let _ = state.tokens.keys().reload().await;
        }
    }
}
