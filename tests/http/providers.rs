//! Signing in through another provider (docs/API.md, "Sign in with another provider"),
//! against a real OpenID Provider (`oidc-provider`, see `oidc.rs`): the code flow driven
//! by hand, as a browser would follow it (Baton's 303, the provider's login and consent
//! pages, the redirect back with the `oidc` cookie).

use crate::helpers::*;
use crate::oidc;
use crate::on_both_backends;
use crate::two_step::{code_at, step_now, turn_on};
use baton::server::config::ProviderSettings;
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

on_both_backends!(
    a_new_identity_signs_up_then_signs_in_and_the_activity_says_how,
    an_address_that_has_an_account_is_never_linked_by_its_email,
    no_account_is_made_from_an_unverified_or_missing_address,
    connecting_from_the_account_then_signing_in_and_disconnecting,
    the_last_way_to_sign_in_cannot_be_removed,
    a_forged_replayed_or_foreign_state_signs_nobody_in,
    a_code_of_another_client_or_an_expired_code_signs_nobody_in,
    a_two_step_account_still_asks_for_its_code_after_a_provider,
    a_locked_account_is_refused_after_the_provider_vouched,
    an_account_made_through_a_provider_sets_a_password_by_a_reset_link,
);

/// ID-token checks, with real tokens of the provider: database-independent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_tokens_of_another_audience_issuer_or_nonce_or_unsigned_are_refused() {
    let Some(db) = TestDb::create(Db::Sqlite).await else { return };
    let Some(app) = app_with_provider(&db).await else { return };
    let (main, second) = (oidc::issuer("main").unwrap(), oidc::issuer("second").unwrap());
    let provider = app.state.providers.get("test").unwrap();
    let http = app.state.providers.http();
    let redirect = format!("http://127.0.0.1:{}/auth/test/callback", app.addr.port());
    let login = fresh_login();

    // The positive control: Baton's own client, the right nonce.
    let token = oidc::id_token_for(&main, "baton", "baton-test-secret", &redirect, &login, "nonce-1").await;
    let identity = provider.verify_compact(http, &token, "nonce-1").await.expect("a good ID token checks out");
    assert_eq!(identity.email.as_deref(), Some(login.as_str()));
    assert!(identity.email_verified);

    let wrong_nonce = provider.verify_compact(http, &token, "nonce-2").await;
    assert!(wrong_nonce.unwrap_err().to_lowercase().contains("nonce"));

    let other_audience =
        oidc::id_token_for(&main, "baton-other", "baton-other-secret", &redirect, &login, "nonce-1").await;
    assert_eq!(oidc::claims(&other_audience)["aud"], "baton-other");
    let refused = provider.verify_compact(http, &other_audience, "nonce-1").await;
    assert!(refused.unwrap_err().to_lowercase().contains("aud"), "another client's token is refused");

    let other_issuer = oidc::id_token_for(&second, "baton", "baton-test-secret", &redirect, &login, "nonce-1").await;
    assert!(provider.verify_compact(http, &other_issuer, "nonce-1").await.is_err(), "another issuer's token");

    // `alg: none` with the good token's claims, and the good token with a bit flipped.
    let payload = token.split('.').nth(1).unwrap();
    let unsigned = format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    assert!(provider.verify_compact(http, &unsigned, "nonce-1").await.is_err(), "alg none");
    let mut tampered = token.clone().into_bytes();
    let at = token.rfind('.').unwrap() + 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert!(provider.verify_compact(http, &tampered, "nonce-1").await.is_err(), "a bad signature");
}

