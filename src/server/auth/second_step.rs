//! The second step of signing in (docs/API.md, "Login with two-step verification"):
//! `POST /api/auth/mfa` with a code redeems the ticket a right password opened
//! ([`super::challenge`]) and finishes what the password began: a sign-in, or a
//! password reset. And [`confirm`], the same step after a password at
//! re-authentication.
//!
//! Every code is checked by [`check`], under the account's cap on wrong codes
//! (`limits::check_second_step`): a 6-digit code is guessable, so whoever has the
//! password gets `BATON_MFA_MAX_FAILURES` guesses a window however many addresses
//! and tickets they use.

use super::{
    challenge::{self, MAX_FAILURES},
    changes,
    device::Device,
    email,
    grant::{self, Grant},
    limits, sign_in,
    totp::{self, Proof},
};
use crate::{
    server::{
        ids::SessionId,
        mail::letters::SecurityChange,
        observe::metrics,
        state::AppState,
        store::{
            mfa_challenges,
            secret_token::SecretToken,
            totp as totp_store,
            users::{self, Account, UserRow},
            Tx,
        },
    },
    shared::{credentials::Email, error::AppError},
};

/// Longer than any code or recovery code, however it is spaced.
const MAX_CODE: usize = 64;

/// Checks a second-step `code` of `user` in `tx`, under the account's cap on wrong
/// codes: the proof when it is right; `None` when it is wrong, the failure recorded
/// (it counts once `tx` commits); 429 over the cap, before the code is looked at.
pub async fn check(
    tx: &mut Tx<'_>,
    state: &AppState,
    user: &UserRow,
    code: &str,
    device: &Device,
) -> Result<Option<Proof>, AppError> {
    limits::check_second_step(tx, state, user.id).await?;
    let now = state.clock.now();
    let proof = match totp_store::of_in(tx, user.id).await? {
        Some(row) => totp::check(tx, &row, user.id, code, now).await?,
        None => None,
    };
    if proof.is_none() {
        limits::second_step_failed(tx, state, user, &Email::parse(&user.email)?, device).await?;
        tracing::info!(user = %user.id, "wrong second-step code");
    }
    Ok(proof)
}

/// The second step of a re-authentication in `session` with `user`'s password: on an
/// account with two-step verification the password alone is not enough, `code` must
/// be a code of the app or a recovery code (`invalid_code` without it).
pub async fn confirm(
    state: &AppState,
    user: &UserRow,
    code: Option<&str>,
    session: SessionId,
    device: &Device,
) -> Result<(), AppError> {
    if !challenge::required(state, user).await? {
        return Ok(());
    }
    let code = code.map(str::trim).filter(|code| !code.is_empty()).ok_or(AppError::InvalidCode)?;
    if code.len() > MAX_CODE {
        return Err(AppError::invalid_input("Enter the 6-digit code from your app, or a recovery code."));
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let proof = check(&mut tx, state, user, code, device).await?;
    if proof == Some(Proof::RecoveryCode) {
        changes::record(&mut tx, &Account::from(user), SecurityChange::RecoveryCodeUsed, session, device, now).await?;
    }
    tx.commit().await?;
    proof.map(drop).ok_or(AppError::InvalidCode)
}

/// `POST /api/auth/mfa`: a code of the app or a recovery code finishes the sign-in (or
/// reset) its `mfa_token` began. A wrong code is counted against the token (dead after
/// five) and by the sign-in limits, as a wrong password is.
pub async fn finish(state: &AppState, mfa_token: &str, code: &str, device: &Device) -> Result<Grant, AppError> {
    let result = finish_with(state, mfa_token, code, device).await;
    metrics::sign_in("second_step", result.as_ref().map(|_| "signed_in"));
    result
}

async fn finish_with(state: &AppState, mfa_token: &str, code: &str, device: &Device) -> Result<Grant, AppError> {
    let token = SecretToken::parse(mfa_token).ok_or(AppError::InvalidCredentials)?;
    if code.trim().is_empty() || code.len() > MAX_CODE {
        return Err(AppError::invalid_input("Enter the 6-digit code from your app, or a recovery code."));
    }
    let now = state.clock.now();
    let user = {
        let mut tx = state.store.begin().await?;
        let challenge = mfa_challenges::find(&mut tx, &token, MAX_FAILURES, now).await?;
        tx.commit().await?;
        let challenge = challenge.ok_or(AppError::InvalidCredentials)?;
        users::by_id(state.store.pool(), challenge.user_id).await?.ok_or(AppError::InvalidCredentials)?
    };
    // The password was right: only the limits on this client's failures apply here,
    // not the account's cap on wrong passwords.
    limits::check_sign_in(state, &Email::parse(&user.email)?, device, true).await?;

    let mut tx = state.store.begin().await?;
    // Found again under the write: a parallel wrong code may have killed it.
    let challenge =
        mfa_challenges::find(&mut tx, &token, MAX_FAILURES, now).await?.ok_or(AppError::InvalidCredentials)?;
    let Some(proof) = check(&mut tx, state, &user, code, device).await? else {
        mfa_challenges::failed(&mut tx, &challenge.token_hash).await?;
        tx.commit().await?;
        return Err(AppError::InvalidCode);
    };
    if !mfa_challenges::spend(&mut tx, &challenge.token_hash).await? {
        return Err(AppError::InvalidCredentials);
    }
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let browser = match &challenge.new_password_hash {
        Some(hash) => email::finish_reset(&mut tx, &user, hash, &session, &first, device, now).await?.browser,
        None => {
            let method = super::method::Method::parse(challenge.method.as_deref());
            sign_in::open_session(&mut tx, &user, &session, &first, device, &method, now).await?
        }
    };
    if proof == Proof::RecoveryCode {
        changes::record(&mut tx, &Account::from(&user), SecurityChange::RecoveryCodeUsed, session.id, device, now)
            .await?;
    }
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, session = %session.id, ?proof, "second step passed");
    Ok(grant::grant(state, &first, &Account::from(&user), now)?.for_browser(browser))
}
