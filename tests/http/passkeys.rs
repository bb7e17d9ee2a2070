//! Passkeys (docs/API.md, "Passkeys") against a software passkey: 1Password's
//! `passkey` crate, an authenticator and a WebAuthn client that turn the server's JSON
//! options into JSON credentials exactly as a browser does (discoverable credentials,
//! user handles, sign counters). The server runs as `https://login.baton.test`, a
//! domain, as WebAuthn wants.

use crate::helpers::*;
use crate::on_both_backends;
use passkey::{
    authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod},
    client::{Client as WebauthnClient, DefaultClientData},
    crypto::AvailableBackend,
    types::{
        ctap2::{Aaguid, Ctap2Error},
        webauthn::{CredentialCreationOptions, CredentialRequestOptions},
        Passkey,
    },
};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use url::Url;

on_both_backends!(
    a_passkey_is_added_listed_and_signs_in_without_a_password,
    a_locked_account_s_passkey_is_told_account_locked,
    the_sign_counter_is_kept_and_a_cloned_passkey_is_refused,
    an_assertion_from_another_origin_is_refused,
    an_assertion_for_another_rp_id_is_refused,
    a_challenge_is_answered_once,
    an_unknown_or_removed_passkey_does_not_sign_in,
    adding_or_removing_a_passkey_needs_a_recent_sign_in,
    a_passkey_re_authenticates_its_owner_only,
    the_last_passkey_of_an_account_without_a_password_or_provider_stays,
);

const ORIGIN: &str = "https://login.baton.test";

/// A person's device: a software authenticator holding (at most) one passkey, that
/// says it verified its user (a screen lock, a PIN).
#[derive(Clone, Default)]
struct SoftPasskey {
    stored: Option<Passkey>,
}

struct VerifiedUser;

#[async_trait::async_trait]
impl UserValidationMethod for VerifiedUser {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck { presence, verification })
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }
}

impl SoftPasskey {
    /// The device's authenticator, holding its passkey (given back after each use).
    fn authenticator(&mut self) -> Authenticator<Option<Passkey>, VerifiedUser, AvailableBackend> {
        let mut authenticator =
            Authenticator::new(Aaguid::new_empty(), self.stored.take(), VerifiedUser, AvailableBackend);
        authenticator.set_make_credentials_with_signature_counter(true);
        authenticator
    }

    /// What `navigator.credentials.create` gives at `origin` for the server's options.
    async fn create(&mut self, origin: &str, options: &Value) -> Value {
        let options: CredentialCreationOptions = serde_json::from_value(options.clone()).expect("creation options");
        let origin = Url::parse(origin).unwrap();
        let mut client = WebauthnClient::new(self.authenticator());
        let created = client.register(&origin, options, DefaultClientData).await;
        self.stored = client.authenticator().store().clone();
        as_browser_json(serde_json::to_value(created.expect("the passkey is created")).unwrap())
    }

    /// What `navigator.credentials.get` gives at `origin`, or why it did not.
    async fn get(&mut self, origin: &str, options: &Value) -> Result<Value, String> {
        let options: CredentialRequestOptions = serde_json::from_value(options.clone()).expect("request options");
        let origin = Url::parse(origin).unwrap();
        let mut client = WebauthnClient::new(self.authenticator());
        let got = client.authenticate(&origin, options, DefaultClientData).await;
        self.stored = client.authenticator().store().clone();
        got.map(|c| as_browser_json(serde_json::to_value(c).unwrap())).map_err(|e| format!("{e:?}"))
    }
}

/// The credential as a browser's `toJSON()` writes it: bytes as base64url text (the
/// crate writes them as arrays of numbers).
fn as_browser_json(value: Value) -> Value {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.as_u64().is_some_and(|n| n < 256)) => {
            let bytes: Vec<u8> = items.iter().map(|i| i.as_u64().unwrap() as u8).collect();
            Value::String(URL_SAFE_NO_PAD.encode(bytes))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(as_browser_json).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_browser_json(v))).collect()),
        other => other,
    }
}

