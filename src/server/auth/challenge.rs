//! The ticket for the second step of signing in (docs/API.md, "Login with two-step
//! verification"): a right password on an account with the authenticator app opens
//! one instead of a session; `second_step::finish` redeems it with a code.

use super::method::Method;
use crate::{
    server::{
        state::AppState,
        store::{mfa_challenges, secret_token::SecretToken, totp as totp_store, users::UserRow, Tx},
        time::UnixMillis,
    },
    shared::{error::AppError, wire::MfaRequired},
};
use std::time::Duration;

/// How long an `mfa_token` lives.
const TTL: Duration = Duration::from_secs(5 * 60);
/// Wrong codes after which an `mfa_token` is dead.
pub const MAX_FAILURES: i64 = 5;

/// What a sign-in (or a password reset) came to.
pub enum SignIn {
    Granted(super::grant::Grant),
    /// The password was right; the second step is next.
    SecondStep(MfaRequired),
}

/// Whether `user` signs in in two steps.
pub async fn required(state: &AppState, user: &UserRow) -> Result<bool, AppError> {
    Ok(totp_store::enabled(state.store.pool(), user.id).await?)
}

/// Opens the second step for `user`, in `tx`. For a password reset,
/// `new_password_hash` is the password to set once it succeeds; `method` is how the
/// first step was made, for the `signed_in` event the second ends in.
pub async fn open(
    tx: &mut Tx<'_>,
    user: &UserRow,
    new_password_hash: Option<&str>,
    method: &Method,
    now: UnixMillis,
) -> Result<MfaRequired, AppError> {
    let token = SecretToken::generate();
    mfa_challenges::insert(tx, &token, user.id, new_password_hash, &method.as_wire(), now.plus(TTL)).await?;
    Ok(MfaRequired {
        mfa_required: true,
        mfa_token: token.as_str().to_string(),
        methods: vec!["totp".into(), "recovery_code".into()],
    })
}
