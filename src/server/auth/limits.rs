//! The limits on signing in, signing up and asking for mail (docs/API.md, "login",
//! "register", "Email", "Account security rules (v3)").
//!
//! Each is checked **before** a password is hashed, so a refused attempt costs the
//! server a query, never an argon2 hash, and never waits in the hashing queue behind
//! other people's sign-ins. They count security events, so they hold across every
//! instance sharing the database. A client is its `Device::net`: the IPv4 address or
//! the IPv6 /64.
//!
//! Every limit is **reserved**: the count and the event that counts the attempt are
//! written in one transaction holding the limit's key (`Tx::lock`), so parallel
//! attempts, on one instance or several, take turns and cannot all pass the count
//! before one is recorded. A password is checked after its attempt was recorded as a
//! failure, and a right one takes the failure back.
//!
//! Failed sign-ins are counted per account *and* client, so a stranger's guesses
//! lock out only the stranger: the owner, from anywhere else, signs in as usual.
//! A client's failures across all accounts have a ten times higher limit of their
//! own, against credential stuffing. An account's failures from everywhere are capped
//! too (`BATON_LOGIN_ACCOUNT_MAX_FAILURES`), against guessing spread over many
//! addresses; past that cap only browsers that signed in to the account before (the
//! `device` cookie) may keep trying, so the cap never locks the owner out (OWASP's
//! device-cookie scheme).
//!
//! Wrong second-step codes count per account, across every address and ticket
//! (`BATON_MFA_MAX_FAILURES`): someone who has the password gets that many guesses of
//! a 6-digit code in a window, however many addresses they have.

use super::device::Device;
use crate::{
    server::{
        ids::{EventId, UserId},
        mail::{self, letters::Letter},
        observe::metrics,
        state::AppState,
        store::{
            known_browsers,
            secret_token::SecretToken,
            security_events::{self, Counted, Event, EventKind},
            users::UserRow,
            Tx,
        },
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
/// What the per-(account, client) sign-in limit counts: wrong passwords, and wrong
/// second-step codes after a right one.
const SIGN_IN_FAILURES: &[EventKind] = &[EventKind::SignInFailed, EventKind::MfaFailed];

/// One limit: which events count, whose, and how many a window allows.
struct Rule<'a> {
    kinds: &'a [EventKind],
    whose: Counted<'a>,
    max: u32,
}

impl Rule<'_> {
    /// The key a transaction holds while it counts and records under this rule.
    fn key(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|kind| kind.as_str()).collect();
        format!("limit:{}:{:?}", kinds.join(","), self.whose)
    }
}

/// The instant the first exceeded rule's window lets one more attempt in, if any is
/// exceeded.
async fn exceeded(
    executor: &mut sqlx::AnyConnection,
    rules: &[Rule<'_>],
    since: UnixMillis,
) -> Result<Option<UnixMillis>, AppError> {
    let mut latest = None;
    for rule in rules {
        let oldest = security_events::nth_latest(&mut *executor, rule.kinds, rule.whose, since, rule.max).await?;
        latest = latest.max(oldest);
    }
    Ok(latest)
}

/// Holds every rule's key in `tx`, in one order, so two transactions never wait for
/// each other.
async fn lock_all(tx: &mut Tx<'_>, rules: &[Rule<'_>]) -> Result<(), AppError> {
    let mut keys: Vec<String> = rules.iter().map(Rule::key).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        tx.lock(&key).await?;
    }
    Ok(())
}

/// The sign-in limits for `email` from `device`; `known_browser` when the request
/// comes from a browser that signed in to the account before.
fn sign_in_rules<'a>(state: &AppState, email: &'a Email, device: &'a Device, known_browser: bool) -> Vec<Rule<'a>> {
    let settings = &state.settings;
    let max = settings.limits.login_max_failures;
    let net = device.net.as_str();
    let mut rules = vec![
        Rule { kinds: SIGN_IN_FAILURES, whose: Counted::AccountFrom { email: email.as_str(), net }, max },
        Rule {
            kinds: &[EventKind::SignInFailed],
            whose: Counted::From { net },
            max: max.saturating_mul(CLIENT_FACTOR),
        },
    ];
    if !known_browser {
        rules.push(Rule {
            kinds: &[EventKind::SignInFailed],
            whose: Counted::About { email: email.as_str() },
            max: settings.limits.login_account_max_failures,
        });
    }
    rules
}

