//! Email (docs/API.md, "Email"): every mail goes through a real SMTP conversation
//! with the test listener (`crate::smtp`), is parsed as a mail client would, and its
//! link is followed over HTTP.

use crate::helpers::*;
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::{collections::HashMap, time::Duration};

on_both_backends!(
    a_reset_link_sets_the_password_ends_every_session_and_works_once,
    an_unknown_email_gets_the_same_answer_and_no_mail,
    an_expired_reset_link_is_refused,
    the_three_newest_reset_links_work_and_using_one_ends_the_others,
    reset_requests_are_limited_per_client_and_quiet_past_the_limit_per_email,
    registration_sends_a_verification_link_that_verifies_once,
    a_new_verification_link_is_limited_to_three_an_hour,
    an_email_change_waits_for_the_link_sent_to_the_new_address,
    an_email_change_to_a_taken_address_is_refused_when_confirmed,
    a_sign_in_from_a_new_device_is_mailed_once,
    with_the_mail_server_down_requests_succeed_and_mail_goes_when_it_is_back,
    a_restart_while_the_mail_server_is_down_loses_no_mail,
    without_an_smtp_server_mails_are_written_to_the_outbox_folder,
    links_are_stored_only_hashed,
    deleting_the_account_deletes_its_links_and_unsent_mail,
    mails_are_written_in_the_language_of_the_last_sign_in;
    postgres only: two_instances_send_each_mail_exactly_once,
);

const NEW_PASSWORD: &str = "violet kettle orbit 1987";
const RESET: &str = "Reset your Baton password";
const VERIFY: &str = "Confirm your email address";
const NEW_ADDRESS: &str = "Confirm your new email address";
const CHANGE_NOTICE: &str = "about to change";
const NEW_SIGN_IN: &str = "New sign-in to your account";

/// Mails follow the account's language: the one its registration or latest sign-in
/// asked for (the `lang` cookie, else Accept-Language).
async fn mails_are_written_in_the_language_of_the_last_sign_in(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let email = format!("ko-{}@example.com", uuid::Uuid::new_v4().simple());
    let post = |path: &str| app.http.post(app.url(path)).form(&[("email", email.as_str()), ("password", PASSWORD)]);

    let registered =
        post("/api/auth/register").header("accept-language", "ko-KR,ko;q=0.9,en;q=0.5").send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::OK);
    let mail = smtp.mail(&email, "Baton 이메일 주소를 인증해 주세요").await;
    assert!(mail.text.starts_with("안녕하세요."), "{}", mail.text);
    assert!(mail.html.contains("<html lang=\"ko\">"), "{}", mail.html);

    // The switcher's cookie outranks the browser's languages; from this sign-in on,
    // the account's mails are English.
    let signed_in =
        post("/api/auth/login").header("accept-language", "ko-KR").header("cookie", "lang=en").send().await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(request_reset(&app, &email).await.status(), StatusCode::ACCEPTED);
    let reset = smtp.mail(&email, RESET).await;
    assert!(reset.text.starts_with("Hello,"), "{}", reset.text);
    assert!(reset.html.contains("<html lang=\"en\">"), "{}", reset.html);
}

async fn request_reset(app: &Client, email: &str) -> Response {
    app.post_form("/api/auth/password_reset", &[("email", email)], None).await
}

async fn confirm_reset(app: &Client, token: &str, password: &str) -> Response {
    app.post_form("/api/auth/password_reset/confirm", &[("token", token), ("new_password", password)], None).await
}

async fn verify(app: &Client, token: &str) -> Response {
    app.post_form("/api/auth/verify_email", &[("token", token)], None).await
}

