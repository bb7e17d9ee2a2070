//! The one error type of Baton, shared by the server and the browser.
//!
//! On the wire every error is `{"code": "…", "message": "…"}` (docs/API.md); the
//! server maps each variant to its HTTP status, the browser decodes the body back into
//! the same variant, so both sides match on `AppError::RefreshTokenReused`, not on
//! strings. Internal causes are logged where they happen and never serialised.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// A field is missing, malformed or out of bounds; the message says which.
    #[error("{0}")]
    InvalidInput(String),
    /// Identical for an unknown email and a wrong password, so it reveals neither.
    #[error("Email or password is wrong.")]
    InvalidCredentials,
    #[error("The access token is missing, invalid or expired.")]
    InvalidToken,
    #[error("The refresh token is missing, invalid or expired. Please sign in again.")]
    InvalidRefreshToken,
    #[error("This session was ended for security reasons: a refresh token was used twice. Please sign in again.")]
    RefreshTokenReused,
    #[error("This session has reached its maximum lifetime. Please sign in again.")]
    SessionExpired,
    #[error("Cross-origin requests are not allowed here.")]
    ForbiddenOrigin,
    #[error("Not found.")]
    NotFound,
    #[error("An account with this email already exists.")]
    EmailTaken,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Too many failed attempts. Try again in {}.", human_seconds(*retry_after))]
    RateLimited { retry_after: u64 },
    /// Anything else. The cause is in the server log, never in the answer.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Browser side only: the server could not be reached or did not answer in kind.
    #[error("The server could not be reached. Check your connection and try again.")]
    Network,
}

impl AppError {
    /// The stable, machine-readable code of the contract.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput(_) => "invalid_input",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::InvalidToken => "invalid_token",
            AppError::InvalidRefreshToken => "invalid_refresh_token",
            AppError::RefreshTokenReused => "refresh_token_reused",
            AppError::SessionExpired => "session_expired",
            AppError::ForbiddenOrigin => "forbidden_origin",
            AppError::NotFound => "not_found",
            AppError::EmailTaken => "email_taken",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal => "internal",
            AppError::Network => "network_error",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidInput(_) => 400,
            AppError::InvalidCredentials
            | AppError::InvalidToken
            | AppError::InvalidRefreshToken
            | AppError::RefreshTokenReused
            | AppError::SessionExpired => 401,
            AppError::ForbiddenOrigin => 403,
            AppError::NotFound => 404,
            AppError::EmailTaken => 409,
            AppError::PayloadTooLarge => 413,
            AppError::RateLimited { .. } => 429,
            AppError::Internal => 500,
            AppError::Network => 503,
        }
    }

    /// True for every answer after which the browser's refresh token is worthless, so
    /// the app must go to the signed-out state.
    pub fn ends_session(&self) -> bool {
        matches!(self, AppError::InvalidRefreshToken | AppError::RefreshTokenReused | AppError::SessionExpired)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        AppError::InvalidInput(message.into())
    }

    /// Logs `cause` (server side) and returns the opaque `internal` error.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        {
            let at = std::panic::Location::caller();
            tracing::error!(%cause, at = %at, "internal error");
        }
        #[cfg(not(feature = "ssr"))]
        let _ = cause;
        AppError::Internal
    }
}

