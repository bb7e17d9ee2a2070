//! Passwords that appeared in breaches (docs/API.md): new passwords checked against a
//! range server started here, which answers as the Pwned Passwords range API does
//! (`SUFFIX:COUNT` lines, padded with count-0 lines when asked) and records every
//! request it receives, so that what left Baton is asserted on the server's side.

use crate::helpers::*;
use crate::on_both_backends;
use baton::shared::credentials::Password;
use reqwest::StatusCode;
use sha1::{Digest, Sha1};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

on_both_backends!(
    a_breached_password_is_refused_and_only_five_hex_digits_leave,
    a_slow_or_down_service_lets_the_password_through_within_a_second,
);

/// A password in the test's breach list, strong enough for zxcvbn otherwise.
const BREACHED: &str = "velvet harbor quantum 4417";
/// One that is not in it.
const CLEAN: &str = "amber lantern tundra 9035";

/// What a range server was asked: each prefix, with its `Add-Padding` header.
type Asked = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A range server: what it was asked, and how it answers.
#[derive(Clone)]
struct RangeServer {
    url: String,
    asked: Asked,
}

fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02X}")).collect()
}

impl RangeServer {
    /// Serves `breached`'s suffix under its prefix (with padding lines), after `delay`.
    async fn start(breached: &[&str], delay: Duration) -> RangeServer {
        let hashes: Vec<String> = breached.iter().map(|p| sha1_hex(p)).collect();
        let asked: Asked = Arc::new(Mutex::new(Vec::new()));
        let seen = asked.clone();
        let app = axum::Router::new().route(
            "/range/{prefix}",
            axum::routing::get(
                move |axum::extract::Path(prefix): axum::extract::Path<String>, headers: axum::http::HeaderMap| {
                    let (hashes, seen) = (hashes.clone(), seen.clone());
                    async move {
                        let padding = headers.get("add-padding").and_then(|v| v.to_str().ok()).map(str::to_string);
                        seen.lock().unwrap().push((prefix.clone(), padding));
                        tokio::time::sleep(delay).await;
                        let mut lines: Vec<String> = hashes
                            .iter()
                            .filter(|h| h.starts_with(&prefix.to_uppercase()))
                            .map(|h| format!("{}:{}", &h[5..], 3_861_493))
                            .collect();
                        // Padding, as the real service sends it: made-up suffixes, count 0.
                        lines.extend((0..5).map(|n| format!("{n:035X}:0")));
                        lines.join("\r\n")
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/range/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        RangeServer { url, asked }
    }

    fn asked(&self) -> Vec<(String, Option<String>)> {
        self.asked.lock().unwrap().clone()
    }
}

async fn a_breached_password_is_refused_and_only_five_hex_digits_leave(db: TestDb) {
    let range = RangeServer::start(&[BREACHED], Duration::ZERO).await;
    let app = db.app_with(|s| s.passwords.breached_passwords_url = Some(range.url.clone())).await;

    let email = format!("b-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = app.register(&email, BREACHED).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "weak_password");
    assert!(body["message"].as_str().unwrap().contains("data breach"), "the message says which rule: {body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", &email).await, 0);

    let response = app.register(&email, CLEAN).await;
    assert_eq!(response.status(), StatusCode::OK, "a password not in the lists is accepted");
    let who = SignedIn::from_response(response, &email).await;

    // A change and a reset are checked the same way.
    let form = [("current_password", CLEAN), ("new_password", BREACHED)];
    assert_error(app.post_bearer("/api/account/password", &who.access, &form).await, 400, "weak_password").await;

    // What the service saw: five hex digits per check, padding asked for, never more.
    let asked = range.asked();
    assert_eq!(asked.len(), 3, "{asked:?}");
    for (prefix, padding) in &asked {
        assert_eq!(prefix.len(), 5, "{prefix}");
        assert!(prefix.chars().all(|c| c.is_ascii_hexdigit()), "{prefix}");
        assert_eq!(padding.as_deref(), Some("true"));
    }
    assert_eq!(asked[0].0, sha1_hex(BREACHED)[..5]);
    assert_eq!(asked[1].0, sha1_hex(CLEAN)[..5]);
}

async fn a_slow_or_down_service_lets_the_password_through_within_a_second(db: TestDb) {
    let password = Password::parse_new(BREACHED).unwrap();
    // Slower than Baton waits: the check gives up after a second and lets it through.
    let slow = RangeServer::start(&[BREACHED], Duration::from_secs(5)).await;
    let app = db.app_with(|s| s.passwords.breached_passwords_url = Some(slow.url.clone())).await;
    let started = Instant::now();
    assert!(app.state.breaches.check(&password).await.is_ok(), "the check never blocks");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1_200), "accepted within 1.2 s: took {took:?}");
    assert_eq!(slow.asked().len(), 1);

    // Down: nothing listens there.
    let down = format!("http://127.0.0.1:{}/range/", free_port());
    let app = db.app_with(|s| s.passwords.breached_passwords_url = Some(down.clone())).await;
    let started = Instant::now();
    assert!(app.state.breaches.check(&password).await.is_ok());
    assert!(started.elapsed() < Duration::from_millis(1_200));

    // A real server says so in its log (and the sign-up goes through).
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("baton.log");
    let env = [("BATON_LOG", "warn"), ("BATON_BREACHED_PASSWORDS_URL", down.as_str())];
    let server = Instance::spawn_logging(db.url(), &env, Some(&log)).await;
    server.signed_up().await;
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("breached-password check did not answer in time"), "{logged}");
    assert!(!logged.contains(PASSWORD) && !logged.contains(&sha1_hex(PASSWORD)[5..]), "no secret in the log");
}
