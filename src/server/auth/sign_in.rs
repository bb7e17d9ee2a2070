//! Signing up and signing in: each starts a new session on the caller's device
//! ([`open_session`], which every way of signing in ends in). And [`prove`], the one
//! check of a password against an account, with the sign-in limits: signing in,
//! re-authenticating, changing the password and deleting the account all go through it.

use super::{
    challenge::{self, SignIn},
    device::Device,
    email,
    grant::{self, Grant},
    limits,
    method::Method,
    strength,
};
use crate::{
    server::{
        ids::UserId,
        observe::metrics,
        state::AppState,
        store::{
            refresh_tokens::RefreshRow,
            secret_token::SecretToken,
            security_events::{self, Event, EventKind},
            sessions::NewSession,
            users::{self, Account, Inserted, UserRow},
            Tx,
        },
        time::UnixMillis,
    },
    shared::{
        credentials::{Email, Password},
        error::AppError,
    },
};

/// Creates an account and its first session, and queues the mail that verifies its
/// address.
pub async fn register(state: &AppState, email: &str, password: &str, device: &Device) -> Result<Grant, AppError> {
    let email = Email::parse(email)?;
    let password = Password::parse_new(password)?;
    strength::check(&password, &email)?;
    limits::admit_registration(state, device).await?;
    state.breaches.check(&password).await?;
    let passwords = &state.passwords;
    let password_hash = {
        let slot = passwords.slot(&device.net).await?;
        passwords.hash(&slot, &password).await?
    };
    let now = state.clock.now();
    let user = UserRow::new(&email, password_hash, None, now);
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    let browser = create_account(&mut tx, &user, &session, &first, device, now).await?;
    email::queue_verification(&mut tx, user.id, &user.email, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, "account created");
    Ok(grant::grant(state, &first, &Account::from(&user), now)?.for_browser(browser))
}

/// Creates `user` with its first session in `tx` (a sign-up with a password or through
/// a provider): the account, its language, `signed_up`, the device and the browser
/// remembered; the `device` cookie to give a browser that has none. `email_taken` if
/// the address has an account.
pub async fn create_account(
    tx: &mut Tx<'_>,
    user: &UserRow,
    session: &NewSession,
    first: &RefreshRow,
    device: &Device,
    now: UnixMillis,
) -> Result<Option<SecretToken>, AppError> {
    if users::insert(tx, user).await? == Inserted::EmailTaken {
        return Err(AppError::EmailTaken);
    }
    users::set_language(tx, user.id, device.lang).await?;
    grant::open(tx, session, first).await?;
    security_events::record(tx, now, &device.event(EventKind::SignedUp, user.id, session.id)).await?;
    email::remember_device(tx, user, device, session.id, now).await?;
    limits::remember_browser(tx, user, device, now).await
}

/// Signs in with email and password: a new session on this device, and a mail to the
/// owner if the device is new to the account. For an account with two-step
/// verification, the ticket for the second step instead.
pub async fn login(state: &AppState, email: &str, password: &str, device: &Device) -> Result<SignIn, AppError> {
    let result = with_password(state, email, password, device).await;
    let outcome = result.as_ref().map(|done| match done {
        SignIn::Granted(_) => "signed_in",
        SignIn::SecondStep(_) => "second_step",
    });
    metrics::sign_in("password", outcome);
    result
}

async fn with_password(state: &AppState, email: &str, password: &str, device: &Device) -> Result<SignIn, AppError> {
    let email = Email::parse(email)?;
    let password = Password::parse_existing(password)?;
    let user = prove(state, &email, &password, device).await?;
    after_first_step(state, &user, device, &Method::Password).await
}

/// Where every one-factor sign-in (a password, a provider, an email code) goes once it
/// proved `user`: the second step's ticket on an account with two-step verification,
/// else a new session on `device`.
pub async fn after_first_step(
    state: &AppState,
    user: &UserRow,
    device: &Device,
    method: &Method,
) -> Result<SignIn, AppError> {
    let now = state.clock.now();
    if challenge::required(state, user).await? {
        let mut tx = state.store.begin().await?;
        let next = challenge::open(&mut tx, user, None, method, now).await?;
        tx.commit().await?;
        return Ok(SignIn::SecondStep(next));
    }
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    let browser = open_session(&mut tx, user, &session, &first, device, method, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, method = %method.as_wire(), "signed in");
    Ok(SignIn::Granted(grant::grant(state, &first, &Account::from(user), now)?.for_browser(browser)))
}

