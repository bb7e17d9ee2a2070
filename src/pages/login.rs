//! `/login`: Email, Password, **Sign in**; a link to `/register`; **Sign in with a
//! passkey** (and passkeys in the Email box's autofill) and **Continue with <Name>**
//! for each provider; then, for an account with two-step verification, the second
//! step (also after a provider sign-in: `?second_step=1`). What a provider's way back
//! that did not sign in says (`?provider_error=`). Under the password form, **Email me
//! a sign-in code** (`components::email_code`).

use crate::{
    api::auth::Login,
    client::{
        early,
        language::{tr, use_texts},
        passkey_upgrade,
        session::{use_session, Status},
    },
    components::{
        email_code::EmailCodeSignIn,
        form::{EmailField, ErrorAlert, SubmitButton},
        frame::AuthCard,
        passkey_sign_in::PasskeySignIn,
        providers::{ProviderButtons, ProviderRefusal, ProviderSecondStepIntro},
        second_step::SecondStepForm,
        signed_out::{continue_when_signed_in, keeping_next, take_sign_in},
    },
    shared::{i18n::Words, wire::SignInAnswer},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<Login>::new();
    // Sent before the page hydrated (`client::early`): the answer is this form's.
    early::take(move |answer| action.value().set(Some(answer)));
    continue_when_signed_in(move || match action.value().get()? {
        Ok(SignInAnswer::Tokens(tokens)) => Some(Ok(tokens)),
        Ok(SignInAnswer::SecondStep(_)) => None,
        Err(e) => Some(Err(e)),
    });
    let passkey = RwSignal::new(None);
    take_sign_in(move || passkey.get());
    let second_step = move || match action.value().get() {
        Some(Ok(SignInAnswer::SecondStep(mfa))) => Some(Some(mfa.mfa_token)),
        _ => None,
    };
    // After a provider sign-in, the ticket is in the `mfa` cookie.
    let query = use_query_map();
    let after_provider = move || query.with(|q| q.get("second_step").is_some());
    let second_step = move || second_step().or_else(|| after_provider().then_some(None));

    let t = use_texts();
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(Words::error(error)),
        // Before any attempt here: why the previous session ended, if it matters.
        _ => match session.status.get() {
            Status::SignedOut(Some(because)) if because.message(t()).is_some() => {
                Some(Words::new(move |t| because.message(t).unwrap_or_default().to_string()))
            }
            _ => None,
        },
    });
    let pending = action.pending();
    // After a password sign-in, the password manager may make a passkey quietly.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(SignInAnswer::Tokens(_)))) {
            passkey_upgrade::offer();
        }
    });
    // **Email me a sign-in code**: the code forms in place, with the address typed so
    // far (before the wasm, the link opens `/login/code`).
    let by_code = RwSignal::new(None::<String>);
    let to_code = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        by_code.set(Some(typed_email()));
    };

    view! {
        <AuthCard title=|t| t.login.title>
            <Show when=move || by_code.get().is_none() fallback=move || view! {
                <EmailCodeSignIn email=by_code.get().unwrap_or_default() back=Callback::new(move |()| by_code.set(None))/>
            }>
            <Show
                when=move || second_step().is_none()
                fallback=move || second_step().map(|mfa_token| view! {
                    {mfa_token.is_none().then(|| view! { <ProviderSecondStepIntro/> })}
                    <SecondStepForm mfa_token=mfa_token/>
                })
            >
                <ProviderRefusal/>
                <ActionForm action=action attr:novalidate="" attr:class="form" attr:data-early="">
                    <EmailField passkeys=true/>
                    <div class="field">
                        <label for="password">{tr(|t| t.common.password)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                        <p class="field__aside"><A href="/forgot">{tr(|t| t.login.forgot)}</A></p>
                    </div>
                    <ErrorAlert message=error/>
                    <SubmitButton label=|t| t.common.sign_in pending=pending/>
                </ActionForm>
                <p class="by-code"><a href=keeping_next("/login/code") on:click=to_code>{tr(|t| t.email_code.link)}</a></p>
                <p class="or" aria-hidden="true">{tr(|t| t.common.or)}</p>
                <PasskeySignIn answer=passkey/>
                <ProviderButtons/>
                <p class="switch">{tr(|t| t.login.new_here)} <A href=keeping_next("/register")>{tr(|t| t.login.create_account)}</A></p>
            </Show>
            </Show>
        </AuthCard>
    }
}

/// What the Email box holds now.
fn typed_email() -> String {
    use wasm_bindgen::JsCast;
    document()
        .get_element_by_id("email")
        .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|input| input.value())
        .unwrap_or_default()
}
