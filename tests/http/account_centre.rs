//! The account and security centre (docs/API.md, "Account and security"):
//! re-authentication, password change, strength, deletion, export, activity.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;
use std::{collections::HashSet, time::Duration};

on_both_backends!(
    a_sensitive_action_needs_a_recent_sign_in_and_reauth_renews_it,
    changing_the_password_ends_every_other_session_at_once,
    a_wrong_current_password_is_refused_and_counted_by_the_login_limits,
    weak_passwords_are_refused_with_advice_at_register_and_change,
    deleting_the_account_ends_everything_and_frees_the_email,
    the_export_is_a_download_without_any_secret,
    activity_pages_are_stable_under_concurrent_inserts_and_private,
    every_event_kind_is_produced_by_its_action,
    activity_refuses_a_bad_limit_or_cursor;
    postgres only: a_deleted_accounts_token_is_refused_on_another_instance_at_once,
);

const NEW_PASSWORD: &str = "violet kettle orbit 1987";

fn auth_time(access: &str) -> i64 {
    decode_parts(access).1["auth_time"].as_i64().expect("an auth_time claim")
}

async fn export(app: &Client, access: &str) -> reqwest::Response {
    app.get("/api/account/export", Some(access)).await
}

async fn a_sensitive_action_needs_a_recent_sign_in_and_reauth_renews_it(db: TestDb) {
    let app = db.app_with(|s| s.tokens.reauth_window = Duration::from_secs(2)).await;
    let who = app.signed_up().await;
    let signed_in_at = auth_time(&who.access);
    assert_eq!(export(&app, &who.access).await.status(), StatusCode::OK, "right after signing in");

    app.state.clock.advance(Duration::from_secs(3));
    assert_error(export(&app, &who.access).await, 403, "reauth_required").await;
    let delete = app.post_bearer("/api/account/delete", &who.access, &[("password", PASSWORD)]).await;
    assert_error(delete, 403, "reauth_required").await;

    // A refresh keeps auth_time: still too old.
    let refreshed = app.refresh(&who.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let cookie = refresh_cookie(&refreshed).unwrap();
    let body: Value = refreshed.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(auth_time(&access), signed_in_at);
    assert_error(export(&app, &access).await, 403, "reauth_required").await;

    // The wrong password does not renew it; the right one does, in the same session.
    let wrong = app.post_bearer("/api/auth/reauth", &access, &[("password", "not the password")]).await;
    assert_error(wrong, 401, "invalid_credentials").await;
    let reauth = app.post_bearer("/api/auth/reauth", &access, &[("password", PASSWORD)]).await;
    assert_eq!(reauth.status(), StatusCode::OK);
    assert!(refresh_set_cookies(&reauth).is_empty(), "the refresh cookie is untouched");
    let body: Value = reauth.json().await.unwrap();
    let renewed = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(body["user"]["email"], who.email.as_str());
    assert!(auth_time(&renewed) >= signed_in_at + 3);
    assert_eq!(decode_parts(&renewed).1["sid"], decode_parts(&access).1["sid"]);
    assert_eq!(export(&app, &renewed).await.status(), StatusCode::OK);

    // And the session's next refresh carries the renewed auth_time.
    let next = app.refresh(&cookie).await;
    let body: Value = next.json().await.unwrap();
    assert_eq!(auth_time(body["access_token"].as_str().unwrap()), auth_time(&renewed));
}

async fn changing_the_password_ends_every_other_session_at_once(db: TestDb) {
    let app = db.app().await;
    let laptop = app.signed_up().await;
    let phone = app.signed_in_again(&laptop).await;
    assert_eq!(app.get("/api/me", Some(&phone.access)).await.status(), StatusCode::OK);

    let change = app
        .post_bearer(
            "/api/account/password",
            &laptop.access,
            &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(change.status(), StatusCode::NO_CONTENT);

    // The other device: its access token stops at once, its refresh token too.
    assert_error(app.get("/api/me", Some(&phone.access)).await, 401, "invalid_token").await;
    assert_error(app.refresh(&phone.refresh).await, 401, "invalid_refresh_token").await;
    // This device goes on.
    assert_eq!(app.get("/api/me", Some(&laptop.access)).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(&laptop.refresh).await.status(), StatusCode::OK);
    // The old password no longer signs in; the new one does.
    assert_error(app.login(&laptop.email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_eq!(app.login(&laptop.email, NEW_PASSWORD).await.status(), StatusCode::OK);
    // JSON works as well as a form.
    let again = app
        .http
        .post(app.url("/api/account/password"))
        .bearer_auth(&laptop.access)
        .json(&serde_json::json!({"current_password": NEW_PASSWORD, "new_password": "amber tundra socket 42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

async fn a_wrong_current_password_is_refused_and_counted_by_the_login_limits(db: TestDb) {
    let app = db.app_with(|s| s.limits.login_max_failures = 2).await;
    let who = app.signed_up().await;
    for _ in 0..2 {
        let change = app
            .post_bearer(
                "/api/account/password",
                &who.access,
                &[("current_password", "a wrong guess"), ("new_password", NEW_PASSWORD)],
            )
            .await;
        assert_error(change, 401, "invalid_credentials").await;
    }
    // The limit now holds for this account from this address, even with the right one.
    let change = app
        .post_bearer(
            "/api/account/password",
            &who.access,
            &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_error(change, 429, "rate_limited").await;
    assert_error(app.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
}

async fn weak_passwords_are_refused_with_advice_at_register_and_change(db: TestDb) {
    let app = db.app().await;
    for (email, weak) in [("weak1@example.com", "password123"), ("jane.doe@example.com", "jane.doe.example")] {
        let response = app.register(email, weak).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "weak_password", "{weak}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("This password is too easy to guess."), "{message}");
        assert!(message.len() > 45, "the message says what would help: {message}");
    }
    let who = app.signed_up().await;
    let change = app
        .post_bearer(
            "/api/account/password",
            &who.access,
            &[("current_password", PASSWORD), ("new_password", "qwerty123456")],
        )
        .await;
    assert_error(change, 400, "weak_password").await;
    // Nothing changed.
    assert_eq!(app.login(&who.email, PASSWORD).await.status(), StatusCode::OK);
}

async fn deleting_the_account_ends_everything_and_frees_the_email(db: TestDb) {
    let app = db.app().await;
    let laptop = app.signed_up().await;
    let phone = app.signed_in_again(&laptop).await;
    let wrong = app.post_bearer("/api/account/delete", &laptop.access, &[("password", "not it at all")]).await;
    assert_error(wrong, 401, "invalid_credentials").await;
    assert_eq!(app.get("/api/me", Some(&laptop.access)).await.status(), StatusCode::OK);

    let deleted = app.post_bearer("/api/account/delete", &laptop.access, &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(clears_cookie(&deleted), "the cookie is cleared");

    // Every session ends at once: access tokens that have not expired yet, refresh tokens.
    for session in [&laptop, &phone] {
        assert_error(app.get("/api/me", Some(&session.access)).await, 401, "invalid_token").await;
        assert_error(app.get("/api/sessions", Some(&session.access)).await, 401, "invalid_token").await;
        assert_eq!(app.refresh(&session.refresh).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_error(app.login(&laptop.email, PASSWORD).await, 401, "invalid_credentials").await;
    // Every row of the account is gone; an anonymous record stays.
    let id = laptop.user_id.as_str();
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE id = $1", id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE user_id = $1", id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE user_id = $1", id).await, 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE kind = $1 AND user_id IS NULL AND email IS NULL",
            "account_deleted"
        )
        .await,
        1
    );
    // The email can register again, as a new account.
    let again = app.register(&laptop.email, PASSWORD).await;
    assert_eq!(again.status(), StatusCode::OK);
    let body: Value = again.json().await.unwrap();
    assert_ne!(body["user"]["id"], id);
}

async fn a_deleted_accounts_token_is_refused_on_another_instance_at_once(db: TestDb) {
    let a = Instance::spawn(db.url(), &[]).await;
    let b = Instance::spawn(db.url(), &[]).await;
    let who = a.signed_up().await;
    assert_eq!(b.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    let deleted = a.post_bearer("/api/account/delete", &who.access, &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let started = std::time::Instant::now();
    while b.get("/api/me", Some(&who.access)).await.status() != StatusCode::UNAUTHORIZED {
        assert!(started.elapsed() < Duration::from_secs(1), "the other instance still accepts the token");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn the_export_is_a_download_without_any_secret(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let other = app.signed_in_again(&who).await;
    let rotated = app.refresh(&other.refresh).await;
    let rotated_cookie = refresh_cookie(&rotated).unwrap();
    assert_error(app.login(&who.email, "a wrong password").await, 401, "invalid_credentials").await;

    let response = export(&app, &who.access).await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert_eq!(disposition, "attachment; filename=\"baton-export.json\"");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let text = response.text().await.unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["account"]["email"], who.email.as_str());
    assert_eq!(document["sessions"].as_array().unwrap().len(), 2);
    let kinds: HashSet<&str> =
        document["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains("signed_up") && kinds.contains("signed_in") && kinds.contains("sign_in_failed"),
        "{kinds:?}"
    );
    assert!(document["passkeys"].is_array());

    // Every secret this test made, and every one the server holds for the account.
    let mut secrets = vec![
        PASSWORD.to_string(),
        who.access.clone(),
        who.refresh.clone(),
        other.access.clone(),
        other.refresh.clone(),
        rotated_cookie,
    ];
    let pool = app.state.store.pool();
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&who.user_id)
        .fetch_one(pool)
        .await
        .unwrap();
    secrets.push(hash.clone());
    // The hash's salt and digest, should either appear on its own.
    secrets.extend(hash.split('$').filter(|part| part.len() >= 16).map(str::to_string));
    let jtis: Vec<String> = sqlx::query_scalar(
        "SELECT t.jti FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE s.user_id = $1",
    )
    .bind(&who.user_id)
    .fetch_all(pool)
    .await
    .unwrap();
    secrets.extend(jtis);
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT private_key FROM signing_keys").fetch_all(pool).await.unwrap();
    secrets.extend(keys.into_iter().flatten());
    for token in [&who.access, &who.refresh, &other.refresh] {
        // A token's signature alone is as secret as the token.
        secrets.push(token.rsplit('.').next().unwrap().to_string());
        secrets.push(decode_parts(token).1["jti"].as_str().unwrap().to_string());
    }
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the export contains a secret: {}…", &secret[..secret.len().min(12)]);
    }
    assert!(!text.to_lowercase().contains("argon2"), "no password hash");
}

/// Every page of `access`'s activity, following `next`, `limit` at a time.
async fn all_pages(app: &Client, access: &str, limit: usize) -> Vec<Value> {
    let mut events = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(cursor) => format!("/api/activity?limit={limit}&before={cursor}"),
            None => format!("/api/activity?limit={limit}"),
        };
        let response = app.get(&path, Some(access)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        let got = page["events"].as_array().unwrap();
        assert!(got.len() <= limit);
        events.extend(got.iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_string()),
            None => return events,
        }
    }
}

async fn activity_pages_are_stable_under_concurrent_inserts_and_private(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let stranger = app.signed_up().await;
    for _ in 0..4 {
        app.signed_in_again(&who).await;
        app.signed_in_again(&stranger).await;
    }
    let before: Vec<Value> = all_pages(&app, &who.access, 100).await;
    assert_eq!(before.len(), 5, "signed up, then four sign-ins");

    // Page through two at a time while the account keeps signing in elsewhere.
    let writer = {
        let app = app.client.clone();
        let who = who.clone();
        tokio::spawn(async move {
            for _ in 0..4 {
                app.signed_in_again(&who).await;
            }
        })
    };
    let paged = all_pages(&app, &who.access, 2).await;
    writer.await.unwrap();

    let ids: Vec<&str> = paged.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no event twice");
    for old in &before {
        assert!(unique.contains(old["id"].as_str().unwrap()), "no event that existed is skipped");
    }
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let instants: Vec<time::OffsetDateTime> =
        paged.iter().map(|e| time::OffsetDateTime::parse(e["at"].as_str().unwrap(), rfc3339).unwrap()).collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "newest first: {instants:?}");
    // Never another person's.
    let strangers: HashSet<String> =
        all_pages(&app, &stranger.access, 100).await.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert!(ids.iter().all(|id| !strangers.contains(*id)));
    let current: Vec<&Value> = before.iter().filter(|e| e["current_session"] == true).collect();
    assert_eq!(current.len(), 1, "the sign-up is this session's");
    assert_eq!(current[0]["kind"], "signed_up");
}

async fn every_event_kind_is_produced_by_its_action(db: TestDb) {
    let app = db.app_with(|s| s.tokens.session_ttl = Duration::from_secs(3600)).await;
    let who = app.signed_up().await;
    let ua =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
    let login = |password: &'static str| {
        app.http
            .post(app.url("/api/auth/login"))
            .header("user-agent", ua)
            .form(&[("email", who.email.as_str()), ("password", password)])
            .send()
    };
    assert_eq!(login("not the password").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let signed_out = SignedIn::from_response(login(PASSWORD).await.unwrap(), &who.email).await;
    assert_eq!(app.logout(Some(&signed_out.refresh)).await.status(), StatusCode::OK);
    let revoked = app.signed_in_again(&who).await;
    let sid = decode_parts(&revoked.access).1["sid"].as_str().unwrap().to_string();
    let revoke = app.http.delete(app.url(&format!("/api/sessions/{sid}"))).bearer_auth(&who.access).send().await;
    assert_eq!(revoke.unwrap().status(), StatusCode::NO_CONTENT);
    // A stolen token replayed after its rotation and the grace window.
    let stolen = app.signed_in_again(&who).await;
    assert_eq!(app.refresh(&stolen.refresh).await.status(), StatusCode::OK);
    app.state.clock.advance(Duration::from_secs(6));
    assert_error(app.refresh(&stolen.refresh).await, 401, "refresh_token_reused").await;
    let change = app
        .post_bearer(
            "/api/account/password",
            &who.access,
            &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(change.status(), StatusCode::NO_CONTENT);
    // A session past its absolute lifetime, refused at its refresh.
    let expiring = SignedIn::from_response(app.login(&who.email, NEW_PASSWORD).await, &who.email).await;
    app.state.clock.advance(Duration::from_secs(3601));
    assert_error(app.refresh(&expiring.refresh).await, 401, "session_expired").await;
    assert_error(app.refresh(&expiring.refresh).await, 401, "session_expired").await;
    let last = SignedIn::from_response(app.login(&who.email, NEW_PASSWORD).await, &who.email).await;
    let everywhere = app.http.post(app.url("/api/auth/logout_all")).bearer_auth(&last.access).send().await.unwrap();
    assert_eq!(everywhere.status(), StatusCode::OK);
    let reader = SignedIn::from_response(app.login(&who.email, NEW_PASSWORD).await, &who.email).await;

    let events = all_pages(&app, &reader.access, 100).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "signed_up",
        "signed_in",
        "sign_in_failed",
        "signed_out",
        "session_revoked",
        "refresh_token_reused",
        "password_changed",
        "session_expired",
        "signed_out_everywhere",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| **k == "session_expired").count(), 1, "once per session");
    assert!(!kinds.contains(&"register_attempt"), "internal bookkeeping is not shown");
    let failed = events.iter().find(|e| e["kind"] == "sign_in_failed").unwrap();
    assert_eq!(failed["device"], "Chrome on Windows");
    assert_eq!(failed["address"], "127.0.0.1");
    let reused = events.iter().find(|e| e["kind"] == "refresh_token_reused").unwrap();
    assert_eq!(reused["session_id"], decode_parts(&stolen.access).1["sid"]);
}

async fn activity_refuses_a_bad_limit_or_cursor(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    for query in ["limit=0", "limit=101", "limit=ten", "before=nonsense", "before=12.not-a-uuid"] {
        let response = app.get(&format!("/api/activity?{query}"), Some(&who.access)).await;
        assert_error(response, 400, "invalid_input").await;
    }
    assert_error(app.get("/api/activity", None).await, 401, "invalid_token").await;
}
