//! The background sender: delivers the outbox, on every instance.
//!
//! It wakes when a transaction of this instance queues a mail, and every few seconds
//! for mails queued elsewhere or due again. Each round claims a batch (`outbox::claim`:
//! no two instances get the same mail), gives each link its token at the last moment
//! (so the database never holds a usable link), sends, and deletes what went. A mail
//! that fails waits 1 s, 2 s, 4 s … up to a minute before the next try, and is given
//! up after a day (its link would have expired anyway).

use super::{
    letters::{self, Letter, LinkKind},
    transport::Mailer,
};
use crate::server::{
    observe::metrics,
    state::AppState,
    store::{
        email_codes,
        email_links::{self, SecretToken},
        outbox::{self, MailRow},
        users, StoreError,
    },
};
use crate::shared::i18n::Lang;
use std::{sync::Arc, time::Duration};
use tokio::{sync::Notify, task::JoinHandle};

const BATCH: i64 = 20;
/// How long a claim holds: longer than an SMTP exchange may take (its timeout is 20 s).
const LEASE: Duration = Duration::from_secs(120);
/// For mails queued by other instances, and retries coming due.
const POLL: Duration = Duration::from_secs(2);
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_WAIT: Duration = Duration::from_secs(60);
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The running sender.
pub struct Sender {
    task: JoinHandle<()>,
    stop: Arc<Notify>,
}

