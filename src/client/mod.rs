//! The browser side of the session: the access token in a memory signal
//! ([`session`]), the one helper every authenticated call goes through ([`fetch`]),
//! and cross-tab coordination ([`tabs`]). Compiled into both builds; it runs only in
//! the browser, started by [`start`] once the page has hydrated.

pub mod fetch;
pub mod session;
pub mod tabs;

use crate::error::AppError;
use leptos::{
    prelude::*,
    server_fn::{
        client::{browser::BrowserClient, Client},
        request::browser::BrowserRequest,
        response::browser::BrowserResponse,
    },
    task::spawn_local,
};
use session::{Session, SignedOutBecause, Status, Trigger};
use std::{cell::Cell, future::Future, time::Duration};

/// The server-function client of protected server functions: the browser's `fetch`,
/// with `Authorization: Bearer` added from the in-memory access token. Callers go
/// through [`fetch::server_fn`], which refreshes and retries on a 401.
pub struct BearerClient;

impl Client<AppError> for BearerClient {
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, AppError>> + Send {
        if let Some(token) = session::current_access_token() {
            req.headers().set("Authorization", &format!("Bearer {token}"));
        }
        <BrowserClient as Client<AppError>>::send(req)
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<bytes::Bytes, bytes::Bytes>> + Send + 'static,
                impl futures::Sink<bytes::Bytes> + Send + 'static,
            ),
            AppError,
        >,
    > + Send {
        <BrowserClient as Client<AppError>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<AppError>>::spawn(future)
    }
}

thread_local! {
    /// After a failed scheduled renewal, not before this instant (ms): a server that
    /// is down is not asked every second.
    static NEXT_RENEWAL_TRY: Cell<f64> = const { Cell::new(0.0) };
}

/// Starts the browser side once the app has hydrated: restores the session from the
/// refresh cookie (one call), keeps the access token renewed while the page is open,
/// and follows the other tabs.
pub fn start(session: Session) {
    Effect::new(move |_| {
        session::install(session);
        session.now.set(fetch::now());
        tabs::listen(session);

        // Restore the session: one refresh. Until it answers, protected pages show
        // "restoring", never a flash of the sign-in page.
        spawn_local(async move {
            if let Err(error) = fetch::refresh(Trigger::StartUp).await {
                if !error.ends_session() {
                    session.status.set(Status::SignedOut(Some(SignedOutBecause::Unreachable)));
                }
            }
        });

        // A clock for countdowns, and the safety net of renewal: a timer lost to a
        // sleeping laptop or a throttled background tab is caught on the next tick
        // (and a request that meets an expired token recovers through its 401).
        let _ = set_interval_with_handle(
            move || {
                session.now.set(fetch::now());
                renew_if_due(session);
            },
            Duration::from_secs(1),
        );
    });

    // Renew shortly before the access token expires, precisely on time.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let token = session.token();
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        if let Some(token) = token {
            let delay = (token.renew_at - fetch::now()).max(0.0);
            let handle =
                set_timeout_with_handle(move || renew_if_due(session), Duration::from_millis(delay as u64)).ok();
            timer.set_value(handle);
        }
    });
}

fn renew_if_due(session: Session) {
    let now = fetch::now();
    let due = matches!(session.status.get_untracked(), Status::SignedIn(_))
        && session.access_token().is_some_and(|t| t.renew_at <= now)
        && NEXT_RENEWAL_TRY.with(Cell::get) <= now;
    if due {
        spawn_local(async move {
            if fetch::refresh(Trigger::Scheduled).await.is_err() {
                NEXT_RENEWAL_TRY.with(|t| t.set(fetch::now() + 5_000.0));
            }
        });
    }
}

/// A local path to go back to after signing in, or `/`. Only same-site paths: a
/// `next` of `//evil.example` or `https://…` would be an open redirect.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/login") =>
        {
            path
        }
        _ => "/".to_string(),
    }
}

/// Percent-encodes a URL component (RFC 3986 unreserved characters stay).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/sessions".into())), "/sessions");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("/sessions?x=1&y"), "%2Fsessions%3Fx%3D1%26y");
    }
}
