//! `/admin/users/{id}`: one account's facts, its live sessions and recent activity;
//! **Lock account** / **Unlock account**, **Sign out everywhere**, **Delete account**,
//! each asking for a reason in a dialog; and its roles. Every change is sensitive: a
//! sign-in too long ago brings up the re-authentication prompt first (`client::fetch`).

use super::users::Status;
use crate::{
    client::{
        api::{self, AdminAction},
        language::{tr, use_texts},
        session::use_session,
    },
    components::{
        form::{BusyButton, ErrorAlert, Submission},
        format::{parse_instant, relative_time},
        frame::{PageTitle, Spinner},
    },
    pages::activity::EventItem,
    shared::{
        device::describe_device_in,
        i18n::{Pick, Texts, Words},
        wire::AdminUserDetail,
    },
};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let account = LocalResource::new(move || {
        let id = id.get();
        async move { api::admin_user(&id).await }
    });

    view! {
        <PageTitle title=|t| t.admin.title/>
        <p class="crumbs"><A href="/admin">{tr(|t| t.admin.all_accounts)}</A></p>
        {move || match account.get() {
            None => view! {
                <section class="card"><p class="muted" role="status"><Spinner/>" "{tr(|t| t.admin.loading)}</p></section>
            }
            .into_any(),
            Some(Err(e)) => {
                let error = Words::failed(|t| t.admin.load_failed, e);
                let t = use_texts();
                view! { <section class="card"><p class="alert" role="alert">{move || error.say(t())}</p></section> }
                    .into_any()
            }
            Some(Ok(detail)) => view! { <Account detail=detail reload=move || account.refetch()/> }.into_any(),
        }}
    }
}

