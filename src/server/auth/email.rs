//! The flows that go through a mailbox (docs/API.md, "Email", "Account security rules
//! (v3)"): resetting a forgotten password, proving an address (at registration, again
//! on request, or a new one, which the old address can undo), telling the owner about
//! a sign-in from a new device, and "This wasn't me".
//!
//! A mail is queued in the transaction of what causes it (`mail::queue`) and sent in
//! the background; a link is single use, replaced by newer ones of its kind, and (but
//! for a new address's link and the old address's "this wasn't me") works only while
//! its address is still the account's.

use super::{
    challenge::{self, SignIn},
    credentials,
    device::Device,
    grant,
    limits::{self, Mailing},
    strength,
};
use crate::{
    server::{
        auth::bearer::Authenticated,
        ids::{SessionId, UserId},
        mail::{self, letters::Letter, LinkFor},
        state::AppState,
        store::{
            email_links::{self, LinkRow, NewLink, Purpose, SecretToken},
            known_devices::{self, Seen},
            refresh_tokens::RefreshRow,
            security_events::{self, EventKind},
            sessions::{self, NewSession, RevokeReason, Scope},
            totp,
            users::{self, Account, Changed, Proved, UserRow},
            Tx,
        },
        time::UnixMillis,
    },
    shared::{
        credentials::{Email, Password},
        device::describe_device,
        error::AppError,
        wire::{NotMeAnswer, PendingEmail},
    },
};
use std::time::Duration;

/// How long a verification or email-change link works (docs/API.md).
pub const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a "This wasn't me" link works.
pub const NOT_ME_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Queues the mail that proves `email` is the account's (registration, resend).
pub async fn queue_verification(tx: &mut Tx<'_>, user: UserId, email: &str, now: UnixMillis) -> Result<(), AppError> {
    let link = LinkFor::new(Purpose::VerifyEmail, VERIFY_TTL);
    mail::queue_with_link(tx, user, email, link, &Letter::VerifyEmail, now).await
}

/// `POST /api/auth/password_reset`: the same answer, after the same work, whether or
/// not `email` has an account. The limits are counted (and may answer 429) for any
/// address; the lookup and the mail happen after the answer, in the background, so
/// neither the body nor the time tells whether there was an account.
pub async fn request_reset(state: &AppState, email: &str, device: &Device) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    if limits::admit_reset(state, &email, device).await? == Mailing::Quiet {
        return Ok(());
    }
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
    let ttl = state.settings.mail.reset_ttl;
    let letter = Letter::ResetPassword { valid_minutes: ttl.as_secs().div_ceil(60) };
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    mail::queue_with_link(&mut tx, user.id, &user.email, LinkFor::new(Purpose::ResetPassword, ttl), &letter, now)
        .await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "password-reset mail queued");
    Ok(())
}

/// The live link of `token` for one of `purposes`, and its account, if the link was
/// sent to the account's current address where its purpose needs that
/// ([`Purpose::needs_current_address`]).
async fn live_link(state: &AppState, token: &str, purposes: &[Purpose]) -> Result<(LinkRow, UserRow), AppError> {
    let token = SecretToken::parse(token).ok_or(AppError::InvalidLink)?;
    let pool = state.store.pool();
    let link = email_links::find(pool, &token, purposes, state.clock.now()).await?.ok_or(AppError::InvalidLink)?;
    let user = users::by_id(pool, link.user_id).await?.ok_or(AppError::InvalidLink)?;
    if link.purpose.needs_current_address() && link.email != user.email {
        return Err(AppError::InvalidLink);
    }
    Ok((link, user))
}

