//! Signing up and signing in: each starts a new session on the caller's device. And
//! [`prove`], the one check of a password against an account, with the sign-in
//! limits: signing in, re-authenticating, changing the password and deleting the
//! account all go through it.

use super::{
    challenge::{self, SignIn},
    device::Device,
    email,
    grant::{self, Grant},
    limits, strength,
};
use crate::{
    server::{
        ids::UserId,
        state::AppState,
        store::{
            refresh_tokens::RefreshRow,
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
    let passwords = &state.passwords;
    let password_hash = {
        let slot = passwords.slot(&device.net).await?;
        passwords.hash(&slot, &password).await?
    };
    let now = state.clock.now();
    let user = UserRow {
        id: UserId::generate(),
        email: email.to_string(),
        password_hash,
        created_at: now,
        email_verified_at: None,
    };
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    if users::insert(&mut tx, &user).await? == Inserted::EmailTaken {
        return Err(AppError::EmailTaken);
    }
    users::set_language(&mut tx, user.id, device.lang).await?;
    grant::open(&mut tx, &session, &first).await?;
    security_events::record(&mut tx, now, &device.event(EventKind::SignedUp, user.id, session.id)).await?;
    email::queue_verification(&mut tx, user.id, &user.email, now).await?;
    email::remember_device(&mut tx, &user, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, "account created");
    grant::grant(state, &first, &Account::from(&user), now)
}

/// Signs in with email and password: a new session on this device, and a mail to the
/// owner if the device is new to the account. For an account with two-step
/// verification, the ticket for the second step instead.
pub async fn login(state: &AppState, email: &str, password: &str, device: &Device) -> Result<SignIn, AppError> {
    let email = Email::parse(email)?;
    let password = Password::parse_existing(password)?;
    let user = prove(state, &email, &password, device).await?;
    let now = state.clock.now();
    if challenge::required(state, &user).await? {
        let mut tx = state.store.begin().await?;
        let next = challenge::open(&mut tx, &user, None, now).await?;
        tx.commit().await?;
        return Ok(SignIn::SecondStep(next));
    }
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    open_session(&mut tx, &user, &session, &first, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, "signed in");
    Ok(SignIn::Granted(grant::grant(state, &first, &Account::from(&user), now)?))
}

/// Opens the session of a sign-in (with a password, a second step or a passkey) in
/// `tx`: the session, `signed_in`, the account's language (the one this sign-in
/// speaks, which its mails follow from now), and the new-device mail if the device
/// is new.
pub async fn open_session(
    tx: &mut Tx<'_>,
    user: &UserRow,
    session: &NewSession,
    first: &RefreshRow,
    device: &Device,
    now: UnixMillis,
) -> Result<(), AppError> {
    grant::open(tx, session, first).await?;
    users::set_language(tx, user.id, device.lang).await?;
    security_events::record(tx, now, &device.event(EventKind::SignedIn, user.id, session.id)).await?;
    email::remember_device(tx, user, device, now).await
}

/// The account of `email` if `password` is its password. A wrong one is recorded (the
/// person sees it in their activity) and counted by the sign-in limits, whatever asked:
/// sign-in, re-authentication, password change, account deletion.
pub async fn prove(state: &AppState, email: &Email, password: &Password, device: &Device) -> Result<UserRow, AppError> {
    let passwords = &state.passwords;
    let client = device.addr.as_str();

    // Checked before queueing for a hash, so a refused client costs nothing and waits
    // for nothing; checked again under the slot, with the hash and the recording of a
    // failure, so a burst of parallel guesses cannot all pass the first check.
    limits::check_sign_in(state, email, device).await?;
    let slot = passwords.slot(&device.net).await?;
    limits::check_sign_in(state, email, device).await?;
    let user = users::by_email(state.store.pool(), email.as_str()).await?;
    let valid = passwords.verify(&slot, password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if valid => Ok(user),
        _ => {
            let mut tx = state.store.begin().await?;
            security_events::record(&mut tx, state.clock.now(), &failed(user.map(|u| u.id), email, device)).await?;
            tx.commit().await?;
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
