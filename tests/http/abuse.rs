//! Holding under abuse: limits that stop the abuser and nobody else, a hashing queue
//! that says "busy" instead of making everyone wait, refresh cookies that cannot be
//! planted beside the real one, keys and settings that cannot drift into losing
//! revocations or signing with a retired key.

use crate::helpers::*;
use crate::on_both_backends;
use base64::{engine::general_purpose::STANDARD, Engine};
use baton::server::{
    auth::keys,
    state::AppState,
    store::signing_keys::{self, NewKey},
};
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    process::{Command, Stdio},
    time::Duration,
};

on_both_backends!(
    registrations_are_limited_per_address,
    one_client_flooding_sign_in_is_shed_before_the_database,
    a_full_hashing_queue_answers_unavailable_at_once,
    two_refresh_cookies_are_refused_and_spend_nothing,
    one_session_rotating_in_a_loop_is_limited_and_spends_nothing,
    retention_shorter_than_the_access_tokens_refuses_to_start,
    a_refresh_token_of_a_key_this_instance_has_not_loaded_rotates_after_a_reload,
    a_refresh_token_of_an_unknown_key_is_unavailable_and_keeps_the_cookie,
    a_plain_http_origin_is_refused_for_a_host_off_loopback,
    an_https_public_origin_gets_strict_transport_security,
    keys_rotate_refuses_while_a_pem_key_is_configured,
    a_retired_pem_key_never_signs_again_nor_comes_back_at_restart;
    postgres only: the_database_url_never_reaches_the_log_with_its_password,
);

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

