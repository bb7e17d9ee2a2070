//! `/activity`: the person's security events in plain words, newest first, with the
//! device, the address and when; **Load more** while there are older ones.

use super::{
    components::{ErrorAlert, Spinner},
    format::{parse_instant, relative_time},
};
use crate::{
    client::{fetch, session::use_session},
    shared::wire::{ActivityEvent, ActivityPage},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;

/// Events fetched per page.
const PAGE: u32 = 20;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let session = use_session();
    let events = RwSignal::new(Vec::<ActivityEvent>::new());
    let next = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let path = match next.get_untracked() {
                Some(cursor) => format!("/api/activity?limit={PAGE}&before={cursor}"),
                None => format!("/api/activity?limit={PAGE}"),
            };
            match fetch::get_json::<ActivityPage>(&path).await {
                // `try_`: the person may have left the page meanwhile.
                Ok(page) => {
                    events.try_update(|all| all.extend(page.events));
                    next.try_set(page.next);
                    loaded.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(format!("Could not load your activity: {e}")));
                }
            }
            loading.try_set(false);
        });
    };
    Effect::new(move |_| load());

    view! {
        <Title text="Activity · Baton"/>
        <section class="card">
            <h1>"Activity"</h1>
            <p class="muted">"Everything that happened to your account's security, newest first."</p>
            <Show when=move || !loaded.get() && loading.get()>
                <p class="muted" role="status"><Spinner/>" Loading your activity…"</p>
            </Show>
            <ol class="events" aria-label="Security events">
                <For each=move || events.get() key=|event| event.id.clone() let:event>
                    {
                        let at = parse_instant(&event.at);
                        // The device, unless the sentence already names it; the address.
                        let device = event.device.clone().filter(|_| !names_device(&event.kind));
                        let details =
                            [device, event.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            <li class="event" class:event--alert=is_alarming(&event.kind)>
                                <p class="event__what">{describe(&event)}</p>
                                <p class="event__details muted">
                                    <time datetime=event.at.clone()>{move || relative_time(at, session.now.get())}</time>
                                    {(!details.is_empty()).then(|| format!(" · {details}"))}
                                    {event.current_session.then_some(" · this device")}
                                </p>
                            </li>
                        }
                    }
                </For>
            </ol>
            <Show when=move || loaded.get() && events.get().is_empty()>
                <p class="muted">"Nothing yet."</p>
            </Show>
            <ErrorAlert message=error/>
            <Show when=move || next.get().is_some()>
                <div class="actions">
                    <button class="button" on:click=move |_| load() disabled=move || loading.get()
                        aria-busy=move || loading.get().to_string()>
                        <Show when=move || loading.get()><Spinner/></Show>
                        "Load more"
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// Whether [`describe`] names the event's device in its sentence.
fn names_device(kind: &str) -> bool {
    matches!(
        kind,
        "signed_up"
            | "signed_in"
            | "sign_in_failed"
            | "signed_out"
            | "session_revoked"
            | "refresh_token_reused"
            | "session_expired"
    )
}

/// The kinds a person should look at twice.
fn is_alarming(kind: &str) -> bool {
    matches!(kind, "refresh_token_reused" | "sign_in_failed")
}

/// What happened, in plain words.
fn describe(event: &ActivityEvent) -> String {
    let device = event.device.as_deref().unwrap_or("an unknown device");
    match event.kind.as_str() {
        "signed_up" => format!("You created your account on {device}."),
        "signed_in" => format!("Signed in on {device}."),
        "sign_in_failed" => format!("Someone tried to sign in with a wrong password or code on {device}."),
        "signed_out" => format!("Signed out on {device}."),
        "session_revoked" => format!("You ended the session of {device} from another device."),
        "signed_out_everywhere" => "You signed out everywhere: every session ended.".to_string(),
        "refresh_token_reused" => {
            format!("Someone presented an old refresh token of {device}; that session was ended to protect you.")
        }
        "session_expired" => format!("The session of {device} reached its maximum lifetime and ended."),
        "password_changed" => "You changed your password; every other session ended.".to_string(),
        "password_reset" => "Your password was reset with an email link; every session ended.".to_string(),
        "email_verified" => "You verified your email address.".to_string(),
        "email_changed" => "Your email address was changed.".to_string(),
        "passkey_added" => "You added a passkey.".to_string(),
        "passkey_removed" => "You removed a passkey.".to_string(),
        "mfa_enabled" => "You turned on two-step verification.".to_string(),
        "mfa_disabled" => "You turned off two-step verification.".to_string(),
        "recovery_code_used" => "A recovery code was used to sign in.".to_string(),
        "recovery_codes_renewed" => "You made new recovery codes.".to_string(),
        other => format!("Security event: {other}."),
    }
}
