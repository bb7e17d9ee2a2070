//! Forged, tampered, confused and expired tokens: each gets a clear 401 and nothing.

use crate::helpers::*;
use crate::on_both_backends;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

on_both_backends!(
    a_token_with_alg_none_is_refused,
    hs256_signed_with_the_public_key_is_refused,
    a_tampered_payload_is_refused,
    a_token_signed_by_another_key_under_our_kid_is_refused,
    a_refresh_token_is_not_an_access_token,
    an_access_token_is_not_a_refresh_token,
    an_expired_access_token_is_refused,
    a_wrong_issuer_is_refused,
    missing_and_malformed_authorization_is_invalid_token,
);

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

async fn assert_refused_as_bearer(app: &TestApp, token: &str) {
    let response = app.get("/api/me", Some(token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], r#"Bearer error="invalid_token""#);
    assert_eq!(code(response).await, "invalid_token");
}

async fn a_token_with_alg_none_is_refused(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let (mut header, claims) = decode_parts(&who.access);
    header["alg"] = json!("none");
    assert_refused_as_bearer(&app, &format!("{}.{}.", b64(&header), b64(&claims))).await;
    // Even keeping the original signature.
    let signature = who.access.rsplit('.').next().unwrap();
    assert_refused_as_bearer(&app, &format!("{}.{}.{signature}", b64(&header), b64(&claims))).await;
}

async fn hs256_signed_with_the_public_key_is_refused(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let (header, claims) = decode_parts(&who.access);
    let jwks: Value = app.get("/.well-known/jwks.json", None).await.json().await.unwrap();
    let x = jwks["keys"][0]["x"].as_str().unwrap().to_string();
    let raw = URL_SAFE_NO_PAD.decode(&x).unwrap();
    // The classic key-confusion attack: the public key, as known to all, used as an
    // HMAC secret, in each form an attacker might try.
    for secret in [raw.clone(), x.clone().into_bytes(), jwks["keys"][0].to_string().into_bytes()] {
        let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        forged_header.typ = Some("at+jwt".into());
        forged_header.kid = header["kid"].as_str().map(str::to_string);
        let forged =
            jsonwebtoken::encode(&forged_header, &claims, &jsonwebtoken::EncodingKey::from_secret(&secret)).unwrap();
        assert_refused_as_bearer(&app, &forged).await;
    }
}

async fn a_tampered_payload_is_refused(db: TestDb) {
    let app = db.app().await;
    let victim = app.signed_up().await;
    let attacker = app.signed_up().await;
    let (_, mut claims) = decode_parts(&attacker.access);
    claims["sub"] = json!(victim.user_id);
    let mut parts: Vec<&str> = attacker.access.split('.').collect();
    let payload = b64(&claims);
    parts[1] = &payload;
    assert_refused_as_bearer(&app, &parts.join(".")).await;
    // Flipping one character of the signature.
    let mut flipped = attacker.access.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    assert_refused_as_bearer(&app, &String::from_utf8(flipped).unwrap()).await;
}

async fn a_token_signed_by_another_key_under_our_kid_is_refused(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let (header, claims) = decode_parts(&who.access);
    let other = baton::server::auth::keys::generate().unwrap();
    use base64::engine::general_purpose::STANDARD;
    let der = STANDARD.decode(&other.private_pkcs8).unwrap();
    let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    forged_header.typ = Some("at+jwt".into());
    forged_header.kid = header["kid"].as_str().map(str::to_string);
    let forged = jsonwebtoken::encode(&forged_header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(&der)).unwrap();
    assert_refused_as_bearer(&app, &forged).await;
    // And under its own, unknown kid.
    forged_header.kid = Some(other.kid.clone());
    let forged = jsonwebtoken::encode(&forged_header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(&der)).unwrap();
    assert_refused_as_bearer(&app, &forged).await;
}

async fn a_refresh_token_is_not_an_access_token(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    assert_refused_as_bearer(&app, &who.refresh).await;
}

async fn an_access_token_is_not_a_refresh_token(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    assert_error(app.refresh(&who.access).await, 401, "invalid_refresh_token").await;
    // The session itself is unharmed.
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK);
}

async fn an_expired_access_token_is_refused(db: TestDb) {
    // `iat` and `exp` are whole seconds, so a token of 1 s could be issued a moment
    // before its own `exp`; 2 s leaves it at least a second to be accepted.
    let app = db.app_with(|s| s.tokens.access_ttl = Duration::from_secs(2)).await;
    let who = app.signed_up().await;
    assert_eq!(app.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_refused_as_bearer(&app, &who.access).await;
    // The refresh cookie still gets a fresh one.
    let response = app.refresh(&who.refresh).await;
    let access = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/me", Some(&access)).await.status(), StatusCode::OK);
}

async fn a_wrong_issuer_is_refused(db: TestDb) {
    let app = db.app().await;
    // Same database, same keys, another issuer: its tokens are not ours.
    let mut settings = app.settings.clone();
    settings.tokens.issuer = "someone-else".into();
    let stranger = db.start(settings).await;
    let who = stranger.signed_up().await;
    assert_refused_as_bearer(&app, &who.access).await;
    assert_error(app.refresh(&who.refresh).await, 401, "invalid_refresh_token").await;
}

async fn missing_and_malformed_authorization_is_invalid_token(db: TestDb) {
    let app = db.app().await;
    let response = app.get("/api/me", None).await;
    assert_eq!(response.headers()["www-authenticate"], r#"Bearer error="invalid_token""#);
    assert_error(response, 401, "invalid_token").await;
    for value in ["Basic YWRhOnB3", "Bearer", "Bearer a.b", "Bearer ...", "Bearer eyJ!!.eyJ.x"] {
        let response = app.http.get(app.url("/api/sessions")).header("authorization", value).send().await.unwrap();
        assert_error(response, 401, "invalid_token").await;
    }
}
