//! The endpoints that go through a mailbox (docs/API.md, "Email", "Sign in with an email
//! code"): asking for a password-reset link and using it, asking for a sign-in code and
//! signing in with it, and following a verification link, as server
//! functions (form bodies, `/api/auth/…`); asking for a new verification link and
//! changing the address, as Bearer JSON routes. The flows are
//! `crate::server::auth::email`.

use crate::shared::{
    error::AppError,
    wire::{Done, NotMeAnswer, SignInAnswer},
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

/// Mails a sign-in code and link to `email` (an invitation to create an account when it
/// has none): 202 `{}` either way.
#[server(prefix = "/api/auth", endpoint = "email_code")]
pub async fn request_email_code(email: String) -> Result<Done, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email_code};
    let call = Call::get()?;
    let result = email_code::request(&call.state, &email, &call.device()).await;
    if result.is_ok() {
        call.accepted();
    }
    call.respond(result.map(|()| Done {}))
}

/// Signs in with a mailed code (`email` and `code`) or its link (`token`): a new session
/// on this device, a new account for an address without one, or the second step.
#[server(prefix = "/api/auth", endpoint = "email_code/confirm")]
pub async fn confirm_email_code(
    email: Option<String>,
    code: Option<String>,
    token: Option<String>,
) -> Result<SignInAnswer, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email_code};
    let call = Call::get()?;
    let proof = match (&token, &email, &code) {
        (Some(token), _, _) => Ok(email_code::Proof::Link { token }),
        (None, Some(email), Some(code)) => Ok(email_code::Proof::Code { email, code }),
        _ => Err(AppError::invalid_input("Enter your email and the code from the mail.")),
    };
    let outcome = match proof {
        Ok(proof) => email_code::confirm(&call.state, proof, &call.device()).await,
        Err(e) => Err(e),
    };
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

/// "This wasn't me": ends the sessions the mail was about, undoes an email change, and
/// answers with the token that sets a new password.
#[server(prefix = "/api/auth", endpoint = "not_me")]
pub async fn not_me(token: String) -> Result<NotMeAnswer, AppError> {
    use crate::{api::auth::ssr::Call, server::auth::email};
    let call = Call::get()?;
    let result = email::not_me(&call.state, &token, &call.device()).await;
    call.respond(result)
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
        shared::{
            error::AppError,
            wire::{Done, PendingEmail},
        },
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

    /// `GET /api/account/email`: the address, and a new one waiting for its link.
    pub async fn pending(State(state): State<AppState>, caller: Authenticated) -> Result<Json<PendingEmail>, AppError> {
        Ok(Json(email::pending(&state, &caller).await?))
    }

    /// `DELETE /api/account/email`: 204; a pending change of address is cancelled.
    pub async fn cancel_change(
        State(state): State<AppState>,
        caller: Authenticated,
        device: Device,
    ) -> Result<StatusCode, AppError> {
        email::cancel_change(&state, &caller, &device).await?;
        Ok(StatusCode::NO_CONTENT)
    }
}
