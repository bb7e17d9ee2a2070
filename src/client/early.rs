//! A sign-in form sent before the bundle has taken over the page. Sent as a plain HTML
//! form, the browser would leave the page for the answer and start the bundle's
//! download over, which on a slow phone network costs seconds (docs/PERFORMANCE.md).
//! So the shell's inline script ([`SCRIPT`], in `crate::app::shell`) sends a form
//! marked `data-early` with `fetch`, as the hydrated form does, and keeps the answer's
//! promise in `window.__batonEarly`; the page, once hydrated, takes the answer as its
//! own form's ([`take`]). Without scripts the form stays a plain HTML form.

use super::fetch;
use crate::shared::error::AppError;
use leptos::{prelude::*, task::spawn_local};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the script leaves the answer's promise.
const PROMISE: &str = "__batonEarly";

/// The inline script: before hydration (the app marks `<body data-hydrated>`), a
/// submitted `form[data-early]` is sent by `fetch` with the hydrated form's `Accept`,
/// and the promise of its response kept for [`take`]. One at a time: a second
/// press before the answer is taken sends nothing. A form the hydrated app handles
/// (`defaultPrevented`) is left alone. (The body is the form's fields, url-encoded,
/// as the plain form and the hydrated one send them.) Where WebAssembly is off (Safari's
/// Lockdown Mode, some hardened browsers) the page never hydrates, so the form stays a
/// plain form post there.
pub const SCRIPT: &str = "typeof WebAssembly==='object'&&addEventListener('submit',function(e){\
var f=e.target;\
if(e.defaultPrevented||document.body.hasAttribute('data-hydrated')||!f.hasAttribute('data-early'))return;\
e.preventDefault();\
if(window.__batonEarly)return;\
window.__batonEarly=fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),\
headers:{Accept:'application/json'}})\
})";

/// Takes the answer of a form the script sent before hydration, if any, and gives it
/// to `then` once it has arrived (a failed request: `network_error`). Call it from
/// the page that owns the form; the answer is taken once.
pub fn take<T: DeserializeOwned + 'static>(then: impl FnOnce(Result<T, AppError>) + 'static) {
    // An effect: it runs in the browser only, once the page has hydrated.
    let mut then = Some(then);
    Effect::new(move |_| {
        let Some(then) = then.take() else { return };
        let window = window();
        let Ok(promise) = js_sys::Reflect::get(&window, &PROMISE.into()) else { return };
        let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else { return };
        let _ = js_sys::Reflect::delete_property(&window, &PROMISE.into());
        spawn_local(async move {
            then(answer(promise).await);
        });
    });
}

/// The response's answer, read as the fetch helper reads any other
/// ([`fetch::checked`], [`fetch::json`]).
async fn answer<T: DeserializeOwned>(promise: js_sys::Promise) -> Result<T, AppError> {
    let response = JsFuture::from(promise).await.map_err(|_| AppError::Network)?;
    let response = gloo_net::http::Response::from(response.unchecked_into::<web_sys::Response>());
    fetch::json(fetch::checked(response).await?).await
}
