//! `Email` and `Password`: input parsed once, at the edge. After `parse` the type is
//! the proof, so nothing deeper re-checks a string. Shared with the browser, which
//! uses the same rules to point at a bad field before anything is sent.

/// What `weak_password` says of a new password found in the breach lists (the server's
/// words; each language has its own).
pub const BREACHED_PASSWORD: &str =
    "This password has appeared in a data breach, so attackers try it early. Please choose another one.";
use super::error::AppError;
use std::fmt;

/// A trimmed, lower-cased email address: the account's identity.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// RFC 5321 caps a path at 256 octets, so an address at most 254.
    pub const MAX_LEN: usize = 254;

    /// A plain address (docs/API.md, "Email addresses are plain addresses"):
    /// `local@domain` and nothing else. No display name, comment, angle brackets or
    /// quoted local part: a mail library reads `x<victim@corp.example>` as a mailbox
    /// of `victim@corp.example`, so such a "sign-up" would reach someone else.
    pub fn parse(input: &str) -> Result<Email, AppError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid_input("Enter your email address."));
        }
        if email.len() > Self::MAX_LEN {
            return Err(AppError::invalid_input("This email address is too long."));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => plain_local_part(local) && plain_domain(domain),
            None => false,
        };
        if !valid {
            return Err(AppError::invalid_input("This is not an email address."));
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

/// RFC 5322's dot-atom: letters, digits and ``!#$%&'*+/=?^_`{|}~-``, in dot-separated
/// runs, and letters beyond ASCII (RFC 6531). Never a quote, bracket, comma, colon,
/// semicolon, backslash, `@`, space or control character.
fn plain_local_part(local: &str) -> bool {
    let atext = |c: char| {
        c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c) || (!c.is_ascii() && c.is_alphanumeric())
    };
    !local.is_empty() && local.split('.').all(|run| !run.is_empty() && run.chars().all(atext))
}

/// A host name with a dot: labels of letters, digits and inner hyphens (letters beyond
/// ASCII too, for internationalised names). No address literal (`[192.0.2.1]`).
fn plain_domain(domain: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
    };
    domain.contains('.') && domain.split('.').all(label)
}

/// A password within bounds. Its `Debug` hides it, so it cannot reach a log by accident.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Bounds the work an attacker can make argon2 do per request.
    pub const MAX_BYTES: usize = 1024;

    /// The rule for a new password (registration).
    pub fn parse_new(input: &str) -> Result<Password, AppError> {
        if input.chars().count() < Self::MIN_CHARS {
            return Err(AppError::invalid_input(format!(
                "The password must be at least {} characters long.",
                Self::MIN_CHARS
            )));
        }
        Self::parse_existing(input)
    }

    /// The rule for a password being checked (sign-in): only the bounds, so a rule
    /// change never locks out an account created under the old one.
    pub fn parse_existing(input: &str) -> Result<Password, AppError> {
        if input.is_empty() {
            return Err(AppError::invalid_input("Enter your password."));
        }
        if input.len() > Self::MAX_BYTES {
            return Err(AppError::invalid_input(format!(
                "The password must be at most {} bytes long.",
                Self::MAX_BYTES
            )));
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn things_that_are_not_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a@b@c.com",
            "ada lovelace@example.com",
            "ada@.com",
            "ada@example.com.",
            // Display names, comments, brackets and quotes: a mail library would
            // deliver these to another address than the one stored.
            "x<victim@corp.example>",
            "Ada <ada@example.com>",
            "ada@example.com (Ada)",
            "(comment)ada@example.com",
            "\"ada lovelace\"@example.com",
            "\"victim@corp.example\"@evil.example",
            "ada@[192.0.2.1]",
            "ada,bob@example.com",
            "ada;bob@example.com",
            "ada\\@example.com",
            "ada..lovelace@example.com",
            ".ada@example.com",
            "ada@exa mple.com",
            "ada\t@example.com",
            "ada@-example.com",
            "ada@example..com",
            "ada\u{0}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn plain_addresses_of_every_usual_shape_are_kept() {
        for good in [
            "ada@example.com",
            "ada.lovelace+baton@mail.example.co.uk",
            "o'brien@example.ie",
            "user_1-x@sub-domain.example.org",
            "한글@예시.한국",
        ] {
            assert_eq!(Email::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn new_passwords_need_eight_characters_and_at_most_1024_bytes() {
        assert!(Password::parse_new("1234567").is_err());
        assert!(Password::parse_new("12345678").is_ok());
        // Eight characters, even when some take several bytes.
        assert!(Password::parse_new("pässwörd").is_ok());
        assert!(Password::parse_new(&"x".repeat(1024)).is_ok());
        assert!(Password::parse_new(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let p = Password::parse_new("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    proptest::proptest! {
        /// Any form value: no panic; a parsed email is trimmed, lower-cased, bounded,
        /// and parses to itself again.
        #[test]
        fn any_email_input_parses_safely_and_idempotently(input in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&input) {
                let text = email.as_str();
                proptest::prop_assert!(text.len() <= Email::MAX_LEN && text == text.trim() && text == text.to_lowercase());
                let again = Email::parse(text).unwrap();
                proptest::prop_assert_eq!(again.as_str(), text);
            }
        }

        #[test]
        fn any_password_input_is_bounded(input in "\\PC{0,1100}") {
            if let Ok(p) = Password::parse_new(&input) {
                proptest::prop_assert!(p.expose().len() <= Password::MAX_BYTES);
                proptest::prop_assert!(p.expose().chars().count() >= Password::MIN_CHARS);
            }
        }
    }
}
