//! `GET /api/me`: the signed-in account.

use crate::{
    server::{auth::bearer::Authenticated, state::AppState, store::users},
    shared::{error::AppError, wire::Me},
};
use axum::{extract::State, Json};

pub async fn me(State(state): State<AppState>, caller: Authenticated) -> Result<Json<Me>, AppError> {
    // A token outliving its account (none can be deleted yet) would be refused here.
    let user = users::by_id(state.store.pool(), caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    Ok(Json(Me { id: user.id.to_string(), email: user.email, created_at: user.created_at.to_rfc3339()? }))
}
