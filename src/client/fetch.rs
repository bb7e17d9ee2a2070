//! Every authenticated call goes through [`authed`], an HTTP interceptor: it sends the
//! in-memory access token as `Authorization: Bearer`; on a 401 it refreshes once and
//! retries the request once. `client::api` is built on it.
//!
//! Refreshing is single-flight: however many calls fail at once, one `refresh` request
//! goes out and they all wait on that one shared future. Across tabs, refreshes take
//! turns (`lock::one_at_a_time`): each tab rotates with the cookie the last one left,
//! so two tabs never spend the same token and no late answer can put back a spent
//! one. The refresh call itself never goes through [`authed`] or waits on anything but
//! the network and the other tabs' refreshes, so it cannot deadlock behind the
//! requests waiting for it (axios#5895).
//!
//! A refresh that fails on the way (network, 5xx, 429) is retried at once, within a
//! second and then with backoff inside the server's grace window (docs/API.md,
//! "refresh"), and never signs anyone out: a lost answer's retry gets the same new
//! token back. Only the server saying the session is over does.

use super::{
    lock,
    session::{use_session_handle, AccessToken, Connection, Session, SignedOutBecause, Trigger},
};
use crate::shared::{error::AppError, wire::TokenResponse};
use futures::{
    future::{FutureExt, LocalBoxFuture, Shared},
    Future,
};
pub use gloo_net::http::Method;
use gloo_net::http::{RequestBuilder, Response};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::Set;
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};

type InFlight = Shared<LocalBoxFuture<'static, Result<AccessToken, AppError>>>;

thread_local! {
    /// The refresh under way, shared by everyone who needs it.
    static IN_FLIGHT: RefCell<Option<InFlight>> = const { RefCell::new(None) };
    /// When the server last accepted this tab's access token (ms): the session held then.
    static LAST_ACCEPTED: Cell<f64> = const { Cell::new(0.0) };
}

/// When the server last accepted this tab's access token (ms since the epoch).
pub fn last_accepted() -> f64 {
    LAST_ACCEPTED.with(Cell::get)
}

/// Whether a refresh is under way in this tab.
pub fn refreshing() -> bool {
    IN_FLIGHT.with(|slot| slot.borrow().is_some())
}

/// Refreshes the session, or joins the refresh already under way.
pub async fn refresh(trigger: Trigger) -> Result<AccessToken, AppError> {
    let shared = IN_FLIGHT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(in_flight) = slot.as_ref() {
            return in_flight.clone();
        }
        let future: LocalBoxFuture<'static, _> = Box::pin(run_refresh(trigger));
        let shared = future.shared();
        *slot = Some(shared.clone());
        shared
    });
    shared.await
}

/// Waits before each retry of a refresh that failed on the way: the first within a
/// second, the last ending 3.4 s after the first try, inside the server's default
/// 5-second grace window.
const RETRY_DELAYS_MS: [u32; 3] = [400, 1_000, 2_000];
/// A `Retry-After` up to this is waited out inside the flight; a longer one is left
/// to the renewal schedule.
const LONGEST_WAIT_IN_FLIGHT_S: u64 = 3;
/// "Reconnecting…" shows once a refresh has been failing this long.
const SHOW_RECONNECTING_AFTER_MS: f64 = 1_000.0;

/// The name of the cross-tab lock refreshes take turns on.
const REFRESH_LOCK: &str = "baton-refresh";

async fn run_refresh(trigger: Trigger) -> Result<AccessToken, AppError> {
    let session = use_session_handle();
    let epoch = session.epoch();
    let result = lock::one_at_a_time(REFRESH_LOCK, refresh_with_retries(session)).await;
    // The flight is over for whoever comes next, success or not.
    IN_FLIGHT.with(|slot| *slot.borrow_mut() = None);
    if session.epoch() != epoch {
        // Signed out (here or in another tab) while it was under way: whatever the
        // answer, it must not sign this tab back in.
        return Err(AppError::InvalidRefreshToken);
    }
    match result {
        Ok(response) => {
            session.accept(response, trigger, now());
            session.access_token().ok_or(AppError::Internal)
        }
        Err(error) => {
            if error.ends_session() {
                session.sign_out_locally(SignedOutBecause::from_error(&error));
            }
            Err(error)
        }
    }
}

