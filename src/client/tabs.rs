//! Keeping tabs in step: a sign-in or sign-out in one tab is broadcast to the others
//! (`BroadcastChannel`), which follow at once. (Refreshes take turns across tabs too:
//! see `super::lock`.)

use super::{
    fetch,
    session::{Session, SignedOutBecause, Status, Trigger},
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

const CHANNEL: &str = "baton-session";
const SIGNED_IN: &str = "signed-in";
const SIGNED_OUT: &str = "signed-out";

thread_local! {
    static CHANNEL_HANDLE: Option<BroadcastChannel> = BroadcastChannel::new(CHANNEL).ok();
}

fn post(message: &str) {
    CHANNEL_HANDLE.with(|channel| {
        if let Some(channel) = channel {
            let _ = channel.post_message(&JsValue::from_str(message));
        }
    });
}

pub fn announce_signed_in() {
    post(SIGNED_IN);
}

pub fn announce_signed_out() {
    post(SIGNED_OUT);
}

/// Follows the other tabs' announcements.
pub fn listen(session: Session) {
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| match event.data().as_string().as_deref() {
            Some(SIGNED_OUT) if matches!(session.status.get_untracked(), Status::SignedIn(_)) => {
                session.sign_out_locally(SignedOutBecause::TheyAskedTo);
            }
            Some(SIGNED_IN) if !matches!(session.status.get_untracked(), Status::SignedIn(_)) => {
                spawn_local(async move {
                    let _ = fetch::refresh(Trigger::OtherTab).await;
                });
            }
            _ => {}
        });
    CHANNEL_HANDLE.with(|channel| {
        if let Some(channel) = channel {
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        }
    });
    // The listener lives as long as the page.
    on_message.forget();
}
