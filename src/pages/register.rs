//! `/register`: Email, Password, **Create account**; a link to `/login`.

use super::{
    components::{AuthCard, EmailField, ErrorAlert, PasswordAdvice, SubmitButton},
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
    // What is typed, for the advice (the form itself posts its own fields).
    let password = RwSignal::new(String::new());
    let email = Signal::derive(|| {
        use wasm_bindgen::JsCast;
        document()
            .get_element_by_id("email")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    });

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
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <PasswordAdvice id="password-hint" email=email password=password idle=format!("At least {} characters.", Password::MIN_CHARS)/>
                </div>
                <ErrorAlert message=error/>
                <SubmitButton label="Create account" pending=pending/>
            </ActionForm>
            <p class="switch">"Already have an account? " <A href=keeping_next("/login")>"Sign in"</A></p>
        </AuthCard>
    }
}
