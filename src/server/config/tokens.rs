//! Tokens and sessions: lifetimes, the grace of a lost answer, the cookies, the issuer,
//! the signing key, and how recent a sign-in a sensitive action needs.

use super::values::{boolean, bounded_duration, issuer, optional, origin, path, positive_duration};
use std::{path::PathBuf, time::Duration};

/// The longest tolerated clock skew on `exp`.
const MAX_LEEWAY: Duration = Duration::from_secs(30);
/// The longest grace for the predecessor of a session's current refresh token.
const MAX_GRACE: Duration = Duration::from_secs(60);

settings! {
    /// Token lifetimes and the rules around them (docs/API.md, "Tokens", "refresh").
    pub struct TokenSettings {
        /// Access-token lifetime.
        access_ttl: Duration = Duration::from_secs(15 * 60), "access-ttl", positive_duration;
        /// Refresh-token lifetime: how long a session may stay idle.
        refresh_ttl: Duration = Duration::from_secs(7 * 24 * 3600), "refresh-ttl", positive_duration;
        /// Absolute session lifetime, however often it is refreshed.
        session_ttl: Duration = Duration::from_secs(30 * 24 * 3600), "session-ttl", positive_duration;
        /// How long the immediate predecessor of a family's current refresh token still
        /// gets the current one back (a lost response, two tabs refreshing at once).
        reuse_grace: Duration = Duration::from_secs(5), "reuse-grace", |v| bounded_duration(v, MAX_GRACE);
        /// How recently the person must have proved who they are (signed in or
        /// re-authenticated) for a sensitive action.
        reauth_window: Duration = Duration::from_secs(10 * 60), "reauth-window", positive_duration;
        /// Clock skew tolerated on `exp` (RFC 7519 §4.1.4 allows "a small leeway").
        clock_leeway: Duration = Duration::from_secs(5), "clock-leeway", |v| bounded_duration(v, MAX_LEEWAY);
        /// `Secure` (and the `__Host-` prefix) on every cookie.
        cookie_secure: bool = true, "cookie-secure", boolean;
        /// Origin accepted by the Origin check instead of the request's `Host`.
        public_origin: Option<String> = None, "public-origin", optional(origin);
        /// `iss` of every token.
        issuer: String = "baton".to_string(), "issuer", issuer;
        /// An Ed25519 PKCS#8 PEM key to sign with, instead of the generated ones.
        signing_key_file: Option<PathBuf> = None, "signing-key-file", optional(path);
    }
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;
    use std::time::Duration;

    #[test]
    fn leeway_is_capped_at_thirty_seconds() {
        assert!(load("", &[("BATON_CLOCK_LEEWAY", "31s")]).is_err());
        assert!(load("", &[("BATON_CLOCK_LEEWAY", "30s")]).is_ok());
    }

    #[test]
    fn public_origin_must_be_a_bare_origin() {
        let s = load("", &[("BATON_PUBLIC_ORIGIN", "https://App.example.com/")]).unwrap();
        assert_eq!(s.tokens.public_origin.as_deref(), Some("https://app.example.com"));
        assert!(load("", &[("BATON_PUBLIC_ORIGIN", "https://app.example.com/login")]).is_err());
        assert!(load("", &[("BATON_PUBLIC_ORIGIN", "app.example.com")]).is_err());
    }

    #[test]
    fn the_grace_is_at_most_a_minute() {
        assert_eq!(load("", &[("BATON_REUSE_GRACE", "60s")]).unwrap().tokens.reuse_grace, Duration::from_secs(60));
        let error = load("", &[("BATON_REUSE_GRACE", "61s")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_REUSE_GRACE=\"61s\" is not valid: must be at most 60s"), "{error}");
    }
}
