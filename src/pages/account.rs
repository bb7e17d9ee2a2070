//! `/account`: **Email** (change it through a link to the new address), **Password**
//! (change it; the other devices are signed out), **Passkeys** and **Two-step
//! verification** (`components::security`), **Connected accounts**
//! (`components::providers`), and **Your data** (download it; delete the
//! account, after a dialog that says what happens).

use crate::{
    client::{
        api, files,
        language::{tr, use_texts},
        session::{use_session, SignedOutBecause},
        tabs,
    },
    components::{
        form::{BusyButton, ErrorAlert, Submission, SubmitButton},
        frame::PageTitle,
        password::PasswordAdvice,
        providers::ConnectedAccounts,
        security::{Passkeys, TwoStep},
    },
    shared::{error::AppError, i18n::Words},
};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};
use leptos_router::components::A;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <PageTitle title=|t| t.account.title/>
        <h1 class="page-title">{tr(|t| t.account.title)}</h1>
        <ChangeEmail/>
        <ChangePassword/>
        <Passkeys/>
        <ConnectedAccounts/>
        <TwoStep/>
        <YourData/>
    }
}

/// **Email**: a link goes to the new address; the address changes when it is followed.
/// A change waiting for its link is shown with **Cancel**.
#[component]
fn ChangeEmail() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let new = RwSignal::new(String::new());
    let address = LocalResource::new(api::email);
    let form = Submission::new();
    let Submission { pending, error, done } = form;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        form.run(async move {
            let address_asked = new.get_untracked();
            api::change_email(&address_asked).await.map_err(|e| Words::refused(e, |t| t.account.not_changed))?;
            new.try_set(String::new());
            address.refetch();
            Ok(Words::new(move |t| (t.account.link_sent)(&address_asked)))
        })
    };
    let cancel = move |_| {
        form.run(async move {
            api::cancel_email_change().await.map_err(|e| Words::failed(|t| t.account.cancel_failed, e))?;
            address.refetch();
            Ok(Words::pick(|t| t.account.change_cancelled))
        })
    };
    let waiting = move || address.get().and_then(|answer| answer.ok()).and_then(|answer| answer.pending);

    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">{tr(|t| t.account.email_title)}</h2>
            <p class="muted">
                {tr(|t| t.account.you_sign_in_with)}<strong>{move || session.user().map(|u| u.email).unwrap_or_default()}</strong>
                {tr(|t| t.account.another_address)}
            </p>
            {move || waiting().map(|pending_address| view! {
                <div class="notice notice--warn pending-change">
                    <p>{move || (t().account.pending)(&pending_address)}</p>
                    <button type="button" class="button" on:click=cancel disabled=move || pending.get()>
                        {tr(|t| t.account.cancel_change)}
                    </button>
                </div>
            })}
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="new-email">{tr(|t| t.account.new_email)}</label>
                    <input id="new-email" type="email" autocomplete="email" inputmode="email" required
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                </div>
                <ErrorAlert message=error/>
                <p class="notice notice--ok" role="status">{move || done.get().map(|words| words.say(t()))}</p>
                <SubmitButton label=|t| t.account.change_email pending=pending/>
            </form>
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let email = Signal::derive(move || session.user().map(|u| u.email).unwrap_or_default());
    let form = Submission::new();
    let Submission { pending, error, done } = form;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        form.run(async move {
            match api::change_password(&current.get_untracked(), &new.get_untracked()).await {
                Ok(()) => {
                    current.try_set(String::new());
                    new.try_set(String::new());
                    Ok(Words::pick(|t| t.account.password_changed))
                }
                Err(AppError::InvalidCredentials) => Err(Words::pick(|t| t.account.wrong_current)),
                Err(e) => Err(Words::error(e)),
            }
        })
    };

    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{tr(|t| t.common.password)}</h2>
            <p class="muted">{tr(|t| t.account.password_intro)}</p>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="current-password">{tr(|t| t.account.current_password)}</label>
                    <input id="current-password" type="password" autocomplete="current-password" required
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="new-password">{tr(|t| t.common.new_password)}</label>
                    <input id="new-password" type="password" autocomplete="new-password" required
                        aria-describedby="new-password-advice"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                    <PasswordAdvice id="new-password-advice" email=email password=new/>
                </div>
                <ErrorAlert message=error/>
                <p class="notice notice--ok" role="status">{move || done.get().map(|words| words.say(t()))}</p>
                <SubmitButton label=|t| t.account.change_password pending=pending/>
            </form>
            // An account made through another provider has no password to give here.
            <p class="muted">{tr(|t| t.account.no_password)}" "<A href="/forgot">{tr(|t| t.account.set_password)}</A></p>
        </section>
    }
}

