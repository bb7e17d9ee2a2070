//! Several Baton processes on one PostgreSQL database: what one instance does, the
//! others honour. These start the real `baton` binary twice.

use crate::helpers::*;
use crate::on_postgres;
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    process::Command,
    time::{Duration, Instant},
};

on_postgres!(
    a_token_rotated_on_one_instance_and_replayed_on_another_is_reuse,
    a_session_revoked_on_one_instance_is_refused_by_the_other_within_a_second,
    ten_parallel_refreshes_split_across_instances_give_exactly_one_success,
    instances_share_keys_and_pick_up_a_rotated_key_without_restart,
    failed_logins_are_counted_across_instances,
    a_revocation_whose_notification_was_missed_is_caught_up,
    a_late_committed_revocation_is_caught_up_however_old_its_timestamp,
    a_lock_from_the_command_line_ends_sessions_on_both_instances_within_a_second,
);

/// Two instances on the test's PostgreSQL database.
async fn two_instances(db: &TestDb, env: &[(&str, &str)]) -> (Instance, Instance) {
    // The first instance creates the schema and the first key; then the second joins.
    let a = Instance::spawn(db.url(), env).await;
    let b = Instance::spawn(db.url(), env).await;
    (a, b)
}

async fn a_token_rotated_on_one_instance_and_replayed_on_another_is_reuse(db: TestDb) {
    let (a, b) = two_instances(&db, &[("BATON_REUSE_GRACE", "0s")]).await;
    let who = a.signed_up().await;
    let rotated = a.refresh(&who.refresh).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let current = refresh_cookie(&rotated).unwrap();
    assert_error(b.refresh(&who.refresh).await, 401, "refresh_token_reused").await;
    assert_error(a.refresh(&current).await, 401, "refresh_token_reused").await;
}

