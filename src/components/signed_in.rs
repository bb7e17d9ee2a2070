//! The frame of the signed-in pages: the guard that keeps signed-out visitors off
//! them, the top bar with the navigation, "reconnecting…", and the re-authentication
//! prompt every signed-in page can need.

use super::{
    frame::{LanguageSwitch, PageTitle, Spinner},
    reauth_dialog::ReauthDialog,
};
use crate::client::{
    language::{tr, use_texts},
    session::{use_session, Connection, SignedOutBecause, Status},
};
use crate::shared::{next::encode_component, roles::ADMIN};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// Shows `children` only when signed in. While the session is being restored it shows
/// a neutral state (never the sign-in page); signed out, it goes to `/login`, with the
/// way back unless the person signed out on purpose.
#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let t = use_texts();
    Effect::new(move |_| {
        if let Status::SignedOut(because) = session.status.get() {
            let target = match because {
                Some(
                    SignedOutBecause::TheyAskedTo | SignedOutBecause::AccountDeleted | SignedOutBecause::AccountLocked,
                ) => "/login".to_string(),
                _ => {
                    let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                    format!("/login?next={}", encode_component(&here))
                }
            };
            navigate(&target, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    move || match session.status.get() {
        Status::SignedIn(_) => EitherOf3::A(children()),
        Status::Restoring => EitherOf3::B(view! {
            <div class="restoring" role="status">
                <Spinner/>
                {tr(|t| t.frame.restoring)}
                {move || {
                    (session.connection.get() == Connection::Reconnecting).then(|| format!(" {}", t().frame.reconnecting))
                }}
            </div>
        }),
        Status::SignedOut(_) => EitherOf3::C(view! {
            <div class="restoring" role="status">
                <Spinner/>
                {tr(|t| t.frame.to_sign_in)}
            </div>
        }),
    }
}

/// The frame of the signed-in pages: the top bar with navigation.
#[component]
pub fn SignedInFrame(children: Children) -> impl IntoView {
    let session = use_session();
    let email = move || session.user().map(|u| u.email).unwrap_or_default();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand__mark" aria-hidden="true"></span>
                "Baton"
            </A>
            <nav aria-label=tr(|t| t.frame.nav)>
                <A href="/" exact=true>{tr(|t| t.frame.dashboard)}</A>
                <A href="/sessions">{tr(|t| t.frame.sessions)}</A>
                <A href="/account">{tr(|t| t.frame.account)}</A>
                <A href="/activity">{tr(|t| t.frame.activity)}</A>
                <Show when=move || session.user().is_some_and(|u| u.has_role(ADMIN))>
                    <A href="/admin">{tr(|t| t.frame.admin)}</A>
                </Show>
            </nav>
            <span class="topbar__user" title=tr(|t| t.frame.signed_in_as)>{email}</span>
            <LanguageSwitch/>
        </header>
        <ConnectionStatus/>
        <div class="page">{children()}</div>
        <ReauthDialog/>
    }
}

/// Shows `children` only to an account with `role` (inside [`RequireAuth`]); anyone
/// else sees "You don't have access to this page" where the page would be: no
/// redirect (so no loop) and no flash of the page, since the role is known before it
/// renders. Manners only: the server refuses the page's requests all the same.
#[component]
pub fn RequireRole(role: &'static str, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    move || {
        if session.user().is_some_and(|u| u.has_role(role)) {
            Either::Left(children())
        } else {
            Either::Right(view! {
                <PageTitle title=|t| t.admin.no_access_title/>
                <section class="card" data-testid="no-access">
                    <h1>{tr(|t| t.admin.no_access_title)}</h1>
                    <p>{tr(|t| t.admin.no_access)}</p>
                    <p><A href="/">{tr(|t| t.admin.back_home)}</A></p>
                </section>
            })
        }
    }
}

/// "Reconnecting…" while the server cannot be reached, in a live region, so that it is
/// announced and not only shown; empty (and announced as nothing) otherwise.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let session = use_session();
    let reconnecting = move || session.connection.get() == Connection::Reconnecting;
    let t = use_texts();
    view! {
        <p class="connection" class:connection--lost=reconnecting role="status" data-testid="connection">
            {move || reconnecting().then(|| t().frame.still_signed_in)}
        </p>
    }
}
