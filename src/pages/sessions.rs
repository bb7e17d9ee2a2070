//! `/sessions`: every signed-in device, **Revoke** on the others, **Sign out
//! everywhere**.

use super::{parse_instant, relative_time, ErrorAlert, RequireAuth, SignedInFrame, Spinner};
use crate::{
    api::SessionInfo,
    auth::logout_all,
    client::{
        fetch,
        session::{use_session, SignedOutBecause},
        tabs,
    },
    error::AppError,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;

#[component]
pub fn SessionsPage() -> impl IntoView {
    view! {
        <Title text="Sessions · Baton"/>
        <RequireAuth>
            <SignedInFrame>
                <Sessions/>
            </SignedInFrame>
        </RequireAuth>
    }
}

#[component]
fn Sessions() -> impl IntoView {
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
            match fetch::server_fn(logout_all).await {
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

/// Browsers by a mark in their user agent, most specific first (Edge and Opera also
/// say Chrome; Chrome also says Safari).
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("HeadlessChrome", "Headless Chrome"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
];

/// Systems likewise (iPhones also say Mac OS X; Android also says Linux).
const SYSTEMS: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
];

/// "Chrome on Linux" from a user agent: enough to recognise one's own devices.
pub fn describe_device(user_agent: &str) -> String {
    let first_mark = |table: &[(&str, &'static str)]| {
        table.iter().find(|(mark, _)| user_agent.contains(mark)).map(|(_, name)| *name)
    };
    match (first_mark(BROWSERS), first_mark(SYSTEMS)) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("Browser on {s}"),
        (None, None) if user_agent.is_empty() => "Unknown device".to_string(),
        (None, None) => user_agent.split('/').next().unwrap_or("Unknown device").chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        assert_eq!(
            describe_device(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            ),
            "Chrome on Linux"
        );
        assert_eq!(
            describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(
            describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Windows"
        );
        assert_eq!(describe_device("curl/8.5.0"), "curl");
        assert_eq!(describe_device(""), "Unknown device");
    }
}
