//! `/activity`: the person's security events in plain words, newest first, with the
//! device, the address and when; **Load more** while there are older ones.

use crate::{
    client::{
        api,
        language::{tr, use_texts},
        session::use_session,
    },
    components::{
        form::{BusyButton, ErrorAlert},
        format::{parse_instant, relative_time},
        frame::{PageTitle, Spinner},
        paged::Paged,
    },
    shared::{activity::EventKind, device::in_language, i18n::Texts, wire::ActivityEvent},
};
use leptos::prelude::*;

/// Events fetched per page.
const PAGE: u32 = 20;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let events = Paged::<ActivityEvent>::new();
    let load = move || {
        let fetch = |before: Option<String>| async move {
            api::activity(PAGE, before.as_deref()).await.map(|page| (page.events, page.next))
        };
        events.load(false, fetch, |t| t.activity.load_failed);
    };
    Effect::new(move |_| load());

    view! {
        <PageTitle title=|t| t.activity.title/>
        <section class="card">
            <h1>{tr(|t| t.activity.title)}</h1>
            <p class="muted">{tr(|t| t.activity.intro)}</p>
            <Show when=move || !events.loaded.get() && events.loading.get()>
                <p class="muted" role="status"><Spinner/>" "{tr(|t| t.activity.loading)}</p>
            </Show>
            <ol class="events" aria-label=tr(|t| t.activity.list)>
                <For each=move || events.items.get() key=|event| event.id.clone() let:event>
                    <EventItem event=event/>
                </For>
            </ol>
            <Show when=move || events.loaded.get() && events.items.with(Vec::is_empty)>
                <p class="muted">{tr(|t| t.activity.nothing)}</p>
            </Show>
            <ErrorAlert message=events.error/>
            <Show when=move || events.next.get().is_some()>
                <div class="actions">
                    <BusyButton label=|t| t.activity.more pending=events.loading on:click=move |_| load()/>
                </div>
            </Show>
        </section>
    }
}

/// One event: what happened in plain words, an administrator's reason if there is one,
/// then when, on which device, from which address. Also the administration's view of
/// an account's activity (`pages::admin::user`).
#[component]
pub fn EventItem(event: ActivityEvent) -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let at = parse_instant(&event.at);
    // The device, unless the sentence already names it; the address.
    let device = event.device.clone().filter(|_| !names_device(event.kind));
    let address = event.address.clone();
    let details = move || {
        let device = device.as_deref().map(|d| in_language(d, &t().device));
        let details = [device, address.clone()].into_iter().flatten().collect::<Vec<_>>();
        (!details.is_empty()).then(|| format!(" · {}", details.join(" · ")))
    };
    view! {
        <li class="event" class:event--alert=is_alarming(event.kind)>
            <p class="event__what">{
                let event = event.clone();
                move || describe(t(), &event)
            }</p>
            {event.reason.clone().map(|reason| view! { <p class="event__reason">{reason}</p> })}
            <p class="event__details muted">
                <time datetime=event.at.clone()>{move || relative_time(t(), at, session.now.get())}</time>
                {details}
                {event.current_session.then_some(move || format!(" · {}", t().activity.this_device))}
            </p>
        </li>
    }
}

/// Whether [`describe`] names the event's device in its sentence.
fn names_device(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::SignedUp
            | EventKind::SignedIn
            | EventKind::SignInFailed
            | EventKind::SignedOut
            | EventKind::SessionRevoked
            | EventKind::RefreshTokenReused
            | EventKind::SessionExpired
            | EventKind::MfaFailed
            | EventKind::RegisterAttempt
    )
}

/// The kinds a person should look at twice.
fn is_alarming(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::RefreshTokenReused | EventKind::SignInFailed | EventKind::MfaFailed | EventKind::AdminLocked
    )
}

/// What happened, in plain words.
fn describe(t: &Texts, event: &ActivityEvent) -> String {
    let device = match &event.device {
        Some(device) => in_language(device, &t.device),
        None => t.activity.unknown_device.to_string(),
    };
    (t.activity.event)(event.kind, &device)
}
