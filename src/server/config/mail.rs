//! Mail (docs/API.md, "Email"): the SMTP server and its secret, the sender, the
//! outbox folder when there is no server, and how long a reset link works.

use super::values::{mailbox, path, positive_duration};
use std::{path::PathBuf, time::Duration};

settings! {
    /// Where mail goes and what it says it is from.
    pub struct MailSettings {
        /// The SMTP server mail goes through; unset: mails are written to `outbox`.
        smtp_url: Option<SmtpUrl> = None, "smtp-url" secret, |v| SmtpUrl::parse(v).map(Some);
        /// The sender of every mail, `Name <address>`.
        mail_from: String = "Baton <no-reply@localhost>".to_string(), "mail-from", mailbox;
        /// Where mails are written as `.eml` files when there is no SMTP server.
        outbox: PathBuf = PathBuf::from("./outbox"), "outbox", path;
        /// How long a password-reset link works.
        reset_ttl: Duration = Duration::from_secs(30 * 60), "reset-ttl", positive_duration;
    }
}

/// An SMTP server's URL. It may hold a password, so it is never printed whole:
/// `Debug` and [`SmtpUrl::redacted`] show it without the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn parse(text: &str) -> Result<SmtpUrl, String> {
        const HINT: &str = "expected smtp://[user:password@]host[:port] or smtps://…";
        let url = url::Url::parse(text).map_err(|_| HINT.to_string())?;
        if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
            return Err(HINT.into());
        }
        Ok(SmtpUrl(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password replaced by `***`, for logs.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => "(unreadable)".into(),
        }
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;
    use std::time::Duration;

    #[test]
    fn the_smtp_password_never_shows() {
        let s = load("", &[("BATON_SMTP_URL", "smtp://mailer:hunter2@mail.example.com:587")]).unwrap();
        let url = s.mail.smtp_url.clone().unwrap();
        assert_eq!(url.redacted(), "smtp://mailer:***@mail.example.com:587");
        assert!(!format!("{:?}", s.mail).contains("hunter2"));
        assert_eq!(url.expose(), "smtp://mailer:hunter2@mail.example.com:587");
        let error = load("", &[("BATON_SMTP_URL", "imap://u:hunter2@mail.example.com")]).unwrap_err().to_string();
        assert!(error.contains("BATON_SMTP_URL") && !error.contains("hunter2"), "{error}");
        assert!(load("", &[("BATON_SMTP_URL", "smtp://")]).is_err());
        let error = load("", &[("BATON_MAIL_FROM", "not a mailbox")]).unwrap_err().to_string();
        assert!(error.contains("BATON_MAIL_FROM"), "{error}");
        let d = load("", &[]).unwrap().mail;
        assert_eq!((d.mail_from.as_str(), d.reset_ttl), ("Baton <no-reply@localhost>", Duration::from_secs(1800)));
    }
}
