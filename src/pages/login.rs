//! `/login`: Email, Password, **Sign in**; a link to `/register`.

use super::{AuthCard, ErrorAlert, Spinner};
use crate::{
    auth::Login,
    client::{
        fetch, safe_next,
        session::{use_session, Status, Trigger},
        tabs,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));

    // Signed in (now, or already when the page loaded): go on to where they wanted.
    Effect::new(move |_| {
        if let Some(Ok(response)) = action.value().get() {
            session.accept(response, Trigger::SignIn, fetch::now());
            tabs::announce_signed_in();
        }
    });
    Effect::new(move |_| {
        if matches!(session.status.get(), Status::SignedIn(_)) {
            navigate(&next(), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        // Only before any attempt here: why the previous session ended.
        _ => match session.status.get() {
            Status::SignedOut(Some(because)) => because.message().map(str::to_string),
            _ => None,
        },
    });
    let pending = action.pending();
    let register_href = move || match query.with(|q| q.get("next")) {
        Some(next) => format!("/register?next={}", crate::client::encode_component(&safe_next(Some(next)))),
        None => "/register".to_string(),
    };

    view! {
        <Title text="Sign in · Baton"/>
        <AuthCard title="Sign in">
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <ErrorAlert message=error/>
                <button type="submit" class="button button--primary" disabled=pending aria-busy=move || pending.get().to_string()>
                    <Show when=move || pending.get()><Spinner/></Show>
                    "Sign in"
                </button>
            </ActionForm>
            <p class="switch">"New here? " <A href=register_href>"Create an account"</A></p>
        </AuthCard>
    }
}
