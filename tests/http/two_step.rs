//! Two-step verification (docs/API.md, "Login with two-step verification",
//! "Authenticator app"), over HTTP with codes computed here from the secret, as the
//! person's app would.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};
use totp_rs::{Algorithm, Builder, Secret};

on_both_backends!(
    turning_it_on_needs_a_code_and_gives_ten_recovery_codes_once,
    a_right_password_then_asks_for_the_code_and_a_code_works_once,
    five_wrong_codes_kill_the_second_step_and_count_as_failed_sign_ins,
    a_recovery_code_works_once_and_is_told_to_the_owner,
    new_recovery_codes_end_the_old_ones,
    turning_it_on_or_off_needs_a_recent_sign_in,
    a_password_reset_of_such_an_account_asks_for_the_second_step_too,
);

/// The 30-second step the app is in now.
pub(crate) fn step_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / 30
}

/// The 30-second step the server's clock is in (tests move that clock forward).
pub(crate) fn server_step(app: &TestApp) -> u64 {
    u64::try_from(app.state.clock.now().as_secs().0 / 30).unwrap()
}

/// The code the app shows for `secret` in the 30-second step `step`. Tests that expect
/// a code refused as already used name its step, not "now": a step boundary passing
/// mid-test would otherwise turn the used code into a fresh one.
pub(crate) fn code_at(secret: &str, step: u64) -> String {
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .with_account_name("test")
        .build()
        .unwrap();
    totp.generate(step * 30).to_string()
}

/// A code that is not the app's in any step the server could accept during the test.
pub(crate) fn wrong_code(secret: &str) -> String {
    let step = step_now();
    let near: Vec<String> = (step - 1..=step + 2).map(|s| code_at(secret, s)).collect();
    (0..1_000_000).map(|n| format!("{n:06}")).find(|c| !near.contains(c)).unwrap()
}

pub(crate) async fn mfa(app: &Client, mfa_token: &str, code: &str) -> Response {
    app.post_form("/api/auth/mfa", &[("mfa_token", mfa_token), ("code", code)], None).await
}

