//! New passwords (docs/API.md, "Passwords that appeared in breaches"): where the
//! breached-password range API is.

use super::values::optional_http_url;

/// The Pwned Passwords range API: `{url}{first five hex digits of the SHA-1}`.
pub const PWNED_PASSWORDS: &str = "https://api.pwnedpasswords.com/range/";

settings! {
    /// How a new password is checked beyond its strength.
    pub struct PasswordSettings {
        /// The range API new passwords are checked against by k-anonymity; `None`
        /// (an empty value) turns the check off.
        breached_passwords_url: Option<String> = Some(PWNED_PASSWORDS.to_string()), "breached-passwords-url",
            optional_http_url;
    }
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;

    #[test]
    fn the_check_is_on_by_default_off_when_empty_and_any_http_url_works() {
        let default = load("", &[]).unwrap().passwords.breached_passwords_url;
        assert_eq!(default.as_deref(), Some(super::PWNED_PASSWORDS));
        assert_eq!(load("", &[("BATON_BREACHED_PASSWORDS_URL", "")]).unwrap().passwords.breached_passwords_url, None);
        let local = load("", &[("BATON_BREACHED_PASSWORDS_URL", "http://127.0.0.1:9/range")]).unwrap();
        assert_eq!(local.passwords.breached_passwords_url.as_deref(), Some("http://127.0.0.1:9/range/"));
        assert!(load("", &[("BATON_BREACHED_PASSWORDS_URL", "ftp://x/")]).is_err());
    }
}
