//! **Sign in with a passkey** on `/login`, and the browser's passkey autofill on the
//! Email box (conditional mediation): both answer one sign-in ceremony of the server
//! (`/api/auth/passkey/start` and `finish`) and end like a password sign-in.

use super::form::{BusyButton, ErrorAlert};
use crate::{
    client::{api, webauthn},
    shared::{
        error::AppError,
        i18n::Words,
        wire::{PasskeyOptions, TokenResponse},
    },
};
use leptos::{prelude::*, task::spawn_local};
use serde_json::Value;

/// Finishes the sign-in; a passkey the server does not know (removed since) is told to
/// the password manager, so that it stops offering it.
async fn finish(started: &PasskeyOptions, credential: Value) -> Result<TokenResponse, AppError> {
    api::finish_passkey_sign_in(&webauthn::assertion(started, credential)).await.map_err(|refused| {
        if let Some(credential_id) = &refused.unknown_credential {
            webauthn::signal_unknown_credential(credential_id);
        }
        refused.error
    })
}

/// The button, and (where the browser offers it) the autofill request running in the
/// background. `answer` receives the token body of a passkey sign-in.
#[component]
pub fn PasskeySignIn(answer: RwSignal<Option<Result<TokenResponse, AppError>>>) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<Words>);
    // The autofill request, cancelled when the button is pressed (one ceremony at a time).
    let autofill = StoredValue::new_local(None::<web_sys::AbortController>);

    let take = move |result: Result<TokenResponse, AppError>| match result {
        Ok(tokens) => {
            answer.try_set(Some(Ok(tokens)));
        }
        Err(AppError::InvalidCode) => {
            error.try_set(Some(Words::pick(|t| t.passkey.not_registered)));
        }
        Err(e) => {
            error.try_set(Some(Words::error(e)));
        }
    };

    Effect::new(move |_| {
        spawn_local(async move {
            if !webauthn::possible_here() || !webauthn::autofill_available().await {
                return;
            }
            let Ok(ceremony) = webauthn::start().await else { return };
            if !webauthn::here(&ceremony.origin) {
                return;
            }
            let Ok(controller) = web_sys::AbortController::new() else { return };
            let signal = controller.signal();
            autofill.try_set_value(Some(controller));
            if let Ok(credential) = webauthn::get(&ceremony.public_key, true, Some(&signal)).await {
                pending.try_set(true);
                take(finish(&ceremony, credential).await);
                pending.try_set(false);
            }
        });
    });
    on_cleanup(move || {
        if let Some(Some(controller)) = autofill.try_get_value() {
            controller.abort();
        }
    });

    let click = move |_| {
        if let Some(controller) = autofill.try_get_value().flatten() {
            controller.abort();
            autofill.set_value(None);
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match webauthn::start().await {
                Err(e) => {
                    error.try_set(Some(e));
                }
                Ok(ceremony) if !webauthn::here(&ceremony.origin) => {
                    error.try_set(Some(webauthn::elsewhere(ceremony.origin)));
                }
                Ok(ceremony) => match webauthn::get(&ceremony.public_key, false, None).await {
                    Ok(credential) => take(finish(&ceremony, credential).await),
                    Err(failure) => {
                        error.try_set(Some(failure.words()));
                    }
                },
            }
            pending.try_set(false);
        });
    };

    view! {
        <div class="passkey-sign-in">
            <BusyButton label=|t| t.passkey.sign_in pending=pending class="button passkey-button" on:click=click/>
            <ErrorAlert message=error/>
        </div>
    }
}
