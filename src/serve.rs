//! Where the parts meet (server only): the router with its middleware, built from the
//! endpoints (`crate::api`), the app's pages (`crate::app`) and the server's state;
//! serving it, with the metrics listener beside it, until a signal; and the shutdown
//! that follows (docs/API.md, "Operations": not ready first, then drain, then flush).

use crate::{
    api,
    app::{shell, App},
    server::{
        http::{body_limit::limit_body, headers, origin::require_same_origin, shedding, telemetry},
        mail::sender,
        observe::metrics::Recorder,
        retention,
        state::AppState,
        sync,
    },
};
use axum::{middleware, routing::get, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{
    future::{Future, IntoFuture},
    net::SocketAddr,
    time::Duration,
};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// How often the metrics' recent samples are folded into their histograms.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// Builds the whole application; tests build it in-process from here too.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// [`router`] with an application's own routes beside Baton's, behind the same
/// middleware (same-origin check, body limit, headers, logs): how an application built
/// on Baton adds endpoints (docs/EXTENDING.md).
pub fn router_with(state: AppState, own: Router<AppState>) -> Router {
    api::register_server_functions();
    let leptos_options = state.leptos_options.clone();
    let app_routes = generate_route_list(App);
    let trusted = state.settings.operations.trusted_proxies.clone();
    // The pages render the Continue buttons from this (and send it along for hydration).
    let providers = api::providers::configured(&state);

    let app = api::routes()
        .merge(own)
        .leptos_routes_with_context(
            &state,
            app_routes,
            move || leptos::prelude::provide_context(providers.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    // Each request's duration by its route's pattern, only when metrics are served.
    let app = match state.metrics.is_some() {
        true => app.layer(middleware::from_fn(telemetry::record_duration)),
        false => app,
    };
    app.layer(
        ServiceBuilder::new()
            // Every answer carries `X-Request-Id`: a trusted proxy's own, else a new
            // one; the request's log lines carry it too (the span below).
            .layer(middleware::from_fn_with_state(state.clone(), telemetry::forget_untrusted_request_id))
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(PropagateRequestIdLayer::x_request_id())
            // One line per request at INFO: method, path, status, latency. Never
            // headers or bodies (tokens travel there), and the path without its
            // query: a mailed link carries its single-use token there
            // (`/reset?token=…`), and a log is no place for a credential.
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(move |request: &http::Request<_>| telemetry::request_span(request, &trusted))
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            // One client's flood of sign-in attempts is refused here, in memory.
            .layer(middleware::from_fn_with_state(state.clone(), shedding::shed_floods))
            .layer(headers::compression())
            .layer(middleware::from_fn_with_state(
                headers::SiteHeaders::new(
                    state.settings.tokens.public_origin.as_deref(),
                    &state.leptos_options,
                    &state.settings.providers.iter().map(|p| p.issuer.as_str()).collect::<Vec<_>>(),
                ),
                headers::response_headers,
            ))
            .layer(middleware::from_fn(limit_body))
            .layer(middleware::from_fn_with_state(state.clone(), require_same_origin)),
    )
    .with_state(state)
}

/// The metrics listener's router: `GET /metrics`, the Prometheus text.
fn metrics_router(state: AppState, recorder: Recorder) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let (state, recorder) = (state.clone(), recorder.clone());
            async move { telemetry::scrape(&state, &recorder).await }
        }),
    )
}

/// Serves `state` on `listener` until `shutdown` resolves, then shuts down as the
/// contract says: `/readyz` answers 503 at once; requests are still served for
/// `BATON_SHUTDOWN_DELAY` (so load balancers notice); then accepting stops and the
/// requests in flight finish (at most `BATON_SHUTDOWN_TIMEOUT`); then the mail
/// sender finishes its current attempt. The background sync (revocations, keys), the
/// retention sweep and the mail sender run alongside; with a metrics address, so does
/// the metrics listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Router::new(), shutdown).await
}

/// [`serve`] with an application's own routes ([`router_with`]).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    own: Router<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ops = state.settings.operations.clone();
    let metrics = match (&state.metrics, ops.metrics_addr) {
        (Some(recorder), Some(addr)) => {
            let metrics_listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen for metrics on {addr}: {e}")))?;
            let router = metrics_router(state.clone(), recorder.clone());
            let recorder = recorder.clone();
            let upkeep = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(METRICS_UPKEEP).await;
                    recorder.upkeep();
                }
            });
            Some((tokio::spawn(async move { axum::serve(metrics_listener, router).await }), upkeep))
        }
        _ => None,
    };
    let sync = sync::spawn(state.clone());
    let sweep = retention::spawn(state.clone());
    let forgetting = state.shedding.spawn_forgetting();
    let discovery = state.providers.spawn_discovery();
    let origin = sender::link_origin(state.settings.tokens.public_origin.as_deref(), listener.local_addr()?);
    let mail = sender::spawn(state.clone(), origin);

    // Not ready at once; stop accepting once that has been said for the delay.
    let (stop_accepting, stopped) = tokio::sync::oneshot::channel::<()>();
    let (drain_begins, draining) = tokio::sync::oneshot::channel::<()>();
    let lifecycle = state.lifecycle.clone();
    tokio::spawn(async move {
        shutdown.await;
        lifecycle.shutting_down();
        tracing::info!(delay_s = ops.shutdown_delay.as_secs_f64(), "shutting down: not ready any more");
        tokio::time::sleep(ops.shutdown_delay).await;
        tracing::info!("shutting down: no new connections; finishing the requests in flight");
        let _ = stop_accepting.send(());
        let _ = drain_begins.send(());
    });
    let app = router_with(state, own).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    // The drain is bounded: past the timeout, what is left is cut off.
    let result = tokio::select! {
        result = served.into_future() => result,
        _ = async {
            match draining.await {
                Ok(()) => tokio::time::sleep(ops.shutdown_timeout).await,
                Err(_) => std::future::pending().await,
            }
        } => {
            tracing::warn!(timeout_s = ops.shutdown_timeout.as_secs(), "shutting down: requests still running were cut off");
            Ok(())
        }
    };
    sync.abort();
    sweep.abort();
    forgetting.abort();
    discovery.iter().for_each(|task| task.abort());
    mail.stop(Duration::from_secs(10)).await;
    if let Some((metrics, upkeep)) = metrics {
        upkeep.abort();
        metrics.abort();
    }
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
}
