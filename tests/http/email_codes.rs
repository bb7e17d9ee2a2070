//! Signing in with an email code (docs/API.md, "Sign in with an email code"): every
//! code arrives through a real SMTP conversation with the test listener
//! (`crate::smtp`) and is read off the mail as a person would.

use crate::helpers::*;
use crate::on_both_backends;
use crate::smtp::{Mail, SmtpServer};
use crate::two_step::{code_at, mfa, turn_on};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

on_both_backends!(
    a_code_signs_in_to_an_existing_account_once,
    a_code_for_an_address_without_an_account_creates_one_without_a_password,
    the_link_signs_in_and_spends_the_code,
    five_wrong_codes_kill_a_code_and_the_address_cap_tells_the_owner,
    an_expired_code_and_link_are_refused,
    a_newer_code_replaces_the_older,
    a_locked_account_is_told_so_after_a_right_code,
    a_two_step_account_still_asks_for_its_second_step,
    an_address_proved_first_by_a_code_ends_what_came_before,
    an_account_without_a_password_or_passkey_reauthenticates_with_a_code,
    asking_answers_the_same_for_any_address_in_the_same_time,
);

const SIGN_IN: &str = "Your Baton sign-in code";
const CREATE: &str = "Your Baton code: create your account";
const GUESSED: &str = "Someone tried to guess a sign-in code";

async fn ask(app: &Client, email: &str) -> Response {
    app.post_form("/api/auth/email_code", &[("email", email)], None).await
}

async fn confirm(app: &Client, email: &str, code: &str) -> Response {
    app.post_form("/api/auth/email_code/confirm", &[("email", email), ("code", code)], None).await
}

async fn follow(app: &Client, token: &str) -> Response {
    app.post_form("/api/auth/email_code/confirm", &[("token", token)], None).await
}

/// The code a mail carries: the line of six digits.
fn code_in(mail: &Mail) -> String {
    let code = mail
        .text
        .lines()
        .find(|line| line.len() == 6 && line.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {:?}", mail.text));
    assert!(mail.html.contains(&format!(">{code}</p>")), "the HTML part shows it too: {}", mail.html);
    code.to_string()
}

/// A six-digit code that is not `right`.
fn wrong(right: &str, n: u32) -> String {
    let right: u32 = right.parse().unwrap();
    format!("{:06}", (right + 1 + n) % 1_000_000)
}

async fn asked(app: &Client, smtp: &SmtpServer, email: &str, subject: &str, nth: usize) -> Mail {
    let response = ask(app, email).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({}));
    smtp.nth(nth, email, subject).await
}

async fn signed_in_with(app: &Client, access: &str) -> Option<String> {
    let page: Value = app.get("/api/activity?limit=100", Some(access)).await.json().await.unwrap();
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["kind"] == "signed_in")
        .map(|event| event["method"].as_str().unwrap_or_default().to_string())
}

async fn a_code_signs_in_to_an_existing_account_once(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let mail = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    assert!(mail.text.contains("10 minutes") && mail.html.contains("<a href="), "{mail:?}");
    assert!(mail.link("/login/code?token=").starts_with(&app.base));
    let code = code_in(&mail);

    let response = confirm(&app, &who.email, &format!("{} {}", &code[..3], &code[3..])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_cookie(&response).is_some(), "the refresh cookie is set");
    let session = SignedIn::from_response(response, &who.email).await;
    assert_eq!(app.get("/api/me", Some(&session.access)).await.status(), StatusCode::OK);
    assert_eq!(signed_in_with(&app, &session.access).await.as_deref(), Some("email_code"));
    // Once: a replay, and so the link of the same mail, are refused.
    assert_error(confirm(&app, &who.email, &code).await, 401, "invalid_code").await;
    assert_error(follow(&app, &mail.token("/login/code")).await, 401, "invalid_code").await;
    // The password still signs in: a code adds a way in, it removes none.
    assert_eq!(app.login(&who.email, PASSWORD).await.status(), StatusCode::OK);
    // Malformed input is a clear 400, not a guess.
    assert_error(confirm(&app, &who.email, "12345").await, 400, "invalid_input").await;
    assert_error(confirm(&app, "not an address", &code).await, 400, "invalid_input").await;
    assert_error(ask(&app, "not an address").await, 400, "invalid_input").await;
    assert_error(
        app.post_form("/api/auth/email_code/confirm", &[("email", &who.email)], None).await,
        400,
        "invalid_input",
    )
    .await;
}

