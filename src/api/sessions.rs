//! `GET /api/sessions` and `DELETE /api/sessions/{id}`: the signed-in devices.

use crate::{
    server::{auth::bearer::Authenticated, auth::sign_out, state::AppState, store::sessions},
    shared::{error::AppError, wire::SessionInfo},
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};

pub async fn list(State(state): State<AppState>, caller: Authenticated) -> Result<Json<Vec<SessionInfo>>, AppError> {
    let rows = sessions::live_of(state.store.pool(), caller.user_id, state.clock.now()).await?;
    let list = rows
        .into_iter()
        .map(|s| {
            Ok(SessionInfo {
                id: s.id.to_string(),
                created_at: s.created_at.to_rfc3339()?,
                last_used_at: s.last_used_at.to_rfc3339()?,
                expires_at: s.idle_expires_at.min(s.expires_at).to_rfc3339()?,
                user_agent: s.user_agent,
                current: s.id == caller.session_id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(list))
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    // Not a UUID cannot be one of the caller's sessions.
    let sid = id.parse().map_err(|_| AppError::NotFound)?;
    sign_out::revoke(&state, caller, sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
