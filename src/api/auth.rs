//! `/api/auth/…`: sign up, sign in, refresh and sign out as server functions (form
//! bodies), and sign out everywhere as a Bearer JSON route. Each body is a few lines:
//! the flow is `crate::server::auth`, the cookie and the status are [`ssr::Call`]'s.

use crate::shared::{
    error::AppError,
    wire::{LoggedOut, SignInAnswer, StrongEnough, TokenResponse},
};
use leptos::prelude::*;

/// Creates an account and signs in.
#[server(prefix = "/api/auth", endpoint = "register")]
pub async fn register(email: String, password: String) -> Result<TokenResponse, AppError> {
    use self::ssr::*;
    let call = Call::get()?;
    let grant = sign_in::register(&call.state, &email, &password, &call.device()).await;
    call.signed_in(grant)
}

/// Signs in: a new session on this device, or (two-step verification) the ticket for
/// the second step.
#[server(prefix = "/api/auth", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<SignInAnswer, AppError> {
    use self::ssr::*;
    let call = Call::get()?;
    let outcome = sign_in::login(&call.state, &email, &password, &call.device()).await;
    call.signed_in_or_next(outcome)
}

/// The second step: a code of the authenticator app or a recovery code, with the
/// `mfa_token` the password earned, or (after a provider sign-in, whose ticket must not
/// travel in a URL) the one in the `mfa` cookie when the field is absent.
#[server(prefix = "/api/auth", endpoint = "mfa")]
pub async fn second_step(mfa_token: Option<String>, code: String) -> Result<TokenResponse, AppError> {
    use self::ssr::*;
    let call = Call::get()?;
    let (token, from_cookie) = match mfa_token.filter(|t| !t.is_empty()) {
        Some(token) => (token, false),
        None => (call.mfa_cookie().unwrap_or_default(), true),
    };
    let grant = second_step::finish(&call.state, &token, &code, &call.device()).await;
    if from_cookie && grant.is_ok() {
        call.clear_mfa_cookie()?;
    }
    call.signed_in(grant)
}

/// Rotates the refresh cookie and returns a fresh access token.
#[server(prefix = "/api/auth", endpoint = "refresh")]
pub async fn refresh() -> Result<TokenResponse, AppError> {
    use self::ssr::*;
    let call = Call::get()?;
    let grant = match call.refresh_token() {
        Ok(token) => rotation::refresh(&call.state, token.as_deref()).await,
        Err(several) => Err(several),
    };
    // Once the cookie can never work again, remove it; after an internal error keep
    // it, so that a retry can still succeed.
    if matches!(&grant, Err(e) if e.ends_session()) {
        call.clear_cookie()?;
    }
    call.signed_in(grant)
}

/// Ends this device's session. Always succeeds and clears the cookie.
#[server(prefix = "/api/auth", endpoint = "logout")]
pub async fn logout() -> Result<LoggedOut, AppError> {
    use self::ssr::*;
    let call = Call::get()?;
    let result = match call.refresh_token() {
        Ok(token) => sign_out::logout(&call.state, token.as_deref()).await,
        Err(several) => Err(several),
    };
    // Idempotent: with or without a valid cookie the answer is 200 and the cookie
    // goes; only when the session could not be ended (database down) is it kept, so
    // that signing out can be retried.
    if matches!(&result, Ok(()) | Err(AppError::InvalidRefreshToken)) {
        call.clear_cookie()?;
    }
    call.respond(result.map(|()| LoggedOut {}))
}

