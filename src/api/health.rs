//! The probes (docs/API.md, "Operations"). `GET /livez`: 200 while the process can
//! serve at all, even with its database down (a liveness probe must not restart every
//! instance during a database outage). `GET /readyz` (and its older name `/healthz`):
//! 200 only while this instance should get traffic: its database answers, its keys are
//! loaded, and it is not shutting down; 503 otherwise, saying which.

use crate::server::{db, state::AppState};
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn live() -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({"status": "ok"})))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let unavailable =
        |why: &str| (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": why})));
    if state.lifecycle.is_shutting_down() {
        return unavailable("shutting down");
    }
    if state.tokens.keys().active().is_err() {
        return unavailable("no signing key loaded");
    }
    if !db::ping(state.store.pool()).await {
        return unavailable("database unreachable");
    }
    (StatusCode::OK, Json(json!({"status": "ok"})))
}
