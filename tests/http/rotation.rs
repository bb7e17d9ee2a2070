//! Refresh-token rotation, reuse detection, the grace window, lifetimes, logout.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

on_both_backends!(
    refresh_rotates_the_cookie_and_returns_a_new_access_token,
    reused_refresh_token_revokes_the_whole_family_and_only_it,
    every_later_refresh_of_a_reused_family_says_reused,
    the_predecessor_within_the_grace_window_gets_the_same_current_token,
    two_generations_back_is_reuse_even_within_the_grace_window,
    the_predecessor_after_the_grace_window_is_reuse,
    twenty_parallel_refreshes_of_one_token_without_grace_give_exactly_one_success,
    parallel_refreshes_within_the_grace_window_never_fork_the_family,
    a_missing_or_garbage_cookie_is_invalid_refresh_token_and_cleared,
    an_expired_refresh_token_is_refused,
    a_session_past_its_absolute_lifetime_is_session_expired,
    logout_revokes_the_family_and_its_access_tokens_at_once,
    logout_is_idempotent,
    logout_all_ends_every_session_of_the_user,
);

async fn refresh_rotates_the_cookie_and_returns_a_new_access_token(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let response = app.refresh(&who.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let rotated = refresh_cookie(&response).expect("a new cookie");
    assert_ne!(rotated, who.refresh, "the refresh token rotates");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], who.email.as_str());
    let access = body["access_token"].as_str().unwrap();
    assert_ne!(access, who.access);
    let (_, old) = decode_parts(&who.refresh);
    let (header, new) = decode_parts(&rotated);
    assert_eq!(header["typ"], "rt+jwt");
    assert_eq!(old["sid"], new["sid"], "same family");
    assert_ne!(old["jti"], new["jti"]);
    assert_eq!(app.get("/api/me", Some(access)).await.status(), StatusCode::OK);
    // The new token rotates again.
    assert_eq!(app.refresh(&rotated).await.status(), StatusCode::OK);
}

async fn reused_refresh_token_revokes_the_whole_family_and_only_it(db: TestDb) {
    let app = db.app_with(|s| s.tokens.reuse_grace = Duration::ZERO).await;
    let victim = app.signed_up().await;
    let other_device = app.signed_in_again(&victim).await;

    // The rightful owner rotates; an attacker then replays the stolen old token.
    let rotated = app.refresh(&victim.refresh).await;
    let current = refresh_cookie(&rotated).unwrap();
    let current_access = rotated.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let replay = app.refresh(&victim.refresh).await;
    assert!(clears_cookie(&replay));
    assert_error(replay, 401, "refresh_token_reused").await;

    // The whole family is gone: its current refresh token and its access tokens.
    assert_error(app.refresh(&current).await, 401, "refresh_token_reused").await;
    let refused = app.get("/api/me", Some(&current_access)).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["www-authenticate"], r#"Bearer error="invalid_token""#);
    assert_error(app.get("/api/me", Some(&victim.access)).await, 401, "invalid_token").await;

    // An audit event names the session.
    let (_, claims) = decode_parts(&victim.refresh);
    let sid = claims["sid"].as_str().unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'refresh_token_reused' AND session_id = $1", sid)
            .await,
        1
    );

    // The user's other session is untouched.
    assert_eq!(app.get("/api/me", Some(&other_device.access)).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(&other_device.refresh).await.status(), StatusCode::OK);
}

async fn every_later_refresh_of_a_reused_family_says_reused(db: TestDb) {
    let app = db.app_with(|s| s.tokens.reuse_grace = Duration::ZERO).await;
    let who = app.signed_up().await;
    let current = refresh_cookie(&app.refresh(&who.refresh).await).unwrap();
    assert_error(app.refresh(&who.refresh).await, 401, "refresh_token_reused").await;
    // The rightful owner's next refresh learns why it is signed out.
    for _ in 0..2 {
        assert_error(app.refresh(&current).await, 401, "refresh_token_reused").await;
        assert_error(app.refresh(&who.refresh).await, 401, "refresh_token_reused").await;
    }
}

async fn the_predecessor_within_the_grace_window_gets_the_same_current_token(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let first = app.refresh(&who.refresh).await;
    let current = refresh_cookie(&first).unwrap();
    // The response was lost; the client retries with the token it still has.
    let retry = app.refresh(&who.refresh).await;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(refresh_cookie(&retry).unwrap(), current, "the very same current token: no fork");
    let access = retry.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/me", Some(&access)).await.status(), StatusCode::OK);
    // The family is healthy: the current token rotates normally.
    assert_eq!(app.refresh(&current).await.status(), StatusCode::OK);
    let (_, claims) = decode_parts(&who.refresh);
    let sid = claims["sid"].as_str().unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM refresh_tokens WHERE session_id = $1", sid).await, 3);
}

async fn two_generations_back_is_reuse_even_within_the_grace_window(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let second = refresh_cookie(&app.refresh(&who.refresh).await).unwrap();
    let third = refresh_cookie(&app.refresh(&second).await).unwrap();
    // `who.refresh` is two generations behind `third`: reuse, however recent.
    assert_error(app.refresh(&who.refresh).await, 401, "refresh_token_reused").await;
    assert_error(app.refresh(&third).await, 401, "refresh_token_reused").await;
}

