//! The JSON bodies of the contract (docs/API.md), as both sides read and write them.

use super::activity::EventKind;
use serde::{Deserialize, Serialize};

/// The answer to register, login and refresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    /// Seconds the access token is valid from now. The browser schedules its renewal
    /// from this, never from `exp` against its own clock.
    pub expires_in: i64,
    pub user: UserInfo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub email: String,
}

/// `{}`: the answer to logout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedOut {}

/// `{}`: a new password is strong enough (`password_strength`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrongEnough {}

/// `{"revoked": n}`: the answer to logout_all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCount {
    pub revoked: u64,
}

/// `GET /api/me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub email: String,
    /// RFC 3339.
    pub created_at: String,
    /// The address was proved by following a mailed link.
    pub email_verified: bool,
    /// The account's roles now (`admin`, or an application's own), sorted.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// One account as `GET /api/admin/users` lists it. Never a hash, secret or token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` before the first sign-in after sign-up.
    pub last_sign_in_at: Option<String>,
    pub locked: bool,
    pub roles: Vec<String>,
    pub two_step: bool,
    pub passkeys: u64,
    /// Live sessions.
    pub sessions: u64,
}

/// `GET /api/admin/users`: a page of accounts, newest first, and the cursor of the
/// next page (`before`), `None` on the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsers {
    pub users: Vec<AdminUser>,
    pub next: Option<String>,
}

/// `GET /api/admin/users/{id}`: the account as listed, its live sessions and its 20
/// newest activity events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserDetail {
    #[serde(flatten)]
    pub user: AdminUser,
    pub live_sessions: Vec<AdminSession>,
    pub events: Vec<ActivityEvent>,
}

/// A live session of an account, as `GET /api/sessions` shows it (without `current`:
/// an administrator is in none of them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSession {
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    pub user_agent: String,
}

/// `PUT /api/admin/users/{id}/roles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesBody {
    pub roles: Vec<String>,
}

/// Who did it, or to whom, in the administration log: `{"id": null, "email": "cli"}`
/// for the command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditParty {
    pub id: Option<String>,
    /// `cli` for the command line; `None` once the account is deleted.
    pub email: Option<String>,
}

/// One administrator's action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    pub actor: AuditParty,
    /// `locked`, `unlocked`, `signed_out`, `roles_changed`, `deleted`.
    pub action: String,
    pub target: AuditParty,
    pub reason: Option<String>,
}

/// `GET /api/admin/audit`: a page of actions, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next: Option<String>,
}

/// `GET /api/account/email`: the account's address, and a new one waiting for its
/// link (which `DELETE /api/account/email` cancels).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEmail {
    pub email: String,
    pub pending: Option<String>,
}

/// `POST /api/auth/not_me`: how many sessions ended, and the single-use token that
/// sets the new password (`POST /api/auth/password_reset/confirm`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotMeAnswer {
    pub ended_sessions: u64,
    pub reset_token: String,
}

/// `{}`: the answer to what sends a mail (password reset, verification, email
/// change) and to following a verification link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {}

/// One entry of `GET /api/sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    /// When the session ends if it is not used again (its refresh token's expiry,
    /// never later than its absolute lifetime).
    pub expires_at: String,
    pub user_agent: String,
    /// The session of the access token that asked.
    pub current: bool,
}

/// One security event of `GET /api/activity` (and of the data export).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// The contract's kind: `signed_in`, `refresh_token_reused`, …
    pub kind: EventKind,
    pub session_id: Option<String>,
    /// "Firefox on Linux": the device of the session the event is about, else of the
    /// request that caused it.
    pub device: Option<String>,
    pub address: Option<String>,
    /// The event is about the session that is asking.
    pub current_session: bool,
    /// What an administrator wrote, for the `admin_*` kinds that take a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How a `signed_in` was made: `password`, `passkey`, `provider:<id>` or
    /// `email_code`; `null` for every other kind.
    #[serde(default)]
    pub method: Option<String>,
}

/// `GET /api/activity`: a page of events, newest first, and the cursor of the next
/// (older) page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    pub next: Option<String>,
}

/// The answer to login and to a password reset: the tokens, or, for an account with
/// two-step verification, the ticket for its second step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignInAnswer {
    Tokens(TokenResponse),
    SecondStep(MfaRequired),
}

/// `{"mfa_required": true, "mfa_token": "…", "methods": ["totp", "recovery_code"]}`:
/// the password was right; `POST /api/auth/mfa` with a code finishes the sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaRequired {
    pub mfa_required: bool,
    pub mfa_token: String,
    pub methods: Vec<String>,
}

/// `GET /api/mfa`: whether the authenticator app is on, and how many recovery codes
/// are left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaStatus {
    pub totp: bool,
    pub recovery_codes_left: u32,
}

/// `POST /api/mfa/totp/start`: what the authenticator app needs; nothing is on yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, an SVG document.
    pub qr_svg: String,
}

/// Ten recovery codes, shown this once (`totp/confirm`, `recovery_codes`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// One passkey of `GET /api/passkeys` (and of `register/finish`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: String,
    /// The WebAuthn credential id (base64url), which the browser's password manager
    /// knows it by (the Signal API).
    #[serde(default)]
    pub credential_id: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// The start of a WebAuthn ceremony (`POST /api/passkeys/register/start`,
/// `POST /api/auth/passkey/start`): WebAuthn's own options for the browser, which it
/// parses itself (`PublicKeyCredential.parse…OptionsFromJSON`), the origin passkeys
/// work at, and, for a sign-in, the ceremony to finish.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyOptions {
    #[serde(rename = "publicKey")]
    pub public_key: serde_json::Value,
    pub origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<String>,
}

/// `POST /api/passkeys/register/finish`: the new passkey's name (the device's when
/// empty) and the credential, as the browser's `toJSON()` gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyRegistration {
    #[serde(default)]
    pub name: String,
    pub credential: serde_json::Value,
}

/// A passkey assertion (`POST /api/auth/passkey/finish`, `POST /api/auth/reauth`): the
/// ceremony it answers and the credential, as the browser's `toJSON()` gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyAssertion {
    pub challenge_id: String,
    pub credential: serde_json::Value,
}

/// A provider people may sign in with, as `GET /api/auth/providers` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
}

/// The configured providers, as the pages know them: given to the page rendering by
/// the server, and to the browser with the page (`components::providers`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfiguredProviders(pub Vec<ProviderInfo>);

/// An identity at a provider connected to the account (`GET /api/account/providers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedProvider {
    pub provider: String,
    pub name: String,
    /// The address the provider gave when it was connected, if it vouched for one.
    pub email: Option<String>,
    /// RFC 3339.
    pub connected_at: String,
}

/// Where to send the browser to connect a provider (`POST /api/account/providers/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRedirect {
    pub url: String,
}
