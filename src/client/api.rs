//! The contract's Bearer endpoints (docs/API.md), one async function each, taking and
//! returning their bodies (`shared::wire`) at their paths (`shared::endpoints`), all
//! through [`fetch`] (the one place the access token is attached, a 401 refreshed and
//! retried, and `reauth_required` answered with the re-authentication prompt). Pages
//! and components call these, never a URL; the forms of signed-out pages are server
//! functions (`crate::api`), typed already.

use super::fetch::{self, Method};
use crate::shared::{
    endpoints::{self as at, with_id},
    error::AppError,
    wire::{
        ActivityPage, AdminUser, AdminUserDetail, AdminUsers, AuditPage, ConnectedProvider, Done, Me, MfaStatus,
        PasskeyAssertion, PasskeyInfo, PasskeyOptions, PasskeyRegistration, PendingEmail, ProviderRedirect,
        RecoveryCodes, RevokedCount, RolesBody, SessionInfo, TokenResponse, TotpSetup,
    },
};

/// `GET /api/me`.
pub async fn me() -> Result<Me, AppError> {
    fetch::get_json(at::ME).await
}

/// `GET /api/sessions`: the live sessions, newest first.
pub async fn sessions() -> Result<Vec<SessionInfo>, AppError> {
    fetch::get_json(at::SESSIONS).await
}

/// `DELETE /api/sessions/{id}`.
pub async fn revoke_session(id: &str) -> Result<(), AppError> {
    fetch::delete(&with_id(at::SESSION, id)).await
}

/// `POST /api/auth/logout_all`.
pub async fn sign_out_everywhere() -> Result<RevokedCount, AppError> {
    fetch::post(at::LOGOUT_ALL).await
}

/// `GET /api/activity`: `limit` events older than the cursor `before`.
pub async fn activity(limit: u32, before: Option<&str>) -> Result<ActivityPage, AppError> {
    fetch::get_json(&format!("{}?{}", at::ACTIVITY, paged(limit, before, &[]))).await
}

/// `POST /api/account/verification_email`.
pub async fn resend_verification() -> Result<Done, AppError> {
    fetch::post(at::VERIFICATION_EMAIL).await
}

/// `GET /api/account/email`: the address and a change waiting for its link.
pub async fn email() -> Result<PendingEmail, AppError> {
    fetch::get_json(at::EMAIL).await
}

/// `POST /api/account/email` (sensitive): a link to `new`.
pub async fn change_email(new: &str) -> Result<(), AppError> {
    fetch::post_fields(at::EMAIL, &[("email", new)]).await.map(drop)
}

/// `DELETE /api/account/email`: the pending change is cancelled.
pub async fn cancel_email_change() -> Result<(), AppError> {
    fetch::delete(at::EMAIL).await
}

/// `POST /api/account/password`.
pub async fn change_password(current: &str, new: &str) -> Result<(), AppError> {
    fetch::post_fields(at::PASSWORD, &[("current_password", current), ("new_password", new)]).await.map(drop)
}

/// `GET /api/account/export` (sensitive): the JSON document, as text to save.
pub async fn export() -> Result<String, AppError> {
    fetch::get_text(at::EXPORT).await
}

/// `POST /api/account/delete` (sensitive).
pub async fn delete_account(password: &str) -> Result<(), AppError> {
    fetch::post_fields(at::DELETE_ACCOUNT, &[("password", password)]).await.map(drop)
}

/// `POST /api/auth/reauth` with the password, and the second step's code on an
/// account that has one: a fresh access token.
pub async fn reauth_with_password(password: &str, code: Option<&str>) -> Result<TokenResponse, AppError> {
    let mut fields = vec![("password", password)];
    fields.extend(code.map(|code| ("code", code)));
    fetch::json(fetch::post_fields(at::REAUTH, &fields).await?).await
}

/// `POST /api/auth/reauth` with a passkey assertion: a fresh access token.
pub async fn reauth_with_passkey(assertion: &PasskeyAssertion) -> Result<TokenResponse, AppError> {
    fetch::json(fetch::post_json(at::REAUTH, assertion).await?).await
}

/// `GET /api/passkeys`.
pub async fn passkeys() -> Result<Vec<PasskeyInfo>, AppError> {
    fetch::get_json(at::PASSKEYS).await
}

/// `POST /api/passkeys/register/start` (sensitive): creation options.
pub async fn start_passkey_registration() -> Result<PasskeyOptions, AppError> {
    fetch::post(at::PASSKEY_REGISTER_START).await
}

/// `POST /api/passkeys/register/finish`: the new passkey.
pub async fn finish_passkey_registration(registration: &PasskeyRegistration) -> Result<PasskeyInfo, AppError> {
    fetch::json(fetch::post_json(at::PASSKEY_REGISTER_FINISH, registration).await?).await
}

/// `DELETE /api/passkeys/{id}` (sensitive).
pub async fn remove_passkey(id: &str) -> Result<(), AppError> {
    fetch::delete(&with_id(at::PASSKEY, id)).await
}

/// `GET /api/account/providers`: the connected identities.
pub async fn connected_providers() -> Result<Vec<ConnectedProvider>, AppError> {
    fetch::get_json(at::ACCOUNT_PROVIDERS).await
}

