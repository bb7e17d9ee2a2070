//! The endpoints of the contract (docs/API.md), one file per area. This is where the
//! server meets the browser:
//!
//! - sign-up, sign-in, refresh and sign-out are Leptos server functions (form bodies,
//!   so `ActionForm` works before and after hydration), declared for both builds: the
//!   browser gets a client stub, the server the body;
//! - everything that needs `Authorization: Bearer` is a plain axum JSON route (server
//!   only), which the browser calls through `client::fetch::authed`.
//!
//! Each endpoint parses its input, calls `crate::server`, and turns the outcome into
//! the contract's answer.

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod activity;
pub mod auth;
pub mod email;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod me;
#[cfg(feature = "ssr")]
pub mod mfa;
#[cfg(feature = "ssr")]
pub mod passkeys;
#[cfg(feature = "ssr")]
pub mod sessions;

#[cfg(feature = "ssr")]
pub use self::ssr::{register_server_functions, routes};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{server::state::AppState, shared::error::AppError};
    use axum::{
        routing::{any, delete, get, post},
        Router,
    };

    /// The JSON routes (the server functions are served by `leptos_axum`).
    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/healthz", get(super::health::health))
            .route("/.well-known/jwks.json", get(super::keys::jwks))
            .route("/api/auth/logout_all", post(super::auth::ssr::logout_all))
            .route("/api/auth/reauth", post(super::account::reauth))
            .route("/api/account/password", post(super::account::change_password))
            .route("/api/account/delete", post(super::account::delete))
            .route("/api/account/export", get(super::account::export))
            .route("/api/account/verification_email", post(super::email::ssr::resend_verification))
            .route(
                "/api/account/email",
                post(super::email::ssr::change_email)
                    .get(super::email::ssr::pending)
                    .delete(super::email::ssr::cancel_change),
            )
            .route("/api/auth/passkey/start", post(super::passkeys::sign_in_start))
            .route("/api/auth/passkey/finish", post(super::passkeys::sign_in_finish))
            .route("/api/mfa", get(super::mfa::status))
            .route("/api/mfa/totp/start", post(super::mfa::start))
            .route("/api/mfa/totp/confirm", post(super::mfa::confirm))
            .route("/api/mfa/totp/disable", post(super::mfa::disable))
            .route("/api/mfa/recovery_codes", post(super::mfa::renew_codes))
            .route("/api/passkeys", get(super::passkeys::list))
            .route("/api/passkeys/register/start", post(super::passkeys::register_start))
            .route("/api/passkeys/register/finish", post(super::passkeys::register_finish))
            .route("/api/passkeys/{id}", delete(super::passkeys::remove))
            .route("/api/activity", get(super::activity::list))
            .route("/api/me", get(super::me::me))
            .route("/api/sessions", get(super::sessions::list))
            .route("/api/sessions/{id}", delete(super::sessions::revoke))
            // Any other `/api/…` path: a JSON 404 rather than the app's HTML page.
            .route("/api/{*rest}", any(|| async { AppError::NotFound }))
    }

    /// Registers the server functions by hand. `inventory` usually does it, but a
    /// linker may drop an unreferenced registration from a library (test binaries
    /// do): the contract's endpoints must not depend on that.
    pub fn register_server_functions() {
        use super::{
            auth::{Login, Logout, PasswordStrength, Refresh, Register, SecondStep},
            email::{ConfirmPasswordReset, NotMe, RequestPasswordReset, VerifyEmail},
        };
        use leptos::server_fn::axum::register_explicit;
        register_explicit::<Register>();
        register_explicit::<Login>();
        register_explicit::<SecondStep>();
        register_explicit::<Refresh>();
        register_explicit::<Logout>();
        register_explicit::<PasswordStrength>();
        register_explicit::<RequestPasswordReset>();
        register_explicit::<ConfirmPasswordReset>();
        register_explicit::<VerifyEmail>();
        register_explicit::<NotMe>();
    }
}
