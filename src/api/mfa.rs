//! `/api/mfa/…`: the authenticator app and its recovery codes (docs/API.md,
//! "Authenticator app"). The flows are `crate::server::auth::totp`; the second step
//! of signing in is a server function in `api::auth`.

use crate::{
    server::{
        auth::{
            bearer::{Authenticated, Recent},
            device::Device,
            totp,
        },
        http::fields::Fields,
        state::AppState,
    },
    shared::{
        error::AppError,
        wire::{MfaStatus, RecoveryCodes, TotpSetup},
    },
};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

/// `GET /api/mfa`: whether the app is on, and the recovery codes left.
pub async fn status(State(state): State<AppState>, caller: Authenticated) -> Result<Json<MfaStatus>, AppError> {
    Ok(Json(totp::status(&state, &caller).await?))
}

/// `POST /api/mfa/totp/start` (sensitive).
pub async fn start(State(state): State<AppState>, Recent(caller): Recent) -> Result<Json<TotpSetup>, AppError> {
    Ok(Json(totp::start(&state, &caller).await?))
}

#[derive(Deserialize)]
pub struct CodeField {
    code: String,
}

/// `POST /api/mfa/totp/confirm` (sensitive): the recovery codes, this once.
pub async fn confirm(
    State(state): State<AppState>,
    Recent(caller): Recent,
    device: Device,
    Fields(fields): Fields<CodeField>,
) -> Result<Json<RecoveryCodes>, AppError> {
    Ok(Json(totp::confirm(&state, &caller, &fields.code, &device).await?))
}

/// `POST /api/mfa/totp/disable` (sensitive): 204.
pub async fn disable(
    State(state): State<AppState>,
    Recent(caller): Recent,
    device: Device,
) -> Result<StatusCode, AppError> {
    totp::disable(&state, &caller, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/mfa/recovery_codes` (sensitive): new codes; the old ones stop working.
pub async fn renew_codes(
    State(state): State<AppState>,
    Recent(caller): Recent,
    device: Device,
) -> Result<Json<RecoveryCodes>, AppError> {
    Ok(Json(totp::renew_codes(&state, &caller, &device).await?))
}
