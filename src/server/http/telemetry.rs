//! What each request leaves for the operator: its span (method, path without the
//! query, request id; the trace it continues when a trusted proxy sent one), its
//! duration by route pattern (`observe::metrics`), and the scrape of `/metrics`.

use crate::server::{
    observe::{logs, metrics, metrics::Recorder},
    state::AppState,
    store::outbox,
};
use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use std::{net::SocketAddr, time::Instant};

const REQUEST_ID: &str = "x-request-id";

/// Whether the connection comes from one of `trusted` (a configured proxy).
fn from_trusted(request: &http::Request<impl Sized>, trusted: &[IpNet]) -> bool {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    peer.is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer.to_canonical())))
}

/// A request id sent by anyone but a trusted proxy is dropped, so the one the server
/// makes is used instead: a client must not choose the id its lines are logged under.
pub async fn forget_untrusted_request_id(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !from_trusted(&request, &state.settings.operations.trusted_proxies) {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// The request's span: method, path (no query: a mailed link's token lives there),
/// request id. Behind a trusted proxy it continues the proxy's trace (`traceparent`).
pub fn request_span(request: &http::Request<axum::body::Body>, trusted: &[IpNet]) -> tracing::Span {
    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    );
    if logs::traces_wanted() && from_trusted(request, trusted) {
        logs::continue_trace(&span, request.headers());
    }
    span
}

/// Records the request's duration under its route's pattern (`/api/sessions/{id}`),
/// or `unmatched` (a static file, a page no route knows): never the raw path.
pub async fn record_duration(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A clone of the pattern's `Arc`, not a copy of its text.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    metrics::http_request(method.as_str(), route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the gauges read now (the pool, the outbox), then every metric.
pub async fn scrape(state: &AppState, recorder: &Recorder) -> Response {
    let pool = state.store.pool();
    let idle = pool.num_idle();
    metrics::pool(idle, (pool.size() as usize).saturating_sub(idle));
    if let Ok(pending) = outbox::pending(pool).await {
        metrics::outbox_pending(pending);
    }
    ([(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], recorder.render()).into_response()
}
