//! The flows that go through a mailbox (docs/API.md, "Email"): resetting a forgotten
//! password, proving an address (at registration, again on request, or a new one),
//! and telling the owner about a sign-in from a new device.
//!
//! A mail is queued in the transaction of what causes it (`mail::queue`) and sent in
//! the background; a link is single use, replaced by a newer one of its kind, and
//! works only while its address is still the account's.

use super::{
    challenge::{self, SignIn},
    device::Device,
    grant, limits, strength,
};
use crate::{
    server::{
        auth::bearer::Authenticated,
        ids::UserId,
        mail::{self, letters::Letter},
        state::AppState,
        store::{
            email_links::{self, LinkRow, Purpose, SecretToken},
            known_devices::{self, Seen},
            refresh_tokens::RefreshRow,
            security_events::{self, EventKind},
            sessions::{self, NewSession, RevokeReason, Scope},
            users::{self, Account, Changed, UserRow},
            Tx,
        },
        time::UnixMillis,
    },
    shared::{
        credentials::{Email, Password},
        device::describe_device,
        error::AppError,
    },
};
use std::time::Duration;

/// How long a verification or email-change link works (docs/API.md).
pub const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);

/// Queues the mail that proves `email` is the account's (registration, resend).
pub async fn queue_verification(tx: &mut Tx<'_>, user: UserId, email: &str, now: UnixMillis) -> Result<(), AppError> {
    mail::queue_with_link(tx, user, email, Purpose::VerifyEmail, VERIFY_TTL, &Letter::VerifyEmail, now).await
}

/// `POST /api/auth/password_reset`: the same answer, after the same work, whether or
/// not `email` has an account. The limits are counted (and may answer 429) for any
/// address; the lookup and the mail happen after the answer, in the background, so
/// neither the body nor the time tells whether there was an account.
pub async fn request_reset(state: &AppState, email: &str, device: &Device) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    limits::admit_reset(state, &email, device).await?;
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = queue_reset(&state, &email).await {
            tracing::error!(error = %e, "a password-reset mail could not be queued");
        }
    });
    Ok(())
}

async fn queue_reset(state: &AppState, email: &Email) -> Result<(), AppError> {
    let Some(user) = users::by_email(state.store.pool(), email.as_str()).await? else {
        return Ok(());
    };
    let ttl = state.settings.reset_ttl;
    let letter = Letter::ResetPassword { valid_minutes: ttl.as_secs().div_ceil(60) };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    mail::queue_with_link(&mut tx, user.id, &user.email, Purpose::ResetPassword, ttl, &letter, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "password-reset mail queued");
    Ok(())
}

/// The live link of `token` for one of `purposes`, and its account, if the link was
/// sent to the account's current address (a link to an address the account has left
/// proves nothing about it). Changing the address is the one link meant for another.
async fn live_link(state: &AppState, token: &str, purposes: &[Purpose]) -> Result<(LinkRow, UserRow), AppError> {
    let token = SecretToken::parse(token).ok_or(AppError::InvalidLink)?;
    let pool = state.store.pool();
    let link = email_links::find(pool, &token, purposes, state.clock.now()).await?.ok_or(AppError::InvalidLink)?;
    let user = users::by_id(pool, link.user_id).await?.ok_or(AppError::InvalidLink)?;
    if link.purpose != Purpose::ChangeEmail && link.email != user.email {
        return Err(AppError::InvalidLink);
    }
    Ok((link, user))
}

/// `POST /api/auth/password_reset/confirm`: a new password through a reset link.
/// Every session of the account ends; a new one starts on this device. The link
/// proved the address too. For an account with two-step verification the link is
/// spent and the new password waits for the second step ([`super::second_step`]): a mailbox
/// alone never changes the password of such an account.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    device: &Device,
) -> Result<SignIn, AppError> {
    let (link, user) = live_link(state, token, &[Purpose::ResetPassword]).await?;
    let password = Password::parse_new(new_password)?;
    strength::check(&password, &Email::parse(&user.email)?)?;
    let hash = {
        let slot = state.passwords.slot(&device.net).await?;
        state.passwords.hash(&slot, &password).await?
    };
    let two_steps = challenge::required(state, &user).await?;
    let now = state.clock.now();
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    if !email_links::spend(&mut tx, link.id).await? {
        // Used by a parallel request meanwhile.
        return Err(AppError::InvalidLink);
    }
    users::verify_email(&mut tx, user.id, &link.email, now).await?;
    if two_steps {
        let next = challenge::open(&mut tx, &user, Some(&hash), now).await?;
        tx.commit().await?;
        state.store.forget(user.id);
        return Ok(SignIn::SecondStep(next));
    }
    let ended = finish_reset(&mut tx, &user, &hash, &session, &first, device, now).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, sessions_ended = ended, "password reset");
    Ok(SignIn::Granted(grant::grant(state, &first, &Account::from(&user), now)?))
}