async fn a_code_for_an_address_without_an_account_creates_one_without_a_password(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let email = format!("new-{}@example.com", uuid::Uuid::new_v4().simple());
    let mail = asked(&app, &smtp, &email, CREATE, 1).await;
    let code = code_in(&mail);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", &email).await, 0, "nothing made yet");

    let response = confirm(&app, &email, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &email).await;
    let me: Value = app.get("/api/me", Some(&session.access)).await.json().await.unwrap();
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["email_verified"], true, "the code proved the address");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1 AND password_hash = ''", &email).await, 1);
    // No password signs in to it, not even an empty one.
    assert_error(app.login(&email, PASSWORD).await, 401, "invalid_credentials").await;
    // The next code is a sign-in to the account just made.
    let again = asked(&app, &smtp, &email, SIGN_IN, 1).await;
    let response = confirm(&app, &email, &code_in(&again)).await;
    assert_eq!(SignedIn::from_response(response, &email).await.user_id, session.user_id);
}

async fn the_link_signs_in_and_spends_the_code(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let mail = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    let token = mail.token("/login/code");
    assert_error(follow(&app, "not-a-token").await, 401, "invalid_code").await;
    let response = follow(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &who.email).await;
    assert_eq!(signed_in_with(&app, &session.access).await.as_deref(), Some("email_code"));
    assert_error(follow(&app, &token).await, 401, "invalid_code").await;
    assert_error(confirm(&app, &who.email, &code_in(&mail)).await, 401, "invalid_code").await;
    // Neither the code nor the token is in the database.
    let code = code_in(&mail);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_codes WHERE code_hash = $1 OR token_hash = $1", &code).await, 0);
}

