//! Refreshing: the presented refresh token is spent and its successor issued, or the
//! refusal is explained (docs/API.md, "refresh"). The decision itself is the store's
//! ([`refresh_tokens::claim`]); this is what is done with it.

use super::{
    grant::{self, Grant},
    tokens::Refused,
};
use crate::{
    server::{
        ids::TokenId,
        state::AppState,
        store::{
            refresh_tokens::{self, NotClaimed, RefreshLimit, Successor},
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
        },
    },
    shared::error::AppError,
};
use std::time::Duration;

/// Rotates the refresh token `presented` (the cookie's value, if there was one).
pub async fn refresh(state: &AppState, presented: Option<&str>) -> Result<Grant, AppError> {
    let token = presented.ok_or(AppError::InvalidRefreshToken)?;
    let now = state.clock.now();
    let claims = match state.tokens.verify_refresh(token, now.as_secs()).await {
        Ok(claims) => claims,
        Err(Refused::Invalid) => return Err(AppError::InvalidRefreshToken),
        // Keep the cookie: the token may be fine and this instance behind.
        Err(Refused::UnknownKey) => {
            tracing::warn!("refresh token signed by a key unknown here even after a reload");
            return Err(AppError::Unavailable { retry_after: 5 });
        }
        // Genuine but expired: say "session expired" when the session itself has
        // reached its absolute lifetime (refresh tokens never outlive it).
        Err(Refused::Expired(claims)) => {
            return Err(match sessions::absolute_end(state.store.pool(), claims.sid).await? {
                Some(end) if end <= now => AppError::SessionExpired,
                _ => AppError::InvalidRefreshToken,
            })
        }
    };
    let settings = &state.settings;
    let next = Successor { jti: TokenId::random(), kid: state.tokens.keys().active()?.kid, ttl: settings.refresh_ttl };

    let limit = RefreshLimit { max: settings.refresh_limit, per: Duration::from_secs(60) };

    let mut tx = state.store.begin().await?;
    let outcome = match refresh_tokens::claim(&mut tx, claims.jti, claims.sid, next, limit, now).await? {
        Some((next, owner)) => Ok((next, owner)),
        None => {
            Err(refresh_tokens::why_not_claimed(&mut tx, claims.jti, claims.sid, settings.reuse_grace, limit, now)
                .await?)
        }
    };
    if let Err(NotClaimed::Reused { user_id }) = &outcome {
        sessions::revoke(&mut tx, Scope::One(claims.sid), RevokeReason::Reuse, now).await?;
        let event =
            Event { user_id: Some(*user_id), session_id: Some(claims.sid), ..Event::new(EventKind::RefreshReuse) };
        security_events::record(&mut tx, now, &event).await?;
    }
    tx.commit().await?;

    match outcome {
        Ok((next, owner)) => grant::grant(state, &next, owner, now),
        Err(NotClaimed::Grace { current, owner }) => {
            tracing::info!(session = %claims.sid, "predecessor refresh token within the grace window");
            grant::grant(state, &current, owner, now)
        }
        Err(NotClaimed::Reused { user_id }) => {
            tracing::warn!(user = %user_id, session = %claims.sid, "refresh token reuse: session revoked");
            Err(AppError::RefreshTokenReused)
        }
        Err(NotClaimed::RevokedForReuse) => Err(AppError::RefreshTokenReused),
        Err(NotClaimed::Expired) => Err(AppError::SessionExpired),
        Err(NotClaimed::RateLimited { until }) => {
            tracing::warn!(session = %claims.sid, "refresh refused: over the session's refresh limit");
            let wait = until.since(now).as_millis().div_ceil(1000).max(1);
            Err(AppError::RateLimited { retry_after: u64::try_from(wait).unwrap_or(u64::MAX) })
        }
        Err(NotClaimed::Revoked | NotClaimed::Unknown) => Err(AppError::InvalidRefreshToken),
    }
}
