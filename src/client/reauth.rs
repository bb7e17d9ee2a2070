//! Re-authentication ("sudo mode"), browser side: the one place `reauth_required` is
//! answered, as `fetch::authed` answers a 401 with a refresh. [`confirm`] opens the
//! password prompt (`pages::reauth_dialog`, in every signed-in page's frame) and waits;
//! the prompt sends the password to `POST /api/auth/reauth`, puts the fresh access
//! token (its `auth_time` now) in memory and [`finish`]es, and the action is tried
//! once more. Several actions waiting at once share one prompt. Cancelling fails them with
//! `reauth_required`, which the page shows as "not confirmed".

use super::session::use_session_handle;
use crate::shared::error::AppError;
use futures::channel::oneshot;
use leptos::prelude::Set;
use std::cell::RefCell;

thread_local! {
    /// The actions waiting for the prompt's outcome.
    static WAITING: RefCell<Vec<oneshot::Sender<bool>>> = const { RefCell::new(Vec::new()) };
}

/// Asks for the password and waits: `Ok` once the access token in memory is fresh.
pub async fn confirm() -> Result<(), AppError> {
    let (sender, outcome) = oneshot::channel();
    WAITING.with(|waiting| waiting.borrow_mut().push(sender));
    use_session_handle().reauth.set(true);
    match outcome.await {
        Ok(true) => Ok(()),
        _ => Err(AppError::ReauthRequired),
    }
}

/// Closes the prompt and tells every waiting action whether it was confirmed.
pub fn finish(confirmed: bool) {
    use_session_handle().reauth.set(false);
    for waiter in WAITING.with(|waiting| std::mem::take(&mut *waiting.borrow_mut())) {
        let _ = waiter.send(confirmed);
    }
}
