//! What the sign-in and sign-up pages share: taking the answer and going on to where
//! the person wanted to go.

use crate::{
    client::{
        fetch,
        session::{use_session, Status, Trigger},
        tabs,
    },
    shared::{
        error::AppError,
        next::{encode_component, safe_next},
        wire::TokenResponse,
    },
};
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

/// What the sign-in and sign-up pages do with their form's answer: take the token,
/// tell the other tabs, and once signed in (also when already signed in on arrival)
/// go on to the page the person wanted (`?next=`), or `/`.
pub fn continue_when_signed_in(answer: impl Fn() -> Option<Result<TokenResponse, AppError>> + Send + Sync + 'static) {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    take_sign_in(answer);
    Effect::new(move |_| {
        if matches!(session.status.get(), Status::SignedIn(_)) {
            let next = safe_next(query.with_untracked(|q| q.get("next")));
            navigate(&next, NavigateOptions { replace: true, ..Default::default() });
        }
    });
}

/// Takes a form's token answer into the session and tells the other tabs.
pub fn take_sign_in(answer: impl Fn() -> Option<Result<TokenResponse, AppError>> + Send + Sync + 'static) {
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Ok(response)) = answer() {
            session.accept(response, Trigger::SignIn, fetch::now());
            tabs::announce_signed_in();
        }
    });
}

/// A link to `path` that keeps this page's `next`, so switching between sign-in and
/// sign-up does not lose the way back.
pub fn keeping_next(path: &'static str) -> impl Fn() -> String + Send + Sync + 'static {
    let query = use_query_map();
    move || match query.with(|q| q.get("next")) {
        Some(next) => format!("{path}?next={}", encode_component(&safe_next(Some(next)))),
        None => path.to_string(),
    }
}
