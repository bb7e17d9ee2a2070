//! Refreshes take turns across tabs ([`one_at_a_time`], the Web Locks API).
//!
//! Taking turns matters because the refresh cookie is shared by every tab. Two tabs
//! rotating at once both succeed through the server's grace window, but the answers
//! can arrive out of order: a grace answer (the token that was current when it was
//! computed) arriving after the other tab's newer rotation would put a spent token
//! back into the cookie jar, to be taken for reuse at the next refresh. A lock held by
//! a frozen tab must not stall the others (supabase-js#2235), so waiting for it is
//! bounded: past that, a tab refreshes anyway and the grace window covers it.

use futures::{
    channel::oneshot,
    future::{select, Either},
    pin_mut, Future,
};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::AbortController;

/// How long a tab waits for another tab's refresh before going ahead on its own.
const LOCK_WAIT_MS: u32 = 6_000;

/// Runs `work` while holding the origin-wide Web Lock `name`, so tabs take turns;
/// without the Web Locks API (or after waiting `LOCK_WAIT_MS`), runs it anyway.
pub async fn one_at_a_time<T>(name: &str, work: impl Future<Output = T>) -> T {
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined() && !locks.is_null());
    let request = locks.as_ref().and_then(|locks| {
        js_sys::Reflect::get(locks, &JsValue::from_str("request")).ok()?.dyn_into::<js_sys::Function>().ok()
    });
    let (Some(locks), Some(request), Ok(controller)) = (locks, request, AbortController::new()) else {
        return work.await;
    };

    // The lock is held until the promise the callback returns settles: the callback
    // hands its `resolve` over to us, and we call it when `work` is done.
    let (granted, on_grant) = oneshot::channel::<js_sys::Function>();
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        let mut granted = Some(granted);
        js_sys::Promise::new(&mut |resolve, _reject| {
            // Nobody waits any more (we gave up): let the lock go at once.
            match granted.take().map(|granted| granted.send(resolve)) {
                Some(Ok(())) => {}
                Some(Err(resolve)) => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                None => {}
            }
        })
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &JsValue::from_str("signal"), &controller.signal());
    let _ = request.call3(&locks, &JsValue::from_str(name), &options, &callback);

    let timeout = TimeoutFuture::new(LOCK_WAIT_MS);
    pin_mut!(timeout);
    match select(on_grant, timeout).await {
        Either::Left((Ok(release), _)) => {
            let output = work.await;
            let _ = release.call0(&JsValue::NULL);
            output
        }
        // Refused, or not granted in time: stop asking, and go ahead.
        Either::Left((Err(_), _)) | Either::Right(_) => {
            controller.abort();
            work.await
        }
    }
}
