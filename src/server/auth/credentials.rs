//! What a change of an account's credentials ends, and what the first proof of its
//! address removes (docs/API.md, "Account security rules (v3)").
//!
//! Someone who once had the password (or a session) must not keep a way in past the
//! owner's new password, reset or sign-out everywhere: each ends, in its own
//! transaction, the other sessions, the pending email-change and reset links, the
//! second steps waiting for a code, a started authenticator setup and a started
//! connection of a provider, and moves the
//! account's credential epoch on, so that a sign-in that checked the old password
//! while the change ran cannot open a session after it (`sign_in::open_session`).
//!
//! And a stranger who registered someone else's address first must keep nothing once
//! the owner proves it: the first proof (the verification link, or a reset) removes
//! every passkey, authenticator app and provider connection added before it.

use super::device::Device;
use crate::{
    server::{
        ids::{SessionId, UserId},
        store::{
            email_links::{self, Purpose},
            mfa_challenges, oidc_flows, passkeys, provider_identities, recovery_codes,
            security_events::{self, EventKind},
            sessions::{self, RevokeReason, Scope},
            totp, users, Tx,
        },
        time::UnixMillis,
    },
    shared::error::AppError,
};

/// Ends what a credential change of `user` ends, in `tx`: the sessions in `scope`
/// (all of the account's, or all but the one making the change), pending email-change
/// and reset links, waiting second steps, a started authenticator setup or provider
/// connection. Returns the
/// sessions it ended.
pub async fn changed(
    tx: &mut Tx<'_>,
    user: UserId,
    scope: Scope,
    reason: RevokeReason,
    now: UnixMillis,
) -> Result<Vec<SessionId>, AppError> {
    // First: on PostgreSQL the row lock orders this change against a sign-in opening
    // a session (`users::still_current`), so the revoke below sees that session.
    users::end_credentials(tx, user).await?;
    let ended = sessions::revoke(tx, scope, reason, now).await?;
    email_links::delete_of(tx, user, Purpose::ChangeEmail).await?;
    email_links::delete_of(tx, user, Purpose::ResetPassword).await?;
    mfa_challenges::delete_of(tx, user).await?;
    totp::end_pending(tx, user).await?;
    oidc_flows::delete_of(tx, user).await?;
    Ok(ended)
}

/// The account's address was proved for the first time (in `tx`): every passkey and
/// authenticator app added before goes, since whoever added them had not proved the
/// address, and the activity says so. True if something was removed.
pub async fn address_proved_first(
    tx: &mut Tx<'_>,
    user: UserId,
    device: &Device,
    now: UnixMillis,
) -> Result<bool, AppError> {
    let passkeys = passkeys::delete_of(tx, user).await?;
    let app = totp::delete(tx, user).await?;
    recovery_codes::delete_of(tx, user).await?;
    let providers = provider_identities::delete_of(tx, user).await?;
    let removed = passkeys > 0 || app || providers > 0;
    if removed {
        security_events::record(tx, now, &device.event(EventKind::CredentialsRemovedOnVerification, user, None))
            .await?;
        tracing::info!(user = %user, passkeys, app, providers, "removed what was added before the address was proved");
    }
    Ok(removed)
}
