//! The sessions list and revoking one session.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    sessions_lists_live_sessions_newest_first_marking_the_current_one,
    revoking_another_session_ends_it_at_once,
    a_revoked_sessions_cached_access_token_is_refused_at_once,
    another_users_session_is_not_found,
    the_retention_sweep_deletes_ended_sessions_and_keeps_live_ones,
    the_retention_sweep_deletes_sessions_that_ran_out_in_batches,
);

async fn sessions_of(app: &TestApp, access: &str) -> Vec<Value> {
    let response = app.get("/api/sessions", Some(access)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn sessions_lists_live_sessions_newest_first_marking_the_current_one(db: TestDb) {
    let app = db.app().await;
    let laptop = app.signed_up().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let phone_client = app.client_at("127.0.0.1");
    let phone = phone_client
        .http
        .post(app.url("/api/auth/login"))
        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
        .form(&[("email", laptop.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let phone = SignedIn::from_response(phone, &laptop.email).await;

    let list = sessions_of(&app, &laptop.access).await;
    assert_eq!(list.len(), 2);
    let (_, phone_claims) = decode_parts(&phone.access);
    assert_eq!(list[0]["id"], phone_claims["sid"], "newest first");
    assert!(list[0]["user_agent"].as_str().unwrap().contains("iPhone"));
    assert_eq!(list[0]["current"], false);
    assert_eq!(list[1]["current"], true);
    for field in ["created_at", "last_used_at", "expires_at"] {
        let value = list[0][field].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).is_ok(),
            "{field}: {value}"
        );
    }
    // A signed-out session leaves the list.
    app.logout(Some(&phone.refresh)).await;
    assert_eq!(sessions_of(&app, &laptop.access).await.len(), 1);
}

async fn revoking_another_session_ends_it_at_once(db: TestDb) {
    let app = db.app().await;
    let laptop = app.signed_up().await;
    let phone = app.signed_in_again(&laptop).await;
    let (_, claims) = decode_parts(&phone.access);
    let sid = claims["sid"].as_str().unwrap();
    let response =
        app.http.delete(app.url(&format!("/api/sessions/{sid}"))).bearer_auth(&laptop.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(app.get("/api/me", Some(&phone.access)).await, 401, "invalid_token").await;
    assert_error(app.refresh(&phone.refresh).await, 401, "invalid_refresh_token").await;
    assert_eq!(app.get("/api/me", Some(&laptop.access)).await.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'session_revoked' AND session_id = $1", sid).await,
        1
    );
}

/// Access tokens are verified once and then served from a cache; revocation is
/// checked on every request all the same.
async fn a_revoked_sessions_cached_access_token_is_refused_at_once(db: TestDb) {
    let app = db.app().await;
    let laptop = app.signed_up().await;
    let phone = app.signed_in_again(&laptop).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/me", Some(&phone.access)).await.status(), StatusCode::OK);
    }
    let sid = decode_parts(&phone.access).1["sid"].as_str().unwrap().to_string();
    let revoked =
        app.http.delete(app.url(&format!("/api/sessions/{sid}"))).bearer_auth(&laptop.access).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_error(app.get("/api/me", Some(&phone.access)).await, 401, "invalid_token").await;
    assert_eq!(app.get("/api/me", Some(&laptop.access)).await.status(), StatusCode::OK);
}

async fn another_users_session_is_not_found(db: TestDb) {
    let app = db.app().await;
    let alice = app.signed_up().await;
    let mallory = app.signed_up().await;
    let (_, claims) = decode_parts(&alice.access);
    let sid = claims["sid"].as_str().unwrap();
    for id in [sid, "00000000-0000-0000-0000-000000000000", "not-a-uuid"] {
        let response =
            app.http.delete(app.url(&format!("/api/sessions/{id}"))).bearer_auth(&mallory.access).send().await.unwrap();
        assert_error(response, 404, "not_found").await;
    }
    assert_eq!(app.get("/api/me", Some(&alice.access)).await.status(), StatusCode::OK, "alice untouched");
    // Without a token it is 401 before anything else.
    let response = app.http.delete(app.url(&format!("/api/sessions/{sid}"))).send().await.unwrap();
    assert_error(response, 401, "invalid_token").await;
}

/// The sweep's deletions with everything so far past the retention period.
async fn prune_now(app: &TestApp) -> Result<(u64, u64), baton::server::store::StoreError> {
    let cutoff = app.state.clock.now().plus(std::time::Duration::from_millis(1));
    let pruned = baton::server::retention::prune(&app.state, cutoff).await?;
    Ok((pruned.sessions, pruned.events))
}

/// Sessions that ended by themselves (idle past their refresh token, or past their
/// lifetime) go too, more of them than one batch holds, each once however many of
/// its ends are behind the cutoff.
async fn the_retention_sweep_deletes_sessions_that_ran_out_in_batches(db: TestDb) {
    let app = db.app().await;
    let first = app.signed_up().await;
    for _ in 0..24 {
        app.signed_in_again(&first).await;
    }
    let revoked = app.signed_in_again(&first).await;
    assert_eq!(app.logout(Some(&revoked.refresh)).await.status(), StatusCode::OK);
    let tokens = "SELECT COUNT(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)";
    let user = decode_parts(&first.access).1["sub"].as_str().unwrap().to_string();
    assert_eq!(app.count(tokens, &user).await, 26);

    // Behind the cutoff: every session's idle end and lifetime, and one revocation.
    let cutoff = app.state.clock.now().plus(app.state.settings.tokens.session_ttl + std::time::Duration::from_secs(60));
    let pruned = baton::server::retention::prune(&app.state, cutoff).await.unwrap();
    assert_eq!(pruned.sessions, 26, "{pruned:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &user).await, 0);
    assert_eq!(app.count(tokens, &user).await, 0);
}

/// The sweep, run as if `BATON_RETENTION` had passed since everything so far: ended
/// sessions go with their refresh tokens, live ones stay and keep working.
async fn the_retention_sweep_deletes_ended_sessions_and_keeps_live_ones(db: TestDb) {
    let app = db.app().await;
    let live = app.signed_up().await;
    let ended = app.signed_up().await;
    let rotated = app.refresh(&ended.refresh).await;
    let ended_current = refresh_cookie(&rotated).unwrap();
    assert_eq!(app.logout(Some(&ended_current)).await.status(), StatusCode::OK);
    let sid = |who: &SignedIn| decode_parts(&who.access).1["sid"].as_str().unwrap().to_string();
    let tokens_of = "SELECT COUNT(*) FROM refresh_tokens WHERE session_id = $1";
    assert_eq!(app.count(tokens_of, &sid(&ended)).await, 2);

    let (sessions, events) = prune_now(&app).await.unwrap();
    assert_eq!(sessions, 1, "only the signed-out session ended");
    assert!(events >= 3, "two sign-ups and a sign-out were audited, {events} deleted");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE id = $1", &sid(&ended)).await, 0);
    assert_eq!(app.count(tokens_of, &sid(&ended)).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE id = $1", &sid(&live)).await, 1);

    // The live session is untouched; the ended one is still refused.
    assert_eq!(app.refresh(&live.refresh).await.status(), StatusCode::OK);
    assert_error(app.refresh(&ended_current).await, 401, "invalid_refresh_token").await;
    // A second sweep finds nothing more.
    assert_eq!(prune_now(&app).await.unwrap().0, 0);
}