/// `POST /api/account/providers/{provider}` (sensitive): where to send the browser.
pub async fn connect_provider(provider: &str) -> Result<ProviderRedirect, AppError> {
    fetch::post(&with_id(at::ACCOUNT_PROVIDER, provider)).await
}

/// `DELETE /api/account/providers/{provider}` (sensitive).
pub async fn disconnect_provider(provider: &str) -> Result<(), AppError> {
    fetch::delete(&with_id(at::ACCOUNT_PROVIDER, provider)).await
}

/// `POST /api/auth/passkey/start` (no Bearer): request options and the ceremony's id.
pub async fn start_passkey_sign_in() -> Result<PasskeyOptions, AppError> {
    fetch::json(fetch::post_json_public(at::PASSKEY_SIGN_IN_START, &serde_json::json!({})).await?).await
}

/// `POST /api/auth/passkey/finish` (no Bearer): the token body of a new session; a
/// refusal names the credential when the server knows no such passkey.
pub async fn finish_passkey_sign_in(assertion: &PasskeyAssertion) -> Result<TokenResponse, PasskeyRefused> {
    let refused = |(error, unknown_credential)| PasskeyRefused { error, unknown_credential };
    let response = fetch::post_json_public_keeping(at::PASSKEY_SIGN_IN_FINISH, assertion, "unknown_credential")
        .await
        .map_err(refused)?;
    fetch::json(response).await.map_err(|error| refused((error, None)))
}

/// A passkey sign-in the server refused: why, and the credential it does not know
/// (`unknown_credential`), when that was why.
#[derive(Clone, Debug, PartialEq)]
pub struct PasskeyRefused {
    pub error: AppError,
    pub unknown_credential: Option<String>,
}

/// `GET /api/mfa`.
pub async fn mfa_status() -> Result<MfaStatus, AppError> {
    fetch::get_json(at::MFA).await
}

/// `POST /api/mfa/totp/start` (sensitive).
pub async fn start_totp() -> Result<TotpSetup, AppError> {
    fetch::post(at::TOTP_START).await
}

/// `POST /api/mfa/totp/confirm` (sensitive): the recovery codes, this once.
pub async fn confirm_totp(code: &str) -> Result<RecoveryCodes, AppError> {
    fetch::json(fetch::post_fields(at::TOTP_CONFIRM, &[("code", code)]).await?).await
}

/// `POST /api/mfa/totp/disable` (sensitive).
pub async fn disable_totp() -> Result<(), AppError> {
    fetch::post_fields(at::TOTP_DISABLE, &[]).await.map(drop)
}

/// `POST /api/mfa/recovery_codes` (sensitive): new codes.
pub async fn renew_recovery_codes() -> Result<RecoveryCodes, AppError> {
    fetch::post(at::RECOVERY_CODES).await
}

/// A query string of a paged list: `limit`, and `before` when there is a cursor.
fn paged(limit: u32, before: Option<&str>, more: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(more);
    query.append_pair("limit", &limit.to_string());
    if let Some(cursor) = before {
        query.append_pair("before", cursor);
    }
    query.finish()
}

/// `GET /api/admin/users`: accounts newest first, those matching `q` if given.
pub async fn admin_users(q: &str, limit: u32, before: Option<&str>) -> Result<AdminUsers, AppError> {
    let q = q.trim();
    let search: &[(&str, &str)] = if q.is_empty() { &[] } else { &[("q", q)] };
    fetch::get_json(&format!("{}?{}", at::ADMIN_USERS, paged(limit, before, search))).await
}

/// `GET /api/admin/users/{id}`.
pub async fn admin_user(id: &str) -> Result<AdminUserDetail, AppError> {
    fetch::get_json(&with_id(at::ADMIN_USER, id)).await
}

/// What an administrator does to an account from its page, each sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminAction {
    Lock,
    Unlock,
    SignOut,
    Delete,
}

/// One [`AdminAction`] on the account `id`, with the administrator's `reason`.
pub async fn admin_act(action: AdminAction, id: &str, reason: &str) -> Result<(), AppError> {
    let (method, path) = match action {
        AdminAction::Lock => (Method::POST, at::ADMIN_USER_LOCK),
        AdminAction::Unlock => (Method::POST, at::ADMIN_USER_UNLOCK),
        AdminAction::SignOut => (Method::POST, at::ADMIN_USER_SIGN_OUT),
        AdminAction::Delete => (Method::DELETE, at::ADMIN_USER),
    };
    fetch::fields_with(method, &with_id(path, id), &[("reason", reason)]).await.map(drop)
}

/// `PUT /api/admin/users/{id}/roles`: the account as it is now.
pub async fn admin_set_roles(id: &str, roles: Vec<String>) -> Result<AdminUser, AppError> {
    fetch::json(fetch::json_with(Method::PUT, &with_id(at::ADMIN_USER_ROLES, id), &RolesBody { roles }).await?).await
}

/// `GET /api/admin/audit`: administrators' actions, newest first.
pub async fn admin_audit(limit: u32, before: Option<&str>) -> Result<AuditPage, AppError> {
    fetch::get_json(&format!("{}?{}", at::ADMIN_AUDIT, paged(limit, before, &[]))).await
}
