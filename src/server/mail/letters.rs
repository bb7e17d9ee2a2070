//! What each mail says: a plain-text part and a simple HTML part, written from one
//! [`Letter`] (what happened) and, for mails that carry one, its link.
//!
//! The words live in [`english`], one function per language to come: a mail is
//! written in the person's language by picking the function, nothing else changes.
//! Everything quoted from a request (a device name comes from a User-Agent header) is
//! escaped in the HTML part; subjects are fixed text.

use serde::{Deserialize, Serialize};

/// A mail to write, as queued in the outbox (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "letter", rename_all = "snake_case")]
pub enum Letter {
    /// A link to set a new password.
    ResetPassword { valid_minutes: u64 },
    /// A link that proves the account's address (sent at registration, and again on
    /// request).
    VerifyEmail,
    /// To the new address: a link that makes it the account's address.
    ConfirmNewEmail,
    /// To the old address: someone asked to move the account to `new_email`.
    EmailChangeRequested { new_email: String },
    /// A sign-in from a device and address the account had not used.
    NewSignIn { device: String, address: String, at_ms: i64 },
    /// Something about how the account signs in changed: a passkey added or removed,
    /// two-step verification on or off, a recovery code used, new recovery codes.
    SecurityChange { change: SecurityChange, device: String, at_ms: i64 },
}

/// What changed, for [`Letter::SecurityChange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityChange {
    PasskeyAdded,
    PasskeyRemoved,
    MfaEnabled,
    MfaDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
}

/// Where a mail's link leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A single-use link with a token: `{path}?token=…`.
    Token(&'static str),
    /// A page of the app.
    Page(&'static str),
}

impl Letter {
    pub fn link(&self) -> LinkKind {
        match self {
            Letter::ResetPassword { .. } => LinkKind::Token("/reset"),
            Letter::VerifyEmail | Letter::ConfirmNewEmail => LinkKind::Token("/verify"),
            Letter::EmailChangeRequested { .. } => LinkKind::Page("/account"),
            Letter::NewSignIn { .. } => LinkKind::Page("/sessions"),
            Letter::SecurityChange { .. } => LinkKind::Page("/activity"),
        }
    }
}

/// A mail ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `letter` in English, with its `link` (a full URL).
pub fn english(letter: &Letter, link: &str) -> Written {
    let (subject, lines, action, not_you): (&str, Vec<String>, &str, &str) = match letter {
        Letter::ResetPassword { valid_minutes } => (
            "Reset your Baton password",
            vec![
                "Someone (hopefully you) asked to reset the password of your Baton account.".into(),
                format!(
                    "Follow this link to choose a new one. It works once, for {valid_minutes} minutes, and signs \
                     out every device signed in to your account."
                ),
            ],
            "Choose a new password",
            "If it was not you, ignore this mail: your password stays as it is.",
        ),
        Letter::VerifyEmail => (
            "Confirm your email address for Baton",
            vec!["Please confirm that this is your address, so we can reach you about your Baton account.".into()],
            "Confirm my address",
            "If you did not create a Baton account, ignore this mail: nothing happens unless the link is followed.",
        ),
        Letter::ConfirmNewEmail => (
            "Confirm your new email address for Baton",
            vec![
                "Someone (hopefully you) asked to use this address for their Baton account.".into(),
                "Follow this link to confirm it. Until then the account keeps its old address.".into(),
            ],
            "Use this address",
            "If it was not you, ignore this mail: nothing changes unless the link is followed.",
        ),
        Letter::EmailChangeRequested { new_email } => (
            "Your Baton account's email address is about to change",
            vec![
                format!("Someone signed in to your Baton account asked to change its address to {new_email}."),
                "Nothing changes unless the link sent to that address is followed.".into(),
            ],
            "Review your account",
            "If it was not you, sign in, change your password and sign out everywhere.",
        ),
        Letter::NewSignIn { device, address, at_ms } => (
            "New sign-in to your account",
            vec![
                "Your Baton account was just signed in to from a device it had not used before.".into(),
                format!("Device: {device}\nAddress: {address}\nTime: {}", human_time(*at_ms)),
            ],
            "See your sessions",
            "If it was you, there is nothing to do. If not, revoke that session, change your password, and sign \
             out everywhere.",
        ),
        Letter::SecurityChange { change, device, at_ms } => {
            let (subject, what) = match change {
                SecurityChange::PasskeyAdded => ("A passkey was added to your account", "A passkey was added to your Baton account."),
                SecurityChange::PasskeyRemoved => ("A passkey was removed from your account", "A passkey was removed from your Baton account."),
                SecurityChange::MfaEnabled => ("Two-step verification is on", "Two-step verification was turned on for your Baton account: signing in with your password now also asks for a code from your authenticator app."),
                SecurityChange::MfaDisabled => ("Two-step verification is off", "Two-step verification was turned off for your Baton account: your password alone signs in now."),
                SecurityChange::RecoveryCodeUsed => ("A recovery code was used", "One of your recovery codes was just used to sign in to your Baton account. It will not work again."),
                SecurityChange::RecoveryCodesRenewed => ("New recovery codes", "New recovery codes were made for your Baton account; the old ones no longer work."),
            };
            (
                subject,
                vec![what.into(), format!("Device: {device}\nTime: {}", human_time(*at_ms))],
                "See your account's activity",
                "If it was not you, change your password, sign out everywhere and review your passkeys and two-step \
                 verification.",
            )
        }
    };
    let text = format!("Hello,\n\n{}\n\n{action}: {link}\n\n{not_you}\n\n— Baton\n", lines.join("\n\n"));
    let escape = |s: &str| html_escape::encode_text(s).into_owned();
    // A paragraph's own line breaks (the sign-in's details) stay lines in HTML.
    let paragraphs: String =
        lines.iter().map(|line| format!("<p>{}</p>\n", escape(line).replace('\n', "<br>\n"))).collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36rem\">\n\
         <p>Hello,</p>\n{paragraphs}<p><a href=\"{href}\" style=\"display: inline-block; padding: 0.6em 1.2em; \
         background: #2f5bd3; color: #ffffff; border-radius: 6px; text-decoration: none\">{action}</a></p>\n\
         <p style=\"font-size: 0.9em\">Or copy this link: {link_text}</p>\n<p>{not_you}</p>\n<p>— Baton</p>\n\
         </body></html>\n",
        title = escape(subject),
        href = html_escape::encode_double_quoted_attribute(link),
        action = escape(action),
        link_text = escape(link),
        not_you = escape(not_you),
    );
    Written { subject: subject.to_string(), text, html }
}

