//! Signing in with a code by email, on `/login` (after **Email me a sign-in code**) and
//! on `/login/code`: the address and **Email me a code**, then **Code** and **Sign
//! in**; on an account with two-step verification, the second step after it. Both
//! forms are server functions, so they post before the wasm arrives too.

use super::{
    form::{ErrorAlert, SubmitButton},
    second_step::SecondStepForm,
    signed_out::take_sign_in,
};
use crate::{
    api::email::{ConfirmEmailCode, RequestEmailCode},
    client::{
        language::{tr, use_texts},
        passkey_upgrade,
    },
    shared::{error::AppError, i18n::Words, wire::SignInAnswer},
};
use leptos::prelude::*;

/// `email` is the address typed on `/login` before its link was followed: the code is
/// sent at once. `back` goes back to the password form (on `/login`).
#[component]
pub fn EmailCodeSignIn(#[prop(optional)] email: String, #[prop(optional)] back: Option<Callback<()>>) -> impl IntoView {
    let ask = ServerAction::<RequestEmailCode>::new();
    let confirm = ServerAction::<ConfirmEmailCode>::new();
    let address = RwSignal::new(email.trim().to_string());
    if address.get_untracked().contains('@') {
        Effect::new(move |_| {
            ask.dispatch(RequestEmailCode { email: address.get_untracked() });
        });
    }
    let asked = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if matches!(ask.value().get(), Some(Ok(_))) {
            asked.update_untracked(|n| *n += 1);
        }
    });
    take_sign_in(move || match confirm.value().get()? {
        Ok(SignInAnswer::Tokens(tokens)) => Some(Ok(tokens)),
        Ok(SignInAnswer::SecondStep(_)) => None,
        Err(e) => Some(Err(e)),
    });
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(SignInAnswer::Tokens(_)))) {
            passkey_upgrade::offer();
        }
    });
    let second_step = move || match confirm.value().get() {
        Some(Ok(SignInAnswer::SecondStep(next))) => Some(next.mfa_token),
        _ => None,
    };
    let sent = move || matches!(ask.value().get(), Some(Ok(_)));
    let ask_error = Signal::derive(move || match ask.value().get() {
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    let confirm_error = Signal::derive(move || match confirm.value().get() {
        Some(Err(AppError::InvalidCode)) => Some(Words::pick(|t| t.email_code.wrong)),
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    let t = use_texts();
    let resend = move |_| {
        confirm.value().set(None);
        ask.dispatch(RequestEmailCode { email: address.get_untracked() });
    };
    let back_link = move || {
        match back {
        Some(back) => view! {
            <button type="button" class="link-button" on:click=move |_| back.run(())>{tr(|t| t.email_code.use_password)}</button>
        }
        .into_any(),
        None => view! { <a href="/login">{tr(|t| t.email_code.use_password)}</a> }.into_any(),
    }
    };

    view! {
        <Show
            when=move || second_step().is_none()
            fallback=move || second_step().map(|token| view! { <SecondStepForm mfa_token=Some(token)/> })
        >
            <Show
                when=sent
                fallback=move || view! {
                    <p class="muted">{tr(|t| t.email_code.intro)}</p>
                    <ActionForm action=ask attr:novalidate="" attr:class="form">
                        <div class="field">
                            <label for="email">{tr(|t| t.common.email)}</label>
                            <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required
                                prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev))/>
                        </div>
                        <ErrorAlert message=ask_error/>
                        <SubmitButton label=|t| t.email_code.send pending=ask.pending()/>
                    </ActionForm>
                }
            >
                <p class="notice notice--ok" role="status" data-testid="code-sent">
                    {move || if asked.get() > 1 { t().email_code.sent_again.to_string() } else { (t().email_code.sent)(&address.get()) }}
                </p>
                <ActionForm action=confirm attr:novalidate="" attr:class="form">
                    <input type="hidden" name="email" value=move || address.get()/>
                    <div class="field">
                        <label for="email-code">{tr(|t| t.email_code.code)}</label>
                        <input id="email-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            pattern="[0-9 ]*" maxlength="8" required autofocus/>
                    </div>
                    <ErrorAlert message=confirm_error/>
                    <SubmitButton label=|t| t.common.sign_in pending=confirm.pending()/>
                </ActionForm>
                <p class="switch">
                    <button type="button" class="link-button" on:click=resend disabled=move || ask.pending().get()>
                        {tr(|t| t.email_code.send_again)}
                    </button>
                </p>
            </Show>
            <p class="switch">{back_link}</p>
        </Show>
    }
}
