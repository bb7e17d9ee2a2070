//! Signing in with a code sent by email (docs/API.md, "Sign in with an email code"): a
//! 6-digit code and a one-click link in one mail, for an address with an account (a
//! sign-in) or without one (the mail invites to create one: following it makes an
//! account with no password and a proved address).
//!
//! Asking answers the same, after the same work, for any address: the lookup and the
//! mail happen after the answer, in the background, as a password reset's do. A code
//! proves the mailbox and nothing more: on an account with two-step verification the
//! second step follows; on an account whose address it proves for the first time it
//! ends what a stranger who registered that address may have left (see [`open`]).
//! Wrong codes are capped per code (five kill it) and per address, by a counter of
//! their own ([`limits::check_email_code`]).

use super::{challenge::SignIn, credentials, device::Device, grant, limits, limits::Mailing, method::Method, sign_in};
use crate::{
    server::{
        ids::CodeId,
        mail::{self, letters::Letter},
        observe::metrics,
        state::AppState,
        store::{
            email_codes::{self, NewCode},
            secret_token::SecretToken,
            sessions::{RevokeReason, Scope},
            users::{self, Account, Proved, UserRow},
        },
    },
    shared::{credentials::Email, error::AppError},
};
use std::time::Duration;

/// How long a code and its link work.
pub const CODE_TTL: Duration = Duration::from_secs(10 * 60);

/// `POST /api/auth/email_code`: 202 for any address. Past the address' share this
/// hour nothing is sent and nothing replaced (a stranger cannot kill the owner's code
/// by asking for more); past the client's, 429.
pub async fn request(state: &AppState, email: &str, device: &Device) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    if limits::admit_email_code(state, &email, device).await? == Mailing::Quiet {
        return Ok(());
    }
    let (state, lang) = (state.clone(), device.lang);
    tokio::spawn(async move {
        if let Err(e) = queue(&state, &email, lang.code()).await {
            tracing::error!(error = %e, "a sign-in code mail could not be queued");
        }
    });
    Ok(())
}

async fn queue(state: &AppState, email: &Email, lang: &str) -> Result<(), AppError> {
    let user = users::by_email(state.store.pool(), email.as_str()).await?;
    let now = state.clock.now();
    let code = NewCode {
        id: CodeId::generate(),
        email: email.as_str(),
        lang,
        created_at: now,
        expires_at: now.plus(CODE_TTL),
    };
    let letter = Letter::SignInCode {
        valid_minutes: CODE_TTL.as_secs().div_ceil(60),
        new_account: user.is_none(),
        code: String::new(),
    };
    let mut tx = state.store.begin().await?;
    email_codes::replace(&mut tx, &code).await?;
    mail::queue_with_code(&mut tx, user.as_ref().map(|user| user.id), email.as_str(), code.id, &letter, now).await?;
    tx.commit().await?;
    tracing::info!(user = ?user.map(|user| user.id), "sign-in code mail queued");
    Ok(())
}

/// What proves the mailbox: the address and its code, or the mail's link.
pub enum Proof<'a> {
    Code { email: &'a str, code: &'a str },
    Link { token: &'a str },
}

/// `POST /api/auth/email_code/confirm`: a new session on this device (or, on an account
/// with two-step verification, the ticket for the second step); for an address with no
/// account, a new account first.
pub async fn confirm(state: &AppState, proof: Proof<'_>, device: &Device) -> Result<SignIn, AppError> {
    let result = confirm_with(state, proof, device).await;
    let outcome = result.as_ref().map(|done| match done {
        SignIn::Granted(_) => "signed_in",
        SignIn::SecondStep(_) => "second_step",
    });
    metrics::sign_in("email_code", outcome);
    result
}

async fn confirm_with(state: &AppState, proof: Proof<'_>, device: &Device) -> Result<SignIn, AppError> {
    let email = prove(state, proof, device).await?;
    match users::by_email(state.store.pool(), email.as_str()).await? {
        Some(user) => open(state, user, device).await,
        None => sign_up(state, &email, device).await.map(SignIn::Granted),
    }
}