/// "Sunday, 29 November 2026, 09:40 UTC".
fn human_time(at_ms: i64) -> String {
    use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};
    const FORMAT: &[BorrowedFormatItem<'static>] =
        format_description!("[weekday], [day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(FORMAT).ok())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_survive_the_outbox() {
        let letter = Letter::NewSignIn {
            device: "Firefox on Linux".into(),
            address: "203.0.113.7".into(),
            at_ms: 1_800_000_000_000,
        };
        let json = serde_json::to_string(&letter).unwrap();
        assert!(json.contains("\"letter\":\"new_sign_in\""), "{json}");
        assert_eq!(serde_json::from_str::<Letter>(&json).unwrap(), letter);
    }

    #[test]
    fn every_mail_names_the_product_what_happened_the_link_and_what_if_not_you() {
        let letters = [
            Letter::ResetPassword { valid_minutes: 30 },
            Letter::VerifyEmail,
            Letter::ConfirmNewEmail,
            Letter::EmailChangeRequested { new_email: "new@example.com".into() },
            Letter::NewSignIn { device: "Chrome on Linux".into(), address: "127.0.0.1".into(), at_ms: 0 },
            Letter::SecurityChange { change: SecurityChange::MfaDisabled, device: "Chrome on Linux".into(), at_ms: 0 },
            Letter::SecurityChange { change: SecurityChange::PasskeyAdded, device: "Chrome on Linux".into(), at_ms: 0 },
        ];
        for letter in letters {
            let mail = english(&letter, "https://app.example.com/x?token=abc");
            assert!(mail.text.contains("Baton") && mail.html.contains("Baton"), "{mail:?}");
            assert!(mail.text.contains("https://app.example.com/x?token=abc"), "{mail:?}");
            assert!(mail.html.contains("href=\"https://app.example.com/x?token=abc\""), "{mail:?}");
            assert!(mail.text.contains("If "), "{mail:?}");
        }
    }

    #[test]
    fn what_a_request_wrote_is_escaped_in_the_html() {
        let letter = Letter::NewSignIn {
            device: "<script>alert(1)</script> on Linux".into(),
            address: "127.0.0.1".into(),
            at_ms: 1_800_000_000_000,
        };
        let mail = english(&letter, "http://127.0.0.1:3000/sessions");
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.text.contains("Time: Friday, 15 January 2027, 08:00 UTC"), "{}", mail.text);
        assert!(mail.html.contains("on Linux<br>\nAddress: 127.0.0.1<br>"), "{}", mail.html);
    }
}