/// Opens the session of a sign-in (with a password, a second step, a passkey or a
/// provider) in `tx`: the session, `signed_in` (with its `method`), the account's language (the one this sign-in
/// speaks, which its mails follow from now), the new-device mail if the device is
/// new, and the browser remembered; the `device` cookie to give a browser that has
/// none. `invalid_credentials` if the account's credentials changed since `user` was
/// read (a new password, a sign-out everywhere, a lock): the sign-in proved something
/// that no longer holds. `account_locked` if it was locked before: every way in (a
/// password, a second step, a passkey, a provider) opens its session here.
pub async fn open_session(
    tx: &mut Tx<'_>,
    user: &UserRow,
    session: &NewSession,
    first: &RefreshRow,
    device: &Device,
    method: &Method,
    now: UnixMillis,
) -> Result<Option<SecretToken>, AppError> {
    if user.locked_at.is_some() {
        tracing::info!(user = %user.id, "sign-in refused: the account is locked");
        return Err(AppError::AccountLocked);
    }
    if !users::still_current(tx, user.id, user.credential_epoch).await? {
        tracing::info!(user = %user.id, "sign-in refused: the credentials changed while it was checked");
        return Err(AppError::InvalidCredentials);
    }
    grant::open(tx, session, first).await?;
    users::set_language(tx, user.id, device.lang).await?;
    let method = method.as_wire();
    let event = Event { method: Some(&method), ..device.event(EventKind::SignedIn, user.id, session.id) };
    security_events::record(tx, now, &event).await?;
    email::remember_device(tx, user, device, session.id, now).await?;
    limits::remember_browser(tx, user, device, now).await
}

/// The account of `email` if `password` is its password. A wrong one is recorded (the
/// person sees it in their activity) and counted by the sign-in limits, whatever asked:
/// sign-in, re-authentication, password change, account deletion.
///
/// The account is read once, before the hash: the `credential_epoch` it carries is the
/// one the password was checked under, which `open_session` holds the session to.
pub async fn prove(state: &AppState, email: &Email, password: &Password, device: &Device) -> Result<UserRow, AppError> {
    let passwords = &state.passwords;
    let client = device.addr.as_str();
    let user = users::by_email(state.store.pool(), email.as_str()).await?;
    let known = limits::known_browser(state, user.as_ref(), device).await?;

    // Checked before queueing for a hash, so a refused client costs nothing and waits
    // for nothing; then, in its slot, the attempt is counted and recorded as a failure
    // in one step, so that parallel guesses cannot all pass the count.
    limits::check_sign_in(state, email, device, known).await?;
    let slot = passwords.slot(&device.net).await?;
    let attempt =
        limits::reserve_sign_in(state, email, device, known, &failed(user.as_ref().map(|u| u.id), email, device))
            .await?;
    // An account without a password is checked as a missing one is: the same work,
    // never a match.
    let hash = user.as_ref().filter(|u| u.has_password()).map(|u| u.password_hash.as_str());
    let valid = passwords.verify(&slot, password, hash).await?;
    match user {
        Some(user) if valid => {
            attempt.succeeded(state).await?;
            // Said only now, to someone who knows the password: it tells a guesser nothing.
            if user.locked_at.is_some() {
                tracing::info!(user = %user.id, "sign-in refused: the account is locked");
                return Err(AppError::AccountLocked);
            }
            Ok(user)
        }
        _ => {
            tracing::info!(client, "failed sign-in");
            Err(AppError::InvalidCredentials)
        }
    }
}

/// A failed sign-in (a wrong password, or a wrong second-step code) of `email` from
/// `device`: what the sign-in limits count, and what the person sees in their activity.
pub fn failed<'a>(user: Option<UserId>, email: &'a Email, device: &'a Device) -> Event<'a> {
    Event {
        user_id: user,
        email: Some(email.as_str()),
        client_addr: Some(&device.addr),
        client_net: Some(&device.net),
        user_agent: Some(&device.user_agent),
        ..Event::new(EventKind::SignInFailed)
    }
}
