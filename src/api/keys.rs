//! `GET /.well-known/jwks.json`: the public keys that verify current tokens.

use crate::server::state::AppState;
use axum::{extract::State, http::header, response::IntoResponse};

pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            // Short, so that a rotated key reaches verifiers soon.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        state.tokens.keys().jwks().to_string(),
    )
}
