//! Where the parts meet (server only): the router with its middleware, built from the
//! endpoints (`crate::api`), the app's pages (`crate::app`) and the server's state;
//! and serving it until a signal.

use crate::{
    api,
    app::{shell, App},
    server::{
        http::{body_limit::limit_body, headers, origin::require_same_origin},
        mail::sender,
        retention,
        state::AppState,
        sync,
    },
};
use axum::{middleware, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, net::SocketAddr};
use tower::ServiceBuilder;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Builds the whole application; tests build it in-process from here too.
pub fn router(state: AppState) -> Router {
    api::register_server_functions();
    let leptos_options = state.leptos_options.clone();
    let app_routes = generate_route_list(App);

    api::routes()
        .leptos_routes_with_context(&state, app_routes, || {}, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                // One line per request at INFO: method, path, status, latency. Never
                // headers or bodies (tokens travel there), and the path without its
                // query: a mailed link carries its single-use token there
                // (`/reset?token=…`), and a log is no place for a credential.
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &http::Request<_>| {
                            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(headers::compression())
                .layer(middleware::from_fn_with_state(
                    headers::SiteHeaders::new(state.settings.tokens.public_origin.as_deref(), &state.leptos_options),
                    headers::response_headers,
                ))
                .layer(middleware::from_fn(limit_body))
                .layer(middleware::from_fn_with_state(state.clone(), require_same_origin)),
        )
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests
/// in flight. The background sync (revocations, keys), the retention sweep and the
/// mail sender run alongside.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sync = sync::spawn(state.clone());
    let sweep = retention::spawn(state.clone());
    let origin = sender::link_origin(state.settings.tokens.public_origin.as_deref(), listener.local_addr()?);
    let mail = sender::spawn(state.clone(), origin);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sync.abort();
    sweep.abort();
    mail.abort();
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
