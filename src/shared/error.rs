//! The one error type of Baton, shared by the server and the browser.
//!
//! On the wire every error is `{"code": "…", "message": "…"}` (docs/API.md); the
//! server answers each variant with its HTTP status and headers, the browser decodes
//! the body back into the same variant, so both sides match on
//! `AppError::RefreshTokenReused`, not on strings. Internal causes are logged where
//! they happen and never serialised.
//!
//! Every variant is declared once, in the table at the bottom of this file: its
//! shape, status, code, message and extra headers. A new error is one line there
//! (plus its row in docs/API.md).

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A header the contract requires next to an error (its value comes from the error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtraHeader {
    /// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
    BearerChallenge,
    /// `Retry-After: <seconds>` (RFC 9110 §10.2.3).
    RetryAfter(u64),
}

/// The wire form of an error.
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

/// `$ty!(message)` is `String`: lets a table line name its message field.
macro_rules! message_field {
    ($field:ident) => {
        String
    };
}

/// Expands to `$value` (a repetition has to mention one of its own fragments).
macro_rules! the {
    ($field:ident, $value:expr) => {
        $value
    };
}

/// Declares `AppError` from its table. A line is
/// `Variant => status, "code", message`, where the variant may carry the message
/// shown to people (`Variant(message)`) or a wait (`Variant { retry_after }`, which
/// also sends `Retry-After`), and may end with `; BearerChallenge`.
macro_rules! app_errors {
    ($(
        $(#[$doc:meta])*
        $variant:ident $( ( $message:ident ) )? $( { $retry:ident } )?
            => $status:literal, $code:literal, $display:expr $( ; $header:ident )?
    ),* $(,)?) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AppError {
            $( $(#[$doc])* $variant $( (message_field!($message)) )? $( { $retry: u64 } )?, )*
        }

        impl AppError {
            /// The stable, machine-readable code of the contract.
            pub fn code(&self) -> &'static str {
                match self { $( AppError::$variant { .. } => $code, )* }
            }

            /// The HTTP status this error is answered with.
            pub fn status(&self) -> u16 {
                match self { $( AppError::$variant { .. } => $status, )* }
            }

            /// Headers the contract requires with this error.
            pub fn extra_headers(&self) -> Vec<ExtraHeader> {
                let mut headers = Vec::new();
                if let Some(seconds) = self.retry_after() {
                    headers.push(ExtraHeader::RetryAfter(seconds));
                }
                match self {
                    $( $( AppError::$variant { .. } => headers.push(ExtraHeader::$header), )? )*
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
                headers
            }

            /// Seconds to wait before trying again, for the variants that have one.
            pub fn retry_after(&self) -> Option<u64> {
                match self {
                    $( $( AppError::$variant { $retry } => Some(*$retry), )? )*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            /// One of each variant, with a message or a wait where it has one.
            #[cfg(test)]
            fn one_of_each() -> Vec<AppError> {
                vec![ $( AppError::$variant
                    $( (the!($message, format!("An example of {}.", $code))) )?
                    $( { $retry: 42 } )?, )* ]
            }

            fn from_body(body: ErrorBody) -> AppError {
                match body.code.as_str() {
                    $( $code => AppError::$variant
                        $( (the!($message, body.message)) )?
                        $( { $retry: body.retry_after.unwrap_or(60) } )?, )*
                    _ => AppError::Internal,
                }
            }
        }

        impl std::fmt::Display for AppError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( AppError::$variant $( ($message) )? $( { $retry } )? => write!(f, "{}", $display), )*
                }
            }
        }
    };
}

app_errors! {
    /// A field is missing, malformed or out of bounds; the message says which.
    InvalidInput(message) => 400, "invalid_input", message,
    /// A new password is too guessable; the message says why and what would help.
    WeakPassword(message) => 400, "weak_password", message,
    /// A mailed link's token is unknown, used, replaced or expired.
    InvalidLink => 400, "invalid_link", "This link is no longer valid. Links work once and expire; ask for a new one.",
    /// Identical for an unknown email and a wrong password, so it reveals neither.
    InvalidCredentials => 401, "invalid_credentials", "Email or password is wrong.",
    /// A two-step verification code, recovery code or passkey assertion did not verify.
    InvalidCode => 401, "invalid_code", "That code or passkey did not work. Please try again.",
    InvalidToken => 401, "invalid_token", "The access token is missing, invalid or expired."; BearerChallenge,
    InvalidRefreshToken => 401, "invalid_refresh_token",
        "The refresh token is missing, invalid or expired. Please sign in again.",
    RefreshTokenReused => 401, "refresh_token_reused",
        "This session was ended for security reasons: a refresh token was used twice. Please sign in again.",
    SessionExpired => 401, "session_expired", "This session has reached its maximum lifetime. Please sign in again.",
    ForbiddenOrigin => 403, "forbidden_origin", "Cross-origin requests are not allowed here.",
    /// A sensitive action, and the person last proved who they are too long ago.
    ReauthRequired => 403, "reauth_required", "Please confirm it is you: enter your password again.",
    /// Adding a passkey or an authenticator app needs a proved address first: a
    /// stranger who registered someone else's address must not add a way in.
    EmailUnverified => 403, "email_unverified",
        "Confirm your email address first: follow the link we sent you, then try again.",
    /// Signed in, but without the role the action needs (docs/API.md, "Roles and
    /// administration").
    Forbidden => 403, "forbidden", "You don't have access to this.",
    /// An administrator locked the account; said only after a credential verified.
    AccountLocked => 403, "account_locked",
        "An administrator locked this account. Contact your administrator to have it unlocked.",
    NotFound => 404, "not_found", "Not found.",
    EmailTaken => 409, "email_taken", "An account with this email already exists.",
    /// The only administrator would lock, delete or demote themselves.
    LastAdmin => 409, "last_admin", "You are the only administrator: make someone else one first.",
    /// Removing this passkey or provider would leave the account no way to sign in
    /// (an email code does not count).
    LastSignInMethod => 409, "last_sign_in_method",
        "This is your last way to sign in: add a password, a passkey or another provider first.",
    PayloadTooLarge => 413, "payload_too_large", "The request body is too large.",
    RateLimited { retry_after } => 429, "rate_limited",
        format!("Too many attempts. Try again in {}.", human_seconds(*retry_after)),
    /// Anything else. The cause is in the server log, never in the answer.
    Internal => 500, "internal", "Something went wrong on our side. Please try again.",
    /// Saturated (the password-hashing queue is full) or a dependency is down;
    /// nothing was changed.
    Unavailable { retry_after } => 503, "unavailable",
        format!("The server is busy. Please try again in {}.", human_seconds(*retry_after)),
    /// Browser side only: the server could not be reached or did not answer in kind.
    Network => 503, "network_error", "The server could not be reached. Check your connection and try again.",
}

impl std::error::Error for AppError {}

impl AppError {
    /// True for every answer after which the browser's refresh token is worthless, so
    /// the app must go to the signed-out state.
    pub fn ends_session(&self) -> bool {
        matches!(
            self,
            AppError::InvalidRefreshToken
                | AppError::RefreshTokenReused
                | AppError::SessionExpired
                | AppError::AccountLocked
        )
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

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorBody { code: self.code().to_string(), message: self.to_string(), retry_after: self.retry_after() }
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ErrorBody::deserialize(deserializer).map(AppError::from_body)
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
            // limit is answered 413 by the body limit layer instead of this).
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
        ssr::answer_server_fn_error(&error);
        error
    }
}

#[cfg(feature = "ssr")]
pub use ssr::answer_server_fn_error;

#[cfg(feature = "ssr")]
mod ssr {
    use super::{AppError, ExtraHeader};
    use axum::{
        http::{header, HeaderName, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }

        /// The contract's extra headers as HTTP headers.
        pub fn http_headers(&self) -> impl Iterator<Item = (HeaderName, HeaderValue)> {
            self.extra_headers().into_iter().map(|extra| match extra {
                ExtraHeader::BearerChallenge => {
                    (header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#))
                }
                ExtraHeader::RetryAfter(seconds) => (header::RETRY_AFTER, HeaderValue::from(seconds)),
            })
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
        for (name, value) in error.http_headers() {
            response.insert_header(name, value);
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            self.answer_with_body(Json(&self))
        }
    }

    impl AppError {
        /// This error's answer with one more field in its body (the `methods` that
        /// can follow a password whose second step is missing).
        pub fn answer_with(&self, field: &str, value: serde_json::Value) -> Response {
            let mut body = serde_json::to_value(self).unwrap_or_default();
            body[field] = value;
            self.answer_with_body(Json(body))
        }

        fn answer_with_body(&self, body: impl IntoResponse) -> Response {
            let mut response = (self.status_code(), body).into_response();
            for (name, value) in self.http_headers() {
                response.headers_mut().insert(name, value);
            }
            response
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
        let all = AppError::one_of_each();
        let codes: std::collections::BTreeSet<_> = all.iter().map(AppError::code).collect();
        assert_eq!(codes.len(), all.len(), "each variant has a code of its own: {codes:?}");
        for error in all {
            let wire = serde_json::to_string(&error).unwrap();
            let back: AppError = serde_json::from_str(&wire).unwrap();
            assert_eq!(back, error, "{wire}");
        }
    }

    #[test]
    fn rate_limit_message_names_the_wait() {
        assert_eq!(
            AppError::RateLimited { retry_after: 301 }.to_string(),
            "Too many attempts. Try again in 6 minutes."
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

    #[test]
    fn the_contract_headers_come_from_the_table() {
        assert_eq!(AppError::InvalidToken.extra_headers(), [ExtraHeader::BearerChallenge]);
        assert_eq!(AppError::RateLimited { retry_after: 7 }.extra_headers(), [ExtraHeader::RetryAfter(7)]);
        assert!(AppError::InvalidRefreshToken.extra_headers().is_empty());
    }
}