/// Whether the request's `device` cookie names a browser that signed in to `user`.
pub async fn known_browser(state: &AppState, user: Option<&UserRow>, device: &Device) -> Result<bool, AppError> {
    match (user, &device.browser) {
        (Some(user), Some(browser)) => Ok(known_browsers::knows(state.store.pool(), user.id, browser).await?),
        _ => Ok(false),
    }
}

/// Remembers the browser of a sign-in to `user`, so that it keeps its turn when
/// strangers pass the account's cap on failed sign-ins; a browser without a `device`
/// cookie gets a new value, returned for the answer to set. One value per browser: an
/// existing one is kept.
pub async fn remember_browser(
    tx: &mut Tx<'_>,
    user: &UserRow,
    device: &Device,
    now: UnixMillis,
) -> Result<Option<SecretToken>, AppError> {
    let (browser, new) = match &device.browser {
        Some(browser) => (browser.clone(), None),
        None => {
            let browser = SecretToken::generate();
            (browser.clone(), Some(browser))
        }
    };
    known_browsers::signed_in(tx, user.id, &browser, now).await?;
    Ok(new)
}

/// 429 if this client may not try to sign in to this account now. Reads only: a
/// refused client is turned away before it queues for a hash; [`reserve_sign_in`]
/// is the check that counts.
pub async fn check_sign_in(state: &AppState, email: &Email, device: &Device, known: bool) -> Result<(), AppError> {
    let window = state.settings.limits.login_window;
    let now = state.clock.now();
    let mut conn = state.store.pool().acquire().await.map_err(AppError::internal)?;
    match exceeded(&mut conn, &sign_in_rules(state, email, device, known), now.minus(window)).await? {
        Some(oldest) => {
            tracing::warn!(client = %device.addr, "sign-in refused: too many failures");
            metrics::rate_limited("sign_in");
            Err(AppError::RateLimited { retry_after: retry_after(oldest, window, now) })
        }
        None => Ok(()),
    }
}

/// A password attempt admitted by the sign-in limits, recorded as a failure until
/// [`Attempt::succeeded`] takes it back.
#[must_use = "a right password must take its counted failure back"]
pub struct Attempt(EventId);