pub(crate) async fn kinds(app: &Client, access: &str) -> Vec<String> {
    let page: Value = app.get("/api/activity?limit=100", Some(access)).await.json().await.unwrap();
    page["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

/// The app turned on for someone: its secret, recovery codes, and the step of the code
/// that confirmed it (used, so no later sign-in may use it).
pub(crate) struct TurnedOn {
    pub secret: String,
    pub codes: Vec<String>,
    pub step: u64,
}

/// Turns the app on for `who`.
pub(crate) async fn turn_on(app: &Client, who: &SignedIn) -> TurnedOn {
    let response = app.post_bearer("/api/mfa/totp/start", &who.access, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let setup: Value = response.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    let step = step_now();
    let response = app.post_bearer("/api/mfa/totp/confirm", &who.access, &[("code", &code_at(&secret, step))]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let codes = body["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    TurnedOn { secret, codes, step }
}

/// Signs in with the password: the second step's token.
pub(crate) async fn password_step(app: &Client, who: &SignedIn) -> String {
    let response = app.login(&who.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_cookie(&response).is_none(), "no session before the second step");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["mfa_required"], true, "{body}");
    assert_eq!(body["methods"], serde_json::json!(["totp", "recovery_code"]));
    assert!(body.get("access_token").is_none());
    body["mfa_token"].as_str().unwrap().to_string()
}

async fn turning_it_on_needs_a_code_and_gives_ten_recovery_codes_once(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let status: Value = app.get("/api/mfa", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(status, serde_json::json!({"totp": false, "recovery_codes_left": 0}));

    let setup: Value = app.post_bearer("/api/mfa/totp/start", &who.access, &[]).await.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap();
    assert!(Secret::try_from_base32(secret).unwrap().as_bytes().len() >= 20);
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Baton:") && uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"), "an SVG QR code");
    // Nothing is on yet: the password alone still signs in.
    assert!(refresh_cookie(&app.login(&who.email, PASSWORD).await).is_some());

    assert_error(
        app.post_bearer("/api/mfa/totp/confirm", &who.access, &[("code", &wrong_code(secret))]).await,
        401,
        "invalid_code",
    )
    .await;
    let response =
        app.post_bearer("/api/mfa/totp/confirm", &who.access, &[("code", &code_at(secret, step_now()))]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let codes: Value = response.json().await.unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let status: Value = app.get("/api/mfa", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(status, serde_json::json!({"totp": true, "recovery_codes_left": 10}));
    // Stored hashed: no code and no recovery code in the database as written.
    for code in codes {
        let plain = code.as_str().unwrap().replace('-', "");
        assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes WHERE code_hash = $1", &plain).await, 0);
    }
    assert!(kinds(&app, &who.access).await.contains(&"mfa_enabled".to_string()));
}

async fn a_right_password_then_asks_for_the_code_and_a_code_works_once(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;

    // The confirming code itself cannot sign anyone in: its step is used.
    let token = password_step(&app, &who).await;
    assert_error(mfa(&app, &token, &code_at(&on.secret, on.step)).await, 401, "invalid_code").await;
    // The next step's code (the app's clock may run ahead) works, once.
    let next = code_at(&on.secret, on.step + 1);
    let response = mfa(&app, &token, &next).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &who.email).await;
    assert_eq!(app.get("/api/me", Some(&session.access)).await.status(), StatusCode::OK);
    // The token is spent, and the same code on a new token is a replay.
    assert_error(mfa(&app, &token, &next).await, 401, "invalid_credentials").await;
    let again = password_step(&app, &who).await;
    assert_error(mfa(&app, &again, &next).await, 401, "invalid_code").await;
    // A made-up or malformed token is not a second step.
    assert_error(mfa(&app, "nonsense", &next).await, 401, "invalid_credentials").await;
    assert_error(mfa(&app, &again, "").await, 400, "invalid_input").await;
}

async fn five_wrong_codes_kill_the_second_step_and_count_as_failed_sign_ins(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let TurnedOn { secret, codes, .. } = turn_on(&app, &who).await;
    let token = password_step(&app, &who).await;
    for _ in 0..5 {
        assert_error(mfa(&app, &token, &wrong_code(&secret)).await, 401, "invalid_code").await;
    }
    // Dead now, even for a right code.
    assert_error(mfa(&app, &token, &codes[0]).await, 401, "invalid_credentials").await;
    let failed =
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_failed' AND user_id = $1", &who.user_id).await;
    assert_eq!(failed, 5, "each wrong code is recorded (the person sees them as wrong codes, not wrong passwords)");
    // The login limits count them as failed sign-ins: five wrong passwords more from
    // this client make ten failures, and then even the right password waits.
    for _ in 0..5 {
        assert_error(app.login(&who.email, "not the password").await, 401, "invalid_credentials").await;
    }
    assert_error(app.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
}

async fn a_recovery_code_works_once_and_is_told_to_the_owner(db: TestDb) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let codes = turn_on(&app, &who).await.codes;
    let token = password_step(&app, &who).await;
    // Typed loosely: upper case, spaces instead of dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let response = mfa(&app, &token, &typed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &who.email).await;
    let token = password_step(&app, &who).await;
    assert_error(mfa(&app, &token, &codes[3]).await, 401, "invalid_code").await;
    let status: Value = app.get("/api/mfa", Some(&session.access)).await.json().await.unwrap();
    assert_eq!(status["recovery_codes_left"], 9);
    assert!(kinds(&app, &session.access).await.contains(&"recovery_code_used".to_string()));
    // The owner hears of each change to how the account signs in.
    smtp.mail(&who.email, "Two-step verification is on").await;
    let mail = smtp.mail(&who.email, "A recovery code was used").await;
    assert!(mail.text.contains("will not work again"), "{mail:?}");
}

async fn new_recovery_codes_end_the_old_ones(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let old = turn_on(&app, &who).await.codes;
    let response = app.post_bearer("/api/mfa/recovery_codes", &who.access, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let new: Value = response.json().await.unwrap();
    let new: Vec<String> =
        new["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    let token = password_step(&app, &who).await;
    assert_error(mfa(&app, &token, &old[0]).await, 401, "invalid_code").await;
    assert_eq!(mfa(&app, &token, &new[0]).await.status(), StatusCode::OK);
    assert!(kinds(&app, &who.access).await.contains(&"recovery_codes_renewed".to_string()));
}

async fn turning_it_on_or_off_needs_a_recent_sign_in(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;
    app.past_the_reauth_window();
    for path in ["/api/mfa/totp/disable", "/api/mfa/totp/start", "/api/mfa/totp/confirm", "/api/mfa/recovery_codes"] {
        assert_error(app.post_bearer(path, &who.access, &[]).await, 403, "reauth_required").await;
    }
    // Two-step verification is on: the password alone does not re-authenticate.
    let alone = app.post_bearer("/api/auth/reauth", &who.access, &[("password", PASSWORD)]).await;
    assert_error(alone, 401, "invalid_code").await;
    // The server's clock moved on past the window: the app's code for its time.
    let code = code_at(&on.secret, server_step(&app).max(on.step + 1));
    let response =
        app.post_bearer("/api/auth/reauth", &who.access, &[("password", PASSWORD), ("code", code.as_str())]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh: Value = response.json().await.unwrap();
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_eq!(app.post_bearer("/api/mfa/totp/disable", fresh, &[]).await.status(), StatusCode::NO_CONTENT);
    // Off: the password alone signs in again.
    assert!(refresh_cookie(&app.login(&who.email, PASSWORD).await).is_some());
    assert!(kinds(&app, fresh).await.contains(&"mfa_disabled".to_string()));
}

async fn a_password_reset_of_such_an_account_asks_for_the_second_step_too(db: TestDb) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;
    let response = app.post_form("/api/auth/password_reset", &[("email", &who.email)], None).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let token = smtp.mail(&who.email, "Reset your Baton password").await.token("/reset");
    let new_password = "violet kettle orbit 1987";
    let response = app
        .post_form("/api/auth/password_reset/confirm", &[("token", &token), ("new_password", new_password)], None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_cookie(&response).is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["mfa_required"], true);
    let mfa_token = body["mfa_token"].as_str().unwrap();
    // Until the second step, the old password is the password and the sessions live.
    assert_eq!(app.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    assert!(app.login(&who.email, PASSWORD).await.json::<Value>().await.unwrap()["mfa_required"] == true);
    let response = mfa(&app, mfa_token, &code_at(&on.secret, on.step + 1)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_cookie(&response).is_some());
    assert_eq!(
        app.get("/api/me", Some(&who.access)).await.status(),
        StatusCode::UNAUTHORIZED,
        "every old session ended"
    );
    assert_error(app.login(&who.email, PASSWORD).await, 401, "invalid_credentials").await;
}
