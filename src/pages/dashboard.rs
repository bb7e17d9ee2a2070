//! `/`: who is signed in, how long the access token has left, the recent refreshes
//! (the mechanism made visible), and **Sign out**.

use crate::{
    api::auth::logout,
    client::{
        api, fetch,
        language::{tr, use_texts},
        session::{use_session, SignedOutBecause},
        tabs,
    },
    components::{
        form::{BusyButton, ErrorAlert, Submission},
        format::{clock_time, parse_instant, relative_time},
        frame::PageTitle,
    },
    shared::{activity::EventKind, device::in_language, i18n::Words},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;

/// How far back a sign-in from another device is pointed out.
const NEW_DEVICE_NOTICE_MS: f64 = 24.0 * 3600.0 * 1000.0;
/// Recent events searched for that sign-in.
const RECENT_EVENTS: u32 = 50;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let t = use_texts();

    // The account, its devices and its recent activity: protected calls at once, all
    // through the authenticated helper (so 401s at once share one refresh).
    let me = LocalResource::new(api::me);
    let devices = LocalResource::new(api::sessions);
    let recent = LocalResource::new(|| api::activity(RECENT_EVENTS, None));
    // Back to this tab after following the verification link in another: ask again,
    // so the notice goes.
    let focus = window_event_listener(leptos::ev::focus, move |_| me.refetch());
    on_cleanup(move || focus.remove());
    // The latest sign-in from another device within a day, from the activity.
    let other_sign_in = move || {
        let now = fetch::now();
        recent.get()?.ok()?.events.into_iter().find(|e| {
            matches!(e.kind, EventKind::SignedIn | EventKind::SignedUp)
                && !e.current_session
                && now - parse_instant(&e.at) < NEW_DEVICE_NOTICE_MS
        })
    };
    let notice = move || {
        other_sign_in().map(|event| {
            let device = match &event.device {
                Some(device) => in_language(device, &t().device),
                None => t().dashboard.another_device.to_string(),
            };
            let when = relative_time(t(), parse_instant(&event.at), session.now.get());
            view! {
                <p class="notice notice--warn" data-testid="new-device">
                    {(t().dashboard.new_device)(&device, &when)}
                    <A href="/sessions">{t().dashboard.review}</A>
                    {t().dashboard.and_change}
                </p>
            }
        })
    };
    let account = move || {
        let t = t();
        let since = match me.get() {
            Some(Ok(me)) => {
                (t.dashboard.member_since)(&relative_time(t, parse_instant(&me.created_at), session.now.get()))
            }
            Some(Err(e)) => return (t.dashboard.load_failed)(&(t.error)(&e)),
            None => return t.dashboard.loading.to_string(),
        };
        match devices.get() {
            Some(Ok(list)) if list.len() == 1 => (t.dashboard.this_device_only)(&since),
            Some(Ok(list)) => (t.dashboard.devices)(&since, list.len()),
            _ => since,
        }
    };

    let seconds_left = move || {
        session.token().map(|t| ((t.expires_at - session.now.get()) / 1000.0).ceil().max(0.0) as i64).unwrap_or(0)
    };
    let lifetime =
        move || session.token().map(|t| ((t.expires_at - t.received_at) / 1000.0).round() as i64).unwrap_or(1).max(1);

    let signing_out = RwSignal::new(false);
    let sign_out_error = RwSignal::new(None::<Words>);
    let sign_out = move |_| {
        signing_out.set(true);
        sign_out_error.set(None);
        spawn_local(async move {
            match logout().await {
                Ok(_) => {
                    tabs::announce_signed_out();
                    session.sign_out_locally(SignedOutBecause::TheyAskedTo);
                }
                // Keep the session rather than pretend: the server still holds it.
                Err(e) => sign_out_error.set(Some(Words::failed(|t| t.dashboard.sign_out_failed, e))),
            }
            signing_out.set(false);
        });
    };

    view! {
        <PageTitle title=|t| t.dashboard.title/>
        <section class="card hero">
            <p class="eyebrow">{tr(|t| t.dashboard.signed_in_as)}</p>
            <p class="hero__email" data-testid="email">{move || session.user().map(|u| u.email).unwrap_or_default()}</p>
            <p class="muted" data-testid="account">{account}</p>
            {notice}
            {move || match me.get() {
                Some(Ok(account)) if !account.email_verified => Some(view! { <VerifyNotice email=account.email/> }),
                _ => None,
            }}
            <div class="actions">
                <BusyButton label=|t| t.dashboard.sign_out pending=signing_out on:click=sign_out/>
            </div>
            <ErrorAlert message=sign_out_error/>
        </section>

        <section class="card">
            <h2>{tr(|t| t.dashboard.access_token)}</h2>
            <p class="countdown" data-testid="time-left">
                <span class="countdown__value">{seconds_left}</span>
                <span class="countdown__unit">{tr(|t| t.dashboard.seconds_left)}</span>
            </p>
            // A native progress bar: no inline style, so the CSP can forbid inline styles.
            <progress class="meter" aria-label=tr(|t| t.dashboard.time_left) max=lifetime value=seconds_left></progress>
            <p class="muted">{tr(|t| t.dashboard.token_explained)}</p>
            // Each renewal is said to screen readers too (politely), not only drawn
            // in the timeline below.
            <p class="visually-hidden" role="status" data-testid="renewal-status">
                {move || session.timeline.with(|events| events.first().map(|e| e.trigger.label(t())))}
            </p>
        </section>

        <section class="card">
            <h2>{tr(|t| t.dashboard.refreshes)}</h2>
            <ol class="timeline" aria-label=tr(|t| t.dashboard.refreshes)>
                <For each=move || session.timeline.get() key=|event| (event.at.to_bits(), event.token_tag.clone()) let:event>
                    <li class="timeline__item">
                        <time class="timeline__time">{clock_time(event.at)}</time>
                        <span class="timeline__what">{move || event.trigger.label(t())}</span>
                        <span class="timeline__detail">
                            {tr(|t| t.dashboard.new_access_token)}<code>{format!("…{}", event.token_tag)}</code>
                            {move || format!(", {}", event.trigger.refresh_token_fate(t()))}
                        </span>
                    </li>
                </For>
            </ol>
        </section>
    }
}

/// The address is not verified yet: where the link went, and **Resend email**.
#[component]
fn VerifyNotice(email: String) -> impl IntoView {
    let t = use_texts();
    let form = Submission::new();
    let Submission { pending: sending, error, done: status } = form;
    let resend = move |_| {
        form.run(async move {
            match api::resend_verification().await {
                Ok(_) => Ok(Words::pick(|t| t.dashboard.resent)),
                Err(e) => Err(Words::failed(|t| t.dashboard.not_sent, e)),
            }
        })
    };
    view! {
        <div class="notice notice--warn" data-testid="unverified">
            <p>{move || (t().dashboard.confirm_address)(&email)}</p>
            <div class="actions">
                <BusyButton label=|t| t.dashboard.resend pending=sending on:click=resend/>
            </div>
            <p class="hint" role="status">{move || status.get().map(|words| words.say(t()))}</p>
            <ErrorAlert message=error/>
        </div>
    }
}
