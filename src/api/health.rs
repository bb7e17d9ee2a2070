//! `GET /healthz`: 200 when the server and its database answer, 503 otherwise, so a
//! load balancer takes an instance out while its database is unreachable.

use crate::server::{db, state::AppState};
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::ping(state.store.pool()).await {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "database": "unreachable"})))
    }
}
