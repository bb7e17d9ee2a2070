//! The authenticator app (docs/API.md, "Authenticator app"): setting it up, turning it
//! on and off, recovery codes, and [`check`], the one check of a second-step code.
//! Codes are RFC 6238 (SHA-1, 6 digits, 30 s, ±1 step) through `totp-rs`.

use super::{bearer::Authenticated, changes, device::Device, limits};
use crate::{
    server::{
        ids::UserId,
        mail::letters::SecurityChange,
        state::AppState,
        store::{
            recovery_codes,
            totp::{self, TotpRow},
            users::{self, Account},
            Tx,
        },
        time::UnixMillis,
    },
    shared::{
        error::AppError,
        wire::{MfaStatus, RecoveryCodes, TotpSetup},
    },
};
use rand::{Rng, RngCore};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer the app shows next to the account.
const ISSUER: &str = "Baton";
const RECOVERY_CODES: usize = 10;
/// How long a started setup waits for its first code.
const SETUP_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// Wrong codes after which a started setup is dead (start again).
const SETUP_MAX_FAILURES: i64 = 5;

/// The caller's account, if its address is proved: a strong factor added by someone
/// who never proved the address could outlive the owner's reset.
async fn verified_account(state: &AppState, caller: &Authenticated) -> Result<std::sync::Arc<Account>, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    if account.email_verified_at.is_none() {
        return Err(AppError::EmailUnverified);
    }
    Ok(account)
}

/// The code generator of a base32 `secret`, labelled with `account` in the app.
fn generator(secret: &str, account: &str) -> Result<Totp, AppError> {
    let secret =
        Secret::try_from_base32(secret).map_err(|_| AppError::internal("a stored TOTP secret is not base32"))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        // The label is `issuer:account`; a colon in the account would split it.
        .with_account_name(account.replace(':', "_"))
        .build()
        .map_err(AppError::internal)
}

/// The step `code` belongs to if it is a current code of `secret` (the step before,
/// now, or the step after).
pub fn step_of(secret: &str, code: &str, now: UnixMillis) -> Result<Option<i64>, AppError> {
    let now = u64::try_from(now.as_secs().0).unwrap_or(0);
    Ok(generator(secret, "")?.check(code, now).and_then(|step| i64::try_from(step).ok()))
}

/// What a second step proved with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

/// Checks a second-step `code` of `user` in `tx`: a code of the app for a step not
/// used before, or an unused recovery code (used up here). `None` when it is neither.
pub async fn check(
    tx: &mut Tx<'_>,
    row: &TotpRow,
    user: UserId,
    code: &str,
    now: UnixMillis,
) -> Result<Option<Proof>, AppError> {
    let Some(secret) = row.enabled_secret() else { return Ok(None) };
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(match step_of(secret, &digits, now)? {
            Some(step) if totp::accept_step(tx, user, step).await? => Some(Proof::Totp),
            _ => None,
        });
    }
    let code = normalise_recovery_code(code);
    if code.len() == 16 && recovery_codes::spend(tx, user, &code).await? {
        return Ok(Some(Proof::RecoveryCode));
    }
    Ok(None)
}

/// A recovery code as stored: lower case, without the dashes and spaces people type.
fn normalise_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).take(64).collect()
}

