//! Re-authentication ("sudo mode"), browser side: the one place `reauth_required` is
//! answered, as `fetch::authed` answers a 401 with a refresh. [`confirm`] opens the
//! password prompt (`pages::reauth_dialog`, in every signed-in page's frame) and waits;
//! the prompt sends the password with [`submit`], which puts the fresh access token
//! (its `auth_time` now) in memory, and then [`finish`]es, and the action is tried once
//! more. Several actions waiting at once share one prompt. Cancelling fails them with
//! `reauth_required`, which the page shows as "not confirmed".

use super::{
    fetch,
    session::{use_session_handle, Trigger},
};
use crate::shared::{error::AppError, wire::TokenResponse};
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

/// Sends the password; on success the renewed access token is in memory.
pub async fn submit(password: &str) -> Result<(), AppError> {
    let response = fetch::post_fields("/api/auth/reauth", &[("password", password)]).await?;
    let body: TokenResponse = fetch::json(response).await?;
    use_session_handle().accept(body, Trigger::Reauthenticated, fetch::now());
    Ok(())
}

/// Closes the prompt and tells every waiting action whether it was confirmed.
pub fn finish(confirmed: bool) {
    use_session_handle().reauth.set(false);
    for waiter in WAITING.with(|waiting| std::mem::take(&mut *waiting.borrow_mut())) {
        let _ = waiter.send(confirmed);
    }
}
