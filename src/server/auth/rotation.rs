//! Refreshing: the presented refresh token is spent and its successor issued, or the
//! refusal is explained (docs/API.md, "refresh"). The decision itself is the store's
//! ([`refresh_tokens::claim`]); this is what is done with it.

use super::{
    grant::{self, Grant},
    tokens::{Claims, Refused},
};
use crate::{
    server::{
        ids::TokenId,
        observe::metrics,
        state::AppState,
        store::{
            refresh_tokens::{NotClaimed, RefreshLimit, Successor},
            rotation::Presented,
            security_events::{self, Event, EventKind},
            sessions, users,
        },
    },
    shared::error::AppError,
};
use std::time::Duration;

/// Rotates the refresh token `presented` (the cookie's value, if there was one). Each
/// decision is counted (`baton_refreshes_total`) where it is made.
pub async fn refresh(state: &AppState, presented: Option<&str>) -> Result<Grant, AppError> {
    let invalid = || {
        metrics::refresh("invalid");
        AppError::InvalidRefreshToken
    };
    let token = presented.ok_or_else(invalid)?;
    let now = state.clock.now();
    let claims = match state.tokens.verify_refresh(token, now.as_secs()).await {
        Ok(claims) => claims,
        Err(Refused::Invalid) => return Err(invalid()),
        // Keep the cookie: the token may be fine and this instance behind.
        Err(Refused::UnknownKey) => {
            tracing::warn!("refresh token signed by a key unknown here even after a reload");
            return Err(AppError::Unavailable { retry_after: 5 });
        }
        // Genuine but expired: say "session expired" when the session itself has
        // reached its absolute lifetime (refresh tokens never outlive it).
        Err(Refused::Expired(claims)) => {
            metrics::refresh("expired");
            return Err(match sessions::absolute_end(state.store.pool(), claims.sid).await? {
                Some(end) if end <= now => expired(state, &claims).await?,
                _ => AppError::InvalidRefreshToken,
            });
        }
    };
    let settings = &state.settings;
    let presented = Presented {
        jti: claims.jti,
        sid: claims.sid,
        next: Successor {
            jti: TokenId::generate(),
            kid: state.tokens.keys().active()?.kid,
            ttl: settings.tokens.refresh_ttl,
        },
        grace: settings.tokens.reuse_grace,
        limit: RefreshLimit { max: settings.limits.refresh_limit, per: Duration::from_secs(60) },
        now,
    };
    let current = match state.store.rotate(presented).await? {
        Ok(next) => {
            metrics::refresh("rotated");
            next
        }
        Err(NotClaimed::Grace { current }) => {
            tracing::info!(session = %claims.sid, "predecessor refresh token within the grace window");
            metrics::refresh("grace");
            current
        }
        Err(NotClaimed::Reused { user_id }) => {
            tracing::warn!(user = %user_id, session = %claims.sid, "refresh token reuse: session revoked");
            metrics::refresh("reused");
            return Err(AppError::RefreshTokenReused);
        }
        Err(NotClaimed::RevokedForReuse) => {
            metrics::refresh("reused");
            return Err(AppError::RefreshTokenReused);
        }
        Err(NotClaimed::Expired) => {
            metrics::refresh("expired");
            return Err(expired(state, &claims).await?);
        }
        Err(NotClaimed::RateLimited { until }) => {
            tracing::warn!(session = %claims.sid, "refresh refused: over the session's refresh limit");
            metrics::refresh("rate_limited");
            metrics::rate_limited("refresh");
            let wait = until.since(now).as_millis().div_ceil(1000).max(1);
            return Err(AppError::RateLimited { retry_after: u64::try_from(wait).unwrap_or(u64::MAX) });
        }
        Err(NotClaimed::Revoked) => {
            // A lock ended the session: say so (the cookie is cleared all the same).
            // Counted as `invalid`, one of the contract's results.
            let locked = users::is_locked(state.store.pool(), claims.sub).await? == Some(true);
            let refused = invalid();
            return Err(if locked { AppError::AccountLocked } else { refused });
        }
        Err(NotClaimed::Unknown) => return Err(invalid()),
    };
    // (Counted as rotated: an account deleted in between is a race, not a decision.)
    let account = state.store.account(current.user_id).await?.ok_or(AppError::InvalidRefreshToken)?;
    grant::grant(state, &current, &account, now)
}

/// Records, once per session, that it reached its absolute lifetime, for the person's
/// activity; the answer is `session_expired`.
async fn expired(state: &AppState, claims: &Claims) -> Result<AppError, AppError> {
    let event =
        Event { user_id: Some(claims.sub), session_id: Some(claims.sid), ..Event::new(EventKind::SessionExpired) };
    let mut tx = state.store.begin().await?;
    security_events::record_once_per_session(&mut tx, state.clock.now(), &event).await?;
    tx.commit().await?;
    Ok(AppError::SessionExpired)
}
