//! Authentication: the server functions of the contract (`/api/auth/…`) and, behind
//! `ssr`, everything they stand on.
//!
//! Each server function is a thin shell: its body runs in [`lifecycle`], and
//! `lifecycle::respond` gives a failure its contract status and headers.

pub mod credentials;

#[cfg(feature = "ssr")]
pub mod bearer;
#[cfg(feature = "ssr")]
pub mod client_addr;
#[cfg(feature = "ssr")]
pub mod cookie;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod origin;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod revocation;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod tokens;

use crate::error::AppError;
use leptos::prelude::*;
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

/// `{"revoked": n}`: the answer to logout_all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCount {
    pub revoked: u64,
}

/// Creates an account and signs in.
#[server(prefix = "/api/auth", endpoint = "register")]
pub async fn register(email: String, password: String) -> Result<TokenResponse, AppError> {
    lifecycle::respond(lifecycle::register(&email, &password).await)
}

/// Signs in: a new session on this device.
#[server(prefix = "/api/auth", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<TokenResponse, AppError> {
    lifecycle::respond(lifecycle::login(&email, &password).await)
}

/// Rotates the refresh cookie and returns a fresh access token.
#[server(prefix = "/api/auth", endpoint = "refresh")]
pub async fn refresh() -> Result<TokenResponse, AppError> {
    lifecycle::respond(lifecycle::refresh().await)
}

/// Ends this device's session. Always succeeds and clears the cookie.
#[server(prefix = "/api/auth", endpoint = "logout")]
pub async fn logout() -> Result<LoggedOut, AppError> {
    lifecycle::respond(lifecycle::logout().await)
}

/// Ends every session of the signed-in user (Bearer required).
#[server(prefix = "/api/auth", endpoint = "logout_all", client = crate::client::BearerClient)]
pub async fn logout_all() -> Result<RevokedCount, AppError> {
    lifecycle::respond(lifecycle::logout_all().await)
}

/// Milliseconds since the Unix epoch: the unit of every instant the server stores.
#[cfg(feature = "ssr")]
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
