//! `/api/account/…` and `POST /api/auth/reauth`: what a signed-in person does to
//! their own account (docs/API.md, "Account and security"). The flows are
//! `crate::server::auth::account`; the export is read here.

use crate::{
    server::{
        auth::{
            account,
            bearer::{Authenticated, Recent},
            cookie::Cookie,
            device::Device,
            passkeys, provider_sign_in,
        },
        http::fields::Fields,
        state::AppState,
        store::{security_events, sessions},
        time::UnixMillis,
    },
    shared::{
        device::describe_device,
        error::AppError,
        wire::{ActivityEvent, ConnectedProvider, PasskeyInfo, TokenResponse},
    },
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use http::header;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct PasswordField {
    /// Absent for an account without a password.
    #[serde(default)]
    password: String,
}

/// What proves it is the person again: the password or a mailed sign-in code (and the
/// second step's code on an account with two-step verification), or a passkey assertion.
#[derive(Deserialize)]
pub struct Proof {
    password: Option<String>,
    code: Option<String>,
    email_code: Option<String>,
    challenge_id: Option<String>,
    credential: Option<serde_json::Value>,
}

/// `POST /api/auth/reauth`: a fresh access token whose `auth_time` is now. A password
/// without the code an account with two-step verification needs (or with a wrong
/// one) is `invalid_code`, whose body names the `methods` that can follow it.
pub async fn reauth(
    State(state): State<AppState>,
    caller: Authenticated,
    device: Device,
    Fields(fields): Fields<Proof>,
) -> Result<Json<TokenResponse>, Response> {
    let (proof, by_password) = match fields {
        Proof { password: Some(password), code, .. } => (account::Proof::Password { password, code }, true),
        Proof { email_code: Some(email_code), code, .. } => (account::Proof::EmailCode { email_code, code }, false),
        Proof { challenge_id: Some(challenge_id), credential: Some(credential), .. } => {
            (account::Proof::Passkey { challenge_id, credential }, false)
        }
        _ => return Err(AppError::invalid_input("Enter your password.").into_response()),
    };
    match account::reauthenticate(&state, caller, proof, &device).await {
        Ok(body) => Ok(Json(body)),
        Err(AppError::InvalidCode) if by_password => {
            Err(AppError::InvalidCode.answer_with("methods", serde_json::json!(["totp", "recovery_code"])))
        }
        Err(e) => Err(e.into_response()),
    }
}

#[derive(Deserialize)]
pub struct ChangePassword {
    current_password: String,
    new_password: String,
}

/// `POST /api/account/password`: 204; every other session has ended.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Authenticated,
    device: Device,
    Fields(fields): Fields<ChangePassword>,
) -> Result<StatusCode, AppError> {
    account::change_password(&state, caller, &fields.current_password, &fields.new_password, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/account/delete` (sensitive): 204 and the cookie cleared.
pub async fn delete(
    State(state): State<AppState>,
    Recent(caller): Recent,
    device: Device,
    Fields(fields): Fields<PasswordField>,
) -> Result<impl IntoResponse, AppError> {
    account::delete(&state, caller, &fields.password, &device).await?;
    let clear = Cookie::refresh(state.settings.tokens.cookie_secure).clear()?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]))
}

/// The data export: what Baton holds about the person, and nothing that could be used
/// to act as them (no hash, token, key or secret).
#[derive(Serialize)]
struct Export {
    exported_at: String,
    account: ExportedAccount,
    sessions: Vec<ExportedSession>,
    events: Vec<ActivityEvent>,
    /// Passkeys' names and dates (never their keys).
    passkeys: Vec<PasskeyInfo>,
    /// The providers it signs in through (which, the address they gave, since when).
    providers: Vec<ConnectedProvider>,
}

#[derive(Serialize)]
struct ExportedAccount {
    id: String,
    email: String,
    created_at: String,
    /// When the address was verified, if it was.
    email_verified_at: Option<String>,
}

#[derive(Serialize)]
struct ExportedSession {
    id: String,
    device: String,
    user_agent: String,
    address: String,
    created_at: String,
    last_used_at: String,
    /// When it ends (or ended) without a sign-out: its idle or absolute end.
    expires_at: String,
    ended_at: Option<String>,
    /// `logout`, `logout_all`, `revoked`, `reuse`, `password_changed`.
    end_reason: Option<String>,
}

/// Events read per page while exporting.
const EXPORT_PAGE: i64 = 500;

/// `GET /api/account/export` (sensitive): one JSON document, as a download.
pub async fn export(State(state): State<AppState>, Recent(caller): Recent) -> Result<impl IntoResponse, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let pool = state.store.pool();
    let sessions = sessions::all_of(pool, caller.user_id)
        .await?
        .into_iter()
        .map(|s| {
            Ok(ExportedSession {
                id: s.id.to_string(),
                device: describe_device(&s.user_agent),
                user_agent: s.user_agent,
                address: s.client_addr,
                created_at: s.created_at.to_rfc3339()?,
                last_used_at: s.last_used_at.to_rfc3339()?,
                expires_at: s.idle_expires_at.min(s.expires_at).to_rfc3339()?,
                ended_at: s.revoked_at.map(UnixMillis::to_rfc3339).transpose()?,
                end_reason: s.revoke_reason.map(|r| r.as_str().to_string()),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let mut events = Vec::new();
    let mut before = None;
    loop {
        let page = security_events::of_user(pool, caller.user_id, before, EXPORT_PAGE).await?;
        before = page.last().map(|e| security_events::Before { at: e.at, id: e.id });
        let full = page.len() as i64 == EXPORT_PAGE;
        for row in page {
            events.push(super::activity::shown(row, &caller)?);
        }
        if !full {
            break;
        }
    }
    let export = Export {
        exported_at: state.clock.now().to_rfc3339()?,
        account: ExportedAccount {
            id: account.id.to_string(),
            email: account.email.clone(),
            created_at: account.created_at.to_rfc3339()?,
            email_verified_at: account.email_verified_at.map(UnixMillis::to_rfc3339).transpose()?,
        },
        sessions,
        events,
        passkeys: passkeys::list(&state, &caller).await?,
        providers: provider_sign_in::list(&state, &caller).await?,
    };
    let body = serde_json::to_vec_pretty(&export).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"baton-export.json\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    ))
}