/// A provider down when Baton starts, then up; its keys rotated (a new `kid`); then
/// down between the person's consent and Baton's code exchange.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_down_at_start_up_works_once_up_and_a_later_outage_fails_cleanly() {
    let Some(db) = TestDb::create(Db::Sqlite).await else { return };
    if oidc::issuer("main").is_none() {
        return skip();
    }
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = db.app_with(|s| s.providers = vec![provider_settings("late", &issuer)]).await;

    let (location, _) = begin(&app, "late", None).await;
    assert_eq!(location, "/login?provider_error=failed&provider=late", "down at start-up");
    let listed: Value = app.get("/api/auth/providers", None).await.json().await.unwrap();
    assert_eq!(listed, json!([{"id": "late", "name": "Late ID"}]), "still offered while down");

    let mut provider = oidc::spawn(port, &[]).await;
    let login = fresh_login();
    let landed = sign_in_with(&app, "late", &login, None).await;
    assert_eq!(landed.location, "/", "up now: discovered on demand");
    let first_user = landed.user(&app).await;

    // Restarted: new keys under a new `kid`, which Baton fetches when a token names it.
    provider.stop().await;
    let mut provider = oidc::spawn(port, &[]).await;
    let landed = sign_in_with(&app, "late", &login, None).await;
    assert_eq!(landed.location, "/", "signed in with the rotated keys");
    // The restarted provider is a new one: its `sub` for the login is the same (derived
    // from the login), so this is the same account.
    assert_eq!(landed.user(&app).await, first_user);

    // Down after the consent: the code cannot be exchanged.
    let (authorize, browser) = begin(&app, "late", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    provider.stop().await;
    let landed = come_back(&app, &back, browser.as_deref()).await;
    assert_eq!(landed.location, "/login?provider_error=failed&provider=late");
    assert!(landed.refresh.is_none());
}

async fn a_new_identity_signs_up_then_signs_in_and_the_activity_says_how(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let listed: Value = app.get("/api/auth/providers", None).await.json().await.unwrap();
    assert_eq!(listed, json!([{"id": "test", "name": "Test ID"}, {"id": "other", "name": "Other ID"}]));

    let login = fresh_login();
    let landed = sign_in_with(&app, "test", &login, Some("/sessions")).await;
    assert_eq!(landed.location, "/sessions", "back to `next`");
    assert!(landed.cleared_oidc, "the oidc cookie goes");
    let first = landed.session(&app).await;
    assert_eq!(first.email, login);
    let me: Value = app.get("/api/me", Some(&first.access)).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true, "the provider vouched for the address");

    // No password: none signs in to it.
    assert_error(app.login(&login, PASSWORD).await, 401, "invalid_credentials").await;
    assert_error(app.login(&login, "").await, 400, "invalid_input").await;

    let again = sign_in_with(&app, "test", &login, None).await;
    assert_eq!(again.location, "/");
    let second = again.session(&app).await;
    assert_eq!(second.user_id, first.user_id, "the same identity, the same account");

    let page: Value = app.get("/api/activity?limit=100", Some(&second.access)).await.json().await.unwrap();
    let events = page["events"].as_array().unwrap();
    let signed_in: Vec<&Value> = events.iter().filter(|e| e["kind"] == "signed_in").collect();
    assert_eq!(signed_in.len(), 1, "{events:?}");
    assert_eq!(signed_in[0]["method"], "provider:test");
    assert!(events.iter().any(|e| e["kind"] == "signed_up"));
    assert!(events.iter().filter(|e| e["kind"] != "signed_in").all(|e| e["method"].is_null()));

    let connected: Value = app.get("/api/account/providers", Some(&second.access)).await.json().await.unwrap();
    assert_eq!(connected[0]["provider"], "test");
    assert_eq!(connected[0]["name"], "Test ID");
    assert_eq!(connected[0]["email"], login.as_str());
}

async fn an_address_that_has_an_account_is_never_linked_by_its_email(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let owner = app.verified_up().await;
    // Someone at the provider with the owner's (verified there) address.
    let landed = sign_in_with(&app, "test", &owner.email, None).await;
    assert_eq!(landed.location, "/login?provider_error=account_exists&provider=test");
    assert!(landed.refresh.is_none(), "no session");
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE user_id = $1", &owner.user_id).await, 0);
    // Nor with any other case of it.
    let landed = sign_in_with(&app, "test", &owner.email.to_uppercase(), None).await;
    assert_eq!(landed.location, "/login?provider_error=account_exists&provider=test");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email <> $1", &owner.email).await, 0);
}

async fn no_account_is_made_from_an_unverified_or_missing_address(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let someone = app.signed_up().await; // unverified at Baton
    for login in [format!("unverified:{}", fresh_login()), format!("unverified:{}", someone.email), fresh_name()] {
        let landed = sign_in_with(&app, "test", &login, None).await;
        assert_eq!(landed.location, "/login?provider_error=email_unverified&provider=test", "{login}");
        assert!(landed.refresh.is_none());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE id <> $1", &someone.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE provider = $1", "test").await, 0);
}

