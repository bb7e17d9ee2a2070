//! The middleware of the first line against one client flooding the sign-in endpoints:
//! each attempt takes one from its client's bucket (`auth::shedding`) before it reaches
//! its endpoint; an empty bucket is 429, after the pause.

use crate::{
    server::{
        auth::device::{client_ip, limit_key},
        observe::metrics,
        state::AppState,
    },
    shared::error::AppError,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::Method;
use std::net::SocketAddr;

/// The endpoints each of whose requests is an attempt at an account: a password or a
/// code checked, a hash made, a mail sent.
const ATTEMPTS: &[&str] = &[
    "/api/auth/login",
    "/api/auth/register",
    "/api/auth/mfa",
    "/api/auth/reauth",
    "/api/auth/passkey/finish",
    "/api/auth/email_code",
    "/api/auth/email_code/confirm",
    "/api/auth/password_reset",
    "/api/auth/password_reset/confirm",
    "/api/auth/not_me",
    "/api/account/password",
    "/api/account/delete",
];

/// The middleware: an attempt from a client whose bucket is empty is answered 429
/// `rate_limited` with `Retry-After`, after the pause, before anything else is done
/// for it.
pub async fn shed_floods(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST && ATTEMPTS.contains(&request.uri().path()) {
        let client = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| {
            limit_key(client_ip(peer.ip(), request.headers(), &state.settings.operations.trusted_proxies))
        });
        if let Some(client) = client {
            if let Err(retry_after) = state.shedding.admit(&client) {
                metrics::rate_limited("sign_in_flood");
                state.shedding.pause().await;
                return AppError::RateLimited { retry_after }.into_response();
            }
        }
    }
    next.run(request).await
}
