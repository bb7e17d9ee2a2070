//! `/sessions`: every signed-in device, **Revoke** on the others, **Sign out
//! everywhere**.

use super::{
    components::{ErrorAlert, Spinner},
    format::{parse_instant, relative_time},
};
use crate::{
    client::{
        fetch,
        session::{use_session, SignedOutBecause},
        tabs,
    },
    shared::{
        device::describe_device,
        error::AppError,
        wire::{RevokedCount, SessionInfo},
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;

#[component]
pub fn SessionsPage() -> impl IntoView {
    let session = use_session();
    let sessions = RwSignal::new(None::<Result<Vec<SessionInfo>, AppError>>);
    let load = move || {
        spawn_local(async move { sessions.set(Some(fetch::get_json::<Vec<SessionInfo>>("/api/sessions").await)) });
    };
    Effect::new(move |_| load());

    let revoking = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let revoke = move |id: String| {
        revoking.set(Some(id.clone()));
        error.set(None);
        spawn_local(async move {
            match fetch::delete(&format!("/api/sessions/{id}")).await {
                Ok(()) => load(),
                Err(e) => error.set(Some(format!("Could not revoke that session: {e}"))),
            }
            revoking.set(None);
        });
    };

    let ending_all = RwSignal::new(false);
    let end_all = move |_| {
        ending_all.set(true);
        error.set(None);
        spawn_local(async move {
            match fetch::post::<RevokedCount>("/api/auth/logout_all").await {
                Ok(_) => {
                    tabs::announce_signed_out();
                    session.sign_out_locally(SignedOutBecause::TheyAskedTo);
                }
                Err(e) => error.set(Some(format!("Could not sign out everywhere: {e}"))),
            }
            ending_all.set(false);
        });
    };

    let rows = move || match sessions.get() {
        None => view! { <p class="muted" role="status"><Spinner/>" Loading sessions…"</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="alert" role="alert">{format!("Could not load sessions: {e}")}</p> }.into_any()
        }
        Some(Ok(list)) => view! {
            <ul class="sessions" aria-label="Signed-in devices">
                {list.into_iter().map(|s| {
                    let id = s.id.clone();
                    let busy = {
                        let id = id.clone();
                        move || revoking.get().as_deref() == Some(id.as_str())
                    };
                    let created = parse_instant(&s.created_at);
                    let last_used = parse_instant(&s.last_used_at);
                    view! {
                        <li class="session" class:session--current=s.current>
                            <div class="session__device">
                                <span class="session__name">{describe_device(&s.user_agent)}</span>
                                {s.current.then(|| view! { <span class="badge">"This device"</span> })}
                            </div>
                            <p class="session__times muted">
                                {move || format!("Last used {} · signed in {}",
                                    relative_time(last_used, session.now.get()),
                                    relative_time(created, session.now.get()))}
                            </p>
                            {(!s.current).then(|| {
                                let id = id.clone();
                                let busy_for_button = busy.clone();
                                view! {
                                    <button class="button button--small" on:click=move |_| revoke(id.clone())
                                        disabled=busy.clone() aria-busy=move || busy_for_button().to_string()>
                                        "Revoke"
                                    </button>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    };

    view! {
        <Title text="Sessions · Baton"/>
        <section class="card">
            <h1>"Sessions"</h1>
            <p class="muted">"Every device where you are signed in. Revoking one signs it out at once."</p>
            {rows}
            <ErrorAlert message=error/>
            <div class="actions">
                <button class="button button--danger" on:click=end_all disabled=move || ending_all.get()
                    aria-busy=move || ending_all.get().to_string()>
                    <Show when=move || ending_all.get()><Spinner/></Show>
                    "Sign out everywhere"
                </button>
            </div>
        </section>
    }
}