impl Attempt {
    /// The password was right: the failure counted in advance is forgotten.
    pub async fn succeeded(self, state: &AppState) -> Result<(), AppError> {
        let mut tx = state.store.begin().await?;
        security_events::forget(&mut tx, self.0).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Counts a password attempt of `email` from `device` against the sign-in limits and
/// records it as the failure `failure` (which the person sees in their activity if
/// it stays one), or answers 429.
pub async fn reserve_sign_in(
    state: &AppState,
    email: &Email,
    device: &Device,
    known: bool,
    failure: &Event<'_>,
) -> Result<Attempt, AppError> {
    let window = state.settings.limits.login_window;
    let now = state.clock.now();
    let rules = sign_in_rules(state, email, device, known);
    let mut tx = state.store.begin().await?;
    lock_all(&mut tx, &rules).await?;
    if let Some(oldest) = exceeded(tx.conn(), &rules, now.minus(window)).await? {
        tracing::warn!(client = %device.addr, "sign-in refused: too many failures");
        metrics::rate_limited("sign_in");
        return Err(AppError::RateLimited { retry_after: retry_after(oldest, window, now) });
    }
    let id = security_events::record(&mut tx, now, failure).await?;
    tx.commit().await?;
    Ok(Attempt(id))
}

/// The account's second-step cap, in `tx`: 429 once `BATON_MFA_MAX_FAILURES` wrong
/// codes were entered for `user` within the login window. `tx` holds the account's
/// key from here on, so the code it goes on to check and the failure it may record
/// cannot interleave with a parallel guess's.
pub async fn check_second_step(tx: &mut Tx<'_>, state: &AppState, user: UserId) -> Result<(), AppError> {
    let window = state.settings.limits.login_window;
    let now = state.clock.now();
    let rules = [second_step_rule(state, user)];
    lock_all(tx, &rules).await?;
    match exceeded(tx.conn(), &rules, now.minus(window)).await? {
        Some(oldest) => {
            tracing::warn!(user = %user, "second step refused: too many wrong codes for the account");
            metrics::rate_limited("second_step");
            Err(AppError::RateLimited { retry_after: retry_after(oldest, window, now) })
        }
        None => Ok(()),
    }
}

fn second_step_rule(state: &AppState, user: UserId) -> Rule<'static> {
    Rule { kinds: &[EventKind::MfaFailed], whose: Counted::Of { user }, max: state.settings.limits.mfa_max_failures }
}

/// Records a wrong second-step code for `user` from `device`, in the `tx` that
/// [`check_second_step`] began. The one that reaches the cap also tells the owner:
/// someone who got this far has their password.
pub async fn second_step_failed(
    tx: &mut Tx<'_>,
    state: &AppState,
    user: &UserRow,
    email: &Email,
    device: &Device,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let event = Event {
        user_id: Some(user.id),
        email: Some(email.as_str()),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        user_agent: Some(&device.user_agent),
        ..Event::new(EventKind::MfaFailed)
    };
    security_events::record(tx, now, &event).await?;
    let rule = second_step_rule(state, user.id);
    let since = now.minus(state.settings.limits.login_window);
    // `check_second_step` let this code in below the cap, so reaching it is now.
    if security_events::nth_latest(tx.conn(), rule.kinds, rule.whose, since, rule.max).await?.is_some() {
        mail::queue(tx, user.id, &user.email, &Letter::SecondStepFailures, None, now).await?;
    }
    Ok(())
}

/// Records a registration attempt of this client, or answers 429 if it has made
/// `BATON_REGISTER_LIMIT` in the last hour.
pub async fn admit_registration(state: &AppState, device: &Device) -> Result<(), AppError> {
    let event = Event {
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        ..Event::new(EventKind::RegisterAttempt)
    };
    let rules = [Rule {
        kinds: &[EventKind::RegisterAttempt],
        whose: Counted::From { net: &device.net },
        max: state.settings.limits.register_limit,
    }];
    admit(state, &rules, &event, "registration").await
}

/// Whether a mail may go to an address that asked for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailing {
    Send,
    /// The address had its share this hour: the answer is the same, but nothing is
    /// sent (and nothing the owner asked for earlier is replaced).
    Quiet,
}

/// Records a password-reset request for `email` from this client, or answers 429
/// after `BATON_RESET_LIMIT` (5) an hour from the client. Past as many for the
/// address, the request is [`Mailing::Quiet`]: a 429 there would let a stranger make
/// the owner's own request fail.
pub async fn admit_reset(state: &AppState, email: &Email, device: &Device) -> Result<Mailing, AppError> {
    admit_mailing(state, EventKind::ResetRequested, email, device, "password_reset").await
}

/// [`admit_reset`]'s rule for sign-in codes, counted apart from resets: asking for
/// codes does not use up the client's or the address' resets, nor the reverse.
pub async fn admit_email_code(state: &AppState, email: &Email, device: &Device) -> Result<Mailing, AppError> {
    admit_mailing(state, EventKind::EmailCodeRequested, email, device, "email_code").await
}

/// A mail asked for about `email` (recorded as `kind`): 429 past `BATON_RESET_LIMIT`
/// an hour from the client, [`Mailing::Quiet`] past as many for the address.
async fn admit_mailing(
    state: &AppState,
    kind: EventKind,
    email: &Email,
    device: &Device,
    limit: &'static str,
) -> Result<Mailing, AppError> {
    let event = Event {
        email: Some(email.as_str()),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        ..Event::new(kind)
    };
    let max = state.settings.limits.reset_limit;
    let kinds = &[kind];
    let client = [Rule { kinds, whose: Counted::From { net: &device.net }, max }];
    let address = Rule { kinds, whose: Counted::About { email: email.as_str() }, max };
    let now = state.clock.now();
    let since = now.minus(HOUR);
    let mut tx = state.store.begin().await?;
    lock_all(&mut tx, &client).await?;
    lock_all(&mut tx, std::slice::from_ref(&address)).await?;
    if let Some(oldest) = exceeded(tx.conn(), &client, since).await? {
        tracing::warn!(client = %device.addr, limit, "mail refused: over its limit");
        metrics::rate_limited(limit);
        return Err(AppError::RateLimited { retry_after: retry_after(oldest, HOUR, now) });
    }
    let mailing = match exceeded(tx.conn(), std::slice::from_ref(&address), since).await? {
        Some(_) => Mailing::Quiet,
        None => Mailing::Send,
    };
    security_events::record(&mut tx, now, &event).await?;
    tx.commit().await?;
    Ok(mailing)
}

