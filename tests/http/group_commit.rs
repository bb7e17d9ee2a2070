//! Rotations committed together (SQLite's group commit) answer exactly as if each had
//! its own transaction, and nothing an answer promised is lost when the process dies.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

on_both_backends!(
    a_contested_token_gives_exactly_one_success_while_other_sessions_rotate_in_the_same_batches,
    many_sessions_rotating_at_once_each_get_their_own_successor,
);

/// Twenty presentations of one token (grace 0) land in batches together with other
/// sessions' rotations: still exactly one 200, the rest reuse, and the other sessions
/// all rotate.
async fn a_contested_token_gives_exactly_one_success_while_other_sessions_rotate_in_the_same_batches(db: TestDb) {
    let app = db
        .app_with(|s| {
            s.tokens.reuse_grace = Duration::ZERO;
            s.limits.register_limit = 100;
        })
        .await;
    let contested = app.signed_up().await;
    let mut bystanders = Vec::new();
    for _ in 0..10 {
        bystanders.push(app.signed_up().await);
    }
    let mut attempts = Vec::new();
    for i in 0..20 {
        let client = app.client.clone();
        let token = contested.refresh.clone();
        attempts.push(tokio::spawn(async move { (true, client.refresh(&token).await) }));
        if i < bystanders.len() {
            let client = app.client.clone();
            let token = bystanders[i].refresh.clone();
            attempts.push(tokio::spawn(async move { (false, client.refresh(&token).await) }));
        }
    }
    let mut contested_answers = Vec::new();
    for attempt in attempts {
        let (is_contested, response) = attempt.await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        if is_contested {
            contested_answers.push((status, body["code"].as_str().unwrap_or("").to_string()));
        } else {
            assert_eq!(status, 200, "a bystander's rotation: {body}");
        }
    }
    let ok = contested_answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{contested_answers:?}");
    assert!(
        contested_answers.iter().all(|(s, c)| *s == 200 || (*s == 401 && c == "refresh_token_reused")),
        "{contested_answers:?}"
    );
}

/// Sixteen sessions rotating as fast as they can: every answer is its own session's
/// successor, and each next presentation rotates again.
async fn many_sessions_rotating_at_once_each_get_their_own_successor(db: TestDb) {
    let app = db.app_with(|s| s.limits.register_limit = 100).await;
    let mut sessions = Vec::new();
    for _ in 0..16 {
        sessions.push(app.signed_up().await);
    }
    let workers: Vec<_> = sessions
        .into_iter()
        .map(|who| {
            let client = app.client.clone();
            tokio::spawn(async move {
                let sid = decode_parts(&who.refresh).1["sid"].clone();
                let mut current = who.refresh;
                for _ in 0..15 {
                    let response = client.refresh(&current).await;
                    assert_eq!(response.status(), StatusCode::OK);
                    let next = refresh_cookie(&response).unwrap();
                    assert_eq!(decode_parts(&next).1["sid"], sid, "the successor belongs to the same session");
                    assert_ne!(next, current);
                    current = next;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
}

/// Sessions rotating in a loop, the server killed with SIGKILL mid-way, three times:
/// after each restart every session rotates again from the last token whose answer
/// arrived (or, if a rotation was committed but its answer lost, gets that one back
/// through the grace window), and SQLite's integrity check passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_rotation_whose_answer_arrived() {
    let Some(db) = TestDb::create(Db::Sqlite).await else { return };
    let env = [("BATON_REUSE_GRACE", "60s"), ("BATON_REFRESH_LIMIT", "1000000"), ("BATON_REGISTER_LIMIT", "1000")];
    let mut server = Instance::spawn(db.url(), &env).await;
    let mut tokens = Vec::new();
    for _ in 0..8 {
        tokens.push(server.signed_up().await.refresh);
    }
    for round in 0..3 {
        // Rotate until killed; keep the token of each answer that arrived.
        let started = Instant::now();
        let workers: Vec<_> = tokens
            .iter()
            .cloned()
            .map(|mut token| {
                let client = server.client.clone();
                tokio::spawn(async move {
                    while started.elapsed() < Duration::from_secs(3) {
                        let request = client.http.post(client.url("/api/auth/refresh"));
                        let request = request.header("cookie", format!("{}={token}", client.cookie_name));
                        match request.send().await {
                            Ok(response) if response.status() == StatusCode::OK => {
                                token = refresh_cookie(&response).unwrap();
                            }
                            Ok(response) => panic!("round {round}: {}", response.status()),
                            Err(_) => break, // the server is gone
                        }
                    }
                    token
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.kill();
        tokens = futures::future::join_all(workers).await.into_iter().map(Result::unwrap).collect();

        let integrity: String = {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(db.url()).await.unwrap();
            sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap()
        };
        assert_eq!(integrity, "ok", "round {round}");

        server = Instance::spawn(db.url(), &env).await;
        for token in tokens.iter_mut() {
            let response = server.refresh(token).await;
            assert_eq!(response.status(), StatusCode::OK, "round {round}: a session lost its rotation");
            *token = refresh_cookie(&response).unwrap();
        }
    }
}
