//! The second step of signing in (or of a password reset) for an account with
//! two-step verification: **Verification code** and **Verify**, or a recovery code.

use super::{
    form::{ErrorAlert, SubmitButton},
    signed_out::take_sign_in,
};
use crate::{
    api::auth::SecondStep,
    client::{
        language::{tr, use_texts},
        passkey_upgrade,
    },
    shared::{error::AppError, i18n::Words},
};
use leptos::prelude::*;

/// `mfa_token` is the ticket the first step earned; `None` after a provider sign-in,
/// whose ticket waits in an `HttpOnly` cookie the server reads instead.
#[component]
pub fn SecondStepForm(mfa_token: Option<String>) -> impl IntoView {
    let action = ServerAction::<SecondStep>::new();
    take_sign_in(move || action.value().get());
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            passkey_upgrade::offer();
        }
    });
    let recovery = RwSignal::new(false);
    let t = use_texts();
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidCode)) if recovery.get() => Some(Words::pick(|t| t.second_step.wrong_recovery_code)),
        Some(Err(AppError::InvalidCode)) => Some(Words::pick(|t| t.second_step.wrong_code)),
        Some(Err(AppError::InvalidCredentials)) => Some(Words::pick(|t| t.second_step.expired)),
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    view! {
        <p class="muted">
            {move || if recovery.get() { t().second_step.recovery_intro } else { t().second_step.app_intro }}
        </p>
        <ActionForm action=action attr:novalidate="" attr:class="form">
            {mfa_token.map(|token| view! { <input type="hidden" name="mfa_token" value=token/> })}
            <Show
                when=move || recovery.get()
                fallback=move || view! {
                    <div class="field">
                        <label for="code">{tr(|t| t.second_step.code)}</label>
                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            pattern="[0-9 ]*" maxlength="8" required autofocus/>
                    </div>
                }
            >
                <div class="field">
                    <label for="code">{tr(|t| t.second_step.recovery_code)}</label>
                    <input id="code" name="code" type="text" autocomplete="off" autocapitalize="none"
                        spellcheck="false" maxlength="40" required autofocus/>
                </div>
            </Show>
            <ErrorAlert message=error/>
            <SubmitButton label=|t| t.second_step.verify pending=action.pending()/>
        </ActionForm>
        <p class="switch">
            <button type="button" class="link-button" on:click=move |_| recovery.update(|r| *r = !*r)>
                {move || if recovery.get() { t().second_step.use_app } else { t().second_step.use_recovery }}
            </button>
        </p>
    }
}