#[component]
fn YourData() -> impl IntoView {
    let session = use_session();
    let downloading = RwSignal::new(false);
    let download_error = RwSignal::new(None::<Words>);
    let download = move |_| {
        downloading.set(true);
        download_error.set(None);
        spawn_local(async move {
            let failed = match api::export().await {
                Ok(json) => files::save("baton-export.json", "application/json", &json)
                    .err()
                    .map(|_| Words::pick(|t| t.common.save_refused)),
                Err(e) => {
                    Some(Words::refused_or_failed(e, |t| t.account.not_downloaded, |t| t.account.download_failed))
                }
            };
            // `try_`: the person may have left the page meanwhile.
            download_error.try_set(failed);
            downloading.try_set(false);
        });
    };

    let dialog = NodeRef::<html::Dialog>::new();
    let password = RwSignal::new(String::new());
    let deleting = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<Words>);
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
            let failed = match api::delete_account(&password_now).await {
                Ok(()) => {
                    close();
                    tabs::announce_signed_out();
                    session.sign_out_locally(SignedOutBecause::AccountDeleted);
                    None
                }
                Err(AppError::InvalidCredentials) => Some(Words::pick(|t| t.account.wrong_password)),
                Err(e) => Some(Words::refused_or_failed(e, |t| t.account.not_deleted, |t| t.account.delete_failed)),
            };
            // `try_`: once the account is gone, so is this page.
            delete_error.try_set(failed);
            deleting.try_set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="data-title">
            <h2 id="data-title">{tr(|t| t.account.data_title)}</h2>
            <p class="muted">{tr(|t| t.account.data_intro)}</p>
            <div class="actions">
                <BusyButton label=|t| t.account.download pending=downloading on:click=download/>
                <button class="button button--danger" on:click=open>{tr(|t| t.account.delete)}</button>
            </div>
            <ErrorAlert message=download_error/>
        </section>

        <dialog node_ref=dialog class="dialog" aria-labelledby="delete-title" aria-describedby="delete-what"
            on:close=move |_: leptos::ev::Event| password.set(String::new())>
            <form on:submit=delete>
                <h2 id="delete-title">{tr(|t| t.account.delete_title)}</h2>
                <div id="delete-what">
                    <p>{tr(|t| t.account.cannot_undo)}</p>
                    <ul class="consequences">
                        <li>{tr(|t| t.account.consequences[0])}</li>
                        <li>{tr(|t| t.account.consequences[1])}</li>
                        <li>{tr(|t| t.account.consequences[2])}</li>
                    </ul>
                </div>
                <div class="field">
                    <label for="delete-password">{tr(|t| t.common.password)}</label>
                    <input id="delete-password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                </div>
                <ErrorAlert message=delete_error/>
                <div class="actions">
                    <BusyButton label=|t| t.account.delete_mine pending=deleting kind="submit" class="button button--danger"/>
                    <button type="button" class="button" on:click=move |_| close()>{tr(|t| t.common.cancel)}</button>
                </div>
            </form>
        </dialog>
    }
}