async fn post_json(app: &Client, path: &str, bearer: Option<&str>, body: &Value) -> Response {
    let mut request = app.http.post(app.url(path)).json(body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// Adds a passkey on `device` to `who`'s account: its id.
async fn add(app: &Client, who: &SignedIn, device: &mut SoftPasskey, name: &str) -> String {
    let response = post_json(app, "/api/passkeys/register/start", Some(&who.access), &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let options: Value = response.json().await.unwrap();
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "preferred", "{options}");
    // Consistent with "preferred" (browsers refuse "userVerificationRequired" with it).
    assert_eq!(
        options["publicKey"]["extensions"]["credentialProtectionPolicy"],
        "userVerificationOptionalWithCredentialIDList"
    );
    assert_eq!(options["publicKey"]["rp"]["id"], "login.baton.test");
    let credential = device.create(ORIGIN, &json!({ "publicKey": options["publicKey"] })).await;
    let body = json!({ "name": name, "credential": credential });
    let response = post_json(app, "/api/passkeys/register/finish", Some(&who.access), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let added: Value = response.json().await.unwrap();
    assert_eq!(added["name"], name);
    assert!(added["last_used_at"].is_null());
    added["id"].as_str().unwrap().to_string()
}

/// A sign-in ceremony: its id and the options for the browser.
async fn start(app: &Client) -> (String, Value) {
    let response = post_json(app, "/api/auth/passkey/start", None, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["publicKey"]["rpId"], "login.baton.test");
    assert!(body["publicKey"]["allowCredentials"].as_array().is_none_or(|a| a.is_empty()), "discoverable: {body}");
    (body["challenge_id"].as_str().unwrap().to_string(), json!({ "publicKey": body["publicKey"] }))
}

async fn finish(app: &Client, challenge_id: &str, credential: &Value) -> Response {
    post_json(app, "/api/auth/passkey/finish", None, &json!({ "challenge_id": challenge_id, "credential": credential }))
        .await
}

/// Signs in with `device`'s passkey at the right origin.
async fn sign_in(app: &Client, device: &mut SoftPasskey) -> Response {
    let (id, options) = start(app).await;
    let credential = device.get(ORIGIN, &options).await.expect("an assertion");
    finish(app, &id, &credential).await
}

/// A server whose relying party is [`ORIGIN`].
async fn app_for(db: &TestDb) -> TestApp {
    app_adjusted(db, |_| {}).await
}

/// [`app_for`] with more settings adjusted.
async fn app_adjusted(db: &TestDb, adjust: impl FnOnce(&mut baton::server::config::Settings)) -> TestApp {
    db.app_with(|s| {
        s.tokens.public_origin = Some(ORIGIN.to_string());
        adjust(s);
    })
    .await
}

async fn a_passkey_is_added_listed_and_signs_in_without_a_password(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    let id = add(&app, &who, &mut device, "Work laptop").await;
    let list: Value = app.get("/api/passkeys", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    // The WebAuthn credential id, base64url, as the browser's password manager knows it.
    let credential_id = list[0]["credential_id"].as_str().unwrap();
    assert!(credential_id.len() >= 22 && !credential_id.contains(['+', '/', '=']), "{credential_id}");

    let response = sign_in(&app, &mut device).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = SignedIn::from_response(response, &who.email).await;
    assert_eq!(session.user_id, who.user_id);
    // A normal session: it rotates.
    assert_eq!(app.refresh(&session.refresh).await.status(), StatusCode::OK);
    // A passkey is two factors: with the app on, still no second step.
    let list: Value = app.get("/api/passkeys", Some(&session.access)).await.json().await.unwrap();
    assert!(list[0]["last_used_at"].is_string());
    let page: Value = app.get("/api/activity", Some(&session.access)).await.json().await.unwrap();
    let kinds: Vec<&str> = page["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"passkey_added") && kinds.contains(&"signed_in"), "{kinds:?}");
    // Nothing secret in the export; the passkey's name and dates are.
    let export = app.get("/api/account/export", Some(&session.access)).await.text().await.unwrap();
    assert!(export.contains("Work laptop") && !export.contains("cred_id") && !export.contains("\"key\""), "{export}");
}

async fn a_locked_account_s_passkey_is_told_account_locked(db: TestDb) {
    use baton::server::{auth::admin, store::admin_actions::Actor};
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    add(&app, &who, &mut device, "Phone").await;
    let id = who.user_id.parse().unwrap();
    admin::lock(&app.state, &Actor::Cli, id, "lost phone").await.unwrap();
    assert_error(sign_in(&app, &mut device).await, 403, "account_locked").await;
    admin::unlock(&app.state, &Actor::Cli, id, None).await.unwrap();
    assert_eq!(sign_in(&app, &mut device).await.status(), StatusCode::OK);
}

async fn the_sign_counter_is_kept_and_a_cloned_passkey_is_refused(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    add(&app, &who, &mut device, "Phone").await;
    assert_eq!(sign_in(&app, &mut device).await.status(), StatusCode::OK);
    let mut clone = device.clone();
    assert_eq!(sign_in(&app, &mut device).await.status(), StatusCode::OK);
    assert_eq!(sign_in(&app, &mut device).await.status(), StatusCode::OK);
    // The clone's counter is behind the one the server saw last.
    assert_error(sign_in(&app, &mut clone).await, 401, "invalid_code").await;
}

async fn an_assertion_from_another_origin_is_refused(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    add(&app, &who, &mut device, "Phone").await;
    let (id, options) = start(&app).await;
    // A phishing page on a sibling host: the RP ID is allowed there, the origin is not ours.
    let credential = device.get("https://evil.login.baton.test", &options).await;
    let credential = credential.unwrap_or_else(|e| panic!("the client refused on its own: {e}"));
    let refused = finish(&app, &id, &credential).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "invalid_code");
    // A known passkey used wrongly is not "unknown": the password manager must keep it.
    assert!(body.get("unknown_credential").is_none(), "{body}");
}

async fn an_assertion_for_another_rp_id_is_refused(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    // A passkey made for the parent domain, from our own origin: the RP ID is not ours.
    let response = post_json(&app, "/api/passkeys/register/start", Some(&who.access), &json!({})).await;
    let mut options: Value = response.json().await.unwrap();
    options["publicKey"]["rp"]["id"] = json!("baton.test");
    let credential = device.create(ORIGIN, &json!({ "publicKey": options["publicKey"] })).await;
    let response = post_json(
        &app,
        "/api/passkeys/register/finish",
        Some(&who.access),
        &json!({ "name": "x", "credential": credential }),
    )
    .await;
    assert_error(response, 401, "invalid_code").await;
    // And an assertion for that RP ID.
    let (id, mut options) = start(&app).await;
    options["publicKey"]["rpId"] = json!("baton.test");
    let credential = device.get(ORIGIN, &options).await.expect("the device signs for baton.test");
    assert_error(finish(&app, &id, &credential).await, 401, "invalid_code").await;
}

async fn a_challenge_is_answered_once(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    add(&app, &who, &mut device, "Phone").await;
    let (id, options) = start(&app).await;
    let credential = device.get(ORIGIN, &options).await.unwrap();
    assert_eq!(finish(&app, &id, &credential).await.status(), StatusCode::OK);
    assert_error(finish(&app, &id, &credential).await, 401, "invalid_code").await;
    // Nor is an assertion good for another challenge.
    let (other, _) = start(&app).await;
    assert_error(finish(&app, &other, &credential).await, 401, "invalid_code").await;
    assert_error(finish(&app, "not-a-challenge", &credential).await, 401, "invalid_code").await;
    assert_error(finish(&app, &other, &json!({"id": 1})).await, 400, "invalid_input").await;
}

async fn an_unknown_or_removed_passkey_does_not_sign_in(db: TestDb) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let smtp_url = baton::server::config::SmtpUrl::parse(&smtp.url()).unwrap();
    let app = app_adjusted(&db, |s| s.mail.smtp_url = Some(smtp_url)).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    let id = add(&app, &who, &mut device, "Phone").await;
    // Another account's server never saw this one.
    let mut stranger = SoftPasskey::default();
    let someone = app.verified_up().await;
    add(&app, &someone, &mut stranger, "Theirs").await;
    let response =
        app.http.delete(app.url(&format!("/api/passkeys/{id}"))).bearer_auth(&someone.access).send().await.unwrap();
    assert_error(response, 404, "not_found").await;

    let list: Value = app.get("/api/passkeys", Some(&who.access)).await.json().await.unwrap();
    let credential_id = list[0]["credential_id"].as_str().unwrap().to_string();
    let response =
        app.http.delete(app.url(&format!("/api/passkeys/{id}"))).bearer_auth(&who.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // The refusal names the credential the server does not know, for the browser's
    // `signalUnknownCredential`.
    let refused = sign_in(&app, &mut device).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["unknown_credential"].as_str()),
        (Some("invalid_code"), Some(credential_id.as_str()))
    );
    let response =
        app.http.delete(app.url(&format!("/api/passkeys/{id}"))).bearer_auth(&who.access).send().await.unwrap();
    assert_error(response, 404, "not_found").await;
    let page: Value = app.get("/api/activity", Some(&who.access)).await.json().await.unwrap();
    assert!(page["events"].as_array().unwrap().iter().any(|e| e["kind"] == "passkey_removed"));
    // Both changes were mailed to the owner.
    smtp.mail(&who.email, "A passkey was added to your account").await;
    smtp.mail(&who.email, "A passkey was removed from your account").await;
}

/// An account whose only ways in are passkeys (made through a provider, which it then
/// disconnected) keeps its last one: 409 `last_sign_in_method`, and the passkey stays.
async fn the_last_passkey_of_an_account_without_a_password_or_provider_stays(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let (mut phone, mut laptop) = (SoftPasskey::default(), SoftPasskey::default());
    let first = add(&app, &who, &mut phone, "Phone").await;
    let last = add(&app, &who, &mut laptop, "Laptop").await;
    // The state a provider-made account reaches once it disconnects the provider.
    sqlx::query("UPDATE users SET password_hash = '' WHERE id = $1")
        .bind(&who.user_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let remove = |id: String| app.http.delete(app.url(&format!("/api/passkeys/{id}"))).bearer_auth(&who.access).send();
    assert_eq!(remove(first).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_error(remove(last).await.unwrap(), 409, "last_sign_in_method").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys WHERE user_id = $1", &who.user_id).await, 1);
    let response = sign_in(&app, &mut laptop).await;
    assert_eq!(response.status(), StatusCode::OK, "the last passkey still signs in");
}

async fn adding_or_removing_a_passkey_needs_a_recent_sign_in(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    let id = add(&app, &who, &mut device, "Phone").await;
    app.past_the_reauth_window();
    let response = post_json(&app, "/api/passkeys/register/start", Some(&who.access), &json!({})).await;
    assert_error(response, 403, "reauth_required").await;
    let response =
        app.http.delete(app.url(&format!("/api/passkeys/{id}"))).bearer_auth(&who.access).send().await.unwrap();
    assert_error(response, 403, "reauth_required").await;
}

async fn a_passkey_re_authenticates_its_owner_only(db: TestDb) {
    let app = app_for(&db).await;
    let who = app.verified_up().await;
    let mut device = SoftPasskey::default();
    add(&app, &who, &mut device, "Phone").await;
    let someone = app.verified_up().await;
    app.past_the_reauth_window();

    // Someone else's session cannot borrow this passkey.
    let (id, options) = start(&app).await;
    let credential = device.get(ORIGIN, &options).await.unwrap();
    let body = json!({ "challenge_id": id, "credential": credential });
    assert_error(post_json(&app, "/api/auth/reauth", Some(&someone.access), &body).await, 401, "invalid_code").await;

    let (id, options) = start(&app).await;
    let credential = device.get(ORIGIN, &options).await.unwrap();
    let body = json!({ "challenge_id": id, "credential": credential });
    let response = post_json(&app, "/api/auth/reauth", Some(&who.access), &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh: Value = response.json().await.unwrap();
    let response = app.get("/api/account/export", Some(fresh["access_token"].as_str().unwrap())).await;
    assert_eq!(response.status(), StatusCode::OK, "a passkey counts as a recent sign-in");
}