/// Whether a failed refresh says nothing about the session: worth retrying.
pub fn is_transient(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Network | AppError::Internal | AppError::Unavailable { .. } | AppError::RateLimited { .. }
    )
}

/// One refresh, retried while it fails on the way.
async fn refresh_with_retries(session: Session) -> Result<TokenResponse, AppError> {
    let started = now();
    let mut delays = RETRY_DELAYS_MS.iter();
    loop {
        let error = match crate::api::auth::refresh().await {
            Ok(response) => {
                session.connection.set(Connection::Online);
                return Ok(response);
            }
            Err(error) if is_transient(&error) => error,
            Err(error) => return Err(error),
        };
        let wait_ms = match (&error, delays.next()) {
            (AppError::RateLimited { retry_after }, Some(_)) if *retry_after <= LONGEST_WAIT_IN_FLIGHT_S => {
                *retry_after as u32 * 1000
            }
            (_, None) | (AppError::RateLimited { .. }, Some(_)) => {
                session.connection.set(Connection::Reconnecting);
                return Err(error);
            }
            (_, Some(delay)) => *delay,
        };
        if now() + f64::from(wait_ms) - started >= SHOW_RECONNECTING_AFTER_MS {
            session.connection.set(Connection::Reconnecting);
        }
        TimeoutFuture::new(wait_ms).await;
    }
}

/// Runs `call` with a valid access token; on `invalid_token`, refreshes once (shared
/// with every other caller) and runs it once more.
pub async fn authed<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let session = use_session_handle();
    let token = match session.access_token() {
        Some(token) if token.expires_at > now() => token.value,
        // No token yet (start-up still restoring) or one we know has expired: do not
        // send a request bound to fail.
        _ => refresh(Trigger::Expired).await?.value,
    };
    let result = match call(token.clone()).await {
        Err(AppError::InvalidToken) => {
            let fresh = fresh_token_after_rejection(&session, &token).await?;
            call(fresh).await
        }
        other => other,
    };
    // Any answer but a 401 says the session held (a 403 or 404 is about the action).
    if !matches!(result, Err(AppError::InvalidToken) | Err(AppError::Network)) {
        LAST_ACCEPTED.with(|at| at.set(now()));
    }
    match result {
        // A sensitive action and a sign-in too long ago: the password again (the
        // prompt renews the token in memory), then the action once more.
        Err(AppError::ReauthRequired) => {
            super::reauth::confirm().await?;
            let renewed = session.access_token().map(|t| t.value).ok_or(AppError::InvalidToken)?;
            call(renewed).await
        }
        other => other,
    }
}

/// A token other than `rejected`: the current one if someone already refreshed in the
/// meantime, else the result of a refresh.
async fn fresh_token_after_rejection(session: &Session, rejected: &str) -> Result<String, AppError> {
    match session.access_token() {
        Some(current) if current.value != rejected => Ok(current.value),
        _ => Ok(refresh(Trigger::Rejected).await?.value),
    }
}

/// `GET` a protected JSON resource.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, AppError> {
    authed(|token| async move { json(send(Method::GET, path, &token).await?).await }).await
}

/// `POST` to a protected endpoint that takes no fields and answers JSON.
pub async fn post<T: DeserializeOwned>(path: &str) -> Result<T, AppError> {
    authed(|token| async move { json(send(Method::POST, path, &token).await?).await }).await
}

/// `DELETE` a protected resource.
pub async fn delete(path: &str) -> Result<(), AppError> {
    authed(|token| async move { send(Method::DELETE, path, &token).await.map(|_| ()) }).await
}

/// `POST` named fields (a form) to a protected endpoint; its answer, to read as the
/// caller needs (`json`, or nothing for a 204).
pub async fn post_fields(path: &str, fields: &[(&str, &str)]) -> Result<Response, AppError> {
    fields_with(Method::POST, path, fields).await
}

/// [`post_fields`] with another method (`DELETE` with a reason).
pub async fn fields_with(method: Method, path: &str, fields: &[(&str, &str)]) -> Result<Response, AppError> {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    authed(|token| {
        let (method, body) = (method.clone(), Body::Form(body.clone()));
        async move { send_body(method, path, Some(&token), Some(body)).await }
    })
    .await
}

