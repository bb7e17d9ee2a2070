//! Register, login, me, and the failed-login limits.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    register_signs_in_with_token_body_and_cookie,
    register_refuses_bad_input_with_invalid_input,
    register_refuses_a_taken_email_in_any_case,
    a_missing_field_is_invalid_input_not_a_server_error,
    login_opens_a_new_session,
    wrong_password_and_unknown_email_get_the_same_answer,
    me_returns_the_account,
    failed_logins_are_limited_per_account_and_address,
    failed_logins_are_limited_per_client_address,
    a_form_posted_before_the_app_loaded_goes_back_to_its_page,
    behind_a_trusted_proxy_the_limit_counts_each_forwarded_client,
    a_forged_forwarded_for_does_not_escape_the_limit,
    ipv6_clients_are_counted_by_their_64,
);

async fn register_signs_in_with_token_body_and_cookie(db: TestDb) {
    let app = db.app().await;
    let response = app.register("  Ada@Example.com ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = refresh_set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("__Host-refresh_token=ey"), "{cookie}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.split("; ").any(|a| a == attribute), "{attribute} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "a __Host- cookie has no Domain: {cookie}");
    // Max-Age: the refresh token's lifetime, 7 days by default.
    let max_age: i64 = cookie.split("Max-Age=").nth(1).unwrap().parse().unwrap();
    assert!((604_790..=604_800).contains(&max_age), "{max_age}");

    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "ada@example.com", "trimmed and lower-cased");
    assert!(uuid::Uuid::parse_str(body["user"]["id"].as_str().unwrap()).is_ok());
    let (header, claims) = decode_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "at+jwt");
    assert!(header["kid"].is_string());
    assert_eq!(claims["iss"], "baton");
    assert_eq!(claims["sub"], body["user"]["id"]);
    for claim in ["aud", "sid", "jti", "iat", "exp"] {
        assert!(!claims[claim].is_null(), "claim {claim}");
    }
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
}

async fn register_refuses_bad_input_with_invalid_input(db: TestDb) {
    let app = db.app().await;
    assert_error(app.register("not-an-email", PASSWORD).await, 400, "invalid_input").await;
    assert_error(app.register("", PASSWORD).await, 400, "invalid_input").await;
    assert_error(app.register("ada@example.com", "1234567").await, 400, "invalid_input").await;
    assert_error(app.register("ada@example.com", &"x".repeat(1025)).await, 400, "invalid_input").await;
    // Nothing was created by the refused attempts.
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email <> $1", "").await, 0);
    let response = app.register("ada@example.com", "1234567").await;
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("at least 8"), "{body}");
}

async fn register_refuses_a_taken_email_in_any_case(db: TestDb) {
    let app = db.app().await;
    assert_eq!(app.register("grace@example.com", PASSWORD).await.status(), StatusCode::OK);
    let again = app.register("GRACE@example.com ", "another password").await;
    assert!(refresh_set_cookies(&again).is_empty(), "no cookie on failure");
    assert_error(again, 409, "email_taken").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "grace@example.com").await, 1);
}

async fn a_missing_field_is_invalid_input_not_a_server_error(db: TestDb) {
    let app = db.app().await;
    let response = app.post_form("/api/auth/login", &[("email", "a@example.com")], None).await;
    assert_error(response, 400, "invalid_input").await;
    let response = app.post_form("/api/auth/register", &[], None).await;
    assert_error(response, 400, "invalid_input").await;
}

async fn login_opens_a_new_session(db: TestDb) {
    let app = db.app().await;
    let first = app.signed_up().await;
    let second = app.signed_in_again(&first).await;
    let (_, a) = decode_parts(&first.access);
    let (_, b) = decode_parts(&second.access);
    assert_eq!(a["sub"], b["sub"]);
    assert_ne!(a["sid"], b["sid"], "each sign-in is its own session");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &first.user_id).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'signed_in' AND user_id = $1", &first.user_id).await,
        1
    );
}

async fn wrong_password_and_unknown_email_get_the_same_answer(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let wrong = app.login(&who.email, "not the password").await;
    let unknown = app.login("nobody@example.com", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(refresh_set_cookies(&wrong).is_empty());
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["code"], "invalid_credentials");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE kind = $1", "sign_in_failed").await, 2);
}

async fn me_returns_the_account(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let response = app.get("/api/me", Some(&who.access)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["id"], who.user_id.as_str());
    assert_eq!(me["email"], who.email.as_str());
    let created = me["created_at"].as_str().unwrap();
    assert!(time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).is_ok(), "{created}");
}

