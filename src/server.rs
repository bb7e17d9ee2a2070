//! The HTTP server: the router with its middleware, and serving it until a signal.

use crate::{
    api::{health::health, routes},
    app::{shell, App},
    auth::origin::require_same_origin,
    body_limit::limit_body,
    state::AppState,
};
use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::Response,
    routing::{any, delete, get},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, net::SocketAddr};
use tower::ServiceBuilder;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    set_header::SetResponseHeaderLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// Registers the auth server functions by hand. `inventory` usually does it, but a
/// linker may drop an unreferenced registration from a library (test binaries do):
/// the contract's endpoints must not depend on that.
fn register_server_functions() {
    use crate::auth::{Login, Logout, LogoutAll, Refresh, Register};
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<Register>();
    register_explicit::<Login>();
    register_explicit::<Refresh>();
    register_explicit::<Logout>();
    register_explicit::<LogoutAll>();
}

/// Builds the whole application; tests build it in-process from here too.
pub fn router(state: AppState) -> Router {
    register_server_functions();
    let leptos_options = state.leptos_options.clone();
    let app_routes = generate_route_list(App);

    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // `same-origin`, not `no-referrer`: nothing leaves for other sites either way,
        // but under `no-referrer` a browser sends `Origin: null` with a plain form
        // post, which the Origin check must refuse, and no `Referer` for Leptos to
        // return to; a form submitted before hydration would fail.
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));

    Router::new()
        .route("/healthz", get(health))
        .route("/.well-known/jwks.json", get(routes::jwks))
        .route("/api/me", get(routes::me))
        .route("/api/sessions", get(routes::sessions))
        .route("/api/sessions/{id}", delete(routes::revoke_session))
        .leptos_routes_with_context(&state, app_routes, || {}, move || shell(leptos_options.clone()))
        .route("/api/{*rest}", any(routes::not_found))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                // One line per request at INFO: method, path, status, latency. Never
                // headers or bodies (tokens travel there); URLs carry none by design.
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(compression())
                .layer(security_headers)
                .layer(middleware::from_fn(api_response_headers))
                .layer(middleware::from_fn(limit_body))
                .layer(middleware::from_fn_with_state(state.clone(), require_same_origin)),
        )
        .with_state(state)
}

/// Gzip for the bundle and the pages (the WASM shrinks to 40%), never for API
/// answers: a compressed response that carries a token next to attacker-influenced
/// text is what BREACH-style attacks measure.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/json")))
}

/// API answers carry tokens or account data: no cache may keep them.
async fn api_response_headers(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if is_api {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests
/// in flight. The background sync (revocations, keys) and the retention sweep run
/// alongside.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sync = crate::sync::spawn(state.clone());
    let sweep = crate::retention::spawn(state.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sync.abort();
    sweep.abort();
    result
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