async fn the_predecessor_after_the_grace_window_is_reuse(db: TestDb) {
    let app = db.app_with(|s| s.tokens.reuse_grace = Duration::from_millis(300)).await;
    let who = app.signed_up().await;
    let current = refresh_cookie(&app.refresh(&who.refresh).await).unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_error(app.refresh(&who.refresh).await, 401, "refresh_token_reused").await;
    assert_error(app.refresh(&current).await, 401, "refresh_token_reused").await;
}

async fn twenty_parallel_refreshes_of_one_token_without_grace_give_exactly_one_success(db: TestDb) {
    let app = db.app_with(|s| s.tokens.reuse_grace = Duration::ZERO).await;
    let who = app.signed_up().await;
    let attempts = (0..20).map(|_| {
        let client = app.client.clone();
        let token = who.refresh.clone();
        tokio::spawn(async move { client.refresh(&token).await })
    });
    let mut statuses = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        let response = attempt.await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        statuses.push((status, body["code"].as_str().unwrap_or("").to_string()));
    }
    let ok = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(statuses.iter().all(|(s, c)| *s == 200 || (*s == 401 && c == "refresh_token_reused")), "{statuses:?}");
    let (_, claims) = decode_parts(&who.refresh);
    let sid = claims["sid"].as_str().unwrap();
    // One successor at most was ever written.
    assert!(app.count("SELECT COUNT(*) FROM refresh_tokens WHERE session_id = $1", sid).await <= 2);
}

async fn parallel_refreshes_within_the_grace_window_never_fork_the_family(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let client = app.client.clone();
            let token = who.refresh.clone();
            tokio::spawn(async move { client.refresh(&token).await })
        })
        .collect();
    let mut tokens = std::collections::HashSet::new();
    for attempt in attempts {
        let response = attempt.await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        tokens.insert(refresh_cookie(&response).unwrap());
    }
    assert_eq!(tokens.len(), 1, "every tab got the same current token");
    let (_, claims) = decode_parts(&who.refresh);
    let sid = claims["sid"].as_str().unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM refresh_tokens WHERE session_id = $1", sid).await, 2);
}

async fn a_missing_or_garbage_cookie_is_invalid_refresh_token_and_cleared(db: TestDb) {
    let app = db.app().await;
    let missing = app.post_form("/api/auth/refresh", &[], None).await;
    assert!(clears_cookie(&missing));
    assert_error(missing, 401, "invalid_refresh_token").await;
    let garbage = app.refresh("not.a.jwt").await;
    assert!(clears_cookie(&garbage));
    assert_error(garbage, 401, "invalid_refresh_token").await;
    assert_error(app.refresh(&"A".repeat(5000)).await, 401, "invalid_refresh_token").await;
}

async fn an_expired_refresh_token_is_refused(db: TestDb) {
    let app = db.app_with(|s| s.tokens.refresh_ttl = Duration::from_secs(1)).await;
    let who = app.signed_up().await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = app.refresh(&who.refresh).await;
    assert!(clears_cookie(&response));
    assert_error(response, 401, "invalid_refresh_token").await;
}

async fn a_session_past_its_absolute_lifetime_is_session_expired(db: TestDb) {
    let app = db.app_with(|s| s.tokens.session_ttl = Duration::from_secs(2)).await;
    let who = app.signed_up().await;
    // Refreshing keeps the session in use, but never past its absolute lifetime: the
    // rotated cookie lives only as long as the session has left.
    let response = app.refresh(&who.refresh).await;
    let cookie = refresh_set_cookies(&response).remove(0);
    let max_age: i64 = cookie.split("Max-Age=").nth(1).unwrap().parse().unwrap();
    assert!(max_age <= 2, "{cookie}");
    let current = refresh_cookie(&response).unwrap();
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let response = app.refresh(&current).await;
    assert!(clears_cookie(&response));
    assert_error(response, 401, "session_expired").await;
}

async fn logout_revokes_the_family_and_its_access_tokens_at_once(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let other = app.signed_in_again(&who).await;
    let response = app.logout(Some(&who.refresh)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(clears_cookie(&response));
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({}));
    assert_error(app.get("/api/me", Some(&who.access)).await, 401, "invalid_token").await;
    assert_error(app.refresh(&who.refresh).await, 401, "invalid_refresh_token").await;
    assert_eq!(app.get("/api/me", Some(&other.access)).await.status(), StatusCode::OK);
}

async fn logout_is_idempotent(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    for cookie in [Some(who.refresh.as_str()), Some(who.refresh.as_str()), None, Some("garbage")] {
        let response = app.logout(cookie).await;
        assert_eq!(response.status(), StatusCode::OK, "{cookie:?}");
        assert!(clears_cookie(&response));
    }
}

async fn logout_all_ends_every_session_of_the_user(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let second = app.signed_in_again(&who).await;
    let bystander = app.signed_up().await;

    // Bearer required.
    assert_error(app.post_form("/api/auth/logout_all", &[], None).await, 401, "invalid_token").await;

    let response = app
        .http
        .post(app.url("/api/auth/logout_all"))
        .bearer_auth(&who.access)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(clears_cookie(&response));
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({"revoked": 2}));
    for session in [&who, &second] {
        assert_error(app.get("/api/me", Some(&session.access)).await, 401, "invalid_token").await;
        assert_error(app.refresh(&session.refresh).await, 401, "invalid_refresh_token").await;
    }
    assert_eq!(app.get("/api/me", Some(&bystander.access)).await.status(), StatusCode::OK);
}
