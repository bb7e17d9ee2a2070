//! Passkeys (docs/API.md, "Passkeys"): adding one to an account, signing in with one
//! (a discoverable credential: the browser says whose it is), re-authenticating with
//! one. The WebAuthn ceremonies are webauthn-rs'; their state between start and finish
//! is kept in the database (`store::ceremonies`), so any instance may answer a finish,
//! and each is taken once, so a challenge cannot be answered twice.
//!
//! The relying party is [`super::relying_party`].

use super::{
    bearer::Authenticated,
    changes,
    device::Device,
    grant::{self, Grant},
    relying_party::CEREMONY_TTL,
    sign_in,
};
use crate::{
    server::{
        ids::{CeremonyId, PasskeyId, UserId},
        mail::letters::SecurityChange,
        observe::metrics,
        state::AppState,
        store::{
            ceremonies::{self, Purpose},
            passkeys::{self, Inserted, PasskeyRow},
            users::{self, Account, UserRow},
        },
        time::UnixMillis,
    },
    shared::{
        device::describe_device,
        error::AppError,
        wire::{PasskeyInfo, PasskeyOptions},
    },
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
};

/// Sign-in ceremonies a client address may have open at once: every visit to the
/// sign-in page opens one (for the browser's passkey autofill), and a stranger must
/// not fill the table.
const OPEN_SIGN_INS_PER_ADDRESS: i64 = 200;
/// The longest passkey name.
const MAX_NAME: usize = 64;

/// The contract's view of a passkey.
pub fn info(row: &PasskeyRow) -> Result<PasskeyInfo, AppError> {
    Ok(PasskeyInfo {
        id: row.id.to_string(),
        credential_id: row.credential_id.clone(),
        name: row.name.clone(),
        created_at: row.created_at.to_rfc3339()?,
        last_used_at: row.last_used_at.map(UnixMillis::to_rfc3339).transpose()?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(AppError::internal)
}

/// A credential as the browser sent it: a JSON object, or (from a form) its text.
fn credential<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, AppError> {
    let value = match value {
        Value::String(text) => serde_json::from_str(&text).map_err(|_| malformed())?,
        other => other,
    };
    serde_json::from_value(value).map_err(|e| {
        tracing::info!(error = %e, "a malformed passkey credential");
        malformed()
    })
}

fn malformed() -> AppError {
    AppError::invalid_input("The passkey's answer is malformed.")
}

/// The caller's account, if its address is proved: a passkey added by someone who
/// never proved the address would sign them back in after the owner's reset.
async fn verified_account(state: &AppState, caller: &Authenticated) -> Result<std::sync::Arc<Account>, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    if account.email_verified_at.is_none() {
        return Err(AppError::EmailUnverified);
    }
    Ok(account)
}

/// `POST /api/passkeys/register/start` (sensitive): creation options for a new
/// discoverable passkey of the caller. A newer start replaces an unfinished one.
pub async fn register_start(state: &AppState, caller: &Authenticated) -> Result<PasskeyOptions, AppError> {
    let webauthn = state.passkeys.webauthn()?;
    let account = verified_account(state, caller).await?;
    let existing = passkeys::of_user(state.store.pool(), account.id).await?;
    let exclude = existing.iter().filter_map(|row| URL_SAFE_NO_PAD.decode(&row.credential_id).ok()).collect::<Vec<_>>();
    let (options, registration) = webauthn
        .start_passkey_registration(account.id.0, &account.email, &account.email, Some(exclude))
        .map_err(AppError::internal)?;
    // A passkey must be discoverable: signing in starts without an email, so resident
    // keys are required. User verification is "preferred" on the wire (the contract)
    // but required by the finish (webauthn-rs' passkey policy): a passkey counts as two
    // factors only with it.
    let mut public_key = serde_json::to_value(&options.public_key).map_err(AppError::internal)?;
    public_key["authenticatorSelection"]["residentKey"] = json!("required");
    public_key["authenticatorSelection"]["requireResidentKey"] = json!(true);
    public_key["authenticatorSelection"]["userVerification"] = json!("preferred");
    // With "preferred", browsers refuse webauthn-rs' credProtect "userVerificationRequired"
    // as inconsistent; level 2 keeps what matters for a discoverable passkey: the
    // authenticator does not reveal it to a sign-in that names no credential without
    // verifying its user.
    public_key["extensions"]["credentialProtectionPolicy"] = json!("userVerificationOptionalWithCredentialIDList");
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    ceremonies::delete_registrations_of(&mut tx, account.id).await?;
    let id = CeremonyId::generate();
    ceremonies::insert(
        &mut tx,
        id,
        Purpose::Register,
        Some(account.id),
        None,
        &to_json(&registration)?,
        now.plus(CEREMONY_TTL),
    )
    .await?;
    tx.commit().await?;
    Ok(PasskeyOptions { public_key, origin: state.passkeys.origin().to_string(), challenge_id: None })
}

/// `POST /api/passkeys/register/finish`: the new passkey, named `name` (the device's
/// name when empty).
pub async fn register_finish(
    state: &AppState,
    caller: &Authenticated,
    name: &str,
    credential_value: Value,
    device: &Device,
) -> Result<PasskeyInfo, AppError> {
    let webauthn = state.passkeys.webauthn()?;
    let account = verified_account(state, caller).await?;
    let name = match name.trim() {
        "" => describe_device(&device.user_agent),
        name if name.chars().count() > MAX_NAME => {
            return Err(AppError::invalid_input(format!("A passkey's name has at most {MAX_NAME} characters.")))
        }
        name => name.to_string(),
    };
    let response: RegisterPublicKeyCredential = credential(credential_value)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ceremony = ceremonies::take_registration(&mut tx, account.id, now).await?;
    // Taken even if what follows fails: a challenge is answered once.
    tx.commit().await?;
    let registration: PasskeyRegistration = from_json(&ceremony.ok_or(AppError::InvalidCode)?.state)?;
    let passkey = webauthn.finish_passkey_registration(&response, &registration).map_err(|e| {
        tracing::info!(user = %account.id, error = %e, "a passkey registration did not verify");
        AppError::InvalidCode
    })?;
    let row = PasskeyRow {
        id: PasskeyId::generate(),
        user_id: account.id,
        credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id()),
        name,
        passkey: to_json(&passkey)?,
        created_at: now,
        last_used_at: None,
    };
    let mut tx = state.store.begin().await?;
    if passkeys::insert(&mut tx, &row).await? == Inserted::Duplicate {
        return Err(AppError::invalid_input("This passkey is registered already."));
    }
    changes::record(&mut tx, &account, SecurityChange::PasskeyAdded, caller.session_id, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %account.id, passkey = %row.id, "passkey added");
    info(&row)
}

