//! The password (or passkey) prompt of re-authentication (`client::reauth`): a modal dialog in
//! every signed-in page's frame, opened when a sensitive action is answered
//! `reauth_required`. On an account with two-step verification the password alone is
//! answered `invalid_code`, and the prompt then asks for a code with it. A native `<dialog>` shown with `showModal()`: the browser keeps
//! focus inside it, Escape cancels it, and focus returns where it was.

use super::form::{ErrorAlert, SubmitButton};
use crate::{
    client::{
        api, fetch,
        language::tr,
        reauth,
        session::{use_session, Session, Trigger},
        webauthn,
    },
    shared::{error::AppError, i18n::Words, wire::TokenResponse},
};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};

#[component]
pub fn ReauthDialog() -> impl IntoView {
    let session = use_session();
    let dialog = NodeRef::<html::Dialog>::new();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // The server said a second-step code must come with the password.
    let needs_code = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<Words>);

    Effect::new(move |_| {
        let open = session.reauth.get();
        if let Some(dialog) = dialog.get() {
            if open && !dialog.open() {
                error.set(None);
                let _ = dialog.show_modal();
            } else if !open && dialog.open() {
                dialog.close();
            }
        }
    });

    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let with_code = needs_code.get_untracked().then(|| code.get_untracked());
            let failed = match api::reauth_with_password(&password.get_untracked(), with_code.as_deref()).await {
                Ok(body) => {
                    renewed(session, body);
                    password.try_set(String::new());
                    code.try_set(String::new());
                    needs_code.try_set(false);
                    reauth::finish(true);
                    None
                }
                Err(AppError::InvalidCode) if with_code.is_none() => {
                    needs_code.try_set(true);
                    Some(Words::pick(|t| t.reauth.code_needed))
                }
                Err(e) => Some(Words::error(e)),
            };
            // `try_`: a sign-out (another tab) may have taken the frame away meanwhile.
            error.try_set(failed);
            pending.try_set(false);
        });
    };
    // Or a passkey of the account (which a stolen session alone does not have).
    let with_passkey = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let failed = match webauthn::assert_now().await {
                Err(message) => Some(message),
                Ok(assertion) => match api::reauth_with_passkey(&assertion).await {
                    Ok(body) => {
                        renewed(session, body);
                        reauth::finish(true);
                        None
                    }
                    Err(AppError::InvalidCode) => Some(Words::pick(|t| t.reauth.not_yours)),
                    Err(e) => Some(Words::error(e)),
                },
            };
            error.try_set(failed);
            pending.try_set(false);
        });
    };
    let cancel = move || {
        password.set(String::new());
        code.set(String::new());
        needs_code.set(false);
        reauth::finish(false);
    };

    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby="reauth-title" aria-describedby="reauth-why"
            on:cancel=move |_: leptos::ev::Event| cancel()>
            <form on:submit=confirm>
                <h2 id="reauth-title">{tr(|t| t.reauth.title)}</h2>
                <p id="reauth-why" class="muted">{tr(|t| t.reauth.why)}</p>
                <div class="field">
                    <label for="reauth-password">{tr(|t| t.reauth.password)}</label>
                    <input id="reauth-password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                </div>
                <Show when=move || needs_code.get()>
                    <div class="field">
                        <label for="reauth-code">{tr(|t| t.reauth.code)}</label>
                        <input id="reauth-code" type="text" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                    </div>
                </Show>
                <ErrorAlert message=error/>
                <div class="actions">
                    <SubmitButton label=|t| t.reauth.confirm pending=pending/>
                    <button type="button" class="button" on:click=with_passkey disabled=move || pending.get()>
                        {tr(|t| t.reauth.use_passkey)}
                    </button>
                    <button type="button" class="button" on:click=move |_| cancel()>{tr(|t| t.common.cancel)}</button>
                </div>
            </form>
        </dialog>
    }
}

/// Takes the fresh access token of a re-authentication into memory.
fn renewed(session: Session, body: TokenResponse) {
    session.accept(body, Trigger::Reauthenticated, fetch::now());
}