/// One client's flood of sign-in attempts gets its burst, then 429 from memory: the
/// refused attempts reach no endpoint (nothing recorded, nothing hashed), and other
/// clients, and the same client's other requests, go on as before.
async fn one_client_flooding_sign_in_is_shed_before_the_database(db: TestDb) {
    let app = db
        .app_with(|s| {
            s.limits.sign_in_burst = 5;
            // One more a minute: none comes back while the test runs.
            s.limits.sign_in_rate = 1;
        })
        .await;
    let who = app.signed_up().await;
    let flooder = app.client_at("127.0.0.7");
    for _ in 0..5 {
        assert_error(flooder.login(&who.email, "not the password").await, 401, "invalid_credentials").await;
    }
    for attempt in [flooder.login(&who.email, PASSWORD).await, flooder.register("x@example.com", PASSWORD).await] {
        assert!((1..=61).contains(&retry_after(&attempt)), "{:?}", attempt.headers());
        assert_error(attempt, 429, "rate_limited").await;
    }
    // Answered after a pause, which a client waiting for each answer cannot hurry.
    let started = std::time::Instant::now();
    assert_error(flooder.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
    assert!(started.elapsed() >= app.settings.limits.sign_in_pause);
    // Five wrong passwords reached the limits; the shed attempts reached nothing.
    let failed = app.count("SELECT COUNT(*) FROM audit_events WHERE kind = $1", "sign_in_failed").await;
    assert_eq!(failed, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "x@example.com").await, 0);
    // Someone else signs in; the flooder's refresh is not an attempt.
    assert_eq!(app.client_at("127.0.0.8").login(&who.email, PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(flooder.refresh(&who.refresh).await.status(), StatusCode::OK);
}

/// A flood of sign-ups from one address (each would cost an argon2 hash) is cut off
/// at the limit; every attempt counts, a refused "email taken" too; another address
/// is not affected.
async fn registrations_are_limited_per_address(db: TestDb) {
    let app = db.app_with(|s| s.limits.register_limit = 3).await;
    let flooder = app.client_at("127.0.0.2");
    let taken = flooder.signed_up().await;
    assert_error(flooder.register(&taken.email, PASSWORD).await, 409, "email_taken").await;
    assert_eq!(flooder.register("third@example.com", PASSWORD).await.status(), StatusCode::OK);
    let refused = flooder.register("fourth@example.com", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((3500..=3600).contains(&retry_after(&refused)), "{}", retry_after(&refused));
    assert_eq!(code(refused).await, "rate_limited");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "fourth@example.com").await, 0);
    // Someone else signs up as usual.
    assert_eq!(app.client_at("127.0.0.3").register("fourth@example.com", PASSWORD).await.status(), StatusCode::OK);
}

/// Sends `logins` at once (wrong passwords for unknown emails), each from the
/// client `from(i)`; returns how many were told to come back (503).
async fn logins_at_once(app: &TestApp, logins: usize, from: impl Fn(usize) -> String) -> usize {
    let attempts: Vec<_> = (0..logins)
        .map(|i| {
            let client = app.client_at(&from(i));
            tokio::spawn(async move { client.login(&format!("nobody{i}@example.com"), "wrong password").await })
        })
        .collect();
    let mut unavailable = 0;
    for attempt in attempts {
        let response = attempt.await.unwrap();
        match response.status().as_u16() {
            401 => {}
            503 => {
                assert!(retry_after(&response) >= 1);
                assert_eq!(code(response).await, "unavailable");
                unavailable += 1;
            }
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    unavailable
}

/// More sign-ins at once than the hashing queue holds: the overflow is told to come
/// back (503 `unavailable`, `Retry-After`) at once instead of waiting, and nothing
/// fails otherwise. One client gets only its share of the queue.
async fn a_full_hashing_queue_answers_unavailable_at_once(db: TestDb) {
    let app = db.app().await;
    // One client: past its few places, at once.
    assert!(logins_at_once(&app, 40, |_| "127.0.0.2".into()).await > 0, "one client's share is bounded");
    // Many clients: past the whole queue (17 places per core), at once.
    let many = logins_at_once(&app, 150, |i| format!("127.0.1.{}", i + 1)).await;
    assert!(many > 0, "150 hashes at once must overflow the queue");
    // The queue drains and serves again.
    let who = app.client_at("127.0.0.9").signed_up().await;
    assert_eq!(app.client_at("127.0.0.9").login(&who.email, PASSWORD).await.status(), StatusCode::OK);
}

/// Login CSRF by cookie tossing: an attacker's valid cookie placed before the
/// victim's. The server takes neither.
async fn two_refresh_cookies_are_refused_and_spend_nothing(db: TestDb) {
    let app = db.app().await;
    let attacker = app.signed_up().await;
    let victim = app.signed_up().await;
    let both = format!("{0}={1}; {0}={2}", app.cookie_name, attacker.refresh, victim.refresh);
    // The victim's browser, from an address of its own, sends both.
    let browser = app.client_at("127.0.0.3");
    for path in ["/api/auth/refresh", "/api/auth/logout"] {
        let response = browser.http.post(app.url(path)).header("cookie", &both).send().await.unwrap();
        assert!(clears_cookie(&response), "{path}");
        assert_error(response, 401, "invalid_refresh_token").await;
    }
    // Split over two Cookie headers, the same.
    let response = browser
        .http
        .post(app.url("/api/auth/refresh"))
        .header("cookie", format!("{}={}", app.cookie_name, attacker.refresh))
        .header("cookie", format!("{}={}", app.cookie_name, victim.refresh))
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "invalid_refresh_token").await;
    // Nothing was spent or ended: each still rotates on its own.
    assert_eq!(app.refresh(&attacker.refresh).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(&victim.refresh).await.status(), StatusCode::OK);
}

/// One session refreshing as fast as it can would hold the database's writer: past
/// `BATON_REFRESH_LIMIT` a minute it gets 429 with `Retry-After`, and its token is not
/// spent, so it rotates once the minute is over.
async fn one_session_rotating_in_a_loop_is_limited_and_spends_nothing(db: TestDb) {
    let app = db.app_with(|s| s.limits.refresh_limit = 5).await;
    let who = app.signed_up().await;
    let mut current = who.refresh.clone();
    // From a new address each time: moving around does not escape the session's limit.
    for i in 2..7 {
        let response = app.client_at(&format!("127.0.0.{i}")).refresh(&current).await;
        assert_eq!(response.status(), StatusCode::OK);
        current = refresh_cookie(&response).unwrap();
    }
    let limited = app.client_at("127.0.0.7").refresh(&current).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&limited)), "{}", retry_after(&limited));
    assert!(refresh_set_cookies(&limited).is_empty(), "the cookie stays as it is");
    assert_eq!(code(limited).await, "rate_limited");
    // Another session of the same account is not limited.
    assert_eq!(app.refresh(&app.signed_in_again(&who).await.refresh).await.status(), StatusCode::OK);
    // A minute later the very same token rotates: nothing was spent.
    app.state.clock.advance(Duration::from_secs(61));
    assert_eq!(app.refresh(&current).await.status(), StatusCode::OK);
}

/// Deleting revoked sessions while their access tokens still live would make those
/// tokens work again after a restart: start-up refuses, naming both settings.
async fn retention_shorter_than_the_access_tokens_refuses_to_start(db: TestDb) {
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .env("DATABASE_URL", db.url())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("BATON_RETENTION", "1h")
        .env("BATON_ACCESS_TTL", "2h")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("BATON_RETENTION") && said.contains("BATON_ACCESS_TTL"), "{said}");
}

