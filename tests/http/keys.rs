//! Signing keys: the JWKS, restarts, rotation, a key from a PEM file.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    jwks_publishes_the_active_ed25519_key,
    a_restart_keeps_sessions_and_keys,
    a_rotated_key_signs_new_tokens_while_old_ones_still_verify,
    a_key_from_a_pem_file_signs_and_is_published,
);

async fn jwks(app: &TestApp) -> Value {
    let response = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn jwks_publishes_the_active_ed25519_key(db: TestDb) {
    let app = db.app().await;
    let keys = jwks(&app).await;
    let keys = keys["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert!(key.get("d").is_none(), "never the private part");
    let who = app.signed_up().await;
    let (header, _) = decode_parts(&who.access);
    assert_eq!(header["kid"], key["kid"]);
    // The published key verifies our tokens, as any resource server would use it.
    let decoding = jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["baton-api"]);
    assert!(jsonwebtoken::decode::<Value>(&who.access, &decoding, &validation).is_ok());
}

async fn a_restart_keeps_sessions_and_keys(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let before = jwks(&app).await;
    let settings = app.settings.clone();
    app.stop().await;

    let app = db.start(settings).await;
    assert_eq!(jwks(&app).await, before, "the same keys");
    assert_eq!(app.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK, "old access token verifies");
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK, "the session survived");
}

async fn a_rotated_key_signs_new_tokens_while_old_ones_still_verify(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let old_kid = decode_parts(&who.access).0["kid"].as_str().unwrap().to_string();

    let new_kid = baton::server::auth::keys::rotate(&app.state.store, &app.state.clock).await.unwrap();
    app.state.tokens.keys().reload().await.unwrap();

    let kids: Vec<String> =
        jwks(&app).await["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
    assert!(kids.contains(&old_kid) && kids.contains(&new_kid), "{kids:?}");
    assert_eq!(app.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
    let response = app.refresh(&who.refresh).await;
    assert_eq!(response.status(), StatusCode::OK, "a refresh token of the retired key still rotates");
    let rotated = refresh_cookie(&response).unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(decode_parts(body["access_token"].as_str().unwrap()).0["kid"], new_kid.as_str());
    assert_eq!(decode_parts(&rotated).0["kid"], new_kid.as_str());
}

async fn a_key_from_a_pem_file_signs_and_is_published(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let pem_path = dir.path().join("signing.pem");
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey};
    std::fs::write(&pem_path, key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let path = pem_path.clone();
    let app = db.app_with(move |s| s.tokens.signing_key_file = Some(path)).await;
    let x = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, key.verifying_key().as_bytes());
    let kid = baton::server::auth::keys::thumbprint(&x);
    let who = app.signed_up().await;
    assert_eq!(decode_parts(&who.access).0["kid"], kid.as_str());
    assert_eq!(decode_parts(&who.refresh).0["kid"], kid.as_str());
    let published = jwks(&app).await;
    assert!(published["keys"].as_array().unwrap().iter().any(|k| k["x"] == x.as_str()));
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK);
    // The private half stays in the file, never in the database.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM signing_keys WHERE kid = $1 AND private_key IS NOT NULL", &kid).await,
        0
    );
}