/// `POST /api/auth/password_reset/confirm`: a new password through a reset link.
/// Every session of the account ends; a new one starts on this device. The link
/// proved the address too: proved for the first time, it removes what a stranger may
/// have added before (`credentials::address_proved_first`). For an account with
/// two-step verification the link is spent and the new password waits for the second
/// step ([`super::second_step`]): a mailbox alone never changes the password of such
/// an account.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    device: &Device,
) -> Result<SignIn, AppError> {
    let (link, user) = live_link(state, token, &[Purpose::ResetPassword]).await?;
    let password = Password::parse_new(new_password)?;
    strength::check(&password, &Email::parse(&user.email)?)?;
    state.breaches.check(&password).await?;
    let hash = {
        let slot = state.passwords.slot(&device.net).await?;
        state.passwords.hash(&slot, &password).await?
    };
    let now = state.clock.now();
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    if !email_links::spend(&mut tx, link.id).await? {
        // Used by a parallel request meanwhile.
        return Err(AppError::InvalidLink);
    }
    if users::verify_email(&mut tx, user.id, &link.email, now).await? == Proved::First {
        credentials::address_proved_first(&mut tx, user.id, device, now).await?;
    }
    if totp::enabled_in(&mut tx, user.id).await? {
        // The other reset links die now, as with any reset; the second step then
        // finishes it.
        email_links::delete_of(&mut tx, user.id, Purpose::ResetPassword).await?;
        let next = challenge::open(&mut tx, &user, Some(&hash), &super::method::Method::Password, now).await?;
        tx.commit().await?;
        state.store.forget(user.id);
        return Ok(SignIn::SecondStep(next));
    }
    let reset = finish_reset(&mut tx, &user, &hash, &session, &first, device, now).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, sessions_ended = reset.ended, "password reset");
    Ok(SignIn::Granted(grant::grant(state, &first, &Account::from(&user), now)?.for_browser(reset.browser)))
}

/// What [`finish_reset`] did.
pub struct Reset {
    /// Sessions it ended.
    pub ended: usize,
    /// The `device` cookie to give a browser that has none.
    pub browser: Option<SecretToken>,
}

/// Sets the new password of a reset, ends every session of the account with
/// everything else a credential change ends, and opens `session` on this device, in
/// `tx`.
pub async fn finish_reset(
    tx: &mut Tx<'_>,
    user: &UserRow,
    password_hash: &str,
    session: &NewSession,
    first: &RefreshRow,
    device: &Device,
    now: UnixMillis,
) -> Result<Reset, AppError> {
    let ended = credentials::changed(tx, user.id, Scope::AllOf(user.id), RevokeReason::PasswordReset, now).await?;
    users::set_password(tx, user.id, password_hash).await?;
    grant::open(tx, session, first).await?;
    security_events::record(tx, now, &device.event(EventKind::PasswordReset, user.id, session.id)).await?;
    remember_device(tx, user, device, session.id, now).await?;
    let browser = limits::remember_browser(tx, user, device, now).await?;
    Ok(Reset { ended: ended.len(), browser })
}

