//! Keeping the session alive while the page is open: restore it at start-up (one
//! refresh), renew the access token shortly before it runs out, follow the other tabs.

use super::{
    fetch,
    session::{self, Session, SignedOutBecause, Status, Trigger},
    tabs,
};
use leptos::{prelude::*, task::spawn_local};
use std::{cell::Cell, time::Duration};

thread_local! {
    /// After a failed scheduled renewal, not before this instant (ms): a server that
    /// is down is not asked every second.
    static NEXT_RENEWAL_TRY: Cell<f64> = const { Cell::new(0.0) };
}

/// Starts the browser side once the app has hydrated: restores the session from the
/// refresh cookie (one call), keeps the access token renewed while the page is open,
/// and follows the other tabs.
pub fn start(session: Session) {
    Effect::new(move |_| {
        session::install(session);
        session.now.set(fetch::now());
        tabs::listen(session);

        // Restore the session: one refresh. Until it answers, protected pages show
        // "restoring", never a flash of the sign-in page.
        spawn_local(async move {
            if let Err(error) = fetch::refresh(Trigger::StartUp).await {
                if !error.ends_session() {
                    session.status.set(Status::SignedOut(Some(SignedOutBecause::Unreachable)));
                }
            }
        });

        // A clock for countdowns, and the safety net of renewal: a timer lost to a
        // sleeping laptop or a throttled background tab is caught on the next tick
        // (and a request that meets an expired token recovers through its 401).
        let _ = set_interval_with_handle(
            move || {
                session.now.set(fetch::now());
                renew_if_due(session);
            },
            Duration::from_secs(1),
        );
    });

    // Renew shortly before the access token expires, precisely on time.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let token = session.token();
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        if let Some(token) = token {
            let delay = (token.renew_at - fetch::now()).max(0.0);
            let handle =
                set_timeout_with_handle(move || renew_if_due(session), Duration::from_millis(delay as u64)).ok();
            timer.set_value(handle);
        }
    });
}

fn renew_if_due(session: Session) {
    let now = fetch::now();
    let due = matches!(session.status.get_untracked(), Status::SignedIn(_))
        && session.access_token().is_some_and(|t| t.renew_at <= now)
        && NEXT_RENEWAL_TRY.with(Cell::get) <= now;
    if due {
        spawn_local(async move {
            if fetch::refresh(Trigger::Scheduled).await.is_err() {
                NEXT_RENEWAL_TRY.with(|t| t.set(fetch::now() + 5_000.0));
            }
        });
    }
}
