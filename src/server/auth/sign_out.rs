//! Ending sessions: signing out here, everywhere, or revoking one other device.
//! Each goes through [`end`], and so through the one statement that ends sessions
//! (`store::sessions::revoke`), which stops their access tokens at once on every
//! instance.

use super::{bearer::Authenticated, credentials, tokens::Refused};
use crate::{
    server::{
        ids::SessionId,
        state::AppState,
        store::{
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
        },
    },
    shared::error::AppError,
};

/// Ends the live sessions in `scope` and, if there were any, records `event`; returns
/// the ids it ended.
pub async fn end(
    state: &AppState,
    scope: Scope,
    reason: RevokeReason,
    event: Event<'_>,
) -> Result<Vec<SessionId>, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ended = sessions::revoke(&mut tx, scope, reason, now).await?;
    if !ended.is_empty() {
        security_events::record(&mut tx, now, &event).await?;
    }
    tx.commit().await?;
    Ok(ended)
}

/// Ends the session of the refresh token `presented`, if it names one. Without a
/// token, or with one that is not ours, there is nothing to end.
pub async fn logout(state: &AppState, presented: Option<&str>) -> Result<(), AppError> {
    let Some(token) = presented else { return Ok(()) };
    let claims = match state.tokens.verify_refresh(token, state.clock.now().as_secs()).await {
        Ok(claims) | Err(Refused::Expired(claims)) => claims,
        Err(Refused::Invalid) => return Ok(()),
        // Perhaps a key this instance cannot load now: keep the cookie, so that
        // signing out can be retried and really end the session.
        Err(Refused::UnknownKey) => return Err(AppError::Unavailable { retry_after: 5 }),
    };
    let event = Event { user_id: Some(claims.sub), session_id: Some(claims.sid), ..Event::new(EventKind::SignedOut) };
    if !end(state, Scope::One(claims.sid), RevokeReason::Logout, event).await?.is_empty() {
        tracing::info!(user = %claims.sub, session = %claims.sid, "signed out");
    }
    Ok(())
}

/// Ends every session of the caller, with everything else a credential change ends
/// (pending email-change and reset links, second steps, a started authenticator
/// setup: `credentials::changed`); returns how many sessions.
pub async fn everywhere(state: &AppState, caller: Authenticated) -> Result<u64, AppError> {
    let event = Event {
        user_id: Some(caller.user_id),
        session_id: Some(caller.session_id),
        ..Event::new(EventKind::SignedOutEverywhere)
    };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ended =
        credentials::changed(&mut tx, caller.user_id, Scope::AllOf(caller.user_id), RevokeReason::LogoutAll, now)
            .await?;
    security_events::record(&mut tx, now, &event).await?;
    tx.commit().await?;
    tracing::info!(user = %caller.user_id, sessions = ended.len(), "signed out everywhere");
    Ok(ended.len() as u64)
}

/// Ends one session of the caller's (another device, usually). `NotFound` for one
/// that is not theirs; ending an already ended one is no error.
pub async fn revoke(state: &AppState, caller: Authenticated, sid: SessionId) -> Result<(), AppError> {
    let event = Event { user_id: Some(caller.user_id), session_id: Some(sid), ..Event::new(EventKind::SessionRevoked) };
    if !end(state, Scope::OneOf(caller.user_id, sid), RevokeReason::Revoked, event).await?.is_empty() {
        tracing::info!(user = %caller.user_id, session = %sid, "session revoked");
        return Ok(());
    }
    if sessions::belongs_to(state.store.pool(), sid, caller.user_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
