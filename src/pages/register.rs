//! `/register`: Email, Password, **Create account**; a link to `/login`.

use super::{AuthCard, ErrorAlert, Spinner};
use crate::{
    auth::{credentials::Password, Register},
    client::{
        encode_component, fetch, safe_next,
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
pub fn RegisterPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<Register>::new();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));

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
        _ => None,
    });
    let pending = action.pending();
    let login_href = move || match query.with(|q| q.get("next")) {
        Some(next) => format!("/login?next={}", encode_component(&safe_next(Some(next)))),
        None => "/login".to_string(),
    };

    view! {
        <Title text="Create account · Baton"/>
        <AuthCard title="Create account">
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        minlength=Password::MIN_CHARS.to_string()
                        aria-describedby="password-hint"
                        required
                    />
                    <p id="password-hint" class="hint">{format!("At least {} characters.", Password::MIN_CHARS)}</p>
                </div>
                <ErrorAlert message=error/>
                <button type="submit" class="button button--primary" disabled=pending aria-busy=move || pending.get().to_string()>
                    <Show when=move || pending.get()><Spinner/></Show>
                    "Create account"
                </button>
            </ActionForm>
            <p class="switch">"Already have an account? " <A href=login_href>"Sign in"</A></p>
        </AuthCard>
    }
}
