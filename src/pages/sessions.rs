//! `/sessions`: every signed-in device, **Revoke** on the others, **Sign out
//! everywhere**.

use crate::{
    client::{
        api,
        language::{tr, use_texts},
        session::{use_session, SignedOutBecause},
        tabs,
    },
    components::{
        form::{BusyButton, ErrorAlert},
        format::{parse_instant, relative_time},
        frame::{PageTitle, Spinner},
    },
    shared::{device::describe_device_in, i18n::Words},
};
use leptos::{prelude::*, task::spawn_local};

#[component]
pub fn SessionsPage() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let sessions = LocalResource::new(api::sessions);

    let revoking = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Words>);
    let revoke = move |id: String| {
        revoking.set(Some(id.clone()));
        error.set(None);
        spawn_local(async move {
            match api::revoke_session(&id).await {
                Ok(()) => sessions.refetch(),
                Err(e) => {
                    error.try_set(Some(Words::failed(|t| t.sessions.revoke_failed, e)));
                }
            }
            revoking.try_set(None);
        });
    };

    let ending_all = RwSignal::new(false);
    let end_all = move |_| {
        ending_all.set(true);
        error.set(None);
        spawn_local(async move {
            match api::sign_out_everywhere().await {
                Ok(_) => {
                    tabs::announce_signed_out();
                    session.sign_out_locally(SignedOutBecause::TheyAskedTo);
                }
                Err(e) => {
                    error.try_set(Some(Words::failed(|t| t.sessions.everywhere_failed, e)));
                }
            }
            ending_all.try_set(false);
        });
    };

    let rows = move || {
        match sessions.get() {
        None => view! { <p class="muted" role="status"><Spinner/>" "{tr(|t| t.sessions.loading)}</p> }.into_any(),
        Some(Err(e)) => view! {
            <p class="alert" role="alert">{move || (t().sessions.load_failed)(&(t().error)(&e))}</p>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul class="sessions" aria-label=tr(|t| t.sessions.list)>
                {list.into_iter().map(|s| {
                    let id = s.id.clone();
                    let busy = ArcSignal::derive({
                        let id = id.clone();
                        move || revoking.with(|revoking| revoking.as_deref() == Some(id.as_str()))
                    });
                    let created = parse_instant(&s.created_at);
                    let last_used = parse_instant(&s.last_used_at);
                    view! {
                        <li class="session" class:session--current=s.current>
                            <div class="session__device">
                                <span class="session__name">{
                                    let agent = s.user_agent.clone();
                                    move || describe_device_in(&t().device, &agent)
                                }</span>
                                {s.current.then(|| view! { <span class="badge">{tr(|t| t.sessions.this_device)}</span> })}
                            </div>
                            <p class="session__times muted">
                                {move || (t().sessions.times)(
                                    &relative_time(t(), last_used, session.now.get()),
                                    &relative_time(t(), created, session.now.get()))}
                            </p>
                            {(!s.current).then(|| {
                                let id = id.clone();
                                view! {
                                    <BusyButton label=|t| t.sessions.revoke pending=busy class="button button--small"
                                        on:click=move |_| revoke(id.clone())/>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };

    view! {
        <PageTitle title=|t| t.sessions.title/>
        <section class="card">
            <h1>{tr(|t| t.sessions.title)}</h1>
            <p class="muted">{tr(|t| t.sessions.intro)}</p>
            {rows}
            <ErrorAlert message=error/>
            <div class="actions">
                <BusyButton label=|t| t.sessions.everywhere pending=ending_all class="button button--danger" on:click=end_all/>
            </div>
        </section>
    }
}
