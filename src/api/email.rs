//! The endpoints that go through a mailbox (docs/API.md, "Email"): asking for a
//! password-reset link and using it, and following a verification link, as server
//! functions (form bodies, `/api/auth/…`); asking for a new verification link and
//! changing the address, as Bearer JSON routes. The flows are
//! `crate::server::auth::email`.

use crate::shared::{
    error::AppError,
    wire::{Done, SignInAnswer},
};
use leptos::prelude::*;

/// Sends a password-reset link if `email` has an account: 202 `{}` either way.
#[server(prefix = "/api/auth", endpoint = "password_reset")]
pub async fn request_password_reset(email: String) -> Result<Done, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email};
    let call = Call::get()?;
    let result = email::request_reset(&call.state, &email, &call.device()).await;
    if result.is_ok() {
        call.accepted();
    }
    call.respond(result.map(|()| Done {}))
}

/// Sets a new password through a reset link; signs in on this device (a new session,
/// every other one ended).
#[server(prefix = "/api/auth", endpoint = "password_reset/confirm")]
pub async fn confirm_password_reset(token: String, new_password: String) -> Result<SignInAnswer, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email};
    let call = Call::get()?;
    let outcome = email::reset_password(&call.state, &token, &new_password, &call.device()).await;
    call.signed_in_or_next(outcome)
}

/// Follows a verification or email-change link.
#[server(prefix = "/api/auth", endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<Done, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email};
    let call = Call::get()?;
    let result = email::verify_email(&call.state, &token, &call.device()).await;
    call.respond(result.map(|()| Done {}))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::{
        server::{
            auth::{
                bearer::{Authenticated, Recent},
                device::Device,
                email,
            },
            http::fields::Fields,
            state::AppState,
        },
        shared::{error::AppError, wire::Done},
    };
    use axum::{extract::State, http::StatusCode, Json};
    use serde::Deserialize;

    /// `POST /api/account/verification_email`: 202 `{}`; a new link is on its way
    /// (nothing is sent when the address is verified already).
    pub async fn resend_verification(
        State(state): State<AppState>,
        caller: Authenticated,
        device: Device,
    ) -> Result<(StatusCode, Json<Done>), AppError> {
        email::resend_verification(&state, &caller, &device).await?;
        Ok((StatusCode::ACCEPTED, Json(Done {})))
    }

    #[derive(Deserialize)]
    pub struct NewEmail {
        email: String,
    }

    /// `POST /api/account/email` (sensitive): 202 `{}`; a link to the new address,
    /// a notice to the old one.
    pub async fn change_email(
        State(state): State<AppState>,
        Recent(caller): Recent,
        device: Device,
        Fields(fields): Fields<NewEmail>,
    ) -> Result<(StatusCode, Json<Done>), AppError> {
        email::change_email(&state, &caller, &fields.email, &device).await?;
        Ok((StatusCode::ACCEPTED, Json(Done {})))
    }
}