async fn connecting_from_the_account_then_signing_in_and_disconnecting(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let unverified = app.signed_up().await;
    let response = app.post_bearer("/api/account/providers/test", &unverified.access, &[]).await;
    assert_error(response, 403, "email_unverified").await;

    let who = app.verified_up().await;
    assert_error(app.post_bearer("/api/account/providers/nope", &who.access, &[]).await, 404, "not_found").await;
    let login = fresh_login(); // another address than the account's: connecting is by choice
    let (location, browser) = connect(&app, &who, "test").await;
    let back = oidc::log_in_at_provider(&location, &login).await;
    let landed = come_back(&app, &back, browser.as_deref()).await;
    assert_eq!(landed.location, "/account?provider=test");
    assert!(landed.refresh.is_none(), "connecting opens no session");

    let listed: Value = app.get("/api/account/providers", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["email"], login.as_str());
    assert!(listed[0]["connected_at"].as_str().unwrap().contains('T'));
    let kinds = crate::two_step::kinds(&app, &who.access).await;
    assert!(kinds.contains(&"provider_connected".to_string()), "{kinds:?}");

    // The identity signs in to that account now.
    let landed = sign_in_with(&app, "test", &login, None).await;
    assert_eq!(landed.session(&app).await.user_id, who.user_id);

    // Another account cannot take the same identity.
    let other = app.verified_up().await;
    let (location, browser) = connect(&app, &other, "test").await;
    let back = oidc::log_in_at_provider(&location, &login).await;
    let landed = come_back(&app, &back, browser.as_deref()).await;
    assert_eq!(landed.location, "/account?provider_error=identity_taken&provider=test");
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE user_id = $1", &other.user_id).await, 0);

    // Connecting and disconnecting are sensitive.
    app.past_the_reauth_window();
    assert_error(app.post_bearer("/api/account/providers/test", &other.access, &[]).await, 403, "reauth_required")
        .await;
    let fresh = app.signed_in_again(&who).await;
    let response = app.client.http.delete(app.url("/api/account/providers/test")).bearer_auth(&who.access).send().await;
    assert_error(response.unwrap(), 403, "reauth_required").await;
    let response =
        app.client.http.delete(app.url("/api/account/providers/test")).bearer_auth(&fresh.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let listed: Value = app.get("/api/account/providers", Some(&fresh.access)).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
    // Disconnected: the identity is a stranger again, and its address is not the account's.
    let landed = sign_in_with(&app, "test", &login, None).await;
    assert_ne!(landed.session(&app).await.user_id, who.user_id);
}

async fn the_last_way_to_sign_in_cannot_be_removed(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let landed = sign_in_with(&app, "test", &fresh_login(), None).await;
    let who = landed.session(&app).await;
    let response = app.client.http.delete(app.url("/api/account/providers/test")).bearer_auth(&who.access).send().await;
    assert_error(response.unwrap(), 409, "last_sign_in_method").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE user_id = $1", &who.user_id).await, 1);
    let response =
        app.client.http.delete(app.url("/api/account/providers/other")).bearer_auth(&who.access).send().await;
    assert_error(response.unwrap(), 404, "not_found").await;
    // Deleting the account needs no password it does not have.
    let response = app.post_bearer("/api/account/delete", &who.access, &[]).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE user_id = $1", &who.user_id).await, 0);
}

async fn a_forged_replayed_or_foreign_state_signs_nobody_in(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let failed = "/login?provider_error=failed&provider=test";
    // Forged: a state Baton never gave, with or without a cookie.
    let forged = app.url("/auth/test/callback?code=abc&state=4gHn2Qk0b8VJ1Rz7yW3xT6uP9sLcAeDfGhIjKlMnOpQ");
    assert_eq!(come_back(&app, &forged, None).await.location, failed);
    assert_eq!(come_back(&app, &app.url("/auth/test/callback?code=abc"), Some("x")).await.location, failed);

    // Another browser's: the state is right, the cookie is not this browser's.
    let login = fresh_login();
    let (authorize, browser) = begin(&app, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    let stolen = come_back(&app, &back, None).await;
    assert_eq!(stolen.location, failed, "no cookie");
    // The attempt used the state up: even its own browser cannot finish it now.
    assert_eq!(come_back(&app, &back, browser.as_deref()).await.location, failed);

    // Replayed: a way back that worked, sent again.
    let (authorize, browser) = begin(&app, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    let mut other_cookie = browser.clone().unwrap();
    other_cookie.replace_range(0..1, if other_cookie.starts_with('A') { "B" } else { "A" });
    assert_eq!(come_back(&app, &back, Some(&other_cookie)).await.location, failed, "another cookie");
    let (authorize, browser) = begin(&app, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    assert_eq!(come_back(&app, &back, browser.as_deref()).await.location, "/");
    assert_eq!(come_back(&app, &back, browser.as_deref()).await.location, failed, "replayed");
    // A state begun for one provider cannot finish at another's callback path.
    let (authorize, browser) = begin(&app, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    let elsewhere = back.replace("/auth/test/callback", "/auth/other/callback");
    let landed = come_back(&app, &elsewhere, browser.as_deref()).await;
    assert_eq!(landed.location, "/login?provider_error=failed&provider=other");
    // A provider that is not configured has no way back at all (and its name never
    // reaches a Location).
    let response = app.client.http.get(back.replace("/auth/test/", "/auth/x&next=%2F%2Fevil/")).send().await.unwrap();
    assert_error(response, 404, "not_found").await;
    // The provider saying no (the person cancelled).
    let (authorize, browser) = begin(&app, "test", None).await;
    let state = url::Url::parse(&authorize).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    let denied = app.url(&format!("/auth/test/callback?error=access_denied&state={state}"));
    assert_eq!(come_back(&app, &denied, browser.as_deref()).await.location, failed);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", &login).await, 1, "one account, made once");
}

async fn a_code_of_another_client_or_an_expired_code_signs_nobody_in(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let Some(short) = oidc::issuer("short") else { return skip() };
    let main = oidc::issuer("main").unwrap();
    let failed = "/login?provider_error=failed&provider=test";
    let login = fresh_login();

    // Baton's state and cookie, with a code the provider issued to another client.
    let (authorize, browser) = begin(&app, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    let redirect = format!("http://127.0.0.1:{}/auth/test/callback", app.addr.port());
    let (foreign_code, _) = oidc::code_for(&main, "baton-other", &redirect, &login).await;
    let mut swapped = url::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = swapped
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == "code" { foreign_code.clone() } else { v.to_string() }))
        .collect();
    swapped.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(come_back(&app, swapped.as_str(), browser.as_deref()).await.location, failed);

    // A provider whose codes live one second: one kept two is refused.
    let slow = db.app_with(|s| s.providers = vec![provider_settings("test", &short)]).await;
    let (authorize, browser) = begin(&slow, "test", None).await;
    let back = oidc::log_in_at_provider(&authorize, &login).await;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(come_back(&slow, &back, browser.as_deref()).await.location, failed);
    assert_eq!(slow.count("SELECT COUNT(*) FROM users WHERE email = $1", &login).await, 0);
}

async fn a_two_step_account_still_asks_for_its_code_after_a_provider(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let login = fresh_login();
    let who = sign_in_with(&app, "test", &login, None).await.session(&app).await;
    let on = turn_on(&app, &who).await;

    let landed = sign_in_with(&app, "test", &login, Some("/activity")).await;
    assert_eq!(landed.location, "/login?second_step=1&provider=test&next=%2Factivity");
    assert!(landed.refresh.is_none(), "one factor opens no session");
    let mfa = landed.mfa.expect("the ticket travels in the mfa cookie");
    assert!(landed.mfa_set_cookie.contains("HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=300"));
    assert!(!landed.location.contains(&mfa), "never in the URL");

    // No field: the cookie's ticket. A wrong code first, then the right one.
    let with_cookie = |code: String| {
        let request =
            app.client.http.post(app.url("/api/auth/mfa")).header(header::COOKIE, format!("__Host-mfa={mfa}"));
        async move { request.form(&[("code", code.as_str())]).send().await.unwrap() }
    };
    let wrong = crate::two_step::wrong_code(&on.secret);
    assert_error(with_cookie(wrong).await, 401, "invalid_code").await;
    let step = (step_now() + 1).max(on.step + 1);
    let response = with_cookie(code_at(&on.secret, step)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(set_cookies(&response).iter().any(|c| c.starts_with("__Host-mfa=;")), "the mfa cookie goes");
    let signed = SignedIn::from_response(response, &login).await;
    assert_eq!(signed.user_id, who.user_id);
    let page: Value = app.get("/api/activity?limit=5", Some(&signed.access)).await.json().await.unwrap();
    let newest = page["events"].as_array().unwrap().iter().find(|e| e["kind"] == "signed_in").unwrap().clone();
    assert_eq!(newest["method"], "provider:test", "the second step remembers the first");
}

async fn a_locked_account_is_refused_after_the_provider_vouched(db: TestDb) {
    let Some(app) = app_with_provider(&db).await else { return };
    let login = fresh_login();
    let who = sign_in_with(&app, "test", &login, None).await.session(&app).await;
    crate::admin::baton(&db, &["users", "lock", &login, "--reason", "Testing"]);
    app.state.store.forget(who.user_id.parse().unwrap());
    let landed = sign_in_with(&app, "test", &login, None).await;
    assert_eq!(landed.location, "/login?provider_error=account_locked&provider=test");
    assert!(landed.refresh.is_none());
}

async fn an_account_made_through_a_provider_sets_a_password_by_a_reset_link(db: TestDb) {
    let Some(issuer) = oidc::issuer("main") else { return skip() };
    let smtp = crate::smtp::SmtpServer::start().await;
    let url = baton::server::config::SmtpUrl::parse(&smtp.url()).unwrap();
    let app = db
        .app_with(|s| {
            s.providers = vec![provider_settings("test", &issuer)];
            s.mail.smtp_url = Some(url);
        })
        .await;
    let login = fresh_login();
    sign_in_with(&app, "test", &login, None).await.session(&app).await;

    let response = app.post_form("/api/auth/password_reset", &[("email", login.as_str())], None).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let token = smtp.mail(&login, "Reset your Baton password").await.token("/reset");
    let new_password = "violet kettle orbit 1987";
    let form = [("token", token.as_str()), ("new_password", new_password)];
    let response = app.post_form("/api/auth/password_reset/confirm", &form, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let who = SignedIn::from_response(response, &login).await;
    // The address was proved already (the provider vouched): the reset is not its
    // first proof, so the connection stays.
    assert_eq!(app.count("SELECT COUNT(*) FROM provider_identities WHERE user_id = $1", &who.user_id).await, 1);
    assert_eq!(app.login(&login, new_password).await.status(), StatusCode::OK);
    // With a password, the provider is no longer the last way in.
    let response = app.client.http.delete(app.url("/api/account/providers/test")).bearer_auth(&who.access).send().await;
    assert_eq!(response.unwrap().status(), StatusCode::NO_CONTENT);
}

// ── the browser's part, played by hand ──────────────────────────────────────────────

fn skip() {
    skipped(
        "BATON_TEST_OIDC_MAIN is not set",
        "the provider sign-in tests",
        "Run `make http` (scripts/http.sh starts the OpenID Providers).",
    )
}

fn provider_settings(id: &str, issuer: &str) -> ProviderSettings {
    let name = match id {
        "late" => "Late ID",
        "other" => "Other ID",
        _ => "Test ID",
    };
    ProviderSettings {
        id: id.into(),
        name: name.into(),
        issuer: issuer.into(),
        client_id: "baton".into(),
        client_secret: "baton-test-secret".into(),
        scopes: "openid email profile".into(),
    }
}

/// A server with the test provider (`main`), or `None` (said) without one.
async fn app_with_provider(db: &TestDb) -> Option<TestApp> {
    let Some(issuer) = oidc::issuer("main") else {
        skip();
        return None;
    };
    let mut other = provider_settings("other", &issuer);
    (other.client_id, other.client_secret) = ("baton-other".into(), "baton-other-secret".into());
    Some(db.app_with(|s| s.providers = vec![provider_settings("test", &issuer), other]).await)
}

fn fresh_login() -> String {
    format!("p-{}@example.com", uuid::Uuid::new_v4().simple())
}

fn fresh_name() -> String {
    format!("noemail:{}", uuid::Uuid::new_v4().simple())
}

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn set_cookies(response: &Response) -> Vec<String> {
    response.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

/// The value a `Set-Cookie` of `name` gives, if it sets one.
fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies
        .iter()
        .filter_map(|c| c.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_string))
        .find(|v| !v.is_empty())
}

/// `GET /auth/{provider}[?next=]`: where Baton sends the browser, and the `oidc` cookie.
async fn begin(app: &TestApp, provider: &str, next: Option<&str>) -> (String, Option<String>) {
    let mut url = app.url(&format!("/auth/{provider}"));
    if let Some(next) = next {
        url = format!("{url}?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
    }
    let response = app.client.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(&response);
    let location = response.headers()[header::LOCATION].to_str().unwrap().to_string();
    if let Some(oidc) = cookies.iter().find(|c| c.starts_with("__Host-oidc=")) {
        assert!(oidc.ends_with("; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=600"), "{oidc}");
        let authorize = url::Url::parse(&location).unwrap();
        let query: std::collections::HashMap<String, String> = authorize.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["code_challenge_method"], "S256");
        assert!(query["scope"].split(' ').any(|s| s == "openid"));
        assert!(query["state"].len() >= 43 && query["nonce"].len() >= 43, "{query:?}");
    }
    (location, cookie_value(&cookies, "__Host-oidc"))
}

/// `POST /api/account/providers/{provider}` as `who`: where to go, and the cookie.
async fn connect(app: &TestApp, who: &SignedIn, provider: &str) -> (String, Option<String>) {
    let response = app.post_bearer(&format!("/api/account/providers/{provider}"), &who.access, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = cookie_value(&set_cookies(&response), "__Host-oidc");
    let body: Value = response.json().await.unwrap();
    (body["url"].as_str().unwrap().to_string(), cookie)
}

/// Where the way back landed, and what it set.
struct Landed {
    location: String,
    refresh: Option<String>,
    mfa: Option<String>,
    mfa_set_cookie: String,
    cleared_oidc: bool,
}

impl Landed {
    /// The session the refresh cookie holds, as the page gets it: by a refresh.
    async fn session(&self, app: &TestApp) -> SignedIn {
        let cookie = self.refresh.as_deref().unwrap_or_else(|| panic!("no session; landed at {}", self.location));
        let response = app.refresh(cookie).await;
        assert_eq!(response.status(), StatusCode::OK);
        let refresh = refresh_cookie(&response).unwrap();
        let body: Value = response.json().await.unwrap();
        SignedIn {
            email: body["user"]["email"].as_str().unwrap().to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            access: body["access_token"].as_str().unwrap().to_string(),
            refresh,
        }
    }

    async fn user(&self, app: &TestApp) -> String {
        self.session(app).await.user_id
    }
}

/// Baton's callback, as the browser follows the provider's redirect to it.
async fn come_back(app: &TestApp, url: &str, browser: Option<&str>) -> Landed {
    let mut request = app.client.http.get(url);
    if let Some(cookie) = browser {
        request = request.header(header::COOKIE, format!("__Host-oidc={cookie}"));
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the way back is a redirect");
    let cookies = set_cookies(&response);
    Landed {
        location: response.headers()[header::LOCATION].to_str().unwrap().to_string(),
        refresh: cookie_value(&cookies, app.cookie_name),
        mfa: cookie_value(&cookies, "__Host-mfa"),
        mfa_set_cookie: cookies.iter().find(|c| c.starts_with("__Host-mfa=")).cloned().unwrap_or_default(),
        cleared_oidc: cookies.iter().any(|c| c.starts_with("__Host-oidc=;") && c.contains("Max-Age=0")),
    }
}

/// The whole trip: Baton → the provider's login and consent as `login` → back.
async fn sign_in_with(app: &TestApp, provider: &str, login: &str, next: Option<&str>) -> Landed {
    let (authorize, browser) = begin(app, provider, next).await;
    let back = oidc::log_in_at_provider(&authorize, login).await;
    come_back(app, &back, browser.as_deref()).await
}
