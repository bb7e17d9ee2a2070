//! Roles and the administration API (docs/API.md, "Roles and administration"): roles
//! made from the command line reach the tokens and `/api/me`; every administration
//! route refuses a caller without the `admin` role, read fresh on each request; the
//! accounts list pages stably; the last administrator stays one.

use crate::helpers::*;
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use baton::{
    server::{
        auth::{admin, roles::Roles},
        store::admin_actions::Actor,
    },
    shared::error::AppError,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::process::Command;

on_both_backends!(
    roles_from_the_command_line_reach_tokens_me_activity_and_the_audit_log,
    every_administration_route_refuses_a_caller_without_the_admin_role,
    the_accounts_list_pages_newest_first_and_stays_stable_under_new_sign_ups,
    a_removed_admin_role_stops_at_the_next_request_whatever_the_token_says,
    the_last_administrator_cannot_demote_themselves,
    an_administrator_signs_an_account_out_and_the_person_and_the_audit_log_both_show_it,
    changes_need_a_recent_sign_in_and_valid_roles,
    a_lock_ends_every_session_and_every_way_in_answers_account_locked_until_unlocked,
    an_administrator_deletes_an_account_and_the_log_keeps_the_action_without_the_address,
    the_last_administrator_cannot_lock_or_delete_themselves,
);

/// `method path` with a JSON body, as `who`.
async fn send(app: &TestApp, method: reqwest::Method, path: &str, who: &str, body: Option<Value>) -> reqwest::Response {
    let request = app.client.http.request(method, app.url(path)).bearer_auth(who);
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

/// `baton ARGS…` on `db`'s database, as an operator runs it; its standard output.
pub(crate) fn baton(db: &TestDb, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("BATON_LOG", "off")
        .env("BATON_METRICS_ADDR", "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "baton {args:?}: {stdout} {}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// Makes `who` an administrator the way the first one is made.
async fn make_admin(app: &TestApp, who: &SignedIn) {
    let id = who.user_id.parse().unwrap();
    admin::set_roles(&app.state, &Actor::Cli, id, Roles::parse(["admin"]).unwrap()).await.unwrap();
}

async fn me(app: &TestApp, access: &str) -> Value {
    let response = app.get("/api/me", Some(access)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn roles_from_the_command_line_reach_tokens_me_activity_and_the_audit_log(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    // Nothing yet: no claim at all.
    let (_, claims) = decode_parts(&who.access);
    assert!(claims.get("roles").is_none(), "{claims}");

    let granted = baton(&db, &["users", "grant", &who.email.to_uppercase(), "admin"]);
    assert!(granted.contains(&format!("{}: admin", who.email)), "{granted}");
    baton(&db, &["users", "grant", &who.email, "support"]);
    let listed = baton(&db, &["users", "list", "--query", &who.email[..8]]);
    assert!(listed.contains(&format!("{}  {}  admin support", who.user_id, who.email)), "{listed}");

    // The next access token carries them; /api/me says them (the instance's account
    // cache believes an entry for 5 s, and this account was never read into it).
    let refreshed = app.refresh(&who.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refresh = refresh_cookie(&refreshed).unwrap();
    let body: Value = refreshed.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    let (_, claims) = decode_parts(&access);
    assert_eq!(claims["roles"], serde_json::json!(["admin", "support"]));
    assert_eq!(me(&app, &access).await["roles"], serde_json::json!(["admin", "support"]));

    baton(&db, &["users", "revoke", &who.email, "support"]);
    app.state.store.forget(who.user_id.parse().unwrap());
    assert_eq!(me(&app, &access).await["roles"], serde_json::json!(["admin"]));

    // Each change is in the person's own activity, without who made it, and in the
    // administration log with the actor `cli`.
    let activity: Value = app.get("/api/activity", Some(&access)).await.json().await.unwrap();
    let changes = activity["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "admin_roles_changed").count();
    assert_eq!(changes, 3, "{activity}");
    assert!(!activity.to_string().contains("cli"), "{activity}");
    let logged = app
        .count(
            "SELECT COUNT(*) FROM admin_actions WHERE target_id = $1 AND actor_id IS NULL AND actor_email = 'cli' \
             AND action = 'roles_changed'",
            &who.user_id,
        )
        .await;
    assert_eq!(logged, 3);

    // A name that is not a role, and an address with no account, say so and change nothing.
    for args in [["users", "grant", who.email.as_str(), "Admin"], ["users", "grant", "nobody@example.com", "admin"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .env("DATABASE_URL", db.url())
            .env("BATON_LOG", "off")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        assert!(!String::from_utf8_lossy(&output.stderr).is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_actions WHERE target_id = $1", &who.user_id).await, 3);

    // `sign-out` ends the session in the database; the refresh token stops there.
    let signed_out = baton(&db, &["users", "sign-out", &who.email]);
    assert!(signed_out.contains("1 session(s) ended"), "{signed_out}");
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::UNAUTHORIZED);
    let logged = "SELECT COUNT(*) FROM admin_actions WHERE target_id = $1 AND action = 'signed_out'";
    assert_eq!(app.count(logged, &who.user_id).await, 1);
}

async fn every_administration_route_refuses_a_caller_without_the_admin_role(db: TestDb) {
    let app = db.app().await;
    let person = app.signed_up().await;
    let routes = baton::api::admin::routes();
    assert!(!routes.is_empty());
    for (method, path, _) in routes {
        let path = path.replace("{id}", &person.user_id);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let ask = |bearer: Option<&str>| {
            let request = app.client.http.request(method.clone(), app.url(&path));
            match bearer {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        };
        let refused = ask(Some(&person.access)).send().await.unwrap();
        assert_error(refused, 403, "forbidden").await;
        let anonymous = ask(None).send().await.unwrap();
        assert_error(anonymous, 401, "invalid_token").await;
    }
}

async fn the_accounts_list_pages_newest_first_and_stays_stable_under_new_sign_ups(db: TestDb) {
    let app = db.app().await;
    let admin = app.signed_up().await;
    make_admin(&app, &admin).await;
    let mut made = vec![admin.email.clone()];
    for _ in 0..4 {
        made.push(app.signed_up().await.email);
    }
    let page = |query: String| {
        let app = &app;
        let access = admin.access.clone();
        async move {
            let response = app.get(&format!("/api/admin/users?{query}"), Some(&access)).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            response.json::<Value>().await.unwrap()
        }
    };

    // Pages of two, with an account created between the pages: it shows on none of
    // the later pages, and no account is skipped or shown twice.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let query = match &next {
            Some(cursor) => format!("limit=2&before={cursor}"),
            None => "limit=2".to_string(),
        };
        let body = page(query).await;
        for user in body["users"].as_array().unwrap() {
            seen.push(user["email"].as_str().unwrap().to_string());
            assert!(user.get("password_hash").is_none());
        }
        if seen.len() == 2 {
            app.signed_up().await;
        }
        match body["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_string()),
            None => break,
        }
    }
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    // The admin's own row: its facts and counts.
    let found = page(format!("q={}", &admin.email[..admin.email.len() - 4])).await;
    let users = found["users"].as_array().unwrap();
    assert_eq!(users.len(), 1, "{found}");
    assert_eq!(users[0]["roles"], serde_json::json!(["admin"]));
    assert_eq!(users[0]["sessions"], 1);
    assert_eq!(users[0]["passkeys"], 0);
    assert_eq!(users[0]["two_step"], false);
    assert_eq!(users[0]["locked"], false);
    // The search box is blind to case, as emails are.
    let shouted = page(format!("q={}", admin.email[..admin.email.len() - 4].to_uppercase())).await;
    assert_eq!(shouted["users"][0]["email"], admin.email.as_str(), "{shouted}");
    // By id, exactly; a LIKE character matches only itself.
    let by_id = page(format!("q={}", admin.user_id)).await;
    assert_eq!(by_id["users"][0]["email"], admin.email.as_str());
    assert_eq!(page("q=%25".to_string()).await["users"], serde_json::json!([]));
    assert_eq!(page("q=_".to_string()).await["users"], serde_json::json!([]));

    for bad in ["limit=0", "limit=101", "limit=x", "before=nonsense", "before=1.not-a-uuid"] {
        let response = app.get(&format!("/api/admin/users?{bad}"), Some(&admin.access)).await;
        assert_error(response, 400, "invalid_input").await;
    }
}

async fn a_removed_admin_role_stops_at_the_next_request_whatever_the_token_says(db: TestDb) {
    let app = db.app().await;
    let admin = app.signed_up().await;
    let other = app.signed_up().await;
    make_admin(&app, &admin).await;
    make_admin(&app, &other).await;
    let refreshed = app.refresh(&admin.refresh).await;
    let body: Value = refreshed.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(decode_parts(&access).1["roles"], serde_json::json!(["admin"]));
    assert_eq!(app.get("/api/admin/users", Some(&access)).await.status(), StatusCode::OK);

    let id = admin.user_id.parse().unwrap();
    let by_other = Actor::Admin { id: other.user_id.parse().unwrap(), email: other.email.clone() };
    admin::set_roles(&app.state, &by_other, id, Roles::default()).await.unwrap();
    // The token still claims `admin`; the database says otherwise, and wins.
    let refused = app.get("/api/admin/users", Some(&access)).await;
    assert_error(refused, 403, "forbidden").await;
    // Recorded as the other administrator's doing.
    let by_actor: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admin_actions WHERE target_id = $1 AND actor_id = $2")
        .bind(&admin.user_id)
        .bind(&other.user_id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(by_actor, 1);
}

async fn the_last_administrator_cannot_demote_themselves(db: TestDb) {
    let app = db.app().await;
    let only = app.signed_up().await;
    make_admin(&app, &only).await;
    let id = only.user_id.parse().unwrap();
    let themselves = Actor::Admin { id, email: only.email.clone() };
    let refused = admin::set_roles(&app.state, &themselves, id, Roles::default()).await;
    assert!(matches!(refused, Err(AppError::LastAdmin)), "{refused:?}");
    // Other roles may still change.
    let support = Roles::parse(["admin", "support"]).unwrap();
    assert_eq!(admin::set_roles(&app.state, &themselves, id, support.clone()).await.unwrap(), support);

    // With a second administrator, the first may step down.
    let second = app.signed_up().await;
    make_admin(&app, &second).await;
    admin::set_roles(&app.state, &themselves, id, Roles::default()).await.unwrap();
    // The command line is the operator's way out: it may demote the last one.
    let second_id = second.user_id.parse().unwrap();
    admin::set_roles(&app.state, &Actor::Cli, second_id, Roles::default()).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE roles LIKE $1", "%admin%").await, 0);
}

async fn an_administrator_signs_an_account_out_and_the_person_and_the_audit_log_both_show_it(db: TestDb) {
    let app = db.app().await;
    let admin_who = app.signed_up().await;
    make_admin(&app, &admin_who).await;
    let person = app.signed_up().await;
    let other_device = app.signed_in_again(&person).await;

    let path = format!("/api/admin/users/{}/sign_out", person.user_id);
    let response = send(&app, reqwest::Method::POST, &path, &admin_who.access, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Both sessions ended at once: their access tokens and refresh tokens stop.
    for session in [&person, &other_device] {
        assert_error(app.get("/api/me", Some(&session.access)).await, 401, "invalid_token").await;
        assert_eq!(app.refresh(&session.refresh).await.status(), StatusCode::UNAUTHORIZED);
    }

    // The administrator's view: no live session, the event among the newest.
    let detail: Value =
        app.get(&format!("/api/admin/users/{}", person.user_id), Some(&admin_who.access)).await.json().await.unwrap();
    assert_eq!(detail["email"], person.email.as_str());
    assert_eq!(detail["live_sessions"], serde_json::json!([]));
    assert_eq!(detail["events"][0]["kind"], "admin_signed_out", "{detail}");
    assert!(detail.get("password_hash").is_none() && !detail.to_string().contains("$argon2"));
    let unknown = app.get(&format!("/api/admin/users/{}", uuid_like()), Some(&admin_who.access)).await;
    assert_error(unknown, 404, "not_found").await;
    assert_error(app.get("/api/admin/users/not-a-uuid", Some(&admin_who.access)).await, 404, "not_found").await;

    // The audit log: who, to whom, what; newest first, paged.
    let audit: Value = app.get("/api/admin/audit?limit=1", Some(&admin_who.access)).await.json().await.unwrap();
    let newest = &audit["events"][0];
    assert_eq!(newest["action"], "signed_out");
    assert_eq!(newest["actor"], serde_json::json!({"id": admin_who.user_id, "email": admin_who.email}));
    assert_eq!(newest["target"], serde_json::json!({"id": person.user_id, "email": person.email}));
    let cursor = audit["next"].as_str().expect("the grant to the admin is on the next page");
    let older: Value =
        app.get(&format!("/api/admin/audit?before={cursor}"), Some(&admin_who.access)).await.json().await.unwrap();
    assert_eq!(older["events"][0]["action"], "roles_changed");
    assert_eq!(older["events"][0]["actor"], serde_json::json!({"id": null, "email": "cli"}));
    assert_eq!(older["next"], Value::Null);

    // The person, signed in again, reads it in their activity, without who did it.
    let back = app.signed_in_again(&person).await;
    let activity: Value = app.get("/api/activity", Some(&back.access)).await.json().await.unwrap();
    assert!(activity["events"].as_array().unwrap().iter().any(|e| e["kind"] == "admin_signed_out"), "{activity}");
    assert!(!activity.to_string().contains(&admin_who.email));
}

async fn changes_need_a_recent_sign_in_and_valid_roles(db: TestDb) {
    let app = db.app().await;
    let admin_who = app.signed_up().await;
    make_admin(&app, &admin_who).await;
    let person = app.signed_up().await;
    let roles_path = format!("/api/admin/users/{}/roles", person.user_id);
    let put = |body: Value| send(&app, reqwest::Method::PUT, &roles_path, &admin_who.access, Some(body));

    let granted = put(serde_json::json!({"roles": ["support", "admin", "support"]})).await;
    assert_eq!(granted.status(), StatusCode::OK);
    let user: Value = granted.json().await.unwrap();
    assert_eq!(user["roles"], serde_json::json!(["admin", "support"]));
    assert_eq!(user["email"], person.email.as_str());
    for bad in [serde_json::json!({"roles": ["Admin"]}), serde_json::json!({"roles": "admin"}), serde_json::json!({})] {
        assert_error(put(bad).await, 400, "invalid_input").await;
    }
    // The last administrator, demoting themselves through the API.
    let own = format!("/api/admin/users/{}/roles", admin_who.user_id);
    let person_id = person.user_id.parse().unwrap();
    admin::set_roles(&app.state, &Actor::Cli, person_id, Roles::default()).await.unwrap();
    let demoted =
        send(&app, reqwest::Method::PUT, &own, &admin_who.access, Some(serde_json::json!({"roles": []}))).await;
    assert_error(demoted, 409, "last_admin").await;

    // Past the re-authentication window: reading still works, no change does (every
    // route that is not a GET, from the router's own list, with a valid body).
    app.past_the_reauth_window();
    assert_eq!(app.get("/api/admin/users", Some(&admin_who.access)).await.status(), StatusCode::OK);
    let mut changes = 0;
    for (method, path, _) in baton::api::admin::routes().into_iter().filter(|(method, _, _)| *method != "GET") {
        let path = path.replace("{id}", &person.user_id);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let body = serde_json::json!({"roles": ["admin"], "reason": "a test"});
        assert_error(send(&app, method, &path, &admin_who.access, Some(body)).await, 403, "reauth_required").await;
        changes += 1;
    }
    assert_eq!(changes, 5, "lock, unlock, sign out, roles, delete");
    assert_eq!(app.get("/api/me", Some(&person.access)).await.status(), StatusCode::OK, "nothing was done");
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_actions WHERE target_id = $1", &person.user_id).await, 2);
}

/// `POST path` with a form, as `who`.
async fn post_reason(app: &TestApp, path: &str, who: &str, reason: &str) -> reqwest::Response {
    app.post_bearer(path, who, &[("reason", reason)]).await
}

async fn a_lock_ends_every_session_and_every_way_in_answers_account_locked_until_unlocked(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let admin_who = app.signed_up().await;
    make_admin(&app, &admin_who).await;
    let person = app.signed_up().await;
    let other_device = app.signed_in_again(&person).await;
    let lock = format!("/api/admin/users/{}/lock", person.user_id);

    for bad in ["", "   ", "x".repeat(501).as_str(), "two\nlines"] {
        assert_error(post_reason(&app, &lock, &admin_who.access, bad).await, 400, "invalid_input").await;
    }
    let reason = "Reported for spam <b>twice</b>";
    assert_eq!(post_reason(&app, &lock, &admin_who.access, reason).await.status(), StatusCode::NO_CONTENT);

    // Every session ended at once: access tokens as any revoked session's, and each
    // refresh cookie told why and cleared.
    for session in [&person, &other_device] {
        assert_error(app.get("/api/me", Some(&session.access)).await, 401, "invalid_token").await;
        let refused = app.refresh(&session.refresh).await;
        assert!(clears_cookie(&refused), "the refresh cookie is cleared");
        assert_error(refused, 403, "account_locked").await;
    }
    // The right password is told; a wrong one learns nothing.
    assert_error(app.login(&person.email, PASSWORD).await, 403, "account_locked").await;
    assert_error(app.login(&person.email, "not the password at all").await, 401, "invalid_credentials").await;
    // The administration sees it; the person is mailed, with the reason.
    let found: Value =
        app.get(&format!("/api/admin/users?q={}", person.user_id), Some(&admin_who.access)).await.json().await.unwrap();
    assert_eq!(found["users"][0]["locked"], true, "{found}");
    assert_eq!(found["users"][0]["sessions"], 0, "{found}");
    let mail = smtp.mail(&person.email, "Your Baton account was locked").await;
    assert!(mail.text.contains(reason), "{}", mail.text);
    assert!(mail.html.contains("Reported for spam &lt;b&gt;twice&lt;/b&gt;"), "{}", mail.html);
    // Locking again changes nothing and records nothing.
    assert_eq!(post_reason(&app, &lock, &admin_who.access, "again").await.status(), StatusCode::NO_CONTENT);

    // Unlocked: the password signs in again; the ended sessions stay ended.
    let unlock = format!("/api/admin/users/{}/unlock", person.user_id);
    assert_eq!(app.post_bearer(&unlock, &admin_who.access, &[]).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.refresh(&other_device.refresh).await.status(), StatusCode::UNAUTHORIZED);
    let back = app.signed_in_again(&person).await;

    // The person's activity says what an administrator did and why, never who.
    let activity: Value = app.get("/api/activity", Some(&back.access)).await.json().await.unwrap();
    let events = activity["events"].as_array().unwrap();
    let locked = events.iter().find(|e| e["kind"] == "admin_locked").expect("the lock in the activity");
    assert_eq!(locked["reason"], reason);
    assert!(events.iter().any(|e| e["kind"] == "admin_unlocked"), "{activity}");
    assert!(!activity.to_string().contains(&admin_who.email));
    // The administration log: the lock with its reason, the unlock; once each.
    let audit: Value = app.get("/api/admin/audit", Some(&admin_who.access)).await.json().await.unwrap();
    let actions: Vec<(&str, &Value)> =
        audit["events"].as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap(), &e["reason"])).collect();
    assert_eq!(actions[..2], [("unlocked", &Value::Null), ("locked", &serde_json::json!(reason))]);
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_actions WHERE target_id = $1", &person.user_id).await, 2);

    // The command line locks and unlocks too, as `cli`.
    let locked = baton(&db, &["users", "lock", &person.email, "--reason", "Chargeback"]);
    assert!(locked.contains("locked"), "{locked}");
    assert!(baton(&db, &["users", "list", "--query", &person.email]).contains("locked"));
    // Another process's revocation reaches this instance by its once-a-second catch-up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while app.get("/api/me", Some(&back.access)).await.status() != StatusCode::UNAUTHORIZED {
        assert!(std::time::Instant::now() < deadline, "the command line's lock never reached the server");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_error(app.login(&person.email, PASSWORD).await, 403, "account_locked").await;
    baton(&db, &["users", "unlock", &person.email]);
    assert_eq!(app.login(&person.email, PASSWORD).await.status(), StatusCode::OK);
    let by_cli =
        "SELECT COUNT(*) FROM admin_actions WHERE target_id = $1 AND actor_email = 'cli' AND action <> 'roles_changed'";
    assert_eq!(app.count(by_cli, &person.user_id).await, 2);
}

async fn an_administrator_deletes_an_account_and_the_log_keeps_the_action_without_the_address(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let admin_who = app.signed_up().await;
    make_admin(&app, &admin_who).await;
    let person = app.signed_up().await;
    let path = format!("/api/admin/users/{}", person.user_id);
    let lock = format!("/api/admin/users/{}/lock", person.user_id);
    assert_eq!(post_reason(&app, &lock, &admin_who.access, "Looking into it").await.status(), StatusCode::NO_CONTENT);

    let missing_reason =
        send(&app, reqwest::Method::DELETE, &path, &admin_who.access, Some(serde_json::json!({}))).await;
    assert_error(missing_reason, 400, "invalid_input").await;
    let body = serde_json::json!({"reason": "Asked by the owner on the phone"});
    let deleted = send(&app, reqwest::Method::DELETE, &path, &admin_who.access, Some(body)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    // Gone as with the person's own deletion: tokens, sign-in, the row, its events.
    assert_error(app.get("/api/me", Some(&person.access)).await, 401, "invalid_token").await;
    assert_error(app.login(&person.email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE id = $1", &person.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE user_id = $1", &person.user_id).await, 0);
    assert_error(app.get(&path, Some(&admin_who.access)).await, 404, "not_found").await;
    // The last mail it gets still leaves (the outbox outlives the account), with the reason.
    let mail = smtp.mail(&person.email, "Your Baton account was deleted").await;
    assert!(mail.text.contains("Asked by the owner on the phone"), "{}", mail.text);
    // The log keeps every action on it, none with its address.
    let audit: Value = app.get("/api/admin/audit", Some(&admin_who.access)).await.json().await.unwrap();
    let on_it: Vec<&Value> =
        audit["events"].as_array().unwrap().iter().filter(|e| e["target"]["id"] == person.user_id.as_str()).collect();
    assert_eq!(on_it.len(), 2, "{audit}");
    assert_eq!(on_it[0]["action"], "deleted");
    assert_eq!(on_it[0]["reason"], "Asked by the owner on the phone");
    assert!(on_it.iter().all(|e| e["target"]["email"].is_null()), "{audit}");
    assert!(!audit.to_string().contains(&person.email));
}

async fn the_last_administrator_cannot_lock_or_delete_themselves(db: TestDb) {
    let app = db.app().await;
    let only = app.signed_up().await;
    make_admin(&app, &only).await;
    let own = format!("/api/admin/users/{}", only.user_id);
    assert_error(post_reason(&app, &format!("{own}/lock"), &only.access, "oops").await, 409, "last_admin").await;
    let delete = send(&app, reqwest::Method::DELETE, &own, &only.access, Some(serde_json::json!({"reason": "oops"})));
    assert_error(delete.await, 409, "last_admin").await;
    assert_eq!(app.get("/api/me", Some(&only.access)).await.status(), StatusCode::OK, "nothing was done");

    // A locked administrator does not count: with the other one locked, the first is
    // still the last.
    let second = app.signed_up().await;
    make_admin(&app, &second).await;
    let second_id = second.user_id.parse().unwrap();
    admin::lock(&app.state, &Actor::Cli, second_id, "away").await.unwrap();
    assert_error(post_reason(&app, &format!("{own}/lock"), &only.access, "oops").await, 409, "last_admin").await;
    // Unlocked, the second one is an administrator again, and the first may go.
    admin::unlock(&app.state, &Actor::Cli, second_id, None).await.unwrap();
    assert_eq!(
        post_reason(&app, &format!("{own}/lock"), &only.access, "stepping down").await.status(),
        StatusCode::NO_CONTENT
    );
}

/// An id no account has.
fn uuid_like() -> String {
    "01a23cdf-3db2-711b-9f92-5a419b65e011".to_string()
}
