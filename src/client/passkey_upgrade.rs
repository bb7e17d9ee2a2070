//! The passkey upgrade (docs/API.md, "Passkeys: upgrade and signals"): right after a
//! sign-in with a password or an email code, in a browser whose password manager makes
//! passkeys without a dialog (`conditionalCreate`), it is asked to make one for the
//! account. The person sees at most their password manager's own notice; Baton's pages
//! show nothing, whether it works, is declined, or the browser cannot. The server's
//! registration ceremony is the usual one: it needs a recent sign-in, which this is.

use super::{api, webauthn};
use crate::shared::wire::PasskeyRegistration;

/// Offers the password manager a passkey for the account just signed in to (in the
/// background; every failure is silent, logged to the console only).
pub fn offer() {
    leptos::task::spawn_local(async {
        if !webauthn::possible_here() || !webauthn::conditional_create_available().await {
            return;
        }
        let Ok(started) = api::start_passkey_registration().await else { return };
        if !webauthn::here(&started.origin) {
            return;
        }
        // The password manager may answer much later, or never: nothing waits for it.
        let Ok(credential) = webauthn::create(&started.public_key, true).await else { return };
        let registration = PasskeyRegistration { name: String::new(), credential };
        if let Err(e) = api::finish_passkey_registration(&registration).await {
            leptos::logging::warn!("the passkey the password manager made was refused: {e}");
        }
    });
}
