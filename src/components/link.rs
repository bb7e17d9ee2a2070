//! The pages a mailed link opens and follows (`/verify`, `/not-me`): the page's script
//! follows the link once the page has loaded, so a mail scanner that only fetches the
//! URL changes nothing; while it works the page says so, and a failure says whether the
//! link is dead (with the way on) or something else went wrong (with Try again).

use super::frame::Spinner;
use crate::{
    client::language::{tr, use_texts},
    shared::{
        error::AppError,
        i18n::{Pick, Say1, Texts},
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_query_map};
use std::future::Future;

/// What following the link came to.
#[derive(Clone, PartialEq)]
pub enum Followed<T> {
    Working,
    Done(T),
    Failed(AppError),
}

/// Follows the page's `?token=` with `follow` once the page has loaded; the state, and
/// a way to try again.
pub fn follow_link<T, Fut>(
    follow: impl Fn(String) -> Fut + Clone + 'static,
) -> (RwSignal<Followed<T>>, impl Fn() + Clone + 'static)
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let state = RwSignal::new(Followed::Working);
    let attempt = move || {
        let (token, follow) = (token.clone(), follow.clone());
        state.set(Followed::Working);
        spawn_local(async move {
            let outcome = match follow(token).await {
                Ok(done) => Followed::Done(done),
                Err(e) => Followed::Failed(e),
            };
            // `try_`: the person may have left the page meanwhile.
            state.try_set(outcome);
        });
    };
    let first = attempt.clone();
    Effect::new(move |_| first());
    (state, attempt)
}

/// "Checking…" while the link is followed.
#[component]
pub fn LinkWorking(says: Pick) -> impl IntoView {
    view! { <p class="muted" role="status"><Spinner/>" "{tr(says)}</p> }
}

/// Why the link did not work. A dead link: `dead`, then `next`, and a link to `on`
/// saying `on_label`. Anything else: `failed` with the error's words, and Try again.
#[component]
pub fn LinkFailed(
    error: AppError,
    dead: Pick,
    next: Pick,
    on: &'static str,
    on_label: Pick,
    failed: fn(&Texts) -> Say1,
    try_again: Pick,
    retry: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    if error == AppError::InvalidLink {
        return view! {
            <div role="alert">
                <p class="alert">{tr(dead)}</p>
                <p>{tr(next)}</p>
            </div>
            <p><A href=on>{tr(on_label)}</A></p>
        }
        .into_any();
    }
    view! {
        <p class="alert" role="alert">{move || failed(t())(&(t().error)(&error))}</p>
        <button class="button" on:click=move |_| retry()>{tr(try_again)}</button>
    }
    .into_any()
}
