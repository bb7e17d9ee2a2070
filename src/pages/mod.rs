//! One module per page, and the pieces they share: the signed-out card layout, the
//! signed-in frame, the guard that keeps signed-out visitors off protected pages.

pub mod dashboard;
pub mod login;
pub mod register;
pub mod sessions;

use crate::{
    auth::TokenResponse,
    client::{
        encode_component, fetch, safe_next,
        session::{use_session, SignedOutBecause, Status, Trigger},
        tabs,
    },
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate, use_query_map},
    NavigateOptions,
};

/// A small spinner for buttons and pending states; hidden from screen readers, whose
/// users get the button's `aria-busy` instead.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}

/// What the sign-in and sign-up pages do with their form's answer: take the token,
/// tell the other tabs, and once signed in (also when already signed in on arrival)
/// go on to the page the person wanted (`?next=`), or `/`.
pub fn continue_when_signed_in(answer: impl Fn() -> Option<Result<TokenResponse, AppError>> + Send + Sync + 'static) {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(response)) = answer() {
            session.accept(response, Trigger::SignIn, fetch::now());
            tabs::announce_signed_in();
        }
    });
    Effect::new(move |_| {
        if matches!(session.status.get(), Status::SignedIn(_)) {
            let next = safe_next(query.with_untracked(|q| q.get("next")));
            navigate(&next, NavigateOptions { replace: true, ..Default::default() });
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

/// The Email field of the sign-in and sign-up forms.
#[component]
pub fn EmailField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required/>
        </div>
    }
}

/// A form's submit button: disabled, busy and spinning while the request is out.
#[component]
pub fn SubmitButton(label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="button button--primary" disabled=pending aria-busy=move || pending.get().to_string()>
            <Show when=move || pending.get()><Spinner/></Show>
            {label}
        </button>
    }
}

/// The frame of the sign-in and sign-up pages.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth-layout">
            <a class="brand brand--large" href="/">
                <span class="brand__mark" aria-hidden="true"></span>
                "Baton"
            </a>
            <section class="card auth-card">
                <h1>{title}</h1>
                {children()}
            </section>
            <p class="footnote">"Short-lived access tokens in memory, rotating refresh tokens in an HttpOnly cookie."</p>
        </div>
    }
}

/// Shows `children` only when signed in. While the session is being restored it shows
/// a neutral state (never the sign-in page); signed out, it goes to `/login`, with the
/// way back unless the person signed out on purpose.
#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move |_| {
        if let Status::SignedOut(because) = session.status.get() {
            let target = match because {
                Some(SignedOutBecause::TheyAskedTo) => "/login".to_string(),
                _ => {
                    let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                    format!("/login?next={}", encode_component(&here))
                }
            };
            navigate(&target, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    move || match session.status.get() {
        Status::SignedIn(_) => Either::Left(children()),
        Status::Restoring => Either::Right(view! {
            <div class="restoring" role="status">
                <Spinner/>
                "Restoring your session…"
            </div>
        }),
        Status::SignedOut(_) => Either::Right(view! {
            <div class="restoring" role="status">
                <Spinner/>
                "Taking you to sign in…"
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
            <nav aria-label="Main">
                <A href="/" exact=true>"Dashboard"</A>
                <A href="/sessions">"Sessions"</A>
            </nav>
            <span class="topbar__user" title="Signed in as">{email}</span>
        </header>
        <div class="page">{children()}</div>
    }
}

/// An error next to a form, announced by screen readers (`role="alert"`).
#[component]
pub fn ErrorAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|text| view! { <p class="alert" role="alert">{text}</p> })
}

/// "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago".
pub fn relative_time(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).max(0.0).floor() as i64;
    match seconds {
        0..=4 => "just now".to_string(),
        5..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        86_400..=172_799 => "yesterday".to_string(),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// Milliseconds of an RFC 3339 instant, parsed by the browser.
pub fn parse_instant(rfc3339: &str) -> f64 {
    js_sys::Date::parse(rfc3339)
}

/// `HH:MM:SS` of a local instant.
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}:{:02}", date.get_hours(), date.get_minutes(), date.get_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative_time(0.0, 2_000.0), "just now");
        assert_eq!(relative_time(0.0, 42_000.0), "42 s ago");
        assert_eq!(relative_time(0.0, 125_000.0), "2 min ago");
        assert_eq!(relative_time(0.0, 7_300_000.0), "2 h ago");
        assert_eq!(relative_time(0.0, 90_000_000.0), "yesterday");
        assert_eq!(relative_time(0.0, 400_000_000.0), "4 days ago");
    }
}
