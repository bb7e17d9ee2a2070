//! `GET /api/me`: the signed-in account.

use crate::{
    server::{auth::bearer::Authenticated, state::AppState},
    shared::{error::AppError, wire::Me},
};
use axum::{extract::State, Json};

pub async fn me(State(state): State<AppState>, caller: Authenticated) -> Result<Json<Me>, AppError> {
    // A token outliving its account would be refused here.
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    Ok(Json(Me {
        id: account.id.to_string(),
        email: account.email.clone(),
        created_at: account.created_at.to_rfc3339()?,
        email_verified: account.email_verified_at.is_some(),
        // From the account cache: a change made on this instance shows at once, one
        // made elsewhere (another instance, `baton users`) within its 5 seconds.
        roles: account.roles.names().to_vec(),
    }))
}
