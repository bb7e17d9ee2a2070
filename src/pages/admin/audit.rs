//! `/admin/audit`: what administrators and the command line did to accounts, newest
//! first, with **Load more**.

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
    },
    shared::{
        i18n::Words,
        wire::{AuditEvent, AuditParty},
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;

/// Actions fetched per page.
const PAGE: u32 = 25;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let events = RwSignal::new(Vec::<AuditEvent>::new());
    let next = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<Words>);
    let load = move || {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api::admin_audit(PAGE, next.get_untracked().as_deref()).await {
                Ok(page) => {
                    events.try_update(|all| all.extend(page.events));
                    next.try_set(page.next);
                    loaded.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(Words::failed(|t| t.admin.load_failed, e)));
                }
            }
            loading.try_set(false);
        });
    };
    Effect::new(move |_| load());

    view! {
        <PageTitle title=|t| t.admin.audit_title/>
        <p class="crumbs"><A href="/admin">{tr(|t| t.admin.all_accounts)}</A></p>
        <section class="card">
            <h1>{tr(|t| t.admin.audit_title)}</h1>
            <p class="muted">{tr(|t| t.admin.audit_intro)}</p>
            <Show when=move || !loaded.get() && loading.get()>
                <p class="muted" role="status"><Spinner/>" "{tr(|t| t.admin.loading)}</p>
            </Show>
            <Show when=move || loaded.get()>
                <table class="table" data-testid="admin-audit">
                    <caption class="visually-hidden">{tr(|t| t.admin.audit_title)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(|t| t.admin.when)}</th>
                            <th scope="col">{tr(|t| t.admin.action)}</th>
                            <th scope="col">{tr(|t| t.admin.account)}</th>
                            <th scope="col">{tr(|t| t.admin.administrator)}</th>
                            <th scope="col">{tr(|t| t.admin.reason)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || events.get() key=|event| event.id.clone() let:event>
                            {
                                let at = parse_instant(&event.at);
                                let action = event.action.clone();
                                view! {
                                    <tr>
                                        <td data-label=tr(|t| t.admin.when)>
                                            <time datetime=event.at.clone()>{move || relative_time(t(), at, session.now.get())}</time>
                                        </td>
                                        <td data-label=tr(|t| t.admin.action) class="table__main">
                                            {move || (t().admin.action_name)(&action)}
                                        </td>
                                        <td data-label=tr(|t| t.admin.account) class="break">
                                            <Party party=event.target.clone() link=true/>
                                        </td>
                                        <td data-label=tr(|t| t.admin.administrator) class="break">
                                            <Party party=event.actor.clone() link=false/>
                                        </td>
                                        <td data-label=tr(|t| t.admin.reason)>{event.reason.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
                <Show when=move || events.with(Vec::is_empty)>
                    <p class="muted">{tr(|t| t.admin.nothing_yet)}</p>
                </Show>
            </Show>
            <ErrorAlert message=error/>
            <Show when=move || next.get().is_some()>
                <div class="actions">
                    <BusyButton label=|t| t.admin.more pending=loading on:click=move |_| load()/>
                </div>
            </Show>
        </section>
    }
}

/// Who acted or was acted on: their address (a link to the account if `link`), "the
/// command line", or "a deleted account".
#[component]
fn Party(party: AuditParty, link: bool) -> impl IntoView {
    match (party.id, party.email) {
        (None, _) => view! { <span>{tr(|t| t.admin.command_line)}</span> }.into_any(),
        (Some(_), None) => view! { <span class="muted">{tr(|t| t.admin.deleted_account)}</span> }.into_any(),
        (Some(id), Some(email)) if link => view! { <A href=format!("/admin/users/{id}")>{email}</A> }.into_any(),
        (Some(_), Some(email)) => view! { <span>{email}</span> }.into_any(),
    }
}
