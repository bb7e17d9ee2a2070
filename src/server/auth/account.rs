//! What a signed-in person does to their own account (docs/API.md, "Account and
//! security"): prove again who they are, change the password, delete the account.
//! Each checks the password through [`sign_in::prove`], so each counts toward the
//! sign-in limits, and ends sessions through `sessions::revoke`, so their access
//! tokens stop at once on every instance.

use super::{
    bearer::Authenticated, credentials, device::Device, email_code, grant, passkeys, second_step, sign_in, strength,
};
use crate::{
    server::{
        state::AppState,
        store::{
            admin_actions, passkeys as passkeys_store,
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
            users::{self, UserRow},
            Tx,
        },
        time::UnixMillis,
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

/// The account of `email` if `password` is its password ([`sign_in::prove`]), and it
/// is the caller's: the email comes from a cache, and an address that moved between
/// accounts meanwhile must not let one account's password act for another.
async fn prove_caller(
    state: &AppState,
    caller: &Authenticated,
    password: &Password,
    device: &Device,
) -> Result<UserRow, AppError> {
    let email = account_of(state, caller).await?;
    let user = sign_in::prove(state, &email, password, device).await?;
    if user.id != caller.user_id {
        tracing::warn!(user = %caller.user_id, "a password proved another account than the caller's");
        return Err(AppError::InvalidCredentials);
    }
    Ok(user)
}

/// What re-authentication is proved with.
pub enum Proof {
    /// The password and, on an account with two-step verification, a code of the
    /// app or a recovery code.
    Password { password: String, code: Option<String> },
    /// An assertion of one of the caller's passkeys, answering a passkey sign-in start.
    Passkey { challenge_id: String, credential: serde_json::Value },
    /// A sign-in code mailed to the caller's address, for an account with neither a
    /// password nor a passkey (made through a provider or an email code); with the
    /// second step's code on an account that has one, as for a password.
    EmailCode { email_code: String, code: Option<String> },
}

/// `POST /api/auth/reauth`: the password (with the second step's code on an account
/// that has one: a password alone must not unlock turning two-step verification off)
/// or a passkey again, and a fresh access token whose `auth_time` is now. Same
/// session; the refresh cookie is untouched, and the session's refreshes carry the
/// new `auth_time` from now on.
pub async fn reauthenticate(
    state: &AppState,
    caller: Authenticated,
    proof: Proof,
    device: &Device,
) -> Result<TokenResponse, AppError> {
    let user = match proof {
        Proof::Password { password, code } => {
            let password = Password::parse_existing(&password)?;
            let user = prove_caller(state, &caller, &password, device).await?;
            second_step::confirm(state, &user, code.as_deref(), caller.session_id, device).await?;
            user
        }
        Proof::Passkey { challenge_id, credential } => {
            passkeys::prove(state, &caller, &challenge_id, credential).await?
        }
        Proof::EmailCode { email_code: typed, code } => {
            let user = users::by_id(state.store.pool(), caller.user_id).await?.ok_or(AppError::InvalidToken)?;
            // A mailbox alone must not stand in for a password or passkey the account has.
            if user.has_password() || !passkeys_store::of_user(state.store.pool(), user.id).await?.is_empty() {
                return Err(AppError::InvalidCredentials);
            }
            let proved =
                email_code::prove(state, email_code::Proof::Code { email: &user.email, code: &typed }, device).await?;
            if proved.as_str() != user.email {
                return Err(AppError::InvalidCredentials);
            }
            second_step::confirm(state, &user, code.as_deref(), caller.session_id, device).await?;
            user
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
    let access_token =
        state.tokens.issue_access(user.id, caller.session_id, &user.roles, now.as_secs(), now.as_secs())?;
    Ok(grant::token_body(state, access_token, &users::Account::from(&user)))
}

/// `POST /api/account/password`: the current password proves it is the owner; the new
/// one must be strong enough. Every other session ends at once, with everything else a
/// credential change ends (`credentials::changed`); this one goes on.
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
    let user = prove_caller(state, &caller, &current, device).await?;
    state.breaches.check(&new).await?;
    let hash = {
        let slot = state.passwords.slot(&device.net).await?;
        state.passwords.hash(&slot, &new).await?
    };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let others = Scope::AllOfExcept(user.id, caller.session_id);
    let ended = credentials::changed(&mut tx, user.id, others, RevokeReason::PasswordChanged, now).await?;
    users::set_password(&mut tx, user.id, &hash).await?;
    security_events::record(&mut tx, now, &device.event(EventKind::PasswordChanged, user.id, caller.session_id))
        .await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, other_sessions_ended = ended.len(), "password changed");
    Ok(())
}

/// `POST /api/account/delete`: with the password, every session ends at once, then
/// the account and everything of it goes: sessions and their refresh tokens (the
/// foreign keys cascade), its security events and the anonymous ones that name its
/// address (reset requests, failed sign-ins). An anonymous `account_deleted` event
/// stays for the retention period; the ended sessions stay in the revocation log, so
/// every instance keeps refusing their access tokens until those expire.
///
/// An account without a password (made through a provider) has only the recent
/// sign-in the route asks for; one with a password must give it.
pub async fn delete(state: &AppState, caller: Authenticated, password: &str, device: &Device) -> Result<(), AppError> {
    let user = users::by_id(state.store.pool(), caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let user = if user.has_password() || !password.is_empty() {
        let password = Password::parse_existing(password)?;
        prove_caller(state, &caller, &password, device).await?
    } else {
        user
    };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ended = erase(&mut tx, &user, now).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, sessions = ended, "account deleted");
    Ok(())
}

/// Deletes `user` in `tx`, whoever asked (the person, or an administrator): what
/// [`delete`] says goes, goes; the administration log keeps its rows without the
/// address, and a notice mail already queued is still sent (the outbox does not
/// cascade from accounts; mails with a link go with their link). Returns how many
/// sessions ended.
pub async fn erase(tx: &mut Tx<'_>, user: &UserRow, now: UnixMillis) -> Result<usize, AppError> {
    let ended = sessions::revoke(tx, Scope::AllOf(user.id), RevokeReason::AccountDeleted, now).await?;
    security_events::delete_of_user(tx, user.id, &user.email).await?;
    admin_actions::forget_email(tx, user.id).await?;
    users::delete(tx, user.id).await?;
    security_events::record(tx, now, &Event::new(EventKind::AccountDeleted)).await?;
    Ok(ended.len())
}
