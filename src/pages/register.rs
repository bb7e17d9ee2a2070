//! `/register`: Email, Password, **Create account**; a link to `/login`.

use super::{
    components::{AuthCard, EmailField, ErrorAlert, SubmitButton},
    signed_out::{continue_when_signed_in, keeping_next},
};
use crate::{api::auth::Register, shared::credentials::Password};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    continue_when_signed_in(move || action.value().get());

    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    });
    let pending = action.pending();

    view! {
        <Title text="Create account · Baton"/>
        <AuthCard title="Create account">
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <EmailField/>
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
                <SubmitButton label="Create account" pending=pending/>
            </ActionForm>
            <p class="switch">"Already have an account? " <A href=keeping_next("/login")>"Sign in"</A></p>
        </AuthCard>
    }
}
