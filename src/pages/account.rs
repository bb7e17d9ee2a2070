//! `/account`: **Email** (change it through a link to the new address), **Password**
//! (change it; the other devices are signed out), **Passkeys** and **Two-step
//! verification** (`super::security`), and **Your data** (download it; delete the
//! account, after a dialog that says what happens).

use super::{
    components::{self, ErrorAlert, PasswordAdvice, Spinner, Submission, SubmitButton},
    security::{Passkeys, TwoStep},
};
use crate::{
    client::{
        fetch,
        session::{use_session, SignedOutBecause},
        tabs,
    },
    shared::error::AppError,
};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account · Baton"/>
        <h1 class="page-title">"Account"</h1>
        <ChangeEmail/>
        <ChangePassword/>
        <Passkeys/>
        <TwoStep/>
        <YourData/>
    }
}

/// **Email**: a link goes to the new address; the address changes when it is followed.
#[component]
fn ChangeEmail() -> impl IntoView {
    let session = use_session();
    let new = RwSignal::new(String::new());
    let form = Submission::new();
    let Submission { pending, error, done } = form;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        form.run(async move {
            let address = new.get_untracked();
            match fetch::post_fields("/api/account/email", &[("email", address.as_str())]).await {
                Ok(_) => {
                    new.try_set(String::new());
                    Ok(format!(
                        "We sent a link to {address}. Your address changes when you follow it; until then, sign in \
                         with your current one."
                    ))
                }
                Err(AppError::ReauthRequired) => Err("Not changed: you did not confirm it was you.".to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
    };

    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"Email"</h2>
            <p class="muted">
                "You sign in with "<strong>{move || session.user().map(|u| u.email).unwrap_or_default()}</strong>
                ". To use another address, we send a link to it first."
            </p>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="new-email">"New email"</label>
                    <input id="new-email" type="email" autocomplete="email" inputmode="email" required
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                </div>
                <ErrorAlert message=error/>
                <p class="notice notice--ok" role="status">{move || done.get()}</p>
                <SubmitButton label="Change email" pending=pending/>
            </form>
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let email = Signal::derive(move || session.user().map(|u| u.email).unwrap_or_default());
    let form = Submission::new();
    let Submission { pending, error, done } = form;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        form.run(async move {
            let fields = [("current_password", current.get_untracked()), ("new_password", new.get_untracked())];
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            match fetch::post_fields("/api/account/password", &fields).await {
                Ok(_) => {
                    current.try_set(String::new());
                    new.try_set(String::new());
                    Ok("Password changed. Every other device has been signed out.".to_string())
                }
                Err(AppError::InvalidCredentials) => Err("The current password is not right.".to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
    };

    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <p class="muted">"Changing it signs out every other device at once; this one stays signed in."</p>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" type="password" autocomplete="current-password" required
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" type="password" autocomplete="new-password" required
                        aria-describedby="new-password-advice"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                    <PasswordAdvice id="new-password-advice" email=email password=new/>
                </div>
                <ErrorAlert message=error/>
                <p class="notice notice--ok" role="status">{move || done.get()}</p>
                <SubmitButton label="Change password" pending=pending/>
            </form>
        </section>
    }
}

#[component]
fn YourData() -> impl IntoView {
    let session = use_session();
    let downloading = RwSignal::new(false);
    let download_error = RwSignal::new(None::<String>);
    let download = move |_| {
        downloading.set(true);
        download_error.set(None);
        spawn_local(async move {
            let failed = match fetch::get_text("/api/account/export").await {
                Ok(json) => components::save_file("baton-export.json", "application/json", &json)
                    .err()
                    .map(|_| "Your browser refused to save the file.".to_string()),
                Err(AppError::ReauthRequired) => Some("Not downloaded: you did not confirm it was you.".to_string()),
                Err(e) => Some(format!("Could not download your data: {e}")),
            };
            // `try_`: the person may have left the page meanwhile.
            download_error.try_set(failed);
            downloading.try_set(false);
        });
    };

    let dialog = NodeRef::<html::Dialog>::new();
    let password = RwSignal::new(String::new());
    let deleting = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let open = move |_| {
        delete_error.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        password.set(String::new());
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let delete = move |event: SubmitEvent| {
        event.prevent_default();
        deleting.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let password_now = password.get_untracked();
            let failed = match fetch::post_fields("/api/account/delete", &[("password", password_now.as_str())]).await {
                Ok(_) => {
                    close();
                    tabs::announce_signed_out();
                    session.sign_out_locally(SignedOutBecause::AccountDeleted);
                    None
                }
                Err(AppError::InvalidCredentials) => Some("That password is not right.".to_string()),
                Err(AppError::ReauthRequired) => Some("Not deleted: you did not confirm it was you.".to_string()),
                Err(e) => Some(format!("Could not delete your account: {e}")),
            };
            // `try_`: once the account is gone, so is this page.
            delete_error.try_set(failed);
            deleting.try_set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="data-title">
            <h2 id="data-title">"Your data"</h2>
            <p class="muted">
                "Download everything Baton keeps about you: your account, your sessions and your security history, as one JSON file."
            </p>
            <div class="actions">
                <button class="button" on:click=download disabled=move || downloading.get()
                    aria-busy=move || downloading.get().to_string()>
                    <Show when=move || downloading.get()><Spinner/></Show>
                    "Download my data"
                </button>
                <button class="button button--danger" on:click=open>"Delete account"</button>
            </div>
            <ErrorAlert message=download_error/>
        </section>

        <dialog node_ref=dialog class="dialog" aria-labelledby="delete-title" aria-describedby="delete-what"
            on:close=move |_: leptos::ev::Event| password.set(String::new())>
            <form on:submit=delete>
                <h2 id="delete-title">"Delete your account?"</h2>
                <div id="delete-what">
                    <p>"This cannot be undone. When you confirm:"</p>
                    <ul class="consequences">
                        <li>"every device signed in to this account is signed out at once, this one too;"</li>
                        <li>"your account, your sessions and your security history are deleted;"</li>
                        <li>"your email address is free: it can be used to create a new account."</li>
                    </ul>
                </div>
                <div class="field">
                    <label for="delete-password">"Password"</label>
                    <input id="delete-password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                </div>
                <ErrorAlert message=delete_error/>
                <div class="actions">
                    <button type="submit" class="button button--danger" disabled=move || deleting.get()
                        aria-busy=move || deleting.get().to_string()>
                        <Show when=move || deleting.get()><Spinner/></Show>
                        "Delete my account"
                    </button>
                    <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
                </div>
            </form>
        </dialog>
    }
}