/// A key another process added (a missed notification, a reload not yet due): the
/// refresh reloads the keys and rotates, instead of signing the person out.
async fn a_refresh_token_of_a_key_this_instance_has_not_loaded_rotates_after_a_reload(db: TestDb) {
    let a = db.app().await;
    let b = db.app().await;
    // A new active key written straight to the database: no NOTIFY reaches B.
    let key = keys::generate().unwrap();
    let now = a.state.clock.now();
    sqlx::query("UPDATE signing_keys SET retired_at = $1").bind(now).execute(a.state.store.pool()).await.unwrap();
    insert_key(&a, &key).await;
    a.state.tokens.keys().reload().await.unwrap();
    let who = a.signed_up().await;
    assert_eq!(decode_parts(&who.refresh).0["kid"], key.kid.as_str());
    let response = b.refresh(&who.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(decode_parts(&refresh_cookie(&response).unwrap()).0["kid"], key.kid.as_str());
}

async fn insert_key(app: &TestApp, key: &NewKey) {
    let mut tx = app.state.store.begin().await.unwrap();
    signing_keys::insert(&mut tx, key, app.state.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
}

/// A refresh token whose key is still unknown after the reload: 503, and the cookie
/// stays (this instance may be the one that is behind).
async fn a_refresh_token_of_an_unknown_key_is_unavailable_and_keeps_the_cookie(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let (header, claims) = decode_parts(&who.refresh);
    let stranger = keys::generate().unwrap();
    let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    forged_header.typ = header["typ"].as_str().map(str::to_string);
    forged_header.kid = Some(stranger.kid.clone());
    let der = STANDARD.decode(&stranger.private_pkcs8).unwrap();
    let forged = jsonwebtoken::encode(&forged_header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(&der)).unwrap();
    let response = app.refresh(&forged).await;
    assert!(refresh_set_cookies(&response).is_empty(), "the cookie is kept");
    assert!(retry_after(&response) >= 1);
    assert_error(response, 503, "unavailable").await;
    // The real token of that session is untouched.
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK);
}

/// The cookie is `Secure`: off loopback the site runs on https, so an `http://` page
/// claiming our host is a network attacker's.
async fn a_plain_http_origin_is_refused_for_a_host_off_loopback(db: TestDb) {
    let app = db.app().await;
    let form = [("email", "origin@example.com"), ("password", PASSWORD)];
    let post = |origin: &'static str| {
        app.http
            .post(app.url("/api/auth/register"))
            .header("host", "app.example.com")
            .header("origin", origin)
            .form(&form)
            .send()
    };
    assert_error(post("http://app.example.com").await.unwrap(), 403, "forbidden_origin").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "origin@example.com").await, 0);
    assert_eq!(post("https://app.example.com").await.unwrap().status(), StatusCode::OK);
}

async fn an_https_public_origin_gets_strict_transport_security(db: TestDb) {
    let https = db.app_with(|s| s.tokens.public_origin = Some("https://app.example.com".into())).await;
    let page = https.get("/login", None).await;
    assert_eq!(page.headers()["strict-transport-security"], "max-age=31536000");
    let plain = db.app().await;
    assert!(plain.get("/login", None).await.headers().get("strict-transport-security").is_none());
}

/// A PEM key file and `baton keys rotate` do not mix: rotating would retire the key
/// every configured instance signs with.
async fn keys_rotate_refuses_while_a_pem_key_is_configured(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let pem = write_pem(&dir);
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["keys", "rotate"])
        .env("DATABASE_URL", db.url())
        .env("BATON_SIGNING_KEY_FILE", &pem)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("signing-key-file"), "{said}");
}

fn write_pem(dir: &tempfile::TempDir) -> std::path::PathBuf {
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey};
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let path = dir.path().join("signing.pem");
    std::fs::write(&path, key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    path
}

/// Once the PEM key is retired (a rotation run without the key file), the instance
/// signs with the database's active key, never the retired one, and a restart with the
/// key file refuses instead of reviving it.
async fn a_retired_pem_key_never_signs_again_nor_comes_back_at_restart(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let pem = write_pem(&dir);
    let path = pem.clone();
    let app = db.app_with(move |s| s.tokens.signing_key_file = Some(path)).await;
    let pem_kid = decode_parts(&app.signed_up().await.access).0["kid"].as_str().unwrap().to_string();
    let new_kid = keys::rotate(&app.state.store, &app.state.clock).await.unwrap();
    app.state.tokens.keys().reload().await.unwrap();
    let who = app.signed_up().await;
    assert_eq!(decode_parts(&who.access).0["kid"], new_kid.as_str());
    assert_eq!(decode_parts(&who.refresh).0["kid"], new_kid.as_str());
    assert_ne!(pem_kid, new_kid);
    let jwks: Value = app.get("/.well-known/jwks.json", None).await.json().await.unwrap();
    assert!(jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == pem_kid.as_str()), "still verifies");

    let mut settings = app.settings.clone();
    settings.tokens.signing_key_file = Some(pem);
    let restarted = AppState::build(&settings).await;
    let error = restarted.err().expect("a restart must not revive the retired key").to_string();
    assert!(error.contains("retired"), "{error}");
    let retired = "SELECT COUNT(*) FROM signing_keys WHERE kid = $1 AND retired_at IS NOT NULL";
    assert_eq!(app.count(retired, &pem_kid).await, 1);
}

/// `DATABASE_URL` may carry a password in the user part or the query; the start-up
/// log shows neither.
async fn the_database_url_never_reaches_the_log_with_its_password(db: TestDb) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    // The throwaway cluster trusts every connection: the password is only carried.
    let url =
        format!("{}?password=hunter2&application_name=baton", db.url().replacen("://baton@", "://baton:hunter3@", 1));
    assert!(url.contains("hunter3"), "{url}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .env("DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("BATON_LOG", "baton=info")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let listening = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            log.push_str(&line);
            log.push('\n');
            if line.contains("listening") {
                return;
            }
        }
    })
    .await;
    assert!(listening.is_ok(), "no listening line: {log}");
    assert!(!log.contains("hunter2") && !log.contains("hunter3"), "{log}");
    assert!(log.contains("***"), "{log}");
}
