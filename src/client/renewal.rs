//! Keeping the session alive while the page is open: restore it at start-up (one
//! refresh), renew the access token shortly before it runs out, follow the other tabs.
//! While the server cannot be reached, keep trying with backoff, signed in.
//!
//! And notice, within seconds, what happened to the session elsewhere: while the page
//! is visible, `GET /api/me` once no request has had the token accepted for
//! [`CHECK_EVERY_S`] seconds (a page in use proves the session with its own requests). A session ended by a sign-out
//! everywhere, a lock or a password change answers 401, whose refresh says why
//! (`account_locked`, …) and signs this tab out; a role granted or removed shows.
//! One light request per visible tab (`/api/me` answers from memory).

use super::{
    api, fetch,
    session::{self, Session, Status, Trigger},
    tabs,
};
use crate::shared::error::AppError;
use leptos::{prelude::*, task::spawn_local};
use std::{cell::Cell, time::Duration};

thread_local! {
    /// After a failed renewal, not before this instant (ms): a server that is down is
    /// not asked every second.
    static NEXT_RENEWAL_TRY: Cell<f64> = const { Cell::new(0.0) };
    /// When the last check of the session began (ms).
    static LAST_CHECK: Cell<f64> = const { Cell::new(0.0) };
    /// Renewals failed in a row, for the backoff.
    static FAILED_IN_A_ROW: Cell<u32> = const { Cell::new(0) };
}

/// Seconds between two checks of the session while the page is visible.
const CHECK_EVERY_S: u32 = 10;

/// After a failed renewal (its own quick retries spent): 5 s, 10 s, 20 s, then every
/// 30 s; after a 429, its `Retry-After`.
fn back_off(error: &AppError) {
    let failures = FAILED_IN_A_ROW.with(|n| {
        n.set(n.get().saturating_add(1));
        n.get()
    });
    let wait_ms = match error {
        AppError::RateLimited { retry_after } => *retry_after as f64 * 1000.0,
        _ => (5_000.0 * 2f64.powi(failures.saturating_sub(1).min(3) as i32)).min(30_000.0),
    };
    NEXT_RENEWAL_TRY.with(|t| t.set(fetch::now() + wait_ms));
}

/// Renews the session (or, still restoring, restores it); on a failure on the way,
/// schedules the next try.
async fn renew(trigger: Trigger) {
    match fetch::refresh(trigger).await {
        Ok(_) => FAILED_IN_A_ROW.with(|n| n.set(0)),
        Err(error) if fetch::is_transient(&error) => back_off(&error),
        // The session is over: `fetch::refresh` has signed out already.
        Err(_) => {}
    }
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
        // "restoring", never a flash of the sign-in page; if the server cannot be
        // reached, they keep restoring (and say "reconnecting…") until it can.
        spawn_local(renew(Trigger::StartUp));

        // A clock for countdowns, and the safety net of renewal: a timer lost to a
        // sleeping laptop or a throttled background tab is caught on the next tick
        // (and a request that meets an expired token recovers through its 401).
        set_interval(
            move || {
                session.now.set(fetch::now());
                renew_if_due(session);
                check(session);
            },
            Duration::from_secs(1),
        );
    });

    // Renew shortly before the access token expires, precisely on time. A new token
    // re-runs the effect, whose cleanup first cancels the last token's timer.
    Effect::new(move |_| {
        if let Some(token) = session.token() {
            let delay = Duration::from_millis((token.renew_at - fetch::now()).max(0.0) as u64);
            if let Ok(timer) = set_timeout_with_handle(move || renew_if_due(session), delay) {
                on_cleanup(move || timer.clear());
            }
        }
    });
}

/// Asks `/api/me` whether the session still holds (see the module's note), unless the
/// page is hidden, a refresh is under way or the server is being waited for.
fn check(session: Session) {
    let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
    let signed_in = matches!(session.status.get_untracked(), Status::SignedIn(_));
    // Paced from the later of the last accepted request and the last check, so a
    // check that failed on the way waits its turn like any other.
    let since = fetch::last_accepted().max(LAST_CHECK.with(Cell::get));
    let due = fetch::now() - since >= f64::from(CHECK_EVERY_S) * 1000.0;
    if !visible || !signed_in || !due || fetch::refreshing() || NEXT_RENEWAL_TRY.with(Cell::get) > fetch::now() {
        return;
    }
    LAST_CHECK.with(|at| at.set(fetch::now()));
    spawn_local(async move {
        // A failure is handled where it is met: a 401 refreshes, and a refresh the
        // server refuses signs out with its reason; a network error waits for the next.
        if let Ok(me) = api::me().await {
            session.roles_now(me.roles);
        }
    });
}

fn renew_if_due(session: Session) {
    let now = fetch::now();
    if NEXT_RENEWAL_TRY.with(Cell::get) > now || fetch::refreshing() {
        return;
    }
    match session.status.get_untracked() {
        Status::SignedIn(_) if session.access_token().is_some_and(|t| t.renew_at <= now) => {
            spawn_local(renew(Trigger::Scheduled))
        }
        // Start-up's refresh failed on the way: try again.
        Status::Restoring if FAILED_IN_A_ROW.with(Cell::get) > 0 => spawn_local(renew(Trigger::StartUp)),
        _ => {}
    }
}
