//! Where each Bearer endpoint of the contract lives (docs/API.md): one table, read by
//! the server's router (`api::routes`) and by the browser's client (`client::api`),
//! so the two cannot name different paths. A path with `{id}` is an axum pattern; the
//! client fills it with [`with_id`].

pub const ME: &str = "/api/me";
pub const SESSIONS: &str = "/api/sessions";
pub const SESSION: &str = "/api/sessions/{id}";
pub const ACTIVITY: &str = "/api/activity";
pub const LOGOUT_ALL: &str = "/api/auth/logout_all";
pub const REAUTH: &str = "/api/auth/reauth";
pub const PASSWORD: &str = "/api/account/password";
pub const DELETE_ACCOUNT: &str = "/api/account/delete";
pub const EXPORT: &str = "/api/account/export";
pub const VERIFICATION_EMAIL: &str = "/api/account/verification_email";
pub const EMAIL: &str = "/api/account/email";
pub const PASSKEY_SIGN_IN_START: &str = "/api/auth/passkey/start";
pub const PASSKEY_SIGN_IN_FINISH: &str = "/api/auth/passkey/finish";
pub const MFA: &str = "/api/mfa";
pub const TOTP_START: &str = "/api/mfa/totp/start";
pub const TOTP_CONFIRM: &str = "/api/mfa/totp/confirm";
pub const TOTP_DISABLE: &str = "/api/mfa/totp/disable";
pub const RECOVERY_CODES: &str = "/api/mfa/recovery_codes";
pub const PASSKEYS: &str = "/api/passkeys";
pub const PASSKEY: &str = "/api/passkeys/{id}";
pub const PASSKEY_REGISTER_START: &str = "/api/passkeys/register/start";
pub const PASSKEY_REGISTER_FINISH: &str = "/api/passkeys/register/finish";
/// Signing in through another provider: the list, the trip there, and the way back.
pub const PROVIDERS: &str = "/api/auth/providers";
pub const PROVIDER_SIGN_IN: &str = "/auth/{id}";
pub const PROVIDER_CALLBACK: &str = "/auth/{id}/callback";
/// The account's connected providers; connecting (POST) or disconnecting (DELETE) one.
pub const ACCOUNT_PROVIDERS: &str = "/api/account/providers";
pub const ACCOUNT_PROVIDER: &str = "/api/account/providers/{id}";

/// `pattern` with its `{id}` replaced by `id`, percent-encoded (ids are UUIDs; anything
/// else still stays one path segment).
pub fn with_id(pattern: &str, id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    pattern.replace("{id}", &encoded)
}

/// Administration (docs/API.md, "Roles and administration"): every route under this
/// prefix needs the `admin` role, read fresh from the database on each request.
pub const ADMIN_USERS: &str = "/api/admin/users";
pub const ADMIN_USER: &str = "/api/admin/users/{id}";
pub const ADMIN_USER_ROLES: &str = "/api/admin/users/{id}/roles";
pub const ADMIN_USER_LOCK: &str = "/api/admin/users/{id}/lock";
pub const ADMIN_USER_UNLOCK: &str = "/api/admin/users/{id}/unlock";
pub const ADMIN_USER_SIGN_OUT: &str = "/api/admin/users/{id}/sign_out";
pub const ADMIN_AUDIT: &str = "/api/admin/audit";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_fills_its_pattern_as_one_segment() {
        assert_eq!(with_id(SESSION, "0192-ab_C"), "/api/sessions/0192-ab_C");
        assert_eq!(with_id(PASSKEY, "../me?x"), "/api/passkeys/%2E%2E%2Fme%3Fx");
    }
}
