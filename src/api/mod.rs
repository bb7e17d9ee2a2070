//! The endpoints of the contract (docs/API.md), one file per area. This is where the
//! server meets the browser:
//!
//! - sign-up, sign-in, refresh and sign-out are Leptos server functions (form bodies,
//!   so `ActionForm` works before and after hydration), declared for both builds: the
//!   browser gets a client stub, the server the body;
//! - everything that needs `Authorization: Bearer` is a plain axum JSON route (server
//!   only), at the paths of `shared::endpoints`, which the browser calls through
//!   `client::api`.
//!
//! Each endpoint parses its input, calls `crate::server`, and turns the outcome into
//! the contract's answer. By area: [`auth`] (sign up, in and out, refresh, the second
//! step), [`email`] (resets, verification, changing the address, "this wasn't me"),
//! [`account`] (re-authentication, the password, export, deletion), [`passkeys`],
//! [`mfa`] (the authenticator app), [`providers`] (signing in through another
//! provider), [`me`], [`sessions`], [`activity`], [`admin`] (the
//! administration, for the `admin` role), [`keys`] (the JWKS) and [`health`] (the
//! probes).

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod activity;
#[cfg(feature = "ssr")]
pub mod admin;
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
pub mod providers;
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

    /// The JSON routes (the server functions are served by `leptos_axum`), at the paths
    /// of `shared::endpoints`, which the browser's `client::api` calls.
    pub fn routes() -> Router<AppState> {
        use crate::shared::endpoints as at;
        let admin = super::admin::routes()
            .into_iter()
            .fold(Router::new(), |router, (_, path, handler)| router.route(path, handler));
        Router::new()
            .merge(admin)
            .route("/livez", get(super::health::live))
            .route("/readyz", get(super::health::ready))
            .route("/healthz", get(super::health::ready))
            .route("/.well-known/jwks.json", get(super::keys::jwks))
            .route(at::LOGOUT_ALL, post(super::auth::ssr::logout_all))
            .route(at::REAUTH, post(super::account::reauth))
            .route(at::PASSWORD, post(super::account::change_password))
            .route(at::DELETE_ACCOUNT, post(super::account::delete))
            .route(at::EXPORT, get(super::account::export))
            .route(at::VERIFICATION_EMAIL, post(super::email::ssr::resend_verification))
            .route(
                at::EMAIL,
                post(super::email::ssr::change_email)
                    .get(super::email::ssr::pending)
                    .delete(super::email::ssr::cancel_change),
            )
            .route(at::PASSKEY_SIGN_IN_START, post(super::passkeys::sign_in_start))
            .route(at::PASSKEY_SIGN_IN_FINISH, post(super::passkeys::sign_in_finish))
            .route(at::MFA, get(super::mfa::status))
            .route(at::TOTP_START, post(super::mfa::start))
            .route(at::TOTP_CONFIRM, post(super::mfa::confirm))
            .route(at::TOTP_DISABLE, post(super::mfa::disable))
            .route(at::RECOVERY_CODES, post(super::mfa::renew_codes))
            .route(at::PASSKEYS, get(super::passkeys::list))
            .route(at::PASSKEY_REGISTER_START, post(super::passkeys::register_start))
            .route(at::PASSKEY_REGISTER_FINISH, post(super::passkeys::register_finish))
            .route(at::PASSKEY, delete(super::passkeys::remove))
            .route(at::PROVIDERS, get(super::providers::list_providers))
            .route(at::PROVIDER_SIGN_IN, get(super::providers::begin))
            .route(at::PROVIDER_CALLBACK, get(super::providers::callback))
            .route(at::ACCOUNT_PROVIDERS, get(super::providers::list))
            .route(at::ACCOUNT_PROVIDER, post(super::providers::connect).delete(super::providers::disconnect))
            .route(at::ACTIVITY, get(super::activity::list))
            .route(at::ME, get(super::me::me))
            .route(at::SESSIONS, get(super::sessions::list))
            .route(at::SESSION, delete(super::sessions::revoke))
            // Any other `/api/…` path: a JSON 404 rather than the app's HTML page.
            .route("/api/{*rest}", any(|| async { AppError::NotFound }))
    }

    /// Registers the server functions by hand. `inventory` usually does it, but a
    /// linker may drop an unreferenced registration from a library (test binaries
    /// do): the contract's endpoints must not depend on that.
    pub fn register_server_functions() {
        use super::{
            auth::{Login, Logout, PasswordStrength, Refresh, Register, SecondStep},
            email::{
                ConfirmEmailCode, ConfirmPasswordReset, NotMe, RequestEmailCode, RequestPasswordReset, VerifyEmail,
            },
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
        register_explicit::<RequestEmailCode>();
        register_explicit::<ConfirmEmailCode>();
    }
}
