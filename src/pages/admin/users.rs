//! `/admin`: **Search users** (an email's start or an account id), the accounts newest
//! first in a table that becomes a list of cards on a phone, **Load more**, and the
//! link to the **Audit log**.

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
    shared::{roles::ADMIN, wire::AdminUser},
};
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::components::A;

/// Accounts fetched per page.
const PAGE: u32 = 25;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let typed = RwSignal::new(String::new());
    let users = Paged::<AdminUser>::new();
    // The search the list shows (the box may hold another, not yet sent).
    let searched = StoredValue::new(String::new());
    let load = move |fresh: bool| {
        let fetch = move |before: Option<String>| async move {
            let page = api::admin_users(&searched.get_value(), PAGE, before.as_deref()).await?;
            Ok((page.users, page.next))
        };
        users.load(fresh, fetch, |t| t.admin.load_failed);
    };
    Effect::new(move |_| load(true));
    let search = move |event: SubmitEvent| {
        event.prevent_default();
        searched.set_value(typed.get_untracked());
        load(true);
    };

    view! {
            <PageTitle title=|t| t.admin.title/>
            <section class="card">
                <div class="card__head">
                    <h1>{tr(|t| t.admin.title)}</h1>
                    <A href="/admin/audit">{tr(|t| t.admin.audit_link)}</A>
                </div>
                <p class="muted">{tr(|t| t.admin.intro)}</p>
                <form class="search" role="search" on:submit=search>
                    <label for="admin-search">{tr(|t| t.admin.search_label)}</label>
                    <div class="search__row">
                        <input id="admin-search" type="search" autocomplete="off" spellcheck="false"
                            aria-describedby="admin-search-hint"
                            prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                        <button type="submit" class="button button--primary">{tr(|t| t.admin.search)}</button>
                    </div>
                    <p id="admin-search-hint" class="hint">{tr(|t| t.admin.search_hint)}</p>
                </form>
                <Show when=move || !users.loaded.get() && users.loading.get()>
                    <p class="muted" role="status"><Spinner/>" "{tr(|t| t.admin.loading)}</p>
                </Show>
                <Show when=move || users.loaded.get()>
                    <table class="table" data-testid="admin-users">
                        <caption class="visually-hidden">{tr(|t| t.admin.accounts)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr(|t| t.admin.email)}</th>
                                <th scope="col">{tr(|t| t.admin.created)}</th>
                                <th scope="col">{tr(|t| t.admin.last_sign_in)}</th>
                                <th scope="col">{tr(|t| t.admin.status)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || users.items.get() key=|user| (user.id.clone(), user.locked) let:user>
                                {
                                    let created = parse_instant(&user.created_at);
                                    let last = user.last_sign_in_at.as_deref().map(parse_instant);
                                    let admin = user.roles.iter().any(|r| r == ADMIN);
                                    view! {
                                        <tr>
                                            <td data-label=tr(|t| t.admin.email)>
    <span>
                                                <A href=format!("/admin/users/{}", user.id) attr:class="table__main">{user.email.clone()}</A>
                                                {admin.then(|| view! { <span class="badge">{tr(|t| t.frame.admin)}</span> })}
                                                {(!user.email_verified).then(|| view! {
                                                    <span class="badge badge--muted">{tr(|t| t.admin.unverified)}</span>
                                                })}
                                            </span>
    </td>
                                            <td data-label=tr(|t| t.admin.created)>
                                                <time datetime=user.created_at.clone()>{move || relative_time(t(), created, session.now.get())}</time>
                                            </td>
                                            <td data-label=tr(|t| t.admin.last_sign_in)>{move || match last {
                                                Some(at) => relative_time(t(), at, session.now.get()),
                                                None => t().admin.never.to_string(),
                                            }}</td>
                                            <td data-label=tr(|t| t.admin.status)>
                                                <Status locked=user.locked/>
                                            </td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                    <Show when=move || users.items.with(Vec::is_empty)>
                        <p class="muted">{tr(|t| t.admin.nobody)}</p>
                    </Show>
                </Show>
                <ErrorAlert message=users.error/>
                <Show when=move || users.next.get().is_some()>
                    <div class="actions">
                        <BusyButton label=|t| t.admin.more pending=users.loading on:click=move |_| load(false)/>
                    </div>
                </Show>
            </section>
        }
}

/// "Active" or "Locked", in words and not only in colour.
#[component]
pub fn Status(locked: bool) -> impl IntoView {
    if locked {
        view! { <span class="status status--locked">{tr(|t| t.admin.locked)}</span> }
    } else {
        view! { <span class="status">{tr(|t| t.admin.active)}</span> }
    }
}
