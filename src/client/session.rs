//! The session as the browser holds it: the access token in a signal (memory only:
//! never `localStorage`, `sessionStorage` or a script-readable cookie), the signed-in
//! user, and a short timeline of refreshes.
//!
//! The refresh token is not here at all: it is an `HttpOnly` cookie the browser sends
//! to `/api/auth/refresh` by itself. Renewal time is computed from `expires_in` when
//! the response arrives, against the local clock only: comparing the token's `exp`
//! with the local clock would break on every machine whose clock is off.

use crate::shared::{error::AppError, i18n::Texts, wire::TokenResponse};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    /// The access token's `roles` claim, then `/api/me`'s (`renewal` asks it every few
    /// seconds). Only manners: what it opens (the **Admin** link, the admin pages'
    /// guard) the server checks again on every request.
    pub roles: Vec<String>,
}

impl User {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The `roles` claim of an access token, read without verifying it (the browser has no
/// reason to: it only decides what to show). None readable, none at all.
fn roles_claim(token: &str) -> Vec<String> {
    let payload = token.split('.').nth(1).unwrap_or_default();
    // base64url without padding, as JWTs write it; the browser's `atob` reads base64.
    let mut base64 = payload.replace('-', "+").replace('_', "/");
    while !base64.len().is_multiple_of(4) {
        base64.push('=');
    }
    let json = window().atob(&base64).unwrap_or_default();
    roles_in(&json)
}

/// The `roles` of a token's JSON payload.
fn roles_in(payload: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Claims {
        #[serde(default)]
        roles: Vec<String>,
    }
    serde_json::from_str::<Claims>(payload).map(|claims| claims.roles).unwrap_or_default()
}

/// Why the app is signed out, when there is something to tell the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedOutBecause {
    /// They pressed Sign out (here or in another tab): nothing to explain.
    TheyAskedTo,
    /// The server saw a refresh token used twice and ended the session.
    SecurityReuse,
    /// The session reached its absolute lifetime.
    SessionExpired,
    /// The refresh cookie was missing, expired or revoked.
    SessionEnded,
    /// They deleted their account.
    AccountDeleted,
    /// An administrator locked the account.
    AccountLocked,
}

impl SignedOutBecause {
    pub fn from_error(error: &AppError) -> Self {
        match error {
            AppError::RefreshTokenReused => SignedOutBecause::SecurityReuse,
            AppError::SessionExpired => SignedOutBecause::SessionExpired,
            AppError::AccountLocked => SignedOutBecause::AccountLocked,
            _ => SignedOutBecause::SessionEnded,
        }
    }

