//! The second step of signing in (docs/API.md, "Login with two-step verification"):
//! `POST /api/auth/mfa` with a code redeems the ticket a right password opened
//! ([`super::challenge`]) and finishes what the password began: a sign-in, or a
//! password reset.

use super::{
    challenge::MAX_FAILURES,
    changes,
    device::Device,
    email,
    grant::{self, Grant},
    limits, sign_in,
    totp::{self, Proof},
};
use crate::{
    server::{
        mail::letters::SecurityChange,
        state::AppState,
        store::{
            mfa_challenges,
            secret_token::SecretToken,
            security_events, totp as totp_store,
            users::{self, Account},
        },
    },
    shared::{credentials::Email, error::AppError},
};

/// `POST /api/auth/mfa`: a code of the app or a recovery code finishes the sign-in (or
/// reset) its `mfa_token` began. A wrong code is counted against the token (dead after
/// five) and by the sign-in limits, as a wrong password is.
pub async fn finish(state: &AppState, mfa_token: &str, code: &str, device: &Device) -> Result<Grant, AppError> {
    let token = SecretToken::parse(mfa_token).ok_or(AppError::InvalidCredentials)?;
    if code.trim().is_empty() || code.len() > 64 {
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
    let email = Email::parse(&user.email)?;
    limits::check_sign_in(state, &email, device).await?;
    let row = totp_store::of(state.store.pool(), user.id).await?.ok_or(AppError::InvalidCredentials)?;

    let mut tx = state.store.begin().await?;
    // Found again under the write: a parallel wrong code may have killed it.
    let challenge =
        mfa_challenges::find(&mut tx, &token, MAX_FAILURES, now).await?.ok_or(AppError::InvalidCredentials)?;
    let Some(proof) = totp::check(&mut tx, &row, user.id, code, now).await? else {
        mfa_challenges::failed(&mut tx, &challenge.token_hash).await?;
        security_events::record(&mut tx, now, &sign_in::failed(Some(user.id), &email, device)).await?;
        tx.commit().await?;
        tracing::info!(user = %user.id, "wrong second-step code");
        return Err(AppError::InvalidCode);
    };
    if !mfa_challenges::spend(&mut tx, &challenge.token_hash).await? {
        return Err(AppError::InvalidCredentials);
    }
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    match &challenge.new_password_hash {
        Some(hash) => {
            email::finish_reset(&mut tx, &user, hash, &session, &first, device, now).await?;
        }
        None => sign_in::open_session(&mut tx, &user, &session, &first, device, now).await?,
    }
    if proof == Proof::RecoveryCode {
        changes::record(&mut tx, &Account::from(&user), SecurityChange::RecoveryCodeUsed, session.id, device, now)
            .await?;
    }
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, session = %session.id, ?proof, "second step passed");
    grant::grant(state, &first, &Account::from(&user), now)
}