/// Ten new recovery codes: 16 characters of a 31-letter alphabet (79 bits) each,
/// shown as `abcd-efgh-jkmn-pqrs`.
fn new_recovery_codes() -> Vec<String> {
    // No 0/o, 1/l/i: codes are read off paper.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// `GET /api/mfa`.
pub async fn status(state: &AppState, caller: &Authenticated) -> Result<MfaStatus, AppError> {
    let pool = state.store.pool();
    let on = totp::enabled(pool, caller.user_id).await?;
    let left = recovery_codes::count_of(pool, caller.user_id).await?;
    Ok(MfaStatus { totp: on, recovery_codes_left: u32::try_from(left).unwrap_or(0) })
}

/// `POST /api/mfa/totp/start` (sensitive): a new secret waiting ten minutes for its
/// first code.
pub async fn start(state: &AppState, caller: &Authenticated) -> Result<TotpSetup, AppError> {
    let account = verified_account(state, caller).await?;
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = Secret::new_stack(bytes).to_base32();
    let generator = generator(&secret, &account.email)?;
    let otpauth_uri = generator.to_url().map_err(AppError::internal)?;
    let qr_svg = qrcode::QrCode::new(otpauth_uri.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let mut tx = state.store.begin().await?;
    totp::set_pending(&mut tx, account.id, &secret, state.clock.now().plus(SETUP_TTL)).await?;
    tx.commit().await?;
    Ok(TotpSetup { secret, otpauth_uri, qr_svg })
}

/// `POST /api/mfa/totp/confirm` (sensitive): the first code turns the app on, and the
/// recovery codes are made (shown this once). A wrong code counts against the setup
/// (dead after five) and against the account's cap on wrong second-step codes, as at
/// sign-in: the recovery codes are worth as much as the app.
pub async fn confirm(
    state: &AppState,
    caller: &Authenticated,
    code: &str,
    device: &Device,
) -> Result<RecoveryCodes, AppError> {
    verified_account(state, caller).await?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() > 16 {
        return Err(AppError::invalid_input("A code has 6 digits."));
    }
    let user = users::by_id(state.store.pool(), caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let account = Account::from(&user);
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    limits::check_second_step(&mut tx, state, user.id).await?;
    let row = totp::of_in(&mut tx, user.id).await?;
    let Some(pending) = row.as_ref().and_then(|row| row.pending_secret(now, SETUP_MAX_FAILURES)).map(str::to_string)
    else {
        return Err(AppError::InvalidCode);
    };
    let Some(step) = step_of(&pending, &code, now)? else {
        totp::pending_failed(&mut tx, user.id, &pending).await?;
        limits::second_step_failed(
            &mut tx,
            state,
            &user,
            &crate::shared::credentials::Email::parse(&user.email)?,
            device,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::InvalidCode);
    };
    let codes = new_recovery_codes();
    if !totp::enable(&mut tx, account.id, &pending, step, now).await? {
        // A newer setup replaced this one meanwhile.
        return Err(AppError::InvalidCode);
    }
    recovery_codes::replace(&mut tx, account.id, &codes.iter().map(|c| normalise_recovery_code(c)).collect::<Vec<_>>())
        .await?;
    changes::record(&mut tx, &account, SecurityChange::MfaEnabled, caller.session_id, device, now).await?;
    tx.commit().await?;
    state.store.forget(account.id);
    tracing::info!(user = %account.id, "two-step verification turned on");
    Ok(RecoveryCodes { recovery_codes: codes })
}

/// `POST /api/mfa/totp/disable` (sensitive): the app and the recovery codes go.
pub async fn disable(state: &AppState, caller: &Authenticated, device: &Device) -> Result<(), AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let was_on = totp::enabled_in(&mut tx, account.id).await?;
    totp::delete(&mut tx, account.id).await?;
    recovery_codes::delete_of(&mut tx, account.id).await?;
    if was_on {
        changes::record(&mut tx, &account, SecurityChange::MfaDisabled, caller.session_id, device, now).await?;
    }
    tx.commit().await?;
    tracing::info!(user = %account.id, was_on, "two-step verification turned off");
    Ok(())
}

/// `POST /api/mfa/recovery_codes` (sensitive): ten new codes; the old ones stop
/// working. `not_found` when two-step verification is off.
pub async fn renew_codes(state: &AppState, caller: &Authenticated, device: &Device) -> Result<RecoveryCodes, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let now = state.clock.now();
    let codes = new_recovery_codes();
    let mut tx = state.store.begin().await?;
    if !totp::enabled_in(&mut tx, account.id).await? {
        return Err(AppError::NotFound);
    }
    recovery_codes::replace(&mut tx, account.id, &codes.iter().map(|c| normalise_recovery_code(c)).collect::<Vec<_>>())
        .await?;
    changes::record(&mut tx, &account, SecurityChange::RecoveryCodesRenewed, caller.session_id, device, now).await?;
    tx.commit().await?;
    Ok(RecoveryCodes { recovery_codes: codes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_80_bit_codes_that_normalise_back() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            let plain = normalise_recovery_code(code);
            assert_eq!(plain.len(), 16);
            assert_eq!(normalise_recovery_code(&code.to_uppercase().replace('-', " ")), plain);
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbouring_ones_only() {
        let secret = Secret::new_stack([7u8; 20]).to_base32();
        let at = UnixMillis(1_800_000_000_000);
        let code = generator(&secret, "a@example.com").unwrap().generate(1_800_000_000).to_string();
        let step = 1_800_000_000 / 30;
        assert_eq!(step_of(&secret, &code, at).unwrap(), Some(step));
        assert_eq!(step_of(&secret, &code, UnixMillis(at.0 + 30_000)).unwrap(), Some(step));
        assert_eq!(step_of(&secret, &code, UnixMillis(at.0 + 90_000)).unwrap(), None);
        assert_eq!(step_of(&secret, "000000", at).unwrap().is_some(), code == "000000");
    }

    #[test]
    fn the_otpauth_uri_names_baton_and_the_account() {
        let secret = Secret::new_stack([7u8; 20]).to_base32();
        let uri = generator(&secret, "a@example.com").unwrap().to_url().unwrap();
        assert!(uri.starts_with("otpauth://totp/Baton:a%40example.com?"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    }
}