/// `POST` a JSON body to a protected endpoint; its answer, to read as the caller needs.
pub async fn post_json(path: &str, body: &impl serde::Serialize) -> Result<Response, AppError> {
    json_with(Method::POST, path, body).await
}

/// [`post_json`] with another method (`PUT`).
pub async fn json_with(method: Method, path: &str, body: &impl serde::Serialize) -> Result<Response, AppError> {
    let body = serde_json::to_string(body).map_err(|_| AppError::Network)?;
    authed(|token| {
        let (method, body) = (method.clone(), Body::Json(body.clone()));
        async move { send_body(method, path, Some(&token), Some(body)).await }
    })
    .await
}

/// `POST` a JSON body to a public endpoint (no Bearer: signing in with a passkey); its
/// answer, to read as the caller needs.
pub async fn post_json_public(path: &str, body: &impl serde::Serialize) -> Result<Response, AppError> {
    let body = serde_json::to_string(body).map_err(|_| AppError::Network)?;
    send_body(Method::POST, path, None, Some(Body::Json(body))).await
}

/// [`post_json_public`], keeping the string `field` of a refusal's body beside its
/// error (a passkey sign-in's `unknown_credential`).
pub async fn post_json_public_keeping(
    path: &str,
    body: &impl serde::Serialize,
    field: &str,
) -> Result<Response, (AppError, Option<String>)> {
    let body = serde_json::to_string(body).map_err(|_| (AppError::Network, None))?;
    let request = RequestBuilder::new(path)
        .method(Method::POST)
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|_| (AppError::Network, None))?;
    let response = request.send().await.map_err(|_| (AppError::Network, None))?;
    if response.ok() {
        return Ok(response);
    }
    let Ok(refusal) = response.json::<serde_json::Value>().await else { return Err((AppError::Network, None)) };
    let kept = refusal.get(field).and_then(serde_json::Value::as_str).map(str::to_string);
    Err((serde_json::from_value(refusal).unwrap_or(AppError::Network), kept))
}

/// `GET` a protected resource as text (a download).
pub async fn get_text(path: &str) -> Result<String, AppError> {
    authed(|token| async move { send(Method::GET, path, &token).await?.text().await.map_err(|_| AppError::Network) })
        .await
}

/// One request with the Bearer token; a non-2xx answer becomes its error.
async fn send(method: Method, path: &str, token: &str) -> Result<Response, AppError> {
    send_body(method, path, Some(token), None).await
}

/// A request body.
enum Body {
    Form(String),
    Json(String),
}

/// [`send`] with a body, and with or without the Bearer token.
async fn send_body(method: Method, path: &str, token: Option<&str>, body: Option<Body>) -> Result<Response, AppError> {
    let mut request = RequestBuilder::new(path).method(method);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let (content_type, body) = match body {
        Some(Body::Form(body)) => ("application/x-www-form-urlencoded", body),
        Some(Body::Json(body)) => ("application/json", body),
        None => ("", String::new()),
    };
    let request = if content_type.is_empty() {
        request.build().map_err(|_| AppError::Network)?
    } else {
        request.header("Content-Type", content_type).body(body).map_err(|_| AppError::Network)?
    };
    checked(request.send().await.map_err(|_| AppError::Network)?).await
}

/// The response when it succeeded (2xx), else the error its body says.
pub async fn checked(response: Response) -> Result<Response, AppError> {
    if response.ok() {
        Ok(response)
    } else {
        Err(error_of(response).await)
    }
}

/// A JSON answer's body.
pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, AppError> {
    response.json::<T>().await.map_err(|_| AppError::Network)
}

/// The contract's error body, or `network_error` when the answer is not one.
async fn error_of(response: Response) -> AppError {
    match response.json::<AppError>().await {
        Ok(error) => error,
        Err(_) if response.status() == 401 => AppError::InvalidToken,
        Err(_) => AppError::Network,
    }
}

/// Milliseconds since the epoch, by the local clock.
pub fn now() -> f64 {
    js_sys::Date::now()
}
