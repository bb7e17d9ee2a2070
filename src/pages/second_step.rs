//! The second step of signing in (or of a password reset) for an account with
//! two-step verification: **Verification code** and **Verify**, or a recovery code.

use super::{
    components::{ErrorAlert, SubmitButton},
    signed_out::take_sign_in,
};
use crate::{
    api::auth::SecondStep,
    shared::{error::AppError, wire::MfaRequired},
};
use leptos::prelude::*;

#[component]
pub fn SecondStepForm(mfa: MfaRequired) -> impl IntoView {
    let action = ServerAction::<SecondStep>::new();
    take_sign_in(move || action.value().get());
    let recovery = RwSignal::new(false);
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidCode)) => Some(if recovery.get() {
            "That recovery code did not work. Each code works once.".to_string()
        } else {
            "That code did not work. Enter the 6-digit code your app shows now.".to_string()
        }),
        Some(Err(AppError::InvalidCredentials)) => {
            Some("This sign-in expired or had too many wrong codes. Please sign in again.".to_string())
        }
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    });
    let token = StoredValue::new(mfa.mfa_token);
    view! {
        <p class="muted">
            {move || if recovery.get() {
                "Enter one of the recovery codes you saved when you turned on two-step verification."
            } else {
                "Open your authenticator app and enter the 6-digit code it shows for Baton."
            }}
        </p>
        <ActionForm action=action attr:novalidate="" attr:class="form">
            <input type="hidden" name="mfa_token" value=move || token.get_value()/>
            <Show
                when=move || recovery.get()
                fallback=|| view! {
                    <div class="field">
                        <label for="code">"Verification code"</label>
                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            pattern="[0-9 ]*" maxlength="8" required autofocus/>
                    </div>
                }
            >
                <div class="field">
                    <label for="code">"Recovery code"</label>
                    <input id="code" name="code" type="text" autocomplete="off" autocapitalize="none"
                        spellcheck="false" maxlength="40" required autofocus/>
                </div>
            </Show>
            <ErrorAlert message=error/>
            <SubmitButton label="Verify" pending=action.pending()/>
        </ActionForm>
        <p class="switch">
            <button type="button" class="link-button" on:click=move |_| recovery.update(|r| *r = !*r)>
                {move || if recovery.get() { "Use the code from your app" } else { "Use a recovery code" }}
            </button>
        </p>
    }
}