/// Sets the new password of a reset, ends every session of the account and opens
/// `session` on this device, in `tx`; how many sessions ended.
pub async fn finish_reset(
    tx: &mut Tx<'_>,
    user: &UserRow,
    password_hash: &str,
    session: &NewSession,
    first: &RefreshRow,
    device: &Device,
    now: UnixMillis,
) -> Result<usize, AppError> {
    users::set_password(tx, user.id, password_hash).await?;
    let ended = sessions::revoke(tx, Scope::AllOf(user.id), RevokeReason::PasswordReset, now).await?;
    grant::open(tx, session, first).await?;
    security_events::record(tx, now, &device.event(EventKind::PasswordReset, user.id, session.id)).await?;
    remember_device(tx, user, device, now).await?;
    Ok(ended.len())
}

/// `POST /api/auth/verify_email`: the address of the link is proved, and for an
/// email-change link it becomes the account's address (`email_taken` if another
/// account took it meanwhile).
pub async fn verify_email(state: &AppState, token: &str, device: &Device) -> Result<(), AppError> {
    let (link, user) = live_link(state, token, &[Purpose::VerifyEmail, Purpose::ChangeEmail]).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !email_links::spend(&mut tx, link.id).await? {
        return Err(AppError::InvalidLink);
    }
    let kind = match link.purpose {
        Purpose::ChangeEmail => {
            if users::change_email(&mut tx, user.id, &link.email, now).await? == Changed::EmailTaken {
                return Err(AppError::EmailTaken);
            }
            // Links to the old address prove nothing any more.
            email_links::delete_of(&mut tx, user.id, Purpose::VerifyEmail).await?;
            email_links::delete_of(&mut tx, user.id, Purpose::ResetPassword).await?;
            EventKind::EmailChanged
        }
        _ => {
            if !users::verify_email(&mut tx, user.id, &link.email, now).await? {
                return Err(AppError::InvalidLink);
            }
            EventKind::EmailVerified
        }
    };
    security_events::record(&mut tx, now, &device.event(kind, user.id, None)).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, kind = kind.as_str(), "email link followed");
    Ok(())
}

/// `POST /api/account/verification_email`: a new verification link, unless the
/// address is verified already (then nothing is sent).
pub async fn resend_verification(state: &AppState, caller: &Authenticated, device: &Device) -> Result<(), AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    if account.email_verified_at.is_some() {
        return Ok(());
    }
    limits::admit_link(state, account.id, device).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    queue_verification(&mut tx, account.id, &account.email, now).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/account/email` (sensitive): a link to the new address, and a notice to
/// the old one. Nothing changes until the link is followed. Whether another account
/// has the new address is not said here (that would tell anyone who asks); following
/// the link answers `email_taken` then.
pub async fn change_email(
    state: &AppState,
    caller: &Authenticated,
    new_email: &str,
    device: &Device,
) -> Result<(), AppError> {
    let new_email = Email::parse(new_email)?;
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    if new_email.as_str() == account.email {
        return Err(AppError::invalid_input("That is already your email address."));
    }
    limits::admit_link(state, account.id, device).await?;
    let now = state.clock.now();
    let notice = Letter::EmailChangeRequested { new_email: new_email.to_string() };
    let mut tx = state.store.begin().await?;
    let purpose = Purpose::ChangeEmail;
    mail::queue_with_link(&mut tx, account.id, new_email.as_str(), purpose, VERIFY_TTL, &Letter::ConfirmNewEmail, now)
        .await?;
    mail::queue(&mut tx, account.id, &account.email, &notice, None, now).await?;
    tx.commit().await?;
    tracing::info!(user = %account.id, "email change asked for");
    Ok(())
}

/// Records a sign-in of `user` on `device` (browser and system, so a browser update
/// is the same device) and address, in `tx`; the first from a pair the account has
/// not used before queues the new-device mail. The sign-up's own pair is the first,
/// and not news.
pub async fn remember_device(
    tx: &mut Tx<'_>,
    user: &UserRow,
    device: &Device,
    now: UnixMillis,
) -> Result<(), AppError> {
    let name = describe_device(&device.user_agent);
    if known_devices::sign_in(tx, user.id, &name, &device.addr, now).await? == Seen::New {
        let letter = Letter::NewSignIn { device: name, address: device.addr.clone(), at_ms: now.0 };
        mail::queue(tx, user.id, &user.email, &letter, None, now).await?;
    }
    Ok(())
}