/// The email code's own cap, in `tx`: 429 once `BATON_MFA_MAX_FAILURES` wrong sign-in
/// codes were entered for `email` within the login window. Apart from the second
/// step's cap: asking for a code needs no password, so a stranger's guesses here must
/// not block the owner's authenticator app. `tx` holds the address' key from here on,
/// so the code it goes on to check and the failure it may record cannot interleave
/// with a parallel guess's.
pub async fn check_email_code(tx: &mut Tx<'_>, state: &AppState, email: &Email) -> Result<(), AppError> {
    let window = state.settings.limits.login_window;
    let now = state.clock.now();
    let rules = [email_code_rule(state, email)];
    lock_all(tx, &rules).await?;
    match exceeded(tx.conn(), &rules, now.minus(window)).await? {
        Some(oldest) => {
            tracing::warn!("email code refused: too many wrong codes for the address");
            metrics::rate_limited("email_code_guesses");
            Err(AppError::RateLimited { retry_after: retry_after(oldest, window, now) })
        }
        None => Ok(()),
    }
}

fn email_code_rule<'a>(state: &AppState, email: &'a Email) -> Rule<'a> {
    Rule {
        kinds: &[EventKind::EmailCodeFailed],
        whose: Counted::About { email: email.as_str() },
        max: state.settings.limits.mfa_max_failures,
    }
}

/// Records a wrong sign-in code for `email` (and its account, if it has one) from
/// `device`, in the `tx` that [`check_email_code`] began. The one that reaches the cap
/// also tells the owner.
pub async fn email_code_failed(
    tx: &mut Tx<'_>,
    state: &AppState,
    user: Option<&UserRow>,
    email: &Email,
    device: &Device,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let event = Event {
        user_id: user.map(|user| user.id),
        email: Some(email.as_str()),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        user_agent: Some(&device.user_agent),
        ..Event::new(EventKind::EmailCodeFailed)
    };
    security_events::record(tx, now, &event).await?;
    let rule = email_code_rule(state, email);
    let since = now.minus(state.settings.limits.login_window);
    if let Some(user) = user {
        if security_events::nth_latest(tx.conn(), rule.kinds, rule.whose, since, rule.max).await?.is_some() {
            mail::queue(tx, user.id, &user.email, &Letter::SignInCodeFailures, None, now).await?;
        }
    }
    Ok(())
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
    let rules = [Rule { kinds: &[EventKind::LinkRequested], whose: Counted::Of { user }, max: LINKS_AN_HOUR }];
    admit(state, &rules, &event, "link").await
}

/// Counts `event` against each rule over the last hour and records it, or answers 429
/// when a rule's count is reached: one transaction holding the rules' keys. `limit`
/// names it in the log and the metrics.
async fn admit(state: &AppState, rules: &[Rule<'_>], event: &Event<'_>, limit: &'static str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    lock_all(&mut tx, rules).await?;
    if let Some(oldest) = exceeded(tx.conn(), rules, now.minus(HOUR)).await? {
        tracing::warn!(client = ?event.client_addr, limit, "refused: over its limit");
        metrics::rate_limited(limit);
        return Err(AppError::RateLimited { retry_after: retry_after(oldest, HOUR, now) });
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

    #[test]
    fn each_rule_has_a_key_of_its_own() {
        let a =
            Rule { kinds: SIGN_IN_FAILURES, whose: Counted::AccountFrom { email: "a@x.io", net: "1.2.3.4" }, max: 1 };
        let b =
            Rule { kinds: SIGN_IN_FAILURES, whose: Counted::AccountFrom { email: "a@x.io", net: "1.2.3.5" }, max: 1 };
        let c = Rule { kinds: &[EventKind::SignInFailed], whose: Counted::About { email: "a@x.io" }, max: 1 };
        assert_ne!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        assert_eq!(a.key(), Rule { max: 7, ..a }.key());
    }
}
