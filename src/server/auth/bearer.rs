//! The one place a request's access token is read: `Authorization: Bearer …`
//! (RFC 6750 §2.1). JSON routes take [`Authenticated`] as an extractor, and it ends
//! in `Tokens::verify_access`; sensitive ones take [`Recent`], which also wants the
//! person to have proved who they are lately (docs/API.md, "Account and security").

use crate::{
    server::{
        ids::{SessionId, UserId},
        state::AppState,
        time::{UnixMillis, UnixSecs},
    },
    shared::error::AppError,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use http::{header, HeaderMap};
use std::time::Duration;

/// A verified caller: the user and the session (refresh-token family) its access
/// token belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Authenticated {
    pub user_id: UserId,
    pub session_id: SessionId,
    /// When the person last proved who they are in this session (the token's
    /// `auth_time`).
    pub auth_time: UnixSecs,
}

/// A caller who proved who they are within `BATON_REAUTH_WINDOW`: what a sensitive
/// action needs. Otherwise 403 `reauth_required`, which the browser answers by asking
/// for the password (`POST /api/auth/reauth`) and trying again.
#[derive(Clone, Copy, Debug)]
pub struct Recent(pub Authenticated);

/// The token of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive (RFC 9110 §11.1). Only the header is read: never a cookie, never
/// the query string (RFC 6750 §2.3 leaks tokens into logs).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(AppError::InvalidToken)?;
        let claims = state.tokens.verify_access(token, state.clock.now().as_secs()).await?;
        // A token from before `auth_time` existed counts as authenticated long ago.
        let auth_time = claims.auth_time.unwrap_or(UnixSecs(0));
        Ok(Authenticated { user_id: claims.sub, session_id: claims.sid, auth_time })
    }
}

impl FromRequestParts<AppState> for Recent {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Authenticated::from_request_parts(parts, state).await?;
        if !is_recent(caller.auth_time, state.settings.tokens.reauth_window, state.clock.now()) {
            return Err(AppError::ReauthRequired);
        }
        Ok(Recent(caller))
    }
}

/// Whether a sign-in at `auth_time` is within `window` of `now`. `auth_time` counts
/// whole seconds, so the sign-in may have come up to a second after it; comparing with
/// the clock's milliseconds (not its seconds) keeps a sign-in recent for at most the
/// window, never for up to a second more.
pub(crate) fn is_recent(auth_time: UnixSecs, window: Duration, now: UnixMillis) -> bool {
    auth_time.as_millis().plus(window) >= now
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn a_sign_in_is_recent_for_the_window_and_not_a_moment_longer() {
        let window = Duration::from_secs(3);
        let signed_in = UnixSecs(10);
        assert!(is_recent(signed_in, window, UnixMillis(10_999)));
        assert!(is_recent(signed_in, window, UnixMillis(13_000)));
        // Counting whole seconds of `now` too would keep it recent until 13.999 s.
        assert!(!is_recent(signed_in, window, UnixMillis(13_001)));
        assert!(!is_recent(signed_in, window, UnixMillis(13_999)));
    }

    #[test]
    fn reads_the_bearer_scheme_in_any_case() {
        assert_eq!(bearer_token(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("bearer abc")), Some("abc"));
    }

    proptest::proptest! {
        /// Whatever the header holds: no panic, and a token only from a Bearer scheme.
        #[test]
        fn any_authorization_header_is_read_safely(value in "\\PC{0,300}") {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(header::AUTHORIZATION, v);
            }
            if let Some(token) = bearer_token(&h) {
                proptest::prop_assert!(value.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("bearer ")));
                proptest::prop_assert!(!token.is_empty() && value.ends_with(token.trim_end()) || value.contains(token));
            }
        }
    }

    #[test]
    fn refuses_other_schemes_and_empty_tokens() {
        assert_eq!(bearer_token(&headers("Basic abc")), None);
        assert_eq!(bearer_token(&headers("Bearer ")), None);
        assert_eq!(bearer_token(&headers("Bearerabc")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
