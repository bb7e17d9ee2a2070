//! Protected JSON resources (`/api/me`, `/api/sessions`), the JWKS and the health
//! check: plain axum routes. Their response types are shared with the browser.

#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod routes;

use serde::{Deserialize, Serialize};

/// `GET /api/me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub email: String,
    /// RFC 3339.
    pub created_at: String,
}

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