/// The guessing address is stopped for that account, even with the right password;
/// the owner from anywhere else is not (docs/API.md: a stranger cannot lock anyone
/// out).
async fn failed_logins_are_limited_per_account_and_address(db: TestDb) {
    let app = db.app_with(|s| s.limits.login_max_failures = 3).await;
    let who = app.signed_up().await;
    let guesser = app.client_at("127.0.0.2");
    for _ in 0..3 {
        assert_error(guesser.login(&who.email, "wrong password").await, 401, "invalid_credentials").await;
    }
    let limited = guesser.login(&who.email, PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(code(limited).await, "rate_limited");
    // The owner, from another address, signs in as usual.
    assert_eq!(app.client_at("127.0.0.3").login(&who.email, PASSWORD).await.status(), StatusCode::OK);
    // And the guessing address may still sign in to another account.
    let other = app.signed_up().await;
    assert_eq!(guesser.login(&other.email, PASSWORD).await.status(), StatusCode::OK);
}

/// Credential stuffing: one address guessing across many accounts is stopped for
/// all of them after ten times the per-account limit.
async fn failed_logins_are_limited_per_client_address(db: TestDb) {
    let app = db.app_with(|s| s.limits.login_max_failures = 3).await;
    let who = app.signed_up().await;
    let stuffer = app.client_at("127.0.0.2");
    // Thirty different emails guessed from one address …
    for i in 0..30 {
        let response = stuffer.login(&format!("guess{i}@example.com"), "wrong password").await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    // … and the address is stopped, whatever the email.
    assert_error(stuffer.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
    // Another address is not.
    let elsewhere = app.client_at("127.0.0.3");
    assert_eq!(elsewhere.login(&who.email, PASSWORD).await.status(), StatusCode::OK);
}

/// A browser that posts the sign-in form before the WASM took over asks for HTML.
/// It must land back on the page, with the error for the page to show on failure and
/// the cookie on success, never on a raw JSON answer.
async fn a_form_posted_before_the_app_loaded_goes_back_to_its_page(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let page = app.url("/login?next=%2Fsessions");
    let post = |password: &'static str| {
        app.http
            .post(app.url("/api/auth/login"))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .header("origin", app.base.as_str())
            .header("referer", page.as_str())
            .form(&[("email", who.email.as_str()), ("password", password)])
            .send()
    };

    let failed = post("wrong password").await.unwrap();
    assert_eq!(failed.status(), StatusCode::FOUND);
    let location = failed.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&page), "{location}");
    assert!(location.contains("__path=%2Fapi%2Fauth%2Flogin") && location.contains("__err="), "{location}");
    assert!(refresh_set_cookies(&failed).is_empty());

    let signed_in = post(PASSWORD).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    assert_eq!(signed_in.headers()["location"], page.as_str());
    assert!(refresh_cookie(&signed_in).is_some(), "the new session's cookie is set");

    // A script client asking for JSON still gets the contract's status.
    assert_error(app.login(&who.email, "wrong password").await, 401, "invalid_credentials").await;
}

/// A sign-in through a proxy that says the client was `forwarded_for`.
async fn login_via(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn behind_a_trusted_proxy_the_limit_counts_each_forwarded_client(db: TestDb) {
    // The test client (127.0.0.1) plays the load balancer.
    let app = db
        .app_with(|s| {
            s.limits.login_max_failures = 3;
            s.operations.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
    let who = app.signed_up().await;
    // Some proxies write the hop with its port.
    for hop in ["1.2.3.4, 203.0.113.7", "203.0.113.7:4711", "[::ffff:203.0.113.7]:80"] {
        assert_error(login_via(&app, hop, &who.email, "wrong").await, 401, "invalid_credentials").await;
    }
    // That client is stopped; another one behind the same balancer is not.
    assert_error(login_via(&app, "203.0.113.7", &who.email, PASSWORD).await, 429, "rate_limited").await;
    assert_eq!(login_via(&app, "203.0.113.8", &who.email, PASSWORD).await.status(), StatusCode::OK);
    let failed_from = "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' AND client_addr = $1";
    assert_eq!(app.count(failed_from, "203.0.113.7").await, 3, "the audit trail names the real client");
}

/// IPv6 clients are counted by their /64: a subscriber holds the whole /64, so
/// moving to another address in it escapes nothing; the next /64 is someone else.
async fn ipv6_clients_are_counted_by_their_64(db: TestDb) {
    let app = db
        .app_with(|s| {
            s.limits.login_max_failures = 3;
            s.operations.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
    let who = app.signed_up().await;
    for hop in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"] {
        assert_error(login_via(&app, hop, &who.email, "wrong").await, 401, "invalid_credentials").await;
    }
    assert_error(login_via(&app, "2001:db8:1:2::77", &who.email, PASSWORD).await, 429, "rate_limited").await;
    assert_eq!(login_via(&app, "2001:db8:1:3::1", &who.email, PASSWORD).await.status(), StatusCode::OK);
}

async fn a_forged_forwarded_for_does_not_escape_the_limit(db: TestDb) {
    // No trusted proxies (the default): the header is the client's own word.
    let app = db.app_with(|s| s.limits.login_max_failures = 3).await;
    let who = app.signed_up().await;
    for i in 0..3 {
        let response = login_via(&app, &format!("203.0.113.{i}"), &who.email, "wrong").await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    assert_error(login_via(&app, "203.0.113.99", &who.email, PASSWORD).await, 429, "rate_limited").await;
    let failed_from = "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' AND client_addr = $1";
    assert_eq!(app.count(failed_from, "127.0.0.1").await, 3);
}