/// How guessable a new password is, for the advice shown while it is typed (the page
/// asks once typing pauses, never per keystroke). Stores and counts nothing. `{}` when
/// it is strong enough, else what register or a password change would answer:
/// `invalid_input` (too short or long) or `weak_password` with the advice.
#[server(prefix = "/api/auth", endpoint = "password_strength")]
pub async fn password_strength(email: String, password: String) -> Result<StrongEnough, AppError> {
    use crate::{server::auth::strength, shared::credentials};
    let call = ssr::Call::get()?;
    let verdict = credentials::Password::parse_new(&password).and_then(|password| {
        // Without a valid address yet (registration, still typing it), judge the
        // password alone.
        let email =
            credentials::Email::parse(&email).or_else(|_| credentials::Email::parse("someone@example.invalid"))?;
        strength::check(&password, &email)
    });
    call.respond(verdict.map(|()| StrongEnough {}))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use crate::server::auth::{rotation, second_step, sign_in, sign_out};
    use crate::{
        server::{
            auth::{bearer::Authenticated, challenge::SignIn, cookie::Cookie, device::Device, grant::Grant},
            state::AppState,
        },
        shared::{
            error::{answer_server_fn_error, AppError},
            wire::{RevokedCount, SignInAnswer, TokenResponse},
        },
    };
    use axum::{extract::State, response::IntoResponse, Json};
    use http::{header, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    /// One server-function call: the state, the request and the response being
    /// built, from the context `leptos_axum` provides around it.
    pub struct Call {
        pub state: AppState,
        parts: Parts,
        response: ResponseOptions,
    }

    impl Call {
        pub fn get() -> Result<Call, AppError> {
            match (use_context::<AppState>(), use_context::<Parts>(), use_context::<ResponseOptions>()) {
                (Some(state), Some(parts), Some(response)) => Ok(Call { state, parts, response }),
                _ => Err(AppError::internal("server function called without its request context")),
            }
        }

        pub fn device(&self) -> Device {
            Device::of(&self.parts, &self.state.settings)
        }

        fn cookie(&self) -> Cookie {
            Cookie::refresh(self.state.settings.tokens.cookie_secure)
        }

        /// The refresh token the request carries; `invalid_refresh_token` when it
        /// carries several (the server never guesses which one is meant).
        pub fn refresh_token(&self) -> Result<Option<String>, AppError> {
            self.cookie().read(&self.parts.headers).map_err(|_| {
                tracing::warn!("refused a request with several refresh cookies");
                AppError::InvalidRefreshToken
            })
        }

        /// Answers 202 Accepted (a mail is on its way) instead of 200.
        pub fn accepted(&self) {
            self.response.set_status(http::StatusCode::ACCEPTED);
        }

        /// The second step's ticket from the `mfa` cookie (a provider sign-in's).
        pub fn mfa_cookie(&self) -> Option<String> {
            Cookie::mfa(self.state.settings.tokens.cookie_secure).read(&self.parts.headers).ok().flatten()
        }

        pub fn clear_mfa_cookie(&self) -> Result<(), AppError> {
            let clear = Cookie::mfa(self.state.settings.tokens.cookie_secure).clear()?;
            self.response.append_header(header::SET_COOKIE, clear);
            Ok(())
        }

        pub fn clear_cookie(&self) -> Result<(), AppError> {
            self.response.append_header(header::SET_COOKIE, self.cookie().clear()?);
            Ok(())
        }

        /// A failure gets its contract status and headers; success passes through.
        pub fn respond<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
            if let Err(error) = &result {
                answer_server_fn_error(error);
            }
            result
        }

        /// Sets the cookies of a grant and answers with its body.
        pub fn signed_in(&self, grant: Result<Grant, AppError>) -> Result<TokenResponse, AppError> {
            let answer = grant.and_then(|grant| {
                for cookie in grant.cookies(self.state.settings.tokens.cookie_secure)? {
                    self.response.append_header(header::SET_COOKIE, cookie);
                }
                Ok(grant.body)
            });
            self.respond(answer)
        }

        /// [`Call::signed_in`], or the second step's ticket (no cookie yet).
        pub fn signed_in_or_next(&self, outcome: Result<SignIn, AppError>) -> Result<SignInAnswer, AppError> {
            match outcome {
                Ok(SignIn::SecondStep(next)) => Ok(SignInAnswer::SecondStep(next)),
                Ok(SignIn::Granted(grant)) => self.signed_in(Ok(grant)).map(SignInAnswer::Tokens),
                Err(e) => self.respond(Err(e)),
            }
        }
    }

    /// `POST /api/auth/logout_all` (Bearer): ends every session of the caller and
    /// clears this device's cookie.
    pub async fn logout_all(
        State(state): State<AppState>,
        caller: Authenticated,
    ) -> Result<impl IntoResponse, AppError> {
        let revoked = sign_out::everywhere(&state, caller).await?;
        let clear = Cookie::refresh(state.settings.tokens.cookie_secure).clear()?;
        Ok(([(header::SET_COOKIE, clear)], Json(RevokedCount { revoked })))
    }
}
