//! The Bearer-protected JSON routes and the JWKS.

use super::{Me, SessionInfo};
use crate::{
    auth::{
        bearer::Authenticated,
        now_ms,
        store::{Audit, Revoke},
    },
    error::AppError,
    state::AppState,
};
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::IntoResponse,
    Json,
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

/// Milliseconds since the epoch as RFC 3339 (UTC).
fn rfc3339(ms: i64) -> Result<String, AppError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(AppError::internal)?
        .format(&Rfc3339)
        .map_err(AppError::internal)
}

pub async fn me(State(state): State<AppState>, caller: Authenticated) -> Result<Json<Me>, AppError> {
    // A token outliving its account (none can be deleted yet) would be refused here.
    let user = state.store.user_by_id(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    Ok(Json(Me { id: user.id.to_string(), email: user.email, created_at: rfc3339(user.created_at)? }))
}

pub async fn sessions(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<SessionInfo>>, AppError> {
    let rows = state.store.live_sessions(caller.user_id, now_ms()).await?;
    let sessions = rows
        .into_iter()
        .map(|s| {
            Ok(SessionInfo {
                id: s.id.to_string(),
                created_at: rfc3339(s.created_at)?,
                last_used_at: rfc3339(s.last_used_at)?,
                expires_at: rfc3339(s.idle_expires_at.min(s.expires_at))?,
                user_agent: s.user_agent,
                current: s.id == caller.session_id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(sessions))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    // Not a UUID cannot be one of the caller's sessions.
    let sid = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let now = now_ms();
    let audit = Audit { kind: "revoke", user_id: Some(caller.user_id), session_id: Some(sid), ..Default::default() };
    match state.store.revoke_user_session(caller.user_id, sid, now, audit).await? {
        Revoke::Revoked => {
            state.tokens.revoked().insert(sid, now);
            tracing::info!(user = %caller.user_id, session = %sid, "session revoked");
            Ok(StatusCode::NO_CONTENT)
        }
        Revoke::AlreadyRevoked => Ok(StatusCode::NO_CONTENT),
        Revoke::NotFound => Err(AppError::NotFound),
    }
}

pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            // Short, so that a rotated key reaches verifiers soon.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        state.tokens.keys().jwks().to_string(),
    )
}

/// Any other `/api/…` path: a JSON 404 rather than the app's HTML page.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
