//! The JSON bodies of the contract (docs/API.md), as both sides read and write them.

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
    pub kind: String,
    pub session_id: Option<String>,
    /// "Firefox on Linux": the device of the session the event is about, else of the
    /// request that caused it.
    pub device: Option<String>,
    pub address: Option<String>,
    /// The event is about the session that is asking.
    pub current_session: bool,
}

/// `GET /api/activity`: a page of events, newest first, and the cursor of the next
/// (older) page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    pub next: Option<String>,
}