async fn me(app: &Client, access: &str) -> Value {
    let response = app.get("/api/me", Some(access)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn kinds(app: &Client, access: &str) -> Vec<String> {
    let page: Value = app.get("/api/activity?limit=100", Some(access)).await.json().await.unwrap();
    page["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

async fn a_reset_link_sets_the_password_ends_every_session_and_works_once(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let other = app.signed_in_again(&who).await;

    let response = request_reset(&app, &who.email).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({}));
    let mail = smtp.mail(&who.email, RESET).await;
    assert_eq!(mail.to, who.email);
    assert_eq!(mail.from, "no-reply@localhost");
    assert!(mail.text.contains("30 minutes") && mail.html.contains("<a href="), "{mail:?}");
    let link = mail.link("/reset?token=");
    assert!(link.starts_with(&app.base), "{link} points at this server");

    let token = mail.token("/reset");
    // A new password that would not do is refused, and the link stays good.
    assert_error(confirm_reset(&app, &token, "password123").await, 400, "weak_password").await;
    assert_error(confirm_reset(&app, &token, "short").await, 400, "invalid_input").await;
    let response = confirm_reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let reset = SignedIn::from_response(response, &who.email).await;
    // Every earlier session ended, access tokens included; the new one works.
    for old in [&who, &other] {
        assert_error(app.refresh(&old.refresh).await, 401, "invalid_refresh_token").await;
        assert_error(app.get("/api/me", Some(&old.access)).await, 401, "invalid_token").await;
    }
    assert_eq!(me(&app, &reset.access).await["email_verified"], true, "the link proved the address");
    assert_eq!(app.login(&who.email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&who.email, NEW_PASSWORD).await.status(), StatusCode::OK);
    assert!(kinds(&app, &reset.access).await.contains(&"password_reset".to_string()));
    // Once.
    assert_error(confirm_reset(&app, &token, "another fine passphrase 42").await, 400, "invalid_link").await;
    assert_error(confirm_reset(&app, "not-a-token", NEW_PASSWORD).await, 400, "invalid_link").await;
}

async fn an_unknown_email_gets_the_same_answer_and_no_mail(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    smtp.mail(&who.email, VERIFY).await;

    let answer = |response: Response| async move {
        let status = response.status();
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            // (Each answer has its own date and request id.)
            .filter(|(name, _)| *name != "date" && *name != "x-request-id")
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        headers.sort();
        (status, headers, response.bytes().await.unwrap())
    };
    let unknown = answer(request_reset(&app, "nobody-here@example.com").await).await;
    let known = answer(request_reset(&app, &who.email).await).await;
    assert_eq!(unknown, known, "status, headers and body are the same");
    assert_eq!(unknown.0, StatusCode::ACCEPTED);

    smtp.mail(&who.email, RESET).await;
    // The known address's mail went after the unknown one was asked for: had the
    // unknown one been mailed, it would be here by now. The outbox is empty too.
    assert!(smtp.mails().iter().all(|m| m.rcpt != ["nobody-here@example.com"]), "{:?}", smtp.mails());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE to_addr <> $1", "").await, 0);
    // A malformed address is a 400, whoever asks.
    assert_error(request_reset(&app, "not an email").await, 400, "invalid_input").await;
}

async fn an_expired_reset_link_is_refused(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    assert_eq!(request_reset(&app, &who.email).await.status(), StatusCode::ACCEPTED);
    let token = smtp.mail(&who.email, RESET).await.token("/reset");
    app.state.clock.advance(Duration::from_secs(30 * 60 + 1));
    assert_error(confirm_reset(&app, &token, NEW_PASSWORD).await, 400, "invalid_link").await;
    assert_eq!(app.login(&who.email, PASSWORD).await.status(), StatusCode::OK, "the password did not change");
}

/// Up to three reset links live at once (a stranger asking for resets of someone's
/// address cannot kill the link the owner is about to use), and using one ends them all.
async fn the_three_newest_reset_links_work_and_using_one_ends_the_others(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let mut tokens = Vec::new();
    for n in 1..=4 {
        request_reset(&app, &who.email).await;
        tokens.push(smtp.nth(n, &who.email, RESET).await.token("/reset"));
    }
    // The oldest of four is gone; the newest three live.
    assert_error(confirm_reset(&app, &tokens[0], NEW_PASSWORD).await, 400, "invalid_link").await;
    assert_eq!(confirm_reset(&app, &tokens[2], NEW_PASSWORD).await.status(), StatusCode::OK);
    for used_up in [&tokens[1], &tokens[2], &tokens[3]] {
        assert_error(confirm_reset(&app, used_up, "another fine passphrase 42").await, 400, "invalid_link").await;
    }
}

async fn reset_requests_are_limited_per_client_and_quiet_past_the_limit_per_email(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    // Per email, whoever asks: five mails an hour. Past that the answer is the same
    // 202 (a 429 would let a stranger make the owner's own request fail), and no
    // mail goes, so nothing the owner already has is replaced.
    for email in [who.email.as_str(), "no-account@example.com"] {
        for n in 0..5 {
            let client = app.client_at(&format!("127.0.1.{}", n + 1));
            assert_eq!(request_reset(&client, email).await.status(), StatusCode::ACCEPTED);
            if email == who.email {
                // Each delivered before the next is asked for (a newer link would
                // otherwise take an unsent older mail's place).
                smtp.nth(n + 1, email, RESET).await;
            }
        }
        let past = request_reset(&app.client_at("127.0.1.9"), email).await;
        assert_eq!(past.status(), StatusCode::ACCEPTED);
        assert_eq!(past.json::<Value>().await.unwrap(), serde_json::json!({}));
    }
    // A mail queued after the sixth request has arrived, so a sixth reset mail would have.
    app.post_bearer("/api/account/verification_email", &who.access, &[]).await;
    smtp.nth(2, &who.email, VERIFY).await;
    assert_eq!(smtp.mails_to(&who.email, RESET).len(), 5);
    // The owner's links still work: the newest three.
    let newest = smtp.mails_to(&who.email, RESET)[4].token("/reset");
    assert_eq!(confirm_reset(&app, &newest, NEW_PASSWORD).await.status(), StatusCode::OK);
    // Per client, whatever the address: 429.
    let client = app.client_at("127.0.2.1");
    for n in 0..5 {
        assert_eq!(request_reset(&client, &format!("a{n}@example.com")).await.status(), StatusCode::ACCEPTED);
    }
    let refused = request_reset(&client, "a5@example.com").await;
    assert!(refused.headers().get("retry-after").is_some());
    assert_error(refused, 429, "rate_limited").await;
    // An hour later, again.
    app.state.clock.advance(Duration::from_secs(3601));
    assert_eq!(request_reset(&client, "a5@example.com").await.status(), StatusCode::ACCEPTED);
}

async fn registration_sends_a_verification_link_that_verifies_once(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    assert_eq!(me(&app, &who.access).await["email_verified"], false);
    let mail = smtp.mail(&who.email, VERIFY).await;
    assert!(mail.link("/verify?token=").starts_with(&app.base));
    let token = mail.token("/verify");
    let response = verify(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({}));
    assert_eq!(me(&app, &who.access).await["email_verified"], true);
    assert_error(verify(&app, &token).await, 400, "invalid_link").await;
    assert!(kinds(&app, &who.access).await.contains(&"email_verified".to_string()));
    // Verified: asking again sends nothing.
    let again = app.post_bearer("/api/account/verification_email", &who.access, &[]).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    // A verification link is not a reset link, nor the other way round.
    request_reset(&app, &who.email).await;
    let reset = smtp.mail(&who.email, RESET).await.token("/reset");
    assert_error(verify(&app, &reset).await, 400, "invalid_link").await;
    assert_eq!(smtp.mails_to(&who.email, VERIFY).len(), 1);
}

async fn a_new_verification_link_is_limited_to_three_an_hour(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    smtp.nth(1, &who.email, VERIFY).await;
    for n in 2..=4 {
        let response = app.post_bearer("/api/account/verification_email", &who.access, &[]).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        smtp.nth(n, &who.email, VERIFY).await;
    }
    let refused = app.post_bearer("/api/account/verification_email", &who.access, &[]).await;
    assert_error(refused, 429, "rate_limited").await;
    // Only the newest link verifies.
    let mails = smtp.mails_to(&who.email, VERIFY);
    assert_error(verify(&app, &mails[2].token("/verify")).await, 400, "invalid_link").await;
    assert_eq!(verify(&app, &mails[3].token("/verify")).await.status(), StatusCode::OK);
    assert_error(app.post_form("/api/account/verification_email", &[], None).await, 401, "invalid_token").await;
}

async fn an_email_change_waits_for_the_link_sent_to_the_new_address(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let old_verify = smtp.mail(&who.email, VERIFY).await.token("/verify");
    let new_email = format!("moved-{}", who.email);

    assert_error(app.post_bearer("/api/account/email", &who.access, &[("email", "nope")]).await, 400, "invalid_input")
        .await;
    let same = app.post_bearer("/api/account/email", &who.access, &[("email", &who.email)]).await;
    assert_error(same, 400, "invalid_input").await;
    let response = app.post_bearer("/api/account/email", &who.access, &[("email", &new_email)]).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let notice = smtp.mail(&who.email, CHANGE_NOTICE).await;
    assert!(notice.text.contains(&new_email), "{}", notice.text);
    let confirm = smtp.mail(&new_email, NEW_ADDRESS).await;
    // Nothing changed yet.
    assert_eq!(me(&app, &who.access).await["email"], who.email.as_str());

    assert_eq!(verify(&app, &confirm.token("/verify")).await.status(), StatusCode::OK);
    let account = me(&app, &who.access).await;
    assert_eq!(
        (account["email"].as_str().unwrap(), &account["email_verified"]),
        (new_email.as_str(), &Value::Bool(true))
    );
    assert_eq!(app.login(&new_email, PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login(&who.email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    // The old address's link proves nothing any more.
    assert_error(verify(&app, &old_verify).await, 400, "invalid_link").await;
    assert!(kinds(&app, &who.access).await.contains(&"email_changed".to_string()));
    // Sensitive: a stale sign-in must re-authenticate first.
    app.state.clock.advance(Duration::from_secs(11 * 60));
    let fresh = SignedIn::from_response(app.refresh(&who.refresh).await, &new_email).await;
    let stale = app.post_bearer("/api/account/email", &fresh.access, &[("email", "third@example.com")]).await;
    assert_error(stale, 403, "reauth_required").await;
}

async fn an_email_change_to_a_taken_address_is_refused_when_confirmed(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let target = "taken-later@example.com";
    assert_eq!(app.post_bearer("/api/account/email", &who.access, &[("email", target)]).await.status(), 202);
    let token = smtp.mail(target, NEW_ADDRESS).await.token("/verify");
    assert_eq!(app.register(target, PASSWORD).await.status(), StatusCode::OK);
    assert_error(verify(&app, &token).await, 409, "email_taken").await;
    assert_eq!(me(&app, &who.access).await["email"], who.email.as_str());
}

async fn a_sign_in_from_a_new_device_is_mailed_once(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    smtp.nth(1, &who.email, VERIFY).await;
    // The device it registered on is not new.
    app.signed_in_again(&who).await;
    let firefox =
        |version: u32| format!("Mozilla/5.0 (X11; Linux x86_64; rv:{version}.0) Gecko/20100101 Firefox/{version}.0");
    let elsewhere = app.client_at("127.0.3.7");
    let login = |agent: String| {
        elsewhere
            .http
            .post(elsewhere.url("/api/auth/login"))
            .header("user-agent", agent)
            .form(&[("email", who.email.as_str()), ("password", PASSWORD)])
            .send()
    };
    assert_eq!(login(firefox(128)).await.unwrap().status(), StatusCode::OK);
    let mail = smtp.mail(&who.email, NEW_SIGN_IN).await;
    assert!(mail.text.contains("Firefox on Linux") && mail.text.contains("127.0.3.7"), "{}", mail.text);
    assert!(mail.text.contains(" UTC"), "the time: {}", mail.text);
    assert!(mail.link("/sessions").starts_with(&app.base));
    // Known now; and a browser update is the same device.
    assert_eq!(login(firefox(129)).await.unwrap().status(), StatusCode::OK);
    // A mail queued after both sign-ins has arrived, so any mail of theirs has too.
    app.post_bearer("/api/account/verification_email", &who.access, &[]).await;
    smtp.nth(2, &who.email, VERIFY).await;
    assert_eq!(smtp.mails_to(&who.email, NEW_SIGN_IN).len(), 1);
}

/// Waits until the outbox has a mail that failed at least once and is not claimed.
async fn until_a_delivery_failed(app: &TestApp) {
    for _ in 0..200 {
        let failed = app
            .count("SELECT COUNT(*) FROM outbox WHERE attempts >= 1 AND claimed_until IS NULL AND to_addr <> $1", "")
            .await;
        if failed > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery was tried");
}

async fn with_the_mail_server_down_requests_succeed_and_mail_goes_when_it_is_back(db: TestDb) {
    let mut smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    smtp.stop();
    let who = app.signed_up().await;
    let response = request_reset(&app, &who.email).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    until_a_delivery_failed(&app).await;
    smtp.restart().await;
    let token = smtp.mail(&who.email, RESET).await.token("/reset");
    smtp.mail(&who.email, VERIFY).await;
    assert_eq!(confirm_reset(&app, &token, NEW_PASSWORD).await.status(), StatusCode::OK);
}

async fn a_restart_while_the_mail_server_is_down_loses_no_mail(db: TestDb) {
    let mut smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let settings = app.settings.clone();
    smtp.stop();
    let who = app.signed_up().await;
    until_a_delivery_failed(&app).await;
    app.stop().await;
    smtp.restart().await;
    let app = db.start(settings).await;
    let token = smtp.mail(&who.email, VERIFY).await.token("/verify");
    assert_eq!(verify(&app, &token).await.status(), StatusCode::OK);
    assert_eq!(smtp.mails().len(), 1);
}

async fn without_an_smtp_server_mails_are_written_to_the_outbox_folder(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let eml = loop {
        let found = std::fs::read_dir(db.outbox()).unwrap().filter_map(Result::ok).find(|entry| {
            entry.path().extension().is_some_and(|e| e == "eml")
                && std::fs::read_to_string(entry.path()).is_ok_and(|text| text.contains(&who.email))
        });
        if let Some(entry) = found {
            break std::fs::read(entry.path()).unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "no .eml in the outbox folder");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let message = mail_parser::MessageParser::default().parse(&eml).unwrap();
    let text = message.body_text(0).unwrap().into_owned();
    let token = text.split("?token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert_eq!(verify(&app, &token).await.status(), StatusCode::OK);
}

async fn links_are_stored_only_hashed(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    request_reset(&app, &who.email).await;
    let token = smtp.mail(&who.email, RESET).await.token("/reset");
    let stored: Vec<Option<String>> =
        sqlx::query_scalar("SELECT token_hash FROM email_links").fetch_all(app.state.store.pool()).await.unwrap();
    assert_eq!(stored.len(), 2, "the verification and the reset link");
    assert!(stored.iter().flatten().all(|hash| hash != &token && !hash.contains(&token)));
    let letters: Vec<String> =
        sqlx::query_scalar("SELECT letter FROM outbox").fetch_all(app.state.store.pool()).await.unwrap();
    assert!(letters.iter().all(|l| !l.contains(&token)));
}

async fn two_instances_send_each_mail_exactly_once(db: TestDb) {
    let mut smtp = SmtpServer::start().await;
    let a = Instance::spawn(db.url(), &[("BATON_SMTP_URL", &smtp.url())]).await;
    let b = Instance::spawn(db.url(), &[("BATON_SMTP_URL", &smtp.url())]).await;
    // Down first, so that both instances' senders retry the same mails at once.
    smtp.stop();
    let mut emails = Vec::new();
    for n in 0..16 {
        let email = format!("twice-{n}@example.com");
        let instance = if n % 2 == 0 { &a } else { &b };
        let client = Client { http: client_from(&format!("127.0.4.{}", n + 1)), ..instance.client.clone() };
        assert_eq!(client.register(&email, PASSWORD).await.status(), StatusCode::OK);
        emails.push(email);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    smtp.restart().await;
    for email in &emails {
        smtp.mail(email, VERIFY).await;
    }
    // Both senders poll every 2 s: give a duplicate every chance to arrive.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for mail in smtp.mails() {
        *per_recipient.entry(mail.rcpt.join(",")).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), 16);
    assert!(per_recipient.values().all(|n| *n == 1), "{per_recipient:?}");
}

async fn deleting_the_account_deletes_its_links_and_unsent_mail(db: TestDb) {
    let mut smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    smtp.stop();
    let who = app.signed_up().await;
    request_reset(&app, &who.email).await;
    let pending = "SELECT COUNT(*) FROM outbox WHERE user_id = $1";
    for _ in 0..100 {
        if app.count(pending, &who.user_id).await == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.count(pending, &who.user_id).await, 2, "the verification and the reset mail wait");
    let deleted = app.post_bearer("/api/account/delete", &who.access, &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count(pending, &who.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_links WHERE user_id = $1", &who.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices WHERE user_id = $1", &who.user_id).await, 0);
    smtp.restart().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(smtp.mails().is_empty(), "nothing is sent to a deleted account");
}