/// The address a code or link proves, the code used up. `invalid_code` for a wrong,
/// used, replaced or expired one; a wrong code is counted against the code (five kill
/// it) and against the address' cap, which answers 429 before a code is looked at.
pub async fn prove(state: &AppState, proof: Proof<'_>, device: &Device) -> Result<Email, AppError> {
    let now = state.clock.now();
    match proof {
        Proof::Link { token } => {
            let token = SecretToken::parse(token).ok_or(AppError::InvalidCode)?;
            let mut tx = state.store.begin().await?;
            let taken = email_codes::take_by_token(&mut tx, &token, now).await?;
            tx.commit().await?;
            Email::parse(&taken.ok_or(AppError::InvalidCode)?.email)
        }
        Proof::Code { email, code } => {
            let email = Email::parse(email)?;
            let code = six_digits(code)?;
            let user = users::by_email(state.store.pool(), email.as_str()).await?;
            let mut tx = state.store.begin().await?;
            limits::check_email_code(&mut tx, state, &email).await?;
            let live = email_codes::of_email(&mut tx, email.as_str(), now).await?.ok_or(AppError::InvalidCode)?;
            if email_codes::code_hash(live.id, &code) != live.code_hash {
                email_codes::failed(&mut tx, live.id).await?;
                limits::email_code_failed(&mut tx, state, user.as_ref(), &email, device).await?;
                tx.commit().await?;
                tracing::info!(user = ?user.map(|user| user.id), "wrong sign-in code");
                return Err(AppError::InvalidCode);
            }
            if !email_codes::spend(&mut tx, live.id).await? {
                return Err(AppError::InvalidCode);
            }
            tx.commit().await?;
            Ok(email)
        }
    }
}

/// A code as typed: its six digits, spaces and dashes dropped (mail apps and people
/// group digits).
fn six_digits(typed: &str) -> Result<String, AppError> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).take(32).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(AppError::invalid_input("Enter the 6-digit code from the mail."))
    }
}

/// Signs `user` in after their mailbox was proved. An address proved for the first time
/// here is treated as a reset treats it: whoever registered it before the owner proved
/// it may have set the password, added a passkey or an app, or be signed in, so all of
/// that ends (`credentials::address_proved_first`, every session, and the password; the
/// owner sets one with a reset when they want one).
async fn open(state: &AppState, user: UserRow, device: &Device) -> Result<SignIn, AppError> {
    if user.locked_at.is_some() {
        tracing::info!(user = %user.id, "email-code sign-in refused: the account is locked");
        return Err(AppError::AccountLocked);
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let user = if users::verify_email(&mut tx, user.id, &user.email, now).await? == Proved::First {
        credentials::address_proved_first(&mut tx, user.id, device, now).await?;
        credentials::changed(&mut tx, user.id, Scope::AllOf(user.id), RevokeReason::PasswordReset, now).await?;
        users::set_password(&mut tx, user.id, "").await?;
        tx.commit().await?;
        state.store.forget(user.id);
        tracing::info!(user = %user.id, "an email code proved the address first: what came before it ended");
        users::by_id(state.store.pool(), user.id).await?.ok_or(AppError::InvalidCode)?
    } else {
        tx.commit().await?;
        user
    };
    // An email code is one factor: a two-step account still asks for its code.
    sign_in::after_first_step(state, &user, device, &Method::EmailCode).await
}

/// A new account for a proved address: no password, the address verified.
async fn sign_up(state: &AppState, email: &Email, device: &Device) -> Result<grant::Grant, AppError> {
    limits::admit_registration(state, device).await?;
    let now = state.clock.now();
    let user = UserRow::new(email, String::new(), Some(now), now);
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    let browser = sign_in::create_account(&mut tx, &user, &session, &first, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, "account created with an email code");
    Ok(grant::grant(state, &first, &Account::from(&user), now)?.for_browser(browser))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_code_keeps_its_six_digits_and_nothing_else() {
        assert_eq!(six_digits("493021").unwrap(), "493021");
        assert_eq!(six_digits(" 493 021 ").unwrap(), "493021");
        assert_eq!(six_digits("493-021").unwrap(), "493021");
        for wrong in ["", "49302", "4930211", "49302a", "４９３０２１", &"1".repeat(10_000)] {
            assert!(matches!(six_digits(wrong), Err(AppError::InvalidInput(_))), "{wrong:?}");
        }
    }
}
