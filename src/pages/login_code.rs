//! `/login/code`: signing in with a code by email. With `?token=` (the mail's one-click
//! link) the page's script follows the link once the page has loaded, so a mail scanner
//! that only fetches the URL signs nobody in; without, the code forms
//! (`components::email_code`).

use crate::{
    api::email::confirm_email_code,
    client::passkey_upgrade,
    components::{
        email_code::EmailCodeSignIn,
        frame::AuthCard,
        link::{follow_link, Followed, LinkFailed, LinkWorking},
        second_step::SecondStepForm,
        signed_out::continue_when_signed_in,
    },
    shared::{error::AppError, wire::SignInAnswer},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let with_token = use_query_map().with_untracked(|q| q.get("token").is_some());
    view! {
        <AuthCard title=|t| t.email_code.title>
            {if with_token { view! { <FollowCodeLink/> }.into_any() } else { view! { <CodeForms/> }.into_any() }}
        </AuthCard>
    }
}

#[component]
fn CodeForms() -> impl IntoView {
    continue_when_signed_in(|| None);
    view! { <EmailCodeSignIn/> }
}

#[component]
fn FollowCodeLink() -> impl IntoView {
    let (state, retry) = follow_link(|token| async move {
        // A dead link says so as a dead link, whatever the endpoint calls it.
        confirm_email_code(None, None, Some(token)).await.map_err(|e| match e {
            AppError::InvalidCode => AppError::InvalidLink,
            other => other,
        })
    });
    continue_when_signed_in(move || match state.get() {
        Followed::Done(SignInAnswer::Tokens(tokens)) => Some(Ok(tokens)),
        _ => None,
    });
    Effect::new(move |_| {
        if matches!(state.get(), Followed::Done(SignInAnswer::Tokens(_))) {
            passkey_upgrade::offer();
        }
    });
    move || {
        match state.get() {
        Followed::Working | Followed::Done(SignInAnswer::Tokens(_)) => {
            view! { <LinkWorking says=|t| t.email_code.checking/> }.into_any()
        }
        Followed::Done(SignInAnswer::SecondStep(next)) => view! { <SecondStepForm mfa_token=Some(next.mfa_token)/> }.into_any(),
        Followed::Failed(error) => view! {
            <LinkFailed error=error dead=|t| t.email_code.link_dead next=|t| t.email_code.ask_again on="/login/code"
                on_label=|t| t.email_code.go failed=|t| t.email_code.failed try_again=|t| t.email_code.try_again retry=retry.clone()/>
        }
        .into_any(),
    }
    }
}