    /// What the sign-in page says about it, if anything.
    pub fn message(self, t: &'static Texts) -> Option<&'static str> {
        match self {
            SignedOutBecause::SecurityReuse => Some(t.session.ended_for_security),
            SignedOutBecause::SessionExpired => Some(t.session.expired),
            SignedOutBecause::AccountDeleted => Some(t.session.deleted),
            SignedOutBecause::AccountLocked => Some(t.session.locked),
            SignedOutBecause::TheyAskedTo | SignedOutBecause::SessionEnded => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Start-up: the refresh cookie is being exchanged for an access token.
    Restoring,
    SignedIn(User),
    /// `None` on a first visit, when there was never a session to explain.
    SignedOut(Option<SignedOutBecause>),
}

/// The access token and the local instants that matter for it (ms since the epoch,
/// by this machine's clock, measured from when the response arrived).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessToken {
    pub value: String,
    pub received_at: f64,
    pub expires_at: f64,
    /// When to renew it: a little before it expires (30% of its life, at most 60 s).
    pub renew_at: f64,
}

impl AccessToken {
    pub fn new(value: String, expires_in_s: i64, now: f64) -> Self {
        let life = (expires_in_s.max(1) as f64) * 1000.0;
        let lead = (life * 0.3).min(60_000.0);
        AccessToken { value, received_at: now, expires_at: now + life, renew_at: now + life - lead }
    }
}

/// What caused a refresh, for the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    StartUp,
    Scheduled,
    /// A call found the token already run out (a sleeping laptop, a lost timer).
    Expired,
    Rejected,
    OtherTab,
    SignIn,
    /// The person entered their password again for a sensitive action.
    Reauthenticated,
}

impl Trigger {
    /// What happened to the refresh token: a sign-in issues the family's first one,
    /// every refresh rotates it.
    pub fn refresh_token_fate(self, t: &'static Texts) -> &'static str {
        match self {
            Trigger::SignIn => t.session.refresh_issued,
            Trigger::Reauthenticated => t.session.refresh_kept,
            _ => t.session.refresh_rotated,
        }
    }

    pub fn label(self, t: &'static Texts) -> &'static str {
        match self {
            Trigger::StartUp => t.session.restored,
            Trigger::Scheduled => t.session.scheduled,
            Trigger::Expired => t.session.after_expiry,
            Trigger::Rejected => t.session.after_refusal,
            Trigger::OtherTab => t.session.other_tab,
            Trigger::SignIn => t.session.signed_in,
            Trigger::Reauthenticated => t.session.reauthenticated,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefreshEvent {
    pub at: f64,
    pub trigger: Trigger,
    /// The first characters of the new access token's signature, to tell tokens apart.
    pub token_tag: String,
}

const TIMELINE_LEN: usize = 6;

/// Whether the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Online,
    /// Refreshing has failed for a while on the way (network, 5xx, 429) and is being
    /// retried; the person stays signed in.
    Reconnecting,
}

/// The auth context: provided once in `<App/>`; every field is a signal, so it is
/// `Copy` and cheap to pass around.
#[derive(Clone, Copy)]
pub struct Session {
    pub status: RwSignal<Status>,
    token: RwSignal<Option<AccessToken>>,
    pub timeline: RwSignal<Vec<RefreshEvent>>,
    /// The local clock, ticking once a second in the browser (for countdowns).
    pub now: RwSignal<f64>,
    pub connection: RwSignal<Connection>,
    /// The password prompt of re-authentication is open (`client::reauth`).
    pub reauth: RwSignal<bool>,
    /// Counts sign-outs: an answer to a refresh that started before the last one is
    /// stale and must not sign this tab back in.
    epoch: StoredValue<u64>,
}

impl Session {
    pub fn new() -> Self {
        Session {
            status: RwSignal::new(Status::Restoring),
            token: RwSignal::new(None),
            timeline: RwSignal::new(Vec::new()),
            now: RwSignal::new(0.0),
            connection: RwSignal::new(Connection::Online),
            reauth: RwSignal::new(false),
            epoch: StoredValue::new(0),
        }
    }

    /// The number of sign-outs so far (see `epoch`).
    pub fn epoch(&self) -> u64 {
        self.epoch.get_value()
    }

    /// The current access token, without subscribing to it.
    pub fn access_token(&self) -> Option<AccessToken> {
        self.token.get_untracked()
    }

    /// The access token, reactively (the dashboard's countdown).
    pub fn token(&self) -> Option<AccessToken> {
        self.token.get()
    }

    pub fn user(&self) -> Option<User> {
        match self.status.get() {
            Status::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// Takes a token answer (sign-in, sign-up or refresh) into memory.
    pub fn accept(&self, response: TokenResponse, trigger: Trigger, now: f64) {
        let token_tag = response.access_token.rsplit('.').next().unwrap_or("").chars().take(8).collect();
        let roles = roles_claim(&response.access_token);
        self.token.set(Some(AccessToken::new(response.access_token, response.expires_in, now)));
        let user = User { id: response.user.id, email: response.user.email, roles };
        if self.status.get_untracked() != Status::SignedIn(user.clone()) {
            self.status.set(Status::SignedIn(user));
        }
        self.timeline.update(|events| {
            events.insert(0, RefreshEvent { at: now, trigger, token_tag });
            events.truncate(TIMELINE_LEN);
        });
    }

    /// Takes the roles `/api/me` read from the database: a role granted or removed
    /// shows here within seconds, not at the next token.
    pub fn roles_now(&self, roles: Vec<String>) {
        if let Status::SignedIn(user) = self.status.get_untracked() {
            if user.roles != roles {
                self.status.set(Status::SignedIn(User { roles, ..user }));
            }
        }
    }

    /// Forgets the token and the user; refreshes still under way are answered into
    /// the void.
    pub fn sign_out_locally(&self, because: SignedOutBecause) {
        self.epoch.update_value(|epoch| *epoch += 1);
        self.connection.set(Connection::Online);
        self.token.set(None);
        self.timeline.set(Vec::new());
        self.status.set(Status::SignedOut(Some(because)));
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// The session of `<App/>`, from the component tree.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

thread_local! {
    /// The same session, for code that runs outside the component tree: the refresh
    /// future (the browser is single-threaded).
    static CURRENT: std::cell::Cell<Option<Session>> = const { std::cell::Cell::new(None) };
}

/// Makes `session` reachable from [`use_session_handle`] (browser start-up).
pub fn install(session: Session) {
    CURRENT.with(|c| c.set(Some(session)));
}

/// The installed session: only browser code calls this, after start-up. Before it
/// (which no code path reaches) a fresh, signed-out one.
pub fn use_session_handle() -> Session {
    CURRENT.with(|c| c.get()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_comes_before_expiry_by_thirty_percent_at_most_a_minute() {
        let short = AccessToken::new("t".into(), 3, 1_000.0);
        assert_eq!(short.expires_at, 4_000.0);
        assert!((short.renew_at - 3_100.0).abs() < 1e-6);
        let long = AccessToken::new("t".into(), 900, 0.0);
        assert_eq!(long.renew_at, 840_000.0);
    }

    #[test]
    fn only_a_reused_token_speaks_of_security() {
        assert_eq!(SignedOutBecause::from_error(&AppError::RefreshTokenReused), SignedOutBecause::SecurityReuse);
        let english = crate::shared::i18n::Lang::En.texts();
        assert!(SignedOutBecause::SecurityReuse.message(english).unwrap().contains("security reasons"));
        assert_eq!(SignedOutBecause::from_error(&AppError::InvalidRefreshToken).message(english), None);
    }

    #[test]
    fn roles_come_from_the_claims_and_none_when_unreadable() {
        assert_eq!(roles_in(r#"{"sub":"x","roles":["admin","support"]}"#), ["admin", "support"]);
        assert!(roles_in(r#"{"sub":"x"}"#).is_empty());
        assert!(roles_in("not json").is_empty());
        let english = crate::shared::i18n::Lang::En.texts();
        let locked = SignedOutBecause::from_error(&AppError::AccountLocked);
        assert!(locked.message(english).unwrap().contains("administrator"));
    }
}