async fn a_session_revoked_on_one_instance_is_refused_by_the_other_within_a_second(db: TestDb) {
    let (a, b) = two_instances(&db, &[]).await;
    let who = a.signed_up().await;
    assert_eq!(b.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    let revoked_at = Instant::now();
    assert_eq!(a.logout(Some(&who.refresh)).await.status(), StatusCode::OK);
    loop {
        let status = b.get("/api/me", Some(&who.access)).await.status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(revoked_at.elapsed() < Duration::from_secs(1), "B still accepts the revoked session's token");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("revocation reached the other instance after {:?}", revoked_at.elapsed());
}

async fn ten_parallel_refreshes_split_across_instances_give_exactly_one_success(db: TestDb) {
    let (a, b) = two_instances(&db, &[("BATON_REUSE_GRACE", "0s")]).await;
    let who = a.signed_up().await;
    let attempts: Vec<_> = (0..10)
        .map(|i| {
            let client = if i % 2 == 0 { a.client.clone() } else { b.client.clone() };
            let token = who.refresh.clone();
            tokio::spawn(async move { client.refresh(&token).await.status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 401), "{statuses:?}");
}

async fn instances_share_keys_and_pick_up_a_rotated_key_without_restart(db: TestDb) {
    let (a, b) = two_instances(&db, &[]).await;
    let jwks = |i: &Instance| {
        let (http, url) = (i.http.clone(), i.url("/.well-known/jwks.json"));
        async move { http.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(jwks(&a).await, jwks(&b).await, "one key set");
    let who = a.signed_up().await;
    assert_eq!(b.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);

    // `baton keys rotate`, as an operator would run it, against the shared database.
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["keys", "rotate"])
        .env("DATABASE_URL", db.url())
        .env("BATON_LOG", "off")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let new_kid = stdout.lines().next().unwrap().rsplit(' ').next().unwrap().to_string();

    let has_new_key = |keys: &Value| keys["keys"].as_array().unwrap().iter().any(|k| k["kid"] == new_kid.as_str());
    let started = Instant::now();
    while !(has_new_key(&jwks(&a).await) && has_new_key(&jwks(&b).await)) {
        assert!(started.elapsed() < Duration::from_secs(5), "the new key did not reach both instances");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(jwks(&a).await, jwks(&b).await);
    // A signs with the new key; B verifies it; the old token still verifies too.
    let fresh = a.signed_in_again(&who).await;
    assert_eq!(decode_parts(&fresh.access).0["kid"], new_kid.as_str());
    assert_eq!(b.get("/api/me", Some(&fresh.access)).await.status(), StatusCode::OK);
    assert_eq!(b.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
}

async fn failed_logins_are_counted_across_instances(db: TestDb) {
    let (a, b) = two_instances(&db, &[("BATON_LOGIN_MAX_FAILURES", "4")]).await;
    let who = a.signed_up().await;
    for instance in [&a, &b, &a, &b] {
        assert_error(instance.login(&who.email, "wrong password").await, 401, "invalid_credentials").await;
    }
    assert_error(a.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
    assert_error(b.login(&who.email, PASSWORD).await, 429, "rate_limited").await;
}

/// Revokes `who`'s session as the store writes a revocation (the session row and the
/// log entry), dated `at`, but behind every instance's back: no NOTIFY, as if it had
/// been lost.
async fn revoke_without_notifying(db: &TestDb, who: &SignedIn, at: baton::server::time::UnixMillis) {
    let (_, claims) = decode_parts(&who.access);
    let sid = claims["sid"].as_str().unwrap();
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
    sqlx::query("UPDATE sessions SET revoked_at = $1, revoke_reason = 'revoked' WHERE id = $2")
        .bind(at)
        .bind(sid)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO revocations (seq, session_id, revoked_at) \
         VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM revocations), $1, $2)",
    )
    .bind(sid)
    .bind(at)
    .execute(&mut conn)
    .await
    .unwrap();
}

async fn both_refuse_within_3s(a: &Instance, b: &Instance, access: &str) {
    let started = Instant::now();
    for instance in [a, b] {
        while instance.get("/api/me", Some(access)).await.status() != StatusCode::UNAUTHORIZED {
            assert!(started.elapsed() < Duration::from_secs(3), "the periodic catch-up did not see the revocation");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn a_revocation_whose_notification_was_missed_is_caught_up(db: TestDb) {
    let (a, b) = two_instances(&db, &[]).await;
    let who = a.signed_up().await;
    revoke_without_notifying(&db, &who, baton::server::time::Clock::system().now()).await;
    both_refuse_within_3s(&a, &b, &who.access).await;
}

/// The catch-up follows the log's commit order, not clocks: a revocation stamped a
/// minute ago (a transaction that waited long for a lock, or a host whose clock is
/// behind) still reaches every instance.
async fn a_late_committed_revocation_is_caught_up_however_old_its_timestamp(db: TestDb) {
    let (a, b) = two_instances(&db, &[]).await;
    let who = a.signed_up().await;
    // Let both instances poll past the present first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let a_minute_ago = baton::server::time::Clock::system().now().minus(Duration::from_secs(60));
    revoke_without_notifying(&db, &who, a_minute_ago).await;
    both_refuse_within_3s(&a, &b, &who.access).await;
}

/// docs/API.md, "Roles and administration": a lock ends the account's sessions at once
/// on every instance, through the revocation path of any sign-out.
async fn a_lock_from_the_command_line_ends_sessions_on_both_instances_within_a_second(db: TestDb) {
    let (a, b) = two_instances(&db, &[]).await;
    let who = a.signed_up().await;
    let on_b = b.signed_in_again(&who).await;
    assert_eq!(b.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    let locked = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["users", "lock", &who.email, "--reason", "compromised"])
        .env("DATABASE_URL", db.url())
        .env("BATON_LOG", "off")
        .env("BATON_METRICS_ADDR", "")
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", String::from_utf8_lossy(&locked.stderr));
    let locked_at = Instant::now();
    for (instance, access) in [(&a, &on_b.access), (&b, &who.access), (&a, &who.access), (&b, &on_b.access)] {
        while instance.get("/api/me", Some(access)).await.status() != StatusCode::UNAUTHORIZED {
            assert!(locked_at.elapsed() < Duration::from_secs(1), "an instance still accepts a locked account's token");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    eprintln!("the lock reached both instances within {:?}", locked_at.elapsed());
    assert_error(b.login(&who.email, PASSWORD).await, 403, "account_locked").await;
    assert_error(a.refresh(&on_b.refresh).await, 403, "account_locked").await;
}