async fn five_wrong_codes_kill_a_code_and_the_address_cap_tells_the_owner(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing_with(&smtp, |s| s.limits.mfa_max_failures = 7).await;
    let who = app.verified_up().await;
    let first = code_in(&asked(&app, &smtp, &who.email, SIGN_IN, 1).await);
    for n in 0..5 {
        assert_error(confirm(&app, &who.email, &wrong(&first, n)).await, 401, "invalid_code").await;
    }
    // The fifth killed it: the right code no longer works.
    assert_error(confirm(&app, &who.email, &first).await, 401, "invalid_code").await;
    assert!(smtp.mails_to(&who.email, GUESSED).is_empty(), "five are under the address' cap of seven");

    // A new code: two more wrong ones reach the address' cap, across codes.
    let second = code_in(&asked(&app, &smtp, &who.email, SIGN_IN, 2).await);
    for n in 0..2 {
        assert_error(confirm(&app, &who.email, &wrong(&second, n)).await, 401, "invalid_code").await;
    }
    let told = smtp.mail(&who.email, GUESSED).await;
    assert!(told.text.contains("password, passkeys and providers still work"), "{}", told.text);
    // Past the cap even the right code waits, and says for how long.
    let refused = confirm(&app, &who.email, &second).await;
    assert!(refused.headers().get("retry-after").is_some());
    assert_error(refused, 429, "rate_limited").await;
    // The cap is the email code's own: the password still signs in, and the failures
    // are in the owner's activity.
    let response = app.login(&who.email, PASSWORD).await;
    let session = SignedIn::from_response(response, &who.email).await;
    let page: Value = app.get("/api/activity?limit=100", Some(&session.access)).await.json().await.unwrap();
    let failed = page["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "email_code_failed").count();
    assert_eq!(failed, 7);
    // After the login window, the right code of a new mail works again.
    app.state.clock.advance(app.settings.limits.login_window + Duration::from_secs(1));
    let third = code_in(&asked(&app, &smtp, &who.email, SIGN_IN, 3).await);
    assert_eq!(confirm(&app, &who.email, &third).await.status(), StatusCode::OK);
}

async fn an_expired_code_and_link_are_refused(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let mail = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    app.state.clock.advance(Duration::from_secs(10 * 60 + 1));
    assert_error(confirm(&app, &who.email, &code_in(&mail)).await, 401, "invalid_code").await;
    assert_error(follow(&app, &mail.token("/login/code")).await, 401, "invalid_code").await;
}

async fn a_newer_code_replaces_the_older(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let older = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    let newer = asked(&app, &smtp, &who.email, SIGN_IN, 2).await;
    assert_error(follow(&app, &older.token("/login/code")).await, 401, "invalid_code").await;
    if code_in(&older) != code_in(&newer) {
        assert_error(confirm(&app, &who.email, &code_in(&older)).await, 401, "invalid_code").await;
    }
    assert_eq!(confirm(&app, &who.email, &code_in(&newer)).await.status(), StatusCode::OK);
}

async fn a_locked_account_is_told_so_after_a_right_code(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    sqlx::query("UPDATE users SET locked_at = $1 WHERE id = $2")
        .bind(app.state.clock.now())
        .bind(&who.user_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let mail = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    assert_error(confirm(&app, &who.email, &wrong(&code_in(&mail), 0)).await, 401, "invalid_code").await;
    assert_error(confirm(&app, &who.email, &code_in(&mail)).await, 403, "account_locked").await;
}

async fn a_two_step_account_still_asks_for_its_second_step(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;
    let mail = asked(&app, &smtp, &who.email, SIGN_IN, 1).await;
    let response = confirm(&app, &who.email, &code_in(&mail)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_cookie(&response).is_none(), "no session before the second step");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["mfa_required"], true);
    assert_eq!(body["methods"], serde_json::json!(["totp", "recovery_code"]));
    let response = mfa(&app, body["mfa_token"].as_str().unwrap(), &code_at(&on.secret, on.step + 1)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &who.email).await;
    assert_eq!(signed_in_with(&app, &session.access).await.as_deref(), Some("email_code"));
}

async fn an_address_proved_first_by_a_code_ends_what_came_before(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    // A stranger registered the owner's address with a password of their own.
    let stranger = app.signed_up().await;
    let mail = asked(&app, &smtp, &stranger.email, SIGN_IN, 1).await;
    let response = confirm(&app, &stranger.email, &code_in(&mail)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let owner = SignedIn::from_response(response, &stranger.email).await;
    // The stranger's session and password are gone; the owner's session works.
    assert_error(app.refresh(&stranger.refresh).await, 401, "invalid_refresh_token").await;
    assert_error(app.login(&stranger.email, PASSWORD).await, 401, "invalid_credentials").await;
    let me: Value = app.get("/api/me", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
}

async fn an_account_without_a_password_or_passkey_reauthenticates_with_a_code(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let email = format!("nopass-{}@example.com", uuid::Uuid::new_v4().simple());
    let made = confirm(&app, &email, &code_in(&asked(&app, &smtp, &email, CREATE, 1).await)).await;
    let session = SignedIn::from_response(made, &email).await;
    app.past_the_reauth_window();
    let export = app.get("/api/account/export", Some(&session.access)).await;
    assert_error(export, 403, "reauth_required").await;
    let code = code_in(&asked(&app, &smtp, &email, SIGN_IN, 1).await);
    assert_error(
        app.post_bearer("/api/auth/reauth", &session.access, &[("email_code", &wrong(&code, 0))]).await,
        401,
        "invalid_code",
    )
    .await;
    let response = app.post_bearer("/api/auth/reauth", &session.access, &[("email_code", &code)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh: Value = response.json().await.unwrap();
    let export = app.get("/api/account/export", Some(fresh["access_token"].as_str().unwrap())).await;
    assert_eq!(export.status(), StatusCode::OK);
    // An account with a password proves itself with it, not with its mailbox.
    let who = app.verified_up().await;
    let code = code_in(&asked(&app, &smtp, &who.email, SIGN_IN, 1).await);
    let refused = app.post_bearer("/api/auth/reauth", &who.access, &[("email_code", &code)]).await;
    assert_error(refused, 401, "invalid_credentials").await;
}

/// No enumeration: an address with an account and one without get the same status,
/// body and headers, and the same time on average (the lookup and the mail come after
/// the answer). Each try mails (the clock moves past the address' hourly share).
async fn asking_answers_the_same_for_any_address_in_the_same_time(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing_with(&smtp, |s| s.limits.reset_limit = 10_000).await;
    let who = app.verified_up().await;
    let missing = format!("missing-{}@example.com", uuid::Uuid::new_v4().simple());
    let answer = |response: Response| async move {
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != "date" && *name != "x-request-id")
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        headers.sort();
        (response.status(), headers, response.text().await.unwrap())
    };
    assert_eq!(answer(ask(&app, &who.email).await).await, answer(ask(&app, &missing).await).await);

    const TRIES: u32 = 50;
    let (mut existing, mut absent) = (Duration::ZERO, Duration::ZERO);
    for n in 0..TRIES {
        if n % 4 == 0 {
            app.state.clock.advance(Duration::from_secs(3601));
        }
        // Alternating which goes first, so neither always follows the other's mail.
        let order: [(&str, bool); 2] =
            if n % 2 == 0 { [(&who.email, true), (&missing, false)] } else { [(&missing, false), (&who.email, true)] };
        for (email, has_account) in order {
            let started = Instant::now();
            let response = ask(&app, email).await;
            let took = started.elapsed();
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            if has_account {
                existing += took;
            } else {
                absent += took;
            }
        }
    }
    let (existing, absent) = (existing / TRIES, absent / TRIES);
    let gap = existing.abs_diff(absent);
    println!("mean answer: existing {existing:?}, missing {absent:?}, gap {gap:?}");
    assert!(gap < Duration::from_millis(10), "existing {existing:?} vs missing {absent:?}");
    // Both kinds of mail went.
    smtp.mail(&who.email, SIGN_IN).await;
    smtp.mail(&missing, CREATE).await;
}
