//! Passkeys (docs/API.md, "Passkeys"): adding, listing and removing them (Bearer
//! routes under `/api/passkeys`), and signing in with one (`/api/auth/passkey/…`, which
//! sets the refresh cookie like the sign-in server functions). JSON bodies: a
//! credential is a nested object. The flows are `crate::server::auth::passkeys`.

use crate::{
    server::{
        auth::{
            bearer::{Authenticated, Recent},
            device::Device,
            passkeys,
        },
        http::fields::Fields,
        state::AppState,
    },
    shared::{
        error::AppError,
        wire::{PasskeyAssertion, PasskeyInfo, PasskeyOptions, PasskeyRegistration, TokenResponse},
    },
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use http::header;

/// `POST /api/passkeys/register/start` (sensitive).
pub async fn register_start(
    State(state): State<AppState>,
    Recent(caller): Recent,
) -> Result<Json<PasskeyOptions>, AppError> {
    Ok(Json(passkeys::register_start(&state, &caller).await?))
}

/// `POST /api/passkeys/register/finish`: 201 with the new passkey.
pub async fn register_finish(
    State(state): State<AppState>,
    caller: Authenticated,
    device: Device,
    Fields(fields): Fields<PasskeyRegistration>,
) -> Result<(StatusCode, Json<PasskeyInfo>), AppError> {
    let added = passkeys::register_finish(&state, &caller, &fields.name, fields.credential, &device).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `GET /api/passkeys`.
pub async fn list(State(state): State<AppState>, caller: Authenticated) -> Result<Json<Vec<PasskeyInfo>>, AppError> {
    Ok(Json(passkeys::list(&state, &caller).await?))
}

/// `DELETE /api/passkeys/{id}` (sensitive): 204, or 404 `not_found`.
pub async fn remove(
    State(state): State<AppState>,
    Recent(caller): Recent,
    device: Device,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    passkeys::remove(&state, &caller, &id, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/auth/passkey/start`: options for the browser, and the ceremony's id.
pub async fn sign_in_start(State(state): State<AppState>, device: Device) -> Result<Json<PasskeyOptions>, AppError> {
    Ok(Json(passkeys::sign_in_start(&state, &device).await?))
}

/// `POST /api/auth/passkey/finish`: the token body and the refresh cookie of a new
/// session; a credential no account has is `invalid_code` naming it
/// (`unknown_credential`), for the browser's `signalUnknownCredential`.
pub async fn sign_in_finish(
    State(state): State<AppState>,
    device: Device,
    Fields(fields): Fields<PasskeyAssertion>,
) -> Result<impl IntoResponse, Response> {
    let grant = match passkeys::sign_in_finish(&state, &fields.challenge_id, fields.credential, &device).await {
        Ok(grant) => grant,
        Err(passkeys::Refused { error, unknown_credential: Some(id) }) => {
            return Err(error.answer_with("unknown_credential", serde_json::json!(id)))
        }
        Err(refused) => return Err(refused.error.into_response()),
    };
    let mut headers = http::HeaderMap::new();
    for cookie in grant.cookies(state.settings.tokens.cookie_secure).map_err(IntoResponse::into_response)? {
        headers.append(header::SET_COOKIE, cookie);
    }
    let body: TokenResponse = grant.body;
    Ok((headers, Json(body)))
}
