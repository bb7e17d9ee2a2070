//! What a signed-in person does to their own account (docs/API.md, "Account and
//! security"): prove again who they are, change the password, delete the account.
//! Each checks the password through [`sign_in::prove`], so each counts toward the
//! sign-in limits, and ends sessions through `sessions::revoke`, so their access
//! tokens stop at once on every instance.

use super::{bearer::Authenticated, device::Device, grant, passkeys, sign_in, strength};
use crate::{
    server::{
        state::AppState,
        store::{
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
            users,
        },
    },
    shared::{
        credentials::{Email, Password},
        error::AppError,
        wire::TokenResponse,
    },
};

/// The caller's account, and its email as the limits count it.
async fn account_of(state: &AppState, caller: &Authenticated) -> Result<Email, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    Email::parse(&account.email)
}

/// What re-authentication is proved with.
pub enum Proof {
    Password(String),
    /// An assertion of one of the caller's passkeys, answering a passkey sign-in start.
    Passkey {
        challenge_id: String,
        credential: serde_json::Value,
    },
}

/// `POST /api/auth/reauth`: the password (or a passkey) again, and a fresh access
/// token whose `auth_time` is now. Same session; the refresh cookie is untouched, and
/// the session's refreshes carry the new `auth_time` from now on.
pub async fn reauthenticate(
    state: &AppState,
    caller: Authenticated,
    proof: Proof,
    device: &Device,
) -> Result<TokenResponse, AppError> {
    let user = match proof {
        Proof::Password(password) => {
            let password = Password::parse_existing(&password)?;
            let email = account_of(state, &caller).await?;
            sign_in::prove(state, &email, &password, device).await?
        }
        Proof::Passkey { challenge_id, credential } => {
            passkeys::prove(state, &caller, &challenge_id, credential).await?
        }
    };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !sessions::authenticated(&mut tx, caller.session_id, now).await? {
        // Ended while the password was being checked.
        return Err(AppError::InvalidToken);
    }
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %caller.session_id, "re-authenticated");
    let access_token = state.tokens.issue_access(user.id, caller.session_id, now.as_secs(), now.as_secs())?;
    Ok(grant::token_body(state, access_token, &users::Account::from(&user)))
}

/// `POST /api/account/password`: the current password proves it is the owner; the new
/// one must be strong enough. Every other session ends at once; this one goes on.
pub async fn change_password(
    state: &AppState,
    caller: Authenticated,
    current: &str,
    new: &str,
    device: &Device,
) -> Result<(), AppError> {
    let current = Password::parse_existing(current)?;
    let new = Password::parse_new(new)?;
    let email = account_of(state, &caller).await?;
    strength::check(&new, &email)?;
    let user = sign_in::prove(state, &email, &current, device).await?;
    let hash = {
        let slot = state.passwords.slot(&device.net).await?;
        state.passwords.hash(&slot, &new).await?
    };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    users::set_password(&mut tx, user.id, &hash).await?;
    let ended =
        sessions::revoke(&mut tx, Scope::AllOfExcept(user.id, caller.session_id), RevokeReason::PasswordChanged, now)
            .await?;
    security_events::record(&mut tx, now, &device.event(EventKind::PasswordChanged, user.id, caller.session_id))
        .await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, other_sessions_ended = ended.len(), "password changed");
    Ok(())
}

/// `POST /api/account/delete`: with the password, every session ends at once, then
/// the account and everything of it goes: sessions and their refresh tokens (the
/// foreign keys cascade), its security events. An anonymous `account_deleted` event
/// stays for the retention period; the ended sessions stay in the revocation log, so
/// every instance keeps refusing their access tokens until those expire.
pub async fn delete(state: &AppState, caller: Authenticated, password: &str, device: &Device) -> Result<(), AppError> {
    let password = Password::parse_existing(password)?;
    let email = account_of(state, &caller).await?;
    let user = sign_in::prove(state, &email, &password, device).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ended = sessions::revoke(&mut tx, Scope::AllOf(user.id), RevokeReason::AccountDeleted, now).await?;
    security_events::delete_of_user(&mut tx, user.id).await?;
    users::delete(&mut tx, user.id).await?;
    security_events::record(&mut tx, now, &Event::new(EventKind::AccountDeleted)).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, sessions = ended.len(), "account deleted");
    Ok(())
}
