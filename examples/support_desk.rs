//! The worked example of docs/EXTENDING.md, compiled and tested: an application built on
//! Baton adds its own role (`support`), an endpoint only that role may call, and a page
//! only that role is shown. Every Rust block of docs/EXTENDING.md is a piece of this
//! file (`tests/http/extending.rs` checks it, and runs the endpoint against a server).
//!
//! Run it like `baton`, with the same settings: `cargo run --features ssr --example
//! support_desk`; then `baton users grant EMAIL support`.

use axum::{
    extract::State,
    routing::{get, post},
    Json, Router,
};
use baton::{
    client::{fetch, language::tr},
    components::signed_in::RequireRole,
    server::{
        auth::roles::{self, Role},
        state::AppState,
    },
    shared::error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

// -- the role --

/// The role's name, where both builds see it (the page needs it in the browser).
pub const SUPPORT: &str = "support";

/// The support desk's people.
pub struct Support;

impl Role for Support {
    const NAME: &'static str = SUPPORT;
}

// -- the endpoints --

/// What `GET /api/support/tickets` answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tickets {
    pub open: u32,
    /// The account that asked.
    pub asked_by: String,
}

/// `GET /api/support/tickets`: for the role `support` only, read from the database on
/// every request (401 `invalid_token` without a session, 403 `forbidden` without the role).
pub async fn tickets(support: roles::RequireRole<Support>) -> Result<Json<Tickets>, AppError> {
    Ok(Json(Tickets { open: 3, asked_by: support.caller.user_id.to_string() }))
}

/// `POST /api/support/tickets/close`: a change, so it also needs a sign-in within
/// `BATON_REAUTH_WINDOW` (403 `reauth_required`, which the browser's `fetch` answers
/// with the password prompt).
pub async fn close_ticket(
    State(state): State<AppState>,
    support: roles::RequireRole<Support>,
) -> Result<Json<Tickets>, AppError> {
    let caller = support.recent(&state)?;
    Ok(Json(Tickets { open: 2, asked_by: caller.user_id.to_string() }))
}

/// The application's own routes, served beside Baton's behind the same middleware.
pub fn support_routes() -> Router<AppState> {
    Router::new().route("/api/support/tickets", get(tickets)).route("/api/support/tickets/close", post(close_ticket))
}

// -- the page --

/// `/support`: the open tickets, for the role `support`; anyone else sees "You don't
/// have access to this page". Routed like the admin pages, under the signed-in layout.
#[component]
pub fn SupportPage() -> impl IntoView {
    view! {
        <RequireRole role=SUPPORT>
            <section class="card">
                <h1>"Support desk"</h1>
                <OpenTickets/>
            </section>
        </RequireRole>
    }
}

/// The count, through the one helper that adds the Bearer token and refreshes on a 401.
#[component]
fn OpenTickets() -> impl IntoView {
    let tickets = LocalResource::new(|| fetch::get_json::<Tickets>("/api/support/tickets"));
    move || match tickets.get() {
        None => view! { <p class="muted">{tr(|t| t.common.loading)}</p> }.into_any(),
        Some(Ok(tickets)) => view! { <p>{format!("{} open tickets", tickets.open)}</p> }.into_any(),
        Some(Err(e)) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

// -- serving --

/// `baton serve`, with the support desk's routes (the rest of `baton`'s commands stay
/// `baton`'s).
#[cfg_attr(test, allow(dead_code))]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    let settings = match baton::server::config::Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("support_desk: {e}");
            return ExitCode::FAILURE;
        }
    };
    // As `baton` does: the log first, outside the runtime (its trace exporter blocks).
    let telemetry = match baton::server::observe::logs::init(&settings.operations) {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("support_desk: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(baton::cli::serve_with(settings, support_routes())),
        Err(e) => {
            eprintln!("support_desk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry.shutdown();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("support_desk: {e}");
            ExitCode::FAILURE
        }
    }
}
