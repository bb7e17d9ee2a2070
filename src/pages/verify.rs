//! `/verify?token=…`: follows a verification or email-change link and says whether
//! the address is now verified. The link is followed by the page's script, after it
//! has loaded: a mail scanner that only fetches the URL verifies nothing.

use crate::{
    api::email::verify_email,
    client::language::{tr, use_texts},
    components::frame::{AuthCard, Spinner},
    shared::error::AppError,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_query_map};

#[derive(Clone, PartialEq)]
enum State {
    Checking,
    Verified,
    Failed(AppError),
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let state = RwSignal::new(State::Checking);
    let attempt = move || {
        let token = token.clone();
        state.set(State::Checking);
        spawn_local(async move {
            let outcome = match verify_email(token).await {
                Ok(_) => State::Verified,
                Err(e) => State::Failed(e),
            };
            // `try_`: the person may have left the page meanwhile.
            state.try_set(outcome);
        });
    };
    let first = attempt.clone();
    let t = use_texts();
    Effect::new(move |_| first());

    let view_of = move || match state.get() {
        State::Checking => view! {
            <p class="muted" role="status"><Spinner/>" "{tr(|t| t.verify.checking)}</p>
        }
        .into_any(),
        State::Verified => view! {
            <div role="status">
                <p class="notice notice--ok" data-testid="verified">{tr(|t| t.verify.verified)}</p>
                <p><A href="/">{tr(|t| t.verify.continue_to)}</A></p>
            </div>
        }
        .into_any(),
        State::Failed(AppError::InvalidLink) => view! {
            <div role="alert">
                <p class="alert">{tr(|t| t.verify.link_dead)}</p>
                <p>{tr(|t| t.verify.ask_again)}</p>
            </div>
            <p><A href="/">{tr(|t| t.verify.go)}</A></p>
        }
        .into_any(),
        State::Failed(error) => {
            let again = attempt.clone();
            view! {
                <p class="alert" role="alert">{move || (t().verify.failed)(&(t().error)(&error))}</p>
                <button class="button" on:click=move |_| again()>{tr(|t| t.verify.try_again)}</button>
            }
            .into_any()
        }
    };

    view! {
        <AuthCard title=|t| t.verify.title>{view_of}</AuthCard>
    }
}
