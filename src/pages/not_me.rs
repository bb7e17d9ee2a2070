//! `/not-me?token=…`: "This wasn't me", from a new-device or email-changed mail. The
//! page's script follows the link once it has loaded (a mail scanner that only fetches
//! the URL ends nothing), says what ended, and asks for a new password with the reset
//! token the answer carries.

use crate::{
    api::email::not_me,
    client::language::{tr, use_texts},
    components::{
        frame::{AuthCard, Spinner},
        password::NewPasswordForm,
    },
    shared::{error::AppError, wire::NotMeAnswer},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_query_map};

#[derive(Clone, PartialEq)]
enum State {
    Working,
    Done(NotMeAnswer),
    Failed(AppError),
}

#[component]
pub fn NotMePage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let state = RwSignal::new(State::Working);
    let attempt = move || {
        let token = token.clone();
        state.set(State::Working);
        spawn_local(async move {
            let outcome = match not_me(token).await {
                Ok(answer) => State::Done(answer),
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
        State::Working => view! {
            <p class="muted" role="status"><Spinner/>" "{tr(|t| t.not_me.checking)}</p>
        }
        .into_any(),
        State::Done(answer) => view! {
            <div class="notice notice--ok" role="status" data-testid="not-me-done">
                <p>{move || (t().not_me.ended)(answer.ended_sessions)}</p>
                <p>{tr(|t| t.not_me.address_back)}</p>
            </div>
            <p class="muted">{tr(|t| t.not_me.choose_password)}</p>
            <NewPasswordForm token=answer.reset_token.clone() offer_sign_in=false/>
        }
        .into_any(),
        State::Failed(AppError::InvalidLink) => view! {
            <div role="alert">
                <p class="alert">{tr(|t| t.not_me.link_dead)}</p>
                <p>{tr(|t| t.not_me.ask_reset)}</p>
            </div>
            <p><A href="/forgot">{tr(|t| t.reset.new_link)}</A></p>
        }
        .into_any(),
        State::Failed(error) => {
            let again = attempt.clone();
            view! {
                <p class="alert" role="alert">{move || (t().not_me.failed)(&(t().error)(&error))}</p>
                <button class="button" on:click=move |_| again()>{tr(|t| t.not_me.try_again)}</button>
            }
            .into_any()
        }
    };

    view! {
        <AuthCard title=|t| t.not_me.title>{view_of}</AuthCard>
    }
}
