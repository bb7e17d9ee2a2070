//! `/verify?token=…`: follows a verification or email-change link and says whether
//! the address is now verified. The link is followed by the page's script, after it
//! has loaded: a mail scanner that only fetches the URL verifies nothing.

use super::components::{AuthCard, Spinner};
use crate::{api::email::verify_email, shared::error::AppError};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
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
    Effect::new(move |_| first());

    let view_of = move || {
        match state.get() {
        State::Checking => view! {
            <p class="muted" role="status"><Spinner/>" Confirming your email address…"</p>
        }
        .into_any(),
        State::Verified => view! {
            <div role="status">
                <p class="notice notice--ok" data-testid="verified">"Your email address is verified. Thank you."</p>
                <p><A href="/">"Continue to Baton"</A></p>
            </div>
        }
        .into_any(),
        State::Failed(AppError::InvalidLink) => view! {
            <div role="alert">
                <p class="alert">"This link is no longer valid: links work once and expire after a day, and a newer one replaces it. Your email address is not verified by it."</p>
                <p>"Sign in to ask for a new link from your dashboard."</p>
            </div>
            <p><A href="/">"Go to Baton"</A></p>
        }
        .into_any(),
        State::Failed(error) => {
            let again = attempt.clone();
            view! {
                <p class="alert" role="alert">{format!("Your email address could not be verified: {error}")}</p>
                <button class="button" on:click=move |_| again()>"Try again"</button>
            }
            .into_any()
        }
    }
    };

    view! {
        <Title text="Verify your email · Baton"/>
        <AuthCard title="Verify your email">{view_of}</AuthCard>
    }
}
