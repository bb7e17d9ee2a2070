//! `/login`: Email, Password, **Sign in**; a link to `/register`.

use super::{
    components::{AuthCard, EmailField, ErrorAlert, SubmitButton},
    signed_out::{continue_when_signed_in, keeping_next},
};
use crate::{
    api::auth::Login,
    client::session::{use_session, Status},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<Login>::new();
    continue_when_signed_in(move || action.value().get());

    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        // Before any attempt here: why the previous session ended, if it matters.
        _ => match session.status.get() {
            Status::SignedOut(Some(because)) => because.message().map(str::to_string),
            _ => None,
        },
    });
    let pending = action.pending();

    view! {
        <Title text="Sign in · Baton"/>
        <AuthCard title="Sign in">
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <EmailField/>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <p class="field__aside"><A href="/forgot">"Forgot password?"</A></p>
                </div>
                <ErrorAlert message=error/>
                <SubmitButton label="Sign in" pending=pending/>
            </ActionForm>
            <p class="switch">"New here? " <A href=keeping_next("/register")>"Create an account"</A></p>
        </AuthCard>
    }
}