/// `POST /api/auth/verify_email`: the address of the link is proved, and for an
/// email-change link it becomes the account's address (`email_taken` if another
/// account took it meanwhile), and the old address is told, with a link that undoes it.
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
            // The old address hears of it, and can put itself back.
            let undo = LinkFor::new(Purpose::NotMeEmailChange, NOT_ME_TTL);
            let undo = match link.session_id {
                Some(session) => undo.about(session),
                None => undo,
            };
            let letter = Letter::EmailChanged { new_email: link.email.clone() };
            mail::queue_with_link(&mut tx, user.id, &user.email, undo, &letter, now).await?;
            EventKind::EmailChanged
        }
        _ => {
            match users::verify_email(&mut tx, user.id, &link.email, now).await? {
                Proved::First => {
                    credentials::address_proved_first(&mut tx, user.id, device, now).await?;
                }
                Proved::Again => {}
                Proved::NotTheAddress => return Err(AppError::InvalidLink),
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

/// `POST /api/auth/not_me`: the owner says a sign-in, or a change of address, was not
/// theirs. The session the mail was about ends, with every session of the account
/// begun after it and everything a credential change ends; an email change is undone
/// (the link came to the old address, which it proves); and a single-use reset token
/// comes back, for the new password the person sets next.
pub async fn not_me(state: &AppState, token: &str, device: &Device) -> Result<NotMeAnswer, AppError> {
    let (link, user) = live_link(state, token, &[Purpose::NotMeSignIn, Purpose::NotMeEmailChange]).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !email_links::spend(&mut tx, link.id).await? {
        return Err(AppError::InvalidLink);
    }
    // Every session begun since the one the mail was about (or, if that one is gone,
    // since the mail's link was made).
    let since = match link.session_id {
        Some(sid) => sessions::created_at(&mut tx, sid).await?.unwrap_or(link.created_at).min(link.created_at),
        None => link.created_at,
    };
    let mut email = user.email.clone();
    if link.purpose == Purpose::NotMeEmailChange && link.email != user.email {
        match users::change_email(&mut tx, user.id, &link.email, now).await? {
            Changed::Changed => email = link.email.clone(),
            Changed::EmailTaken => {
                tracing::warn!(user = %user.id, "cannot put the old address back: another account has it now");
            }
        }
    }
    let scope = Scope::BegunSince(user.id, link.session_id, since);
    let ended = credentials::changed(&mut tx, user.id, scope, RevokeReason::NotMe, now).await?;
    let event = match link.session_id {
        Some(sid) => device.event(EventKind::NotMeReported, user.id, sid),
        None => device.event(EventKind::NotMeReported, user.id, None),
    };
    security_events::record(&mut tx, now, &event).await?;
    // The reset token goes back in the answer, not through the mail: whoever holds
    // this link holds the mailbox the link came to.
    let reset = SecretToken::generate();
    let link = NewLink {
        id: crate::server::ids::LinkId::generate(),
        user_id: user.id,
        purpose: Purpose::ResetPassword,
        email: &email,
        session_id: None,
        created_at: now,
        expires_at: now.plus(state.settings.mail.reset_ttl),
    };
    email_links::replace(&mut tx, &link).await?;
    email_links::arm(&mut tx, link.id, &reset, now).await?;
    tx.commit().await?;
    state.store.forget(user.id);
    tracing::info!(user = %user.id, sessions_ended = ended.len(), "this wasn't me");
    Ok(NotMeAnswer { ended_sessions: ended.len() as u64, reset_token: reset.as_str().to_string() })
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
    // The session that asked is the one "this wasn't me" ends, should the old address
    // say so once the change is done.
    let link = LinkFor::new(Purpose::ChangeEmail, VERIFY_TTL).about(caller.session_id);
    mail::queue_with_link(&mut tx, account.id, new_email.as_str(), link, &Letter::ConfirmNewEmail, now).await?;
    mail::queue(&mut tx, account.id, &account.email, &notice, None, now).await?;
    tx.commit().await?;
    tracing::info!(user = %account.id, "email change asked for");
    Ok(())
}

/// `GET /api/account/email`: the address, and a change waiting for its link.
pub async fn pending(state: &AppState, caller: &Authenticated) -> Result<PendingEmail, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let now = state.clock.now();
    let pending = email_links::pending_of(state.store.pool(), account.id, Purpose::ChangeEmail, now).await?;
    Ok(PendingEmail { email: account.email.clone(), pending })
}

/// `DELETE /api/account/email`: the pending change of address is cancelled (its link
/// stops working). Nothing pending is no error.
pub async fn cancel_change(state: &AppState, caller: &Authenticated, device: &Device) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if email_links::delete_of(&mut tx, caller.user_id, Purpose::ChangeEmail).await? > 0 {
        let event = device.event(EventKind::EmailChangeCancelled, caller.user_id, caller.session_id);
        security_events::record(&mut tx, now, &event).await?;
        tracing::info!(user = %caller.user_id, "email change cancelled");
    }
    tx.commit().await?;
    Ok(())
}

/// Records a sign-in of `user` on `device` (browser and system, so a browser update
/// is the same device) and address, in `tx`; the first from a pair the account has
/// not used before queues the new-device mail, whose "This wasn't me" link ends
/// `session` and every later one. The sign-up's own pair is the first, and not news.
pub async fn remember_device(
    tx: &mut Tx<'_>,
    user: &UserRow,
    device: &Device,
    session: SessionId,
    now: UnixMillis,
) -> Result<(), AppError> {
    let name = describe_device(&device.user_agent);
    if known_devices::sign_in(tx, user.id, &name, &device.addr, now).await? == Seen::New {
        let letter = Letter::NewSignIn { device: name, address: device.addr.clone(), at_ms: now.0 };
        let not_me = LinkFor::new(Purpose::NotMeSignIn, NOT_ME_TTL).about(session);
        mail::queue_with_link(tx, user.id, &user.email, not_me, &letter, now).await?;
    }
    Ok(())
}
