//! What the auth server functions do: sign up, sign in, rotate, sign out.
//!
//! Everything a request needs comes from the Leptos context that `leptos_axum`
//! provides around a server function: our `AppState`, the request `Parts` and the
//! `ResponseOptions` through which status codes and cookies leave.

use super::{
    bearer::authenticate,
    client_addr::client_ip,
    cookie::RefreshCookie,
    credentials::{Email, Password},
    now_ms,
    store::{Audit, NewSession, Owner, RefreshRow, Rotation, Successor, UserRow},
    tokens::Refused,
    LoggedOut, RevokedCount, TokenResponse, UserInfo,
};
use crate::{
    error::{answer_server_fn_error, AppError},
    state::AppState,
};
use axum::extract::ConnectInfo;
use http::{header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;
use uuid::Uuid;

/// Longest user agent kept with a session; the rest is noise or an attack.
const MAX_USER_AGENT: usize = 512;

/// Gives a failed server function its contract status and headers.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        answer_server_fn_error(error);
    }
    result
}

/// One server-function call: the state, the request and the response being built.
struct Call {
    state: AppState,
    parts: Parts,
    response: ResponseOptions,
}

impl Call {
    fn get() -> Result<Call, AppError> {
        match (use_context::<AppState>(), use_context::<Parts>(), use_context::<ResponseOptions>()) {
            (Some(state), Some(parts), Some(response)) => Ok(Call { state, parts, response }),
            _ => Err(AppError::internal("server function called without its request context")),
        }
    }

    fn cookie(&self) -> RefreshCookie {
        RefreshCookie::new(self.state.settings.cookie_secure)
    }

    fn client_addr(&self) -> String {
        self.parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                client_ip(peer.ip(), &self.parts.headers, &self.state.settings.trusted_proxies).to_string()
            })
            .unwrap_or_else(|| "unknown".to_string())
    }

    fn user_agent(&self) -> String {
        let agent = self.parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut end = agent.len().min(MAX_USER_AGENT);
        while !agent.is_char_boundary(end) {
            end -= 1;
        }
        agent[..end].to_string()
    }

    /// A new session for `user_id` on this device, and its first refresh token.
    fn new_session(&self, user_id: Uuid, now: i64) -> (NewSession, RefreshRow) {
        let settings = &self.state.settings;
        let session = NewSession {
            id: Uuid::new_v4(),
            user_id,
            created_at: now,
            expires_at: now + settings.session_ttl.as_millis() as i64,
            user_agent: self.user_agent(),
            client_addr: self.client_addr(),
        };
        let iat = now / 1000;
        let first = RefreshRow {
            jti: Uuid::new_v4(),
            session_id: session.id,
            user_id,
            kid: self.state.tokens.keys().active().kid,
            iat,
            exp: (iat + settings.refresh_ttl.as_secs() as i64).min(session.expires_at / 1000),
        };
        (session, first)
    }

    /// Sets the cookie for `refresh` and answers with a fresh access token.
    fn signed_in(&self, refresh: &RefreshRow, owner: Owner, now: i64) -> Result<TokenResponse, AppError> {
        let tokens = &self.state.tokens;
        let refresh_token = tokens.sign_refresh(refresh)?;
        let access_token = tokens.issue_access(owner.id, refresh.session_id, now / 1000)?;
        self.response.append_header(header::SET_COOKIE, self.cookie().set(&refresh_token, refresh.exp - now / 1000));
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".to_string(),
            expires_in: tokens.access_ttl_s(),
            user: UserInfo { id: owner.id.to_string(), email: owner.email },
        })
    }

    fn clear_cookie(&self) {
        self.response.append_header(header::SET_COOKIE, self.cookie().clear());
    }

    /// Refuses access tokens of these sessions from now on, on this instance (other
    /// instances learn it through the database: see `crate::sync`).
    fn forget_sessions(&self, sids: &[Uuid], now: i64) {
        for sid in sids {
            self.state.tokens.revoked().insert(*sid, now);
        }
    }

    /// 429 if the email or the client address has too many recent failed sign-ins.
    async fn check_failure_limits(&self, email: &Email, client: &str, now: i64) -> Result<(), AppError> {
        let settings = &self.state.settings;
        let window = settings.login_failure_window.as_millis() as i64;
        let since = now - window;
        let store = &self.state.store;
        let by_email = store.failures_block(false, email.as_str(), since, settings.login_max_failures).await?;
        let by_client = store.failures_block(true, client, since, settings.login_max_failures).await?;
        match by_email.max(by_client) {
            Some(oldest) => {
                let retry_after = ((oldest + window - now).max(1000) + 999) / 1000;
                tracing::warn!(client, retry_after, "sign-in refused: too many failures");
                Err(AppError::RateLimited { retry_after: retry_after as u64 })
            }
            None => Ok(()),
        }
    }
}

pub async fn register(email: &str, password: &str) -> Result<TokenResponse, AppError> {
    let call = Call::get()?;
    let email = Email::parse(email)?;
    let password = Password::parse_new(password)?;
    let passwords = &call.state.passwords;
    let password_hash = {
        let slot = passwords.slot().await;
        passwords.hash(&slot, &password).await?
    };
    let now = now_ms();
    let user = UserRow { id: Uuid::new_v4(), email: email.to_string(), password_hash, created_at: now };
    let (session, first) = call.new_session(user.id, now);
    let audit = Audit {
        kind: "register",
        user_id: Some(user.id),
        session_id: Some(session.id),
        client_addr: Some(&session.client_addr),
        ..Default::default()
    };
    call.state.store.register(&user, &session, &first, audit).await?;
    tracing::info!(user = %user.id, session = %session.id, "account created");
    call.signed_in(&first, Owner { id: user.id, email: user.email }, now)
}

