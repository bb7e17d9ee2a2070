//! What signing in and refreshing hand out: a [`Grant`] (the refresh token for the
//! cookie, and the token body), and opening a new session to grant.

use super::{cookie::Cookie, device::Device};
use crate::{
    server::{
        ids::{SessionId, TokenId, UserId},
        state::AppState,
        store::{
            refresh_tokens::{self, RefreshRow},
            secret_token::SecretToken,
            sessions::{self, NewSession},
            users::Account,
            StoreError, Tx,
        },
        time::UnixMillis,
    },
    shared::{
        error::AppError,
        wire::{TokenResponse, UserInfo},
    },
};
use http::HeaderValue;

/// A successful sign-in or refresh: the endpoint puts `refresh_token` in the cookie
/// and answers with `body`.
pub struct Grant {
    pub refresh_token: String,
    /// Seconds until the refresh token expires: the cookie's `Max-Age`.
    pub refresh_max_age: i64,
    pub body: TokenResponse,
    /// A sign-in from a browser without a `device` cookie: the value to give it.
    pub new_browser: Option<SecretToken>,
}

impl Grant {
    /// The grant of a sign-in that gave the browser `new_browser` (`sign_in::open_session`).
    pub fn for_browser(self, new_browser: Option<SecretToken>) -> Grant {
        Grant { new_browser, ..self }
    }

    /// The `Set-Cookie` headers of the answer: the refresh cookie, and a new browser's
    /// `device` cookie.
    pub fn cookies(&self, secure: bool) -> Result<Vec<HeaderValue>, AppError> {
        let mut cookies = vec![Cookie::refresh(secure).set(&self.refresh_token, self.refresh_max_age)?];
        if let Some(browser) = &self.new_browser {
            cookies.push(Cookie::device(secure).set_device(browser.as_str())?);
        }
        Ok(cookies)
    }
}

/// Signs the refresh token `refresh` stands for and a new access token of its
/// session, for `owner`.
pub fn grant(state: &AppState, refresh: &RefreshRow, owner: &Account, now: UnixMillis) -> Result<Grant, AppError> {
    let tokens = &state.tokens;
    let refresh_token = tokens.sign_refresh(refresh)?;
    let auth_time = refresh.authenticated_at.as_secs();
    let access_token = tokens.issue_access(owner.id, refresh.session_id, &owner.roles, auth_time, now.as_secs())?;
    Ok(Grant {
        refresh_token,
        refresh_max_age: refresh.exp.secs_after(now.as_secs()),
        body: token_body(state, access_token, owner),
        new_browser: None,
    })
}

/// The token body (docs/API.md) around a new access token of `owner`.
pub fn token_body(state: &AppState, access_token: String, owner: &Account) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "Bearer".to_string(),
        expires_in: i64::try_from(state.tokens.access_ttl().as_secs()).unwrap_or(i64::MAX),
        user: UserInfo { id: owner.id.to_string(), email: owner.email.clone() },
    }
}

/// A session about to start for `user_id` on `device`, and its first refresh token.
pub fn new_session(
    state: &AppState,
    user_id: UserId,
    device: &Device,
    now: UnixMillis,
) -> Result<(NewSession, RefreshRow), AppError> {
    let settings = &state.settings;
    let session = NewSession {
        id: SessionId::generate(),
        user_id,
        created_at: now,
        expires_at: now.plus(settings.tokens.session_ttl),
        user_agent: device.user_agent.clone(),
        client_addr: device.addr.clone(),
    };
    let iat = now.as_secs();
    let first = RefreshRow {
        jti: TokenId::generate(),
        session_id: session.id,
        user_id,
        kid: state.tokens.keys().active()?.kid,
        iat,
        exp: iat.plus(settings.tokens.refresh_ttl).min(session.expires_at.as_secs()),
        authenticated_at: now,
    };
    Ok((session, first))
}

/// Writes a new session and its first refresh token.
pub async fn open(tx: &mut Tx<'_>, session: &NewSession, first: &RefreshRow) -> Result<(), StoreError> {
    sessions::insert(tx, session, first.exp.as_millis()).await?;
    refresh_tokens::insert(tx, first, None).await
}