impl Sender {
    /// Lets the round in progress finish (its mails are delivered or put back for a
    /// retry, never left claimed), waiting at most `patience`, then stops.
    pub async fn stop(self, patience: Duration) {
        self.stop.notify_one();
        let mut task = self.task;
        if tokio::time::timeout(patience, &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// Starts the sender; links in mails start with `origin` (`https://app.example.com`).
pub fn spawn(state: AppState, origin: String) -> Sender {
    let stop = Arc::new(Notify::new());
    let stopping = stop.clone();
    let task = tokio::spawn(async move {
        let queued = state.store.mail_queued();
        loop {
            match round(&state, &origin).await {
                // A full batch: there may be more right away (unless asked to stop).
                Ok(claimed) if claimed == BATCH as usize => {
                    if tokio::time::timeout(Duration::ZERO, stopping.notified()).await.is_ok() {
                        return;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail outbox: cannot reach the database; trying again"),
            }
            tokio::select! {
                _ = stopping.notified() => return,
                _ = queued.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    });
    Sender { task, stop }
}

/// Claims and delivers one batch of due mails; returns how many it claimed.
pub async fn round(state: &AppState, origin: &str) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let mails = outbox::claim(&mut tx, now, LEASE, BATCH).await?;
    tx.commit().await?;
    let claimed = mails.len();
    for mail in mails {
        use tracing::Instrument;
        let span = tracing::info_span!("mail.send", mail = %mail.id, attempts = mail.attempts);
        deliver(state, &state.mailer, origin, mail).instrument(span).await?;
    }
    Ok(claimed)
}

async fn deliver(state: &AppState, mailer: &Mailer, origin: &str, mail: MailRow) -> Result<(), StoreError> {
    let now = state.clock.now();
    let letter: Letter = match serde_json::from_str(&mail.letter) {
        Ok(letter) => letter,
        Err(e) => {
            tracing::error!(mail = %mail.id, error = %e, "mail outbox: unreadable mail dropped");
            return drop_mail(state, &mail).await;
        }
    };
    if now.since(mail.created_at) > GIVE_UP_AFTER {
        tracing::error!(mail = %mail.id, attempts = mail.attempts, "mail outbox: undeliverable for a day, dropped");
        return drop_mail(state, &mail).await;
    }
    // The mail's single-use link (or sign-in code) gets its token now; its main link is
    // that one or a page.
    let (letter, token_link) = match (mail.link_id, mail.code_id, letter.token_path()) {
        (Some(link_id), None, Some(path)) => {
            let token = SecretToken::generate();
            let mut tx = state.store.begin().await?;
            let armed = email_links::arm(&mut tx, link_id, &token, now).await?;
            tx.commit().await?;
            if !armed {
                // Replaced, used or expired since it was queued: nothing worth sending.
                return drop_mail(state, &mail).await;
            }
            (letter, Some(format!("{origin}{path}?token={}", token.as_str())))
        }
        (None, Some(code_id), Some(path)) => {
            let (code, token) = (new_code(), SecretToken::generate());
            let mut tx = state.store.begin().await?;
            let armed = email_codes::arm(&mut tx, code_id, &code, &token, now).await?;
            tx.commit().await?;
            if !armed {
                return drop_mail(state, &mail).await;
            }
            (letter.with_code(code), Some(format!("{origin}{path}?token={}", token.as_str())))
        }
        (None, None, None) => (letter, None),
        _ => {
            tracing::error!(mail = %mail.id, "mail outbox: a link mail without its link, dropped");
            return drop_mail(state, &mail).await;
        }
    };
    let (link, not_me) = match (letter.link(), token_link) {
        (LinkKind::Page(path), not_me) => (format!("{origin}{path}"), not_me),
        (LinkKind::Token(_), Some(link)) => (link, None),
        (LinkKind::Token(_), None) => unreachable!("a token path was required above"),
    };
    // A code's mail in the language of whoever asked for it; others in the account's
    // (English once the account is gone).
    let lang = match (mail.code_id, mail.user_id) {
        (Some(code_id), _) => {
            email_codes::lang(state.store.pool(), code_id).await?.and_then(|tag| Lang::from_tag(&tag))
        }
        (None, Some(user)) => users::language(state.store.pool(), user).await?,
        (None, None) => None,
    }
    .unwrap_or_default();
    let written = letters::write(lang, &letter, &link, not_me.as_deref());
    match mailer.send(&mail.to_addr, &written.subject, written.text, written.html).await {
        Ok(sent) => {
            metrics::mail_sent("sent");
            // Never the link: it is a credential until it is used. The outbox folder's
            // file holds it for a developer without a mail server.
            match sent.file {
                Some(file) => {
                    tracing::info!(mail = %mail.id, subject = %written.subject, file = %file.display(), "mail written to the outbox folder")
                }
                None => tracing::info!(mail = %mail.id, subject = %written.subject, "mail sent"),
            }
            remove(state, &mail).await
        }
        Err(error) => {
            metrics::mail_sent("failed");
            let wait = retry_wait(mail.attempts);
            tracing::warn!(mail = %mail.id, attempts = mail.attempts, %error, retry_in_s = wait.as_secs(), "mail not sent");
            let mut tx = state.store.begin().await?;
            outbox::retry_at(&mut tx, mail.id, now.plus(wait)).await?;
            tx.commit().await
        }
    }
}

/// A new sign-in code: six digits, each of the million values as likely.
fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// Drops a mail that will never be sent (counted as `dropped`).
async fn drop_mail(state: &AppState, mail: &MailRow) -> Result<(), StoreError> {
    metrics::mail_sent("dropped");
    remove(state, mail).await
}

async fn remove(state: &AppState, mail: &MailRow) -> Result<(), StoreError> {
    let mut tx = state.store.begin().await?;
    outbox::remove(&mut tx, mail.id).await?;
    tx.commit().await
}

/// The wait after the `attempts`-th failure: 1 s, doubling, at most a minute.
fn retry_wait(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_WAIT)
}

/// The origin links point at: `BATON_PUBLIC_ORIGIN`, else the address the server
/// listens on (`localhost` for an any-address listener, which no browser can open).
pub fn link_origin(public_origin: Option<&str>, listening: std::net::SocketAddr) -> String {
    match public_origin {
        Some(origin) => origin.to_string(),
        None if listening.ip().is_unspecified() => format!("http://localhost:{}", listening.port()),
        None => format!("http://{listening}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits() {
        for _ in 0..1000 {
            let code = new_code();
            assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn retries_back_off_from_a_second_to_a_minute() {
        let waits: Vec<u64> = (1..=9).map(|n| retry_wait(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry_wait(i64::MAX), LONGEST_WAIT);
    }

    #[test]
    fn links_point_at_the_public_origin_or_where_the_server_listens() {
        let addr = |s: &str| s.parse().unwrap();
        assert_eq!(link_origin(Some("https://app.example.com"), addr("0.0.0.0:3000")), "https://app.example.com");
        assert_eq!(link_origin(None, addr("127.0.0.1:3000")), "http://127.0.0.1:3000");
        assert_eq!(link_origin(None, addr("0.0.0.0:8080")), "http://localhost:8080");
    }
}