/// The account's page once loaded; `reload` fetches it again after a change.
#[component]
fn Account(detail: AdminUserDetail, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    let user = detail.user.clone();
    let created = parse_instant(&user.created_at);
    let last = user.last_sign_in_at.as_deref().map(parse_instant);
    let yes_no = move |yes: bool| move || if yes { t().admin.yes } else { t().admin.no };
    let passkeys = user.passkeys;
    view! {
        <section class="card" aria-labelledby="account-title">
            <div class="card__head">
                <h1 id="account-title" class="account-title">{user.email.clone()}</h1>
                <span data-testid="account-status"><Status locked=user.locked/></span>
            </div>
            <dl class="facts">
                <dt>{tr(|t| t.admin.account_id)}</dt><dd class="break"><code>{user.id.clone()}</code></dd>
                <dt>{tr(|t| t.admin.created)}</dt>
                <dd><time datetime=user.created_at.clone()>{move || relative_time(t(), created, session.now.get())}</time></dd>
                <dt>{tr(|t| t.admin.last_sign_in)}</dt>
                <dd>{move || match last {
                    Some(at) => relative_time(t(), at, session.now.get()),
                    None => t().admin.never.to_string(),
                }}</dd>
                <dt>{tr(|t| t.admin.verified)}</dt><dd>{yes_no(user.email_verified)}</dd>
                <dt>{tr(|t| t.admin.two_step)}</dt><dd>{yes_no(user.two_step)}</dd>
                <dt>{tr(|t| t.admin.passkeys)}</dt><dd>{passkeys}</dd>
            </dl>
        </section>
        <Actions id=user.id.clone() locked=user.locked reload=reload/>
        <RolesEditor id=user.id.clone() roles=user.roles.clone() reload=reload/>
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{tr(|t| t.admin.live_sessions)}</h2>
            {if detail.live_sessions.is_empty() {
                view! { <p class="muted">{tr(|t| t.admin.no_sessions)}</p> }.into_any()
            } else {
                view! {
                    <ul class="sessions">
                        {detail.live_sessions.into_iter().map(|s| {
                            let created = parse_instant(&s.created_at);
                            let last_used = parse_instant(&s.last_used_at);
                            let agent = s.user_agent.clone();
                            view! {
                                <li class="session">
                                    <span class="session__name">{move || describe_device_in(&t().device, &agent)}</span>
                                    <p class="session__times muted">{move || (t().sessions.times)(
                                        &relative_time(t(), last_used, session.now.get()),
                                        &relative_time(t(), created, session.now.get()))}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
        <section class="card" aria-labelledby="events-title">
            <h2 id="events-title">{tr(|t| t.admin.recent_activity)}</h2>
            <ol class="events">
                {detail.events.into_iter().map(|event| view! { <EventItem event=event/> }).collect_view()}
            </ol>
        </section>
    }
}

/// What each action's button and dialog say.
fn words(action: AdminAction) -> (Pick, Pick) {
    match action {
        AdminAction::Lock => (|t: &Texts| t.admin.lock, |t: &Texts| t.admin.lock_why),
        AdminAction::Unlock => (|t: &Texts| t.admin.unlock, |t: &Texts| t.admin.unlock_why),
        AdminAction::SignOut => (|t: &Texts| t.admin.sign_out, |t: &Texts| t.admin.sign_out_why),
        AdminAction::Delete => (|t: &Texts| t.admin.delete, |t: &Texts| t.admin.delete_why),
    }
}

/// The action buttons, and the one dialog that asks for the reason of the one chosen.
#[component]
fn Actions(id: String, locked: bool, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let navigate = use_navigate();
    let dialog = NodeRef::<html::Dialog>::new();
    let chosen = RwSignal::new(AdminAction::SignOut);
    let reason = RwSignal::new(String::new());
    let submission = Submission::new();
    let done = submission.done;
    let open = move |action: AdminAction| {
        chosen.set(action);
        reason.set(String::new());
        submission.error.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let id = StoredValue::new(id);
    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        let action = chosen.get_untracked();
        let text = reason.get_untracked();
        if matches!(action, AdminAction::Lock | AdminAction::Delete) && text.trim().is_empty() {
            submission.error.set(Some(Words::pick(|t| t.admin.reason_needed)));
            return;
        }
        let navigate = navigate.clone();
        submission.pending.set(true);
        submission.error.set(None);
        spawn_local(async move {
            match api::admin_act(action, &id.get_value(), &text).await {
                Ok(()) => {
                    close();
                    if action == AdminAction::Delete {
                        navigate("/admin", NavigateOptions::default());
                    } else {
                        done.try_set(Some(Words::pick(|t| t.admin.done)));
                        reload();
                    }
                }
                Err(e) => {
                    let (what, _) = words(action);
                    submission.error.try_set(Some(Words::refused_or_failed(e, what, |t| t.admin.failed)));
                }
            }
            submission.pending.try_set(false);
        });
    };
    let needs_reason = move || matches!(chosen.get(), AdminAction::Lock | AdminAction::Delete);
    let lock_or_unlock = if locked { AdminAction::Unlock } else { AdminAction::Lock };
    let t = use_texts();

    view! {
        <section class="card" aria-labelledby="actions-title">
            <h2 id="actions-title">{tr(|t| t.admin.actions)}</h2>
            <div class="actions actions--wrap">
                <button type="button" class="button" on:click=move |_| open(lock_or_unlock)>
                    {move || (words(lock_or_unlock).0)(t())}
                </button>
                <button type="button" class="button" on:click=move |_| open(AdminAction::SignOut)>
                    {tr(|t| t.admin.sign_out)}
                </button>
                <button type="button" class="button button--danger" on:click=move |_| open(AdminAction::Delete)>
                    {tr(|t| t.admin.delete)}
                </button>
            </div>
            <p class="done" role="status">{move || done.get().map(|words| words.say(t()))}</p>
        </section>
        <dialog node_ref=dialog class="dialog" aria-labelledby="action-title" aria-describedby="action-why">
            <form on:submit=confirm novalidate>
                <h2 id="action-title">{move || (words(chosen.get()).0)(t())}</h2>
                <p id="action-why" class="muted">{move || (words(chosen.get()).1)(t())}</p>
                <div class="field">
                    <label for="action-reason">{tr(|t| t.admin.reason)}</label>
                    <textarea id="action-reason" rows="3" maxlength="500" required=needs_reason
                        aria-describedby="action-reason-hint"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <p id="action-reason-hint" class="hint">{move || {
                        if chosen.get() == AdminAction::Delete { t().admin.reason_hint_deleted } else { t().admin.reason_hint }
                    }}</p>
                </div>
                <ErrorAlert message=submission.error/>
                <div class="actions">
                    // Red for what takes something away (a lock, a deletion).
                    <Show
                        when=needs_reason
                        fallback=move || view! {
                            <BusyButton label=|t| t.admin.confirm pending=submission.pending kind="submit" class="button button--primary"/>
                        }
                    >
                        <BusyButton label=|t| t.admin.confirm pending=submission.pending kind="submit" class="button button--danger"/>
                    </Show>
                    <button type="button" class="button" on:click=move |_| close()>{tr(|t| t.common.cancel)}</button>
                </div>
            </form>
        </dialog>
    }
}

/// The account's roles, as names separated by spaces, and **Save roles**.
#[component]
fn RolesEditor(id: String, roles: Vec<String>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(roles.join(" "));
    let submission = Submission::new();
    let id = StoredValue::new(id);
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let roles: Vec<String> = text.get_untracked().split_whitespace().map(str::to_string).collect();
        submission.run(async move {
            match api::admin_set_roles(&id.get_value(), roles).await {
                Ok(_) => {
                    reload();
                    Ok(Words::pick(|t| t.admin.roles_saved))
                }
                Err(e) => Err(Words::refused_or_failed(e, |t| t.admin.save_roles, |t| t.admin.failed)),
            }
        });
    };
    let t = use_texts();
    view! {
        <section class="card" aria-labelledby="roles-title">
            <h2 id="roles-title">{tr(|t| t.admin.roles)}</h2>
            <form class="form" on:submit=save novalidate>
                <div class="field">
                    <label for="roles">{tr(|t| t.admin.role_names)}</label>
                    <input id="roles" type="text" autocomplete="off" spellcheck="false" aria-describedby="roles-hint"
                        placeholder=move || t().admin.no_roles
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                    <p id="roles-hint" class="hint">{tr(|t| t.admin.roles_hint)}</p>
                </div>
                <ErrorAlert message=submission.error/>
                <p class="done" role="status">{move || submission.done.get().map(|words| words.say(t()))}</p>
                <div class="actions">
                    <BusyButton label=|t| t.admin.save_roles pending=submission.pending kind="submit" class="button button--primary"/>
                </div>
            </form>
        </section>
    }
}
