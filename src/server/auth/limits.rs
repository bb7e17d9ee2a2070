//! The limits on signing in, signing up and asking for mail (docs/API.md, "login",
//! "register", "Email").
//!
//! Each is checked **before** a password is hashed, so a refused attempt costs the
//! server a query, never an argon2 hash, and never waits in the hashing queue behind
//! other people's sign-ins. They count security events, so they hold across every
//! instance sharing the database. A client is its `Device::net`: the IPv4 address or
//! the IPv6 /64.
//!
//! Failed sign-ins are counted per account *and* client, so a stranger's guesses
//! lock out only the stranger: the owner, from anywhere else, signs in as usual
//! (a lockout per account alone would let anyone lock anyone out). A client's failures
//! across all accounts have a ten times higher limit of their own, against credential
//! stuffing.

use super::device::Device;
use crate::{
    server::{
        ids::UserId,
        state::AppState,
        store::security_events::{self, Counted, Event, EventKind},
        time::UnixMillis,
    },
    shared::{credentials::Email, error::AppError},
};
use std::time::Duration;

/// Registrations, reset mails and verification mails are counted over an hour.
const HOUR: Duration = Duration::from_secs(3600);
/// Verification and email-change links an hour, per account (docs/API.md).
const LINKS_AN_HOUR: u32 = 3;
/// A client's failures across all accounts may be this many times the per-account limit.
const CLIENT_FACTOR: u32 = 10;

/// 429 if this client may not try to sign in to this account now.
pub async fn check_sign_in(state: &AppState, email: &Email, device: &Device) -> Result<(), AppError> {
    let settings = &state.settings;
    let window = settings.login_window;
    let now = state.clock.now();
    let since = now.minus(window);
    let pool = state.store.pool();
    let net = device.net.as_str();
    let failed = EventKind::SignInFailed;
    let max = settings.login_max_failures;
    let account = Counted::AccountFrom { email: email.as_str(), net };
    let for_account = security_events::nth_latest(pool, failed, account, since, max).await?;
    let overall = max.saturating_mul(CLIENT_FACTOR);
    let for_client = security_events::nth_latest(pool, failed, Counted::From { net }, since, overall).await?;
    match for_account.max(for_client) {
        Some(oldest) => {
            tracing::warn!(client = %device.addr, "sign-in refused: too many failures");
            Err(AppError::RateLimited { retry_after: retry_after(oldest, window, now) })
        }
        None => Ok(()),
    }
}

/// Records a registration attempt of this client, or answers 429 if it has made
/// `BATON_REGISTER_LIMIT` in the last hour.
pub async fn admit_registration(state: &AppState, device: &Device) -> Result<(), AppError> {
    let event = Event {
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        ..Event::new(EventKind::RegisterAttempt)
    };
    let rules = [(Counted::From { net: &device.net }, state.settings.register_limit)];
    admit(state, &rules, &event, "registration").await
}

/// Records a password-reset request for `email` from this client, or answers 429
/// after `BATON_RESET_LIMIT` (5) an hour from the client or for the address (whether
/// or not it has an account: the answer must not tell).
pub async fn admit_reset(state: &AppState, email: &Email, device: &Device) -> Result<(), AppError> {
    let event = Event {
        email: Some(email.as_str()),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        ..Event::new(EventKind::ResetRequested)
    };
    let max = state.settings.reset_limit;
    let rules = [(Counted::From { net: &device.net }, max), (Counted::About { email: email.as_str() }, max)];
    admit(state, &rules, &event, "password reset").await
}

/// Records that `user` asked for a verification or email-change link, or answers 429
/// after three an hour (each sends a mail, the latter to an address of their choice).
pub async fn admit_link(state: &AppState, user: UserId, device: &Device) -> Result<(), AppError> {
    let event = Event {
        user_id: Some(user),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        ..Event::new(EventKind::LinkRequested)
    };
    admit(state, &[(Counted::Of { user }, LINKS_AN_HOUR)], &event, "verification mail").await
}

/// Counts `event`'s kind against each rule over the last hour and records it, or
/// answers 429 when a rule's count is reached. Counted and recorded in one write
/// transaction: on SQLite the write turn makes parallel attempts take turns, so a
/// burst cannot all pass the count first.
async fn admit(state: &AppState, rules: &[(Counted<'_>, u32)], event: &Event<'_>, what: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let since = now.minus(HOUR);
    let mut tx = state.store.begin().await?;
    for (whose, max) in rules {
        if let Some(oldest) = security_events::nth_latest(tx.conn(), event.kind, *whose, since, *max).await? {
            tracing::warn!(client = ?event.client_addr, "{what} refused: over its limit");
            return Err(AppError::RateLimited { retry_after: retry_after(oldest, HOUR, now) });
        }
    }
    security_events::record(&mut tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Whole seconds until `oldest` leaves a `window` that ends now (at least one).
fn retry_after(oldest: UnixMillis, window: Duration, now: UnixMillis) -> u64 {
    let wait = oldest.plus(window).since(now).as_millis().max(1000);
    u64::try_from(wait.div_ceil(1000)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_oldest_counted_event_leaves_the_window_rounded_up() {
        let window = Duration::from_secs(900);
        assert_eq!(retry_after(UnixMillis(0), window, UnixMillis(899_001)), 1);
        assert_eq!(retry_after(UnixMillis(0), window, UnixMillis(300_000)), 600);
        assert_eq!(retry_after(UnixMillis(0), window, UnixMillis(299_500)), 601);
        // Never zero, even when the event is just leaving.
        assert_eq!(retry_after(UnixMillis(0), window, UnixMillis(900_000)), 1);
    }
}
