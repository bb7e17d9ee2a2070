//! How guessable a new password is, by `zxcvbn` (Dropbox's estimator: common
//! passwords, names, words, dates, keyboard patterns, l33t, and the person's own
//! email). A score below 3 ("safely unguessable") is refused with `weak_password` and
//! zxcvbn's own advice. Checked at registration, password change and reset.

use crate::shared::{
    credentials::{Email, Password},
    error::AppError,
};

/// The least zxcvbn score accepted: 3 of 0–4, "safely unguessable" (about 10^8
/// guesses and more), Dropbox's own recommendation.
const MIN_SCORE: u8 = 3;

/// zxcvbn's work grows quickly with length; what follows the first this many
/// characters cannot make a password weaker, so they are all it reads.
const CHARS_CONSIDERED: usize = 100;

/// `weak_password` with advice, unless `password` is hard enough to guess for an
/// account of `email`. (A new password is also looked up in the breach lists,
/// `breaches`, once the request got past its limits: that check goes out to a service.)
pub fn check(password: &Password, email: &Email) -> Result<(), AppError> {
    let considered: String = password.expose().chars().take(CHARS_CONSIDERED).collect();
    let parts = email_parts(email);
    let estimate = zxcvbn::zxcvbn(&considered, &parts);
    if u8::from(estimate.score()) < MIN_SCORE {
        return Err(AppError::WeakPassword(advice(&estimate, None)));
    }
    // zxcvbn finds the email's parts only as whole dictionary words: it rates
    // `jane.doe.example` for jane.doe@example.com "safely unguessable". So also rate
    // what is left once they are taken out: the part that is not the email.
    let rest = without(&considered, &parts);
    if rest.len() < considered.len() {
        let estimate = zxcvbn::zxcvbn(&rest, &[]);
        if u8::from(estimate.score()) < MIN_SCORE {
            return Err(AppError::WeakPassword(advice(&estimate, Some("It is built from your email address."))));
        }
    }
    Ok(())
}

/// The address, its local part and domain, and their words (at least three letters):
/// what someone who knows the address would try first.
fn email_parts(email: &Email) -> Vec<&str> {
    let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
    let mut parts = vec![email.as_str(), local, domain];
    parts.extend(local.split(['.', '_', '-', '+']).chain(domain.split('.')).filter(|part| part.len() > 2));
    parts.retain(|part| !part.is_empty());
    parts
}

/// `text` with every (case-insensitive) occurrence of each of `parts` taken out,
/// longest parts first.
fn without(text: &str, parts: &[&str]) -> String {
    let mut rest = text.to_lowercase();
    let mut parts: Vec<&str> = parts.to_vec();
    parts.sort_by_key(|part| std::cmp::Reverse(part.len()));
    for part in parts {
        rest = rest.replace(part, "");
    }
    rest
}

/// What is wrong (and `why`, if known), then zxcvbn's warning and suggestions;
/// general advice when it has none.
fn advice(estimate: &zxcvbn::Entropy, why: Option<&str>) -> String {
    let mut parts = vec!["This password is too easy to guess.".to_string()];
    parts.extend(why.map(str::to_string));
    if let Some(feedback) = estimate.feedback() {
        parts.extend(feedback.warning().map(|warning| sentence(&warning.to_string())));
        parts.extend(feedback.suggestions().iter().map(|s| sentence(&s.to_string())));
    }
    if parts.len() == 1 + usize::from(why.is_some()) {
        parts.push("Add another word or two that are not common.".to_string());
    }
    parts.join(" ")
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_str(password: &str, email: &str) -> Result<(), AppError> {
        check(&Password::parse_new(password).unwrap(), &Email::parse(email).unwrap())
    }

    #[test]
    fn common_passwords_are_refused_with_advice() {
        for weak in ["password123", "qwertyuiop", "iloveyou2024", "12345678", "aaaaaaaaaaaa"] {
            match check_str(weak, "someone@example.com") {
                Err(AppError::WeakPassword(message)) => {
                    assert!(message.starts_with("This password is too easy to guess."), "{weak}: {message}");
                    assert!(message.len() > "This password is too easy to guess.".len() + 5, "{weak}: {message}");
                }
                other => panic!("{weak} was not refused as weak: {other:?}"),
            }
        }
    }

    #[test]
    fn a_password_built_from_the_email_is_refused() {
        assert!(matches!(
            check_str("jane.doe.example", "jane.doe@example.com"),
            Err(AppError::WeakPassword(message)) if message.contains("built from your email address")
        ));
        assert!(matches!(check_str("Example-JaneDoe", "jane.doe@example.com"), Err(AppError::WeakPassword(_))));
        // Sharing a word with the address is no weakness in itself.
        assert_eq!(check_str("jane vivid lantern orbit", "jane.doe@example.com"), Ok(()));
        assert!(matches!(check_str("janedoe2024!", "janedoe@example.com"), Err(AppError::WeakPassword(_))));
    }

    #[test]
    fn passphrases_and_random_strings_pass() {
        // The second is the README's example.
        for strong in
            ["correct horse battery staple", "correct horse battery", "vivid-lantern-orbit-1987", "q7#Vr!m2Lp9@xZ"]
        {
            assert_eq!(check_str(strong, "someone@example.com"), Ok(()), "{strong}");
        }
    }

    #[test]
    fn a_long_password_is_judged_by_its_start_only() {
        let long = format!("correct horse battery staple {}", "x".repeat(900));
        assert_eq!(check_str(&long, "someone@example.com"), Ok(()));
    }
}