pub async fn login(email: &str, password: &str) -> Result<TokenResponse, AppError> {
    let call = Call::get()?;
    let email = Email::parse(email)?;
    let password = Password::parse_existing(password)?;
    let client = call.client_addr();
    let passwords = &call.state.passwords;
    let store = &call.state.store;

    // The limit check, the hash and recording a failure happen under one hashing
    // slot, so a burst of parallel guesses cannot all pass the check first.
    let slot = passwords.slot().await;
    let now = now_ms();
    call.check_failure_limits(&email, &client, now).await?;
    let user = store.user_by_email(email.as_str()).await?;
    let valid = passwords.verify(&slot, &password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let user = match user {
        Some(user) if valid => user,
        _ => {
            let audit = Audit {
                kind: "login_failed",
                user_id: user.map(|u| u.id),
                email: Some(email.as_str()),
                client_addr: Some(&client),
                ..Default::default()
            };
            store.audit(now_ms(), audit).await?;
            tracing::info!(client, "failed sign-in");
            return Err(AppError::InvalidCredentials);
        }
    };
    drop(slot);

    let now = now_ms();
    let (session, first) = call.new_session(user.id, now);
    let audit = Audit {
        kind: "login_ok",
        user_id: Some(user.id),
        session_id: Some(session.id),
        client_addr: Some(&client),
        ..Default::default()
    };
    store.start_session(&session, &first, audit).await?;
    tracing::info!(user = %user.id, session = %session.id, "signed in");
    call.signed_in(&first, Owner { id: user.id, email: user.email }, now)
}

pub async fn refresh() -> Result<TokenResponse, AppError> {
    let call = Call::get()?;
    let result = rotate(&call).await;
    // Once the cookie can never work again, remove it; after an internal error keep
    // it, so that a retry can still succeed.
    if matches!(&result, Err(e) if e.ends_session()) {
        call.clear_cookie();
    }
    result
}

async fn rotate(call: &Call) -> Result<TokenResponse, AppError> {
    let token = call.cookie().read(&call.parts.headers).ok_or(AppError::InvalidRefreshToken)?;
    let now = now_ms();
    let (state, settings) = (&call.state, &call.state.settings);
    let claims = match state.tokens.verify_refresh(&token, now / 1000).await {
        Ok(claims) => claims,
        Err(Refused::Invalid) => return Err(AppError::InvalidRefreshToken),
        // Genuine but expired: say "session expired" when the session itself has
        // reached its absolute lifetime (refresh tokens never outlive it).
        Err(Refused::Expired(claims)) => {
            return Err(match state.store.session_end(claims.sid).await? {
                Some(end) if end <= now => AppError::SessionExpired,
                _ => AppError::InvalidRefreshToken,
            })
        }
    };
    let rotation = state
        .store
        .rotate(
            claims.jti,
            claims.sid,
            Successor {
                jti: Uuid::new_v4(),
                kid: &state.tokens.keys().active().kid,
                ttl_s: settings.refresh_ttl.as_secs() as i64,
            },
            settings.reuse_grace.as_millis() as i64,
            now,
        )
        .await?;
    match rotation {
        Rotation::Rotated { next, owner } => call.signed_in(&next, owner, now),
        Rotation::Grace { current, owner } => {
            tracing::info!(session = %claims.sid, "predecessor refresh token within the grace window");
            call.signed_in(&current, owner, now)
        }
        Rotation::ReuseDetected { user_id } => {
            call.forget_sessions(&[claims.sid], now);
            tracing::warn!(user = %user_id, session = %claims.sid, "refresh token reuse: session revoked");
            Err(AppError::RefreshTokenReused)
        }
        Rotation::RevokedForReuse => Err(AppError::RefreshTokenReused),
        Rotation::Expired => Err(AppError::SessionExpired),
        Rotation::Revoked | Rotation::Unknown => Err(AppError::InvalidRefreshToken),
    }
}

pub async fn logout() -> Result<LoggedOut, AppError> {
    let call = Call::get()?;
    let result = end_session(&call).await;
    // Idempotent: with or without a valid cookie the answer is 200 and the cookie
    // goes; only when the session could not be ended (database down) is it kept, so
    // that signing out can be retried.
    if result.is_ok() {
        call.clear_cookie();
    }
    result.map(|()| LoggedOut {})
}

async fn end_session(call: &Call) -> Result<(), AppError> {
    let Some(token) = call.cookie().read(&call.parts.headers) else {
        return Ok(());
    };
    let now = now_ms();
    let claims = match call.state.tokens.verify_refresh(&token, now / 1000).await {
        Ok(claims) | Err(Refused::Expired(claims)) => claims,
        Err(Refused::Invalid) => return Ok(()),
    };
    let audit = Audit { kind: "logout", user_id: Some(claims.sub), session_id: Some(claims.sid), ..Default::default() };
    if call.state.store.revoke_session(claims.sid, "logout", now, audit).await? {
        call.forget_sessions(&[claims.sid], now);
        tracing::info!(user = %claims.sub, session = %claims.sid, "signed out");
    }
    Ok(())
}

pub async fn logout_all() -> Result<RevokedCount, AppError> {
    let call = Call::get()?;
    let caller = authenticate(&call.parts.headers, &call.state.tokens).await?;
    let now = now_ms();
    let audit = Audit {
        kind: "logout_all",
        user_id: Some(caller.user_id),
        session_id: Some(caller.session_id),
        ..Default::default()
    };
    let revoked = call.state.store.revoke_all(caller.user_id, now, audit).await?;
    call.forget_sessions(&revoked, now);
    call.clear_cookie();
    tracing::info!(user = %caller.user_id, sessions = revoked.len(), "signed out everywhere");
    Ok(RevokedCount { revoked: revoked.len() as u64 })
}