/// `GET /api/passkeys`.
pub async fn list(state: &AppState, caller: &Authenticated) -> Result<Vec<PasskeyInfo>, AppError> {
    passkeys::of_user(state.store.pool(), caller.user_id).await?.iter().map(info).collect()
}

/// `DELETE /api/passkeys/{id}` (sensitive).
pub async fn remove(state: &AppState, caller: &Authenticated, id: &str, device: &Device) -> Result<(), AppError> {
    let id: PasskeyId = id.parse().map_err(|_| AppError::NotFound)?;
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    users::hold(&mut tx, account.id).await?;
    if !passkeys::delete(&mut tx, account.id, id).await? {
        return Err(AppError::NotFound);
    }
    // Counted after the removal, under the account's lock; refused, it rolls back.
    if users::sign_in_methods(&mut tx, account.id).await? == 0 {
        return Err(AppError::LastSignInMethod);
    }
    changes::record(&mut tx, &account, SecurityChange::PasskeyRemoved, caller.session_id, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %account.id, passkey = %id, "passkey removed");
    Ok(())
}

/// `POST /api/auth/passkey/start`: request options for any discoverable passkey of
/// this site, and the id of the ceremony to finish.
pub async fn sign_in_start(state: &AppState, device: &Device) -> Result<PasskeyOptions, AppError> {
    let webauthn = state.passkeys.webauthn()?;
    let now = state.clock.now();
    if ceremonies::open_sign_ins_of(state.store.pool(), &device.net, now).await? >= OPEN_SIGN_INS_PER_ADDRESS {
        metrics::rate_limited("passkey_sign_in");
        return Err(AppError::RateLimited { retry_after: CEREMONY_TTL.as_secs() });
    }
    let (options, authentication) = webauthn.start_discoverable_authentication().map_err(AppError::internal)?;
    let id = CeremonyId::generate();
    let mut tx = state.store.begin().await?;
    let state_json = to_json(&authentication)?;
    ceremonies::insert(&mut tx, id, Purpose::SignIn, None, Some(&device.net), &state_json, now.plus(CEREMONY_TTL))
        .await?;
    tx.commit().await?;
    Ok(PasskeyOptions {
        public_key: serde_json::to_value(&options.public_key).map_err(AppError::internal)?,
        origin: state.passkeys.origin().to_string(),
        challenge_id: Some(id.to_string()),
    })
}

