//! A real SMTP listener for the tests: a small server over tokio that speaks the
//! protocol (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and keeps
//! what it receives. Baton's mailer talks to it exactly as to a real mail server;
//! the tests read the mails with `mail-parser`, as a mail client would, and follow
//! their links over HTTP. It can be stopped and started again on its port (a mail
//! server that goes down and comes back). While down it keeps the port and resets every
//! connection: a port it let go could be handed to another test's listener, which would
//! then receive that test's mails.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::{JoinHandle, JoinSet},
};

/// What the listener received, across its restarts.
#[derive(Default)]
struct Inbox {
    mails: Mutex<Vec<Mail>>,
    arrived: Notify,
}

/// A delivered mail, parsed.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The envelope's recipients.
    pub rcpt: Vec<String>,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// The first URL in the text part that contains `path`.
    pub fn link(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http") && word.contains(path))
            .unwrap_or_else(|| panic!("no {path} link in {:?}", self.text))
            .to_string()
    }

    /// The `token` of the link to `path`.
    pub fn token(&self, path: &str) -> String {
        let link = self.link(path);
        link.split_once("?token=").map(|(_, token)| token.to_string()).unwrap_or_else(|| panic!("no token in {link}"))
    }
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    listener: Arc<TcpListener>,
    inbox: Arc<Inbox>,
    /// Serving while up, resetting connections while down.
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP listener"));
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Inbox::default());
        let task = tokio::spawn(serve(listener.clone(), inbox.clone()));
        SmtpServer { addr, listener, inbox, task }
    }

    /// `BATON_SMTP_URL` for this listener.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Down: every connection is reset at once, open conversations are cut.
    pub fn stop(&mut self) {
        self.task.abort();
        self.task = tokio::spawn(refuse(self.listener.clone()));
    }

    /// Up again on the same port.
    pub async fn restart(&mut self) {
        self.task.abort();
        self.task = tokio::spawn(serve(self.listener.clone(), self.inbox.clone()));
    }

    /// Every mail received so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.inbox.mails.lock().unwrap().clone()
    }

    /// Mails to `to` whose subject contains `subject`.
    pub fn mails_to(&self, to: &str, subject: &str) -> Vec<Mail> {
        self.mails().into_iter().filter(|m| m.rcpt.iter().any(|r| r == to) && m.subject.contains(subject)).collect()
    }

    /// Waits (up to 20 s) until `count` mails to `to` with `subject` have arrived;
    /// returns the latest.
    pub async fn nth(&self, count: usize, to: &str, subject: &str) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let arrived = self.inbox.arrived.notified();
            let mails = self.mails_to(to, subject);
            if mails.len() >= count {
                return mails[count - 1].clone();
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "mail {count} to {to} about {subject:?} did not arrive; received: {:?}",
                    self.mails().iter().map(|m| (&m.rcpt, &m.subject)).collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits for the first mail to `to` with `subject`.
    pub async fn mail(&self, to: &str, subject: &str) -> Mail {
        self.nth(1, to, subject).await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // The task holds the other handle on the listener: the port closes with it.
        self.task.abort();
    }
}

async fn serve(listener: Arc<TcpListener>, inbox: Arc<Inbox>) {
    // Conversations belong to this task: stopping it cuts them all.
    let mut conversations = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    conversations.spawn(converse(stream, inbox.clone()));
                }
            }
            Some(_) = conversations.join_next(), if !conversations.is_empty() => {}
        }
    }
}

/// A mail server that is down, on a port it keeps: each connection is reset (no
/// greeting), which a mailer meets as a refused delivery.
async fn refuse(listener: Arc<TcpListener>) {
    loop {
        if let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_zero_linger();
        }
    }
}

/// One SMTP conversation (RFC 5321), as much of it as a mailer uses.
async fn converse(stream: TcpStream, inbox: Arc<Inbox>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 baton-test ESMTP ready\r\n").await?;
    let (mut from, mut rcpt) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-baton-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 baton-test\r\n",
            "MAIL" => {
                from = angle(&command);
                rcpt.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                rcpt.push(angle(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.extend_from_slice(unstuffed.as_bytes());
                }
                let mail = parse(&data, std::mem::take(&mut rcpt), &from);
                inbox.mails.lock().unwrap().push(mail);
                inbox.arrived.notify_waiters();
                b"250 OK queued\r\n"
            }
            "RSET" => {
                rcpt.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address between `<` and `>` of `MAIL FROM:<…>` / `RCPT TO:<…>`.
fn angle(command: &str) -> String {
    let start = command.find('<').map(|i| i + 1).unwrap_or(0);
    let end = command.rfind('>').unwrap_or(command.len());
    command[start..end].to_string()
}

fn parse(data: &[u8], rcpt: Vec<String>, from: &str) -> Mail {
    let message = mail_parser::MessageParser::default().parse(data).expect("a parseable mail");
    let address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string()
    };
    Mail {
        rcpt,
        to: address(message.to()),
        from: if from.is_empty() { address(message.from()) } else { from.to_string() },
        subject: message.subject().unwrap_or_default().to_string(),
        text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: message.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
    }
}
