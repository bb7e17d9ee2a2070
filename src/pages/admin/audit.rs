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
        paged::Paged,
    },
    shared::wire::{AuditEvent, AuditParty},
};
use leptos::prelude::*;
use leptos_router::components::A;

/// Actions fetched per page.
const PAGE: u32 = 25;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let events = Paged::<AuditEvent>::new();
    let load = move || {
        let fetch = |before: Option<String>| async move {
            api::admin_audit(PAGE, before.as_deref()).await.map(|page| (page.events, page.next))
        };
        events.load(false, fetch, |t| t.admin.load_failed);
    };
    Effect::new(move |_| load());

    view! {
        <PageTitle title=|t| t.admin.audit_title/>
        <p class="crumbs"><A href="/admin">{tr(|t| t.admin.all_accounts)}</A></p>
        <section class="card">
            <h1>{tr(|t| t.admin.audit_title)}</h1>
            <p class="muted">{tr(|t| t.admin.audit_intro)}</p>
            <Show when=move || !events.loaded.get() && events.loading.get()>
                <p class="muted" role="status"><Spinner/>" "{tr(|t| t.admin.loading)}</p>
            </Show>
            <Show when=move || events.loaded.get()>
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
                        <For each=move || events.items.get() key=|event| event.id.clone() let:event>
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
                <Show when=move || events.items.with(Vec::is_empty)>
                    <p class="muted">{tr(|t| t.admin.nothing_yet)}</p>
                </Show>
            </Show>
            <ErrorAlert message=events.error/>
            <Show when=move || events.next.get().is_some()>
                <div class="actions">
                    <BusyButton label=|t| t.admin.more pending=events.loading on:click=move |_| load()/>
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