/// Why a passkey assertion was refused: the error, and the credential's id when the
/// refusal is that no account has it (a passkey removed since), which the sign-in's
/// answer names (`unknown_credential`) so the browser can tell its password manager.
#[derive(Debug)]
pub struct Refused {
    pub error: AppError,
    pub unknown_credential: Option<String>,
}

impl From<AppError> for Refused {
    fn from(error: AppError) -> Self {
        Refused { error, unknown_credential: None }
    }
}

impl From<crate::server::store::StoreError> for Refused {
    fn from(error: crate::server::store::StoreError) -> Self {
        AppError::from(error).into()
    }
}

/// Verifies a passkey assertion against its ceremony: the passkey it was made with,
/// its owner, and the passkey's new counter recorded. Every failure is `invalid_code`.
async fn assert(
    state: &AppState,
    challenge_id: &str,
    credential_value: Value,
) -> Result<(UserRow, PasskeyRow), Refused> {
    let webauthn = state.passkeys.webauthn()?;
    let id: CeremonyId = challenge_id.parse().map_err(|_| AppError::InvalidCode)?;
    let response: PublicKeyCredential = credential(credential_value)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let ceremony = ceremonies::take(&mut tx, id, Purpose::SignIn, now).await?;
    tx.commit().await?;
    let authentication: DiscoverableAuthentication = from_json(&ceremony.ok_or(AppError::InvalidCode)?.state)?;
    let (user_handle, credential_id) =
        webauthn.identify_discoverable_authentication(&response).map_err(|_| AppError::InvalidCode)?;
    let pool = state.store.pool();
    let credential_id = URL_SAFE_NO_PAD.encode(credential_id);
    let Some(row) = passkeys::by_credential(pool, &credential_id).await? else {
        tracing::info!("a passkey sign-in with an unknown credential");
        return Err(Refused { error: AppError::InvalidCode, unknown_credential: Some(credential_id) });
    };
    if row.user_id != UserId(user_handle) {
        return Err(AppError::InvalidCode.into());
    }
    let mut passkey: Passkey = from_json(&row.passkey)?;
    let result = webauthn.finish_discoverable_authentication_v2(&response, authentication, &passkey).map_err(|e| {
        tracing::info!(user = %row.user_id, error = %e, "a passkey assertion did not verify");
        AppError::InvalidCode
    })?;
    passkey.update_credential(&result);
    let user = users::by_id(pool, row.user_id).await?.ok_or(AppError::InvalidCode)?;
    let mut tx = state.store.begin().await?;
    if !passkeys::used(&mut tx, row.id, &row.passkey, &to_json(&passkey)?, now).await? {
        // Removed, or used by a parallel assertion, while this one was being checked:
        // its counter must not overwrite a newer one.
        return Err(AppError::InvalidCode.into());
    }
    tx.commit().await?;
    Ok((user, row))
}

/// `POST /api/auth/passkey/finish`: a new session for the passkey's owner. A passkey
/// is two factors: no second step follows.
pub async fn sign_in_finish(
    state: &AppState,
    challenge_id: &str,
    credential_value: Value,
    device: &Device,
) -> Result<Grant, Refused> {
    let result = sign_in_with(state, challenge_id, credential_value, device).await;
    metrics::sign_in("passkey", result.as_ref().map(|_| "signed_in").map_err(|refused| &refused.error));
    result
}

async fn sign_in_with(
    state: &AppState,
    challenge_id: &str,
    credential_value: Value,
    device: &Device,
) -> Result<Grant, Refused> {
    let (user, passkey) = assert(state, challenge_id, credential_value).await?;
    let now = state.clock.now();
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    let browser =
        sign_in::open_session(&mut tx, &user, &session, &first, device, &super::method::Method::Passkey, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, passkey = %passkey.id, "signed in with a passkey");
    Ok(grant::grant(state, &first, &Account::from(&user), now)?.for_browser(browser))
}

/// A passkey assertion proving the caller is who they are (re-authentication): the
/// passkey must be the caller's.
pub async fn prove(
    state: &AppState,
    caller: &Authenticated,
    challenge_id: &str,
    credential_value: Value,
) -> Result<UserRow, AppError> {
    let (user, _) = assert(state, challenge_id, credential_value).await.map_err(|refused| refused.error)?;
    if user.id != caller.user_id {
        return Err(AppError::InvalidCode);
    }
    Ok(user)
}
