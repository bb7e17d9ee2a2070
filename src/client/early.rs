//! A sign-in form sent before the bundle has taken over the page. Sent as a plain HTML
//! form, the browser would leave the page for the answer and start the bundle's
//! download over, which on a slow phone network costs seconds (docs/PERFORMANCE.md).
//! So the shell's inline script ([`SCRIPT`], in `crate::app::shell`) sends a form
//! marked `data-early` with `fetch`, as the hydrated form does, and keeps the answer's
//! promise in `window.__batonEarly`; the page, once hydrated, takes the answer as its
//! own form's ([`take`]). Without scripts the form stays a plain HTML form.

use crate::shared::error::AppError;
use leptos::{prelude::*, task::spawn_local};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the script leaves the answer's promise.
const PROMISE: &str = "__batonEarly";

/// The inline script: before hydration (the app marks `<body data-hydrated>`), a
/// submitted `form[data-early]` is sent by `fetch` with the hydrated form's `Accept`,
/// and the promise of `{status, body}` kept for [`take`]. One at a time: a second
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
headers:{Accept:'application/json'}}).then(function(r){return r.text().then(function(b){return{status:r.status,body:b}})})\
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
            let answer = JsFuture::from(promise).await;
            then(answer.map_err(|_| AppError::Network).and_then(|answer| decode(&answer)));
        });
    });
}

/// `{status, body}`: the answer (2xx) or the contract's error body.
fn decode<T: DeserializeOwned>(answer: &JsValue) -> Result<T, AppError> {
    let field = |name: &str| js_sys::Reflect::get(answer, &name.into()).ok();
    let status = field("status").and_then(|s| s.as_f64()).unwrap_or(0.0);
    let body = field("body").and_then(|b| b.as_string()).unwrap_or_default();
    if (200.0..300.0).contains(&status) {
        serde_json::from_str(&body).map_err(|_| AppError::Network)
    } else {
        Err(serde_json::from_str(&body).unwrap_or(AppError::Network))
    }
}