fn human_seconds(secs: u64) -> String {
    match secs {
        0..=1 => "a second".to_string(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".to_string(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// The wire form of an error.
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorBody {
            code: self.code().to_string(),
            message: self.to_string(),
            retry_after: match self {
                AppError::RateLimited { retry_after } => Some(*retry_after),
                _ => None,
            },
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = ErrorBody::deserialize(deserializer)?;
        Ok(match body.code.as_str() {
            "invalid_input" => AppError::InvalidInput(body.message),
            "invalid_credentials" => AppError::InvalidCredentials,
            "invalid_token" => AppError::InvalidToken,
            "invalid_refresh_token" => AppError::InvalidRefreshToken,
            "refresh_token_reused" => AppError::RefreshTokenReused,
            "session_expired" => AppError::SessionExpired,
            "forbidden_origin" => AppError::ForbiddenOrigin,
            "not_found" => AppError::NotFound,
            "email_taken" => AppError::EmailTaken,
            "payload_too_large" => AppError::PayloadTooLarge,
            "rate_limited" => AppError::RateLimited { retry_after: body.retry_after.unwrap_or(60) },
            "network_error" => AppError::Network,
            _ => AppError::Internal,
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Errors raised by the server-function machinery itself rather than by our code.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // The form did not decode into the function's arguments: the client's fault.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid_input("The form is missing a field or has a malformed one.")
            }
            // Server side: the body could not be read (a body cut off at the size
            // limit is answered 413 by `crate::body_limit` instead of this).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::invalid_input("The request body could not be read."),
            // Browser side: an answer we cannot read.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(_) => AppError::Network,
            // Browser side: the request never got an answer.
            ServerFnErrorErr::Request(_) => AppError::Network,
            other => AppError::internal(other),
        };
        // Leptos answers these with 500 unless told otherwise; the server function's
        // response options are in context while its arguments are decoded, so this is
        // the one place that can give a malformed form its contract status (400).
        #[cfg(feature = "ssr")]
        answer_server_fn_error(&error);
        error
    }
}

#[cfg(feature = "ssr")]
pub use http_response::answer_server_fn_error;

#[cfg(feature = "ssr")]
mod http_response {
    use super::AppError;
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }

        /// Headers the contract requires with this error: `WWW-Authenticate` on a
        /// refused Bearer token (RFC 6750 §3), `Retry-After` on a rate limit.
        pub fn extra_headers(&self) -> Vec<(header::HeaderName, HeaderValue)> {
            match self {
                AppError::InvalidToken => {
                    vec![(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#))]
                }
                AppError::RateLimited { retry_after } => {
                    vec![(header::RETRY_AFTER, HeaderValue::from(*retry_after))]
                }
                _ => Vec::new(),
            }
        }
    }

    /// Gives a failed server function its contract status and headers, through the
    /// `ResponseOptions` in context.
    ///
    /// Except for a plain HTML form post (`Accept: text/html`: a form submitted before
    /// the WASM took over). Leptos answers that with a redirect back to the form's
    /// page carrying the error in the URL, which the page shows in its alert;
    /// replacing the redirect's status would leave the person looking at raw JSON.
    /// Script clients (the app, curl, the tests) never ask for HTML and get the status.
    pub fn answer_server_fn_error(error: &AppError) {
        use leptos::prelude::use_context;
        let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
        let plain_form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        });
        if plain_form_post {
            return;
        }
        response.set_status(error.status_code());
        for (name, value) in error.extra_headers() {
            response.insert_header(name, value);
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (self.status_code(), Json(&self)).into_response();
            for (name, value) in self.extra_headers() {
                response.headers_mut().insert(name, value);
            }
            response
        }
    }

    impl From<sqlx::Error> for AppError {
        #[track_caller]
        fn from(error: sqlx::Error) -> Self {
            AppError::internal(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(AppError::InvalidCredentials).unwrap();
        assert_eq!(json, serde_json::json!({"code": "invalid_credentials", "message": "Email or password is wrong."}));
    }

    #[test]
    fn every_variant_round_trips_through_its_wire_form() {
        for error in [
            AppError::invalid_input("Email is not an address."),
            AppError::InvalidCredentials,
            AppError::InvalidToken,
            AppError::InvalidRefreshToken,
            AppError::RefreshTokenReused,
            AppError::SessionExpired,
            AppError::ForbiddenOrigin,
            AppError::NotFound,
            AppError::EmailTaken,
            AppError::PayloadTooLarge,
            AppError::RateLimited { retry_after: 42 },
            AppError::Internal,
        ] {
            let wire = serde_json::to_string(&error).unwrap();
            let back: AppError = serde_json::from_str(&wire).unwrap();
            assert_eq!(back, error, "{wire}");
        }
    }

    #[test]
    fn rate_limit_message_names_the_wait() {
        assert_eq!(
            AppError::RateLimited { retry_after: 301 }.to_string(),
            "Too many failed attempts. Try again in 6 minutes."
        );
    }

    #[test]
    fn statuses_follow_the_contract() {
        assert_eq!(AppError::invalid_input("x").status(), 400);
        assert_eq!(AppError::RefreshTokenReused.status(), 401);
        assert_eq!(AppError::ForbiddenOrigin.status(), 403);
        assert_eq!(AppError::EmailTaken.status(), 409);
        assert_eq!(AppError::PayloadTooLarge.status(), 413);
        assert_eq!(AppError::RateLimited { retry_after: 1 }.status(), 429);
        assert_eq!(AppError::Internal.status(), 500);
    }
}
