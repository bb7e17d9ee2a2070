//! How a mail leaves: through the SMTP server of `BATON_SMTP_URL`, or, with none set,
//! as an `.eml` file in `BATON_OUTBOX` (so a fresh `make run` needs no mail server).

use crate::server::config::{MailSettings, SmtpUrl};
use lettre::{
    message::{Mailbox, MultiPart},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::{path::PathBuf, time::Duration};

/// Longest wait for an SMTP server to accept a mail (connect, greet, send).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

enum Transport {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, url: String },
    Files { dir: PathBuf, transport: AsyncFileTransport<Tokio1Executor> },
}

/// The transport and the sender every mail is from.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings.mail_from.parse().map_err(|e| format!("BATON_MAIL_FROM: {e}"))?;
        let transport = match &settings.smtp_url {
            Some(url) => {
                let effective = with_tls_rule(url);
                // What is used, as the log shows it: the TLS rule applied, no password.
                let shown = SmtpUrl::parse(&effective).map(|u| u.redacted()).unwrap_or_else(|_| url.redacted());
                Transport::Smtp {
                    transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(&effective)
                        .map_err(|e| format!("BATON_SMTP_URL ({shown}): {e}"))?
                        .timeout(Some(SMTP_TIMEOUT))
                        .build(),
                    url: shown,
                }
            }
            None => {
                std::fs::create_dir_all(&settings.outbox)
                    .map_err(|e| format!("cannot create the outbox {}: {e}", settings.outbox.display()))?;
                Transport::Files { dir: settings.outbox.clone(), transport: AsyncFileTransport::new(&settings.outbox) }
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Where mail goes, for the start-up log (no password).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { url, .. } => format!("SMTP {url}"),
            Transport::Files { dir, .. } => format!(".eml files in {}", dir.display()),
        }
    }

    /// Sends a mail with a plain-text and an HTML part. The error says why, without
    /// credentials.
    pub async fn send(&self, to: &str, subject: &str, text: String, html: String) -> Result<Sent, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| format!("cannot build the mail: {e}"))?;
        match &self.transport {
            Transport::Smtp { transport, .. } => {
                transport.send(message).await.map(|_| Sent { file: None }).map_err(|e| e.to_string())
            }
            Transport::Files { transport, dir } => transport
                .send(message)
                .await
                // lettre names the file after the id it returns.
                .map(|id| Sent { file: Some(dir.join(format!("{id}.eml"))) })
                .map_err(|e| e.to_string()),
        }
    }
}

/// A mail that left.
pub struct Sent {
    /// The `.eml` file it was written to, when there is no mail server.
    pub file: Option<PathBuf>,
}

/// `smtp://` uses STARTTLS when the server offers it (docs/API.md). Credentials are
/// never sent in the clear to another machine: with a password and no `tls=` of its
/// own, a URL whose host is not this machine requires STARTTLS. `tls=none` is plain
/// SMTP, for a local relay. (`smtps://` is TLS from the first byte either way.)
fn with_tls_rule(url: &SmtpUrl) -> String {
    let Ok(mut parsed) = url::Url::parse(url.expose()) else { return url.expose().to_string() };
    if parsed.scheme() != "smtp" {
        return url.expose().to_string();
    }
    let asked = parsed.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let tls = match asked.as_deref() {
        Some("none") => None,
        Some(other) => Some(other.to_string()),
        None if parsed.password().is_some() && !local => Some("required".into()),
        None => Some("opportunistic".into()),
    };
    let others: Vec<(String, String)> =
        parsed.query_pairs().filter(|(key, _)| key != "tls").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    parsed.set_query(None);
    {
        let mut query = parsed.query_pairs_mut();
        query.extend_pairs(others);
        if let Some(tls) = tls {
            query.append_pair("tls", &tls);
        }
    }
    let text = parsed.to_string();
    text.strip_suffix('?').map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(url: &str) -> String {
        with_tls_rule(&SmtpUrl::parse(url).unwrap())
    }

    #[test]
    fn starttls_when_offered_and_required_before_a_password_leaves_the_machine() {
        assert_eq!(rule("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525?tls=opportunistic");
        assert_eq!(rule("smtp://mail.example.com:587"), "smtp://mail.example.com:587?tls=opportunistic");
        assert_eq!(rule("smtp://u:p@mail.example.com:587"), "smtp://u:p@mail.example.com:587?tls=required");
        assert_eq!(rule("smtp://u:p@localhost:2525"), "smtp://u:p@localhost:2525?tls=opportunistic");
        assert_eq!(
            rule("smtp://u:p@mail.example.com:587?tls=opportunistic"),
            "smtp://u:p@mail.example.com:587?tls=opportunistic"
        );
        assert_eq!(rule("smtp://127.0.0.1:2525?tls=none"), "smtp://127.0.0.1:2525");
        assert_eq!(rule("smtps://u:p@mail.example.com"), "smtps://u:p@mail.example.com");
    }
}
