//! Real OpenID Providers for the tests of "Sign in with another provider": the
//! OpenID-Certified `oidc-provider` (end2end/oidc-provider.mjs), started by
//! scripts/http.sh (scripts/oidc.sh) or by a test itself ([`spawn`]) when it must come
//! up late or go down. Against a real provider Baton meets the real protocol (PKCE,
//! cookies, consent, error redirects), not a mock's reading of it.
//!
//! The login typed at the provider decides the account: `alice@example.com` has that
//! address, verified; `unverified:bob@example.com` the same address, unverified;
//! `noemail:carol` no email at all. `sub` is stable per login. The default clients are
//! `baton` / `baton-test-secret` and `baton-other` / `baton-other-secret`, with redirect
//! URIs `http://127.0.0.1:ANY_PORT/auth/{test,other,late,second}/callback`.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::{process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// The issuer URL of the provider scripts/http.sh started as `name` (`main`, `second`,
/// `short`), from `BATON_TEST_OIDC_<NAME>`.
pub fn issuer(name: &str) -> Option<String> {
    std::env::var(format!("BATON_TEST_OIDC_{}", name.to_uppercase())).ok().filter(|url| !url.is_empty())
}

/// A provider this test started, on a port it chose beforehand (so Baton can be
/// configured with it before it is up). Killed when dropped.
pub struct ProviderProcess {
    child: Option<Child>,
}

/// Starts a provider on `port` with extra environment (`OIDC_CODE_TTL`, `OIDC_CLIENTS`,
/// …) and waits until it listens.
pub async fn spawn(port: u16, envs: &[(&str, &str)]) -> ProviderProcess {
    let mut child = Command::new("node")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/oidc-provider.mjs"))
        .arg(port.to_string())
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs end2end/oidc-provider.mjs (npm install in end2end/)");
    let mut lines = BufReader::new(child.stdout.take().expect("its stdout")).lines();
    let ready = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.expect("its stdout") {
            if line.contains("listening") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(ready, Ok(true), "the OpenID Provider on port {port} did not start (its stderr is above)");
    // Read on, so that a provider printing more (OIDC_DEBUG) never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    ProviderProcess { child: Some(child) }
}

impl ProviderProcess {
    /// Kills it (an outage): its keys, sessions and codes are gone with it; a provider
    /// spawned again on the port is a new one with new keys.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}

/// Plays the person's browser at the provider, from the authorization URL Baton
/// redirected to: follows the provider's own redirects, signs in as `login` on its
/// login page, confirms its consent page, and returns the first URL outside the
/// provider's origin, i.e. Baton's callback with `code` and `state` (or `error`). The
/// browser is fresh: no earlier session at the provider.
pub async fn log_in_at_provider(authorize_url: &str, login: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let origin = url::Url::parse(authorize_url).expect("an authorization URL").origin();
    let mut url = url::Url::parse(authorize_url).expect("an authorization URL");
    let mut response = browser.get(url.clone()).send().await.expect("the provider answers");
    for _ in 0..20 {
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers().get("location").expect("a redirect's Location").to_str().expect("ASCII");
            url = url.join(location).expect("a Location URL");
            if url.origin() != origin {
                return url.into();
            }
            response = browser.get(url.clone()).send().await.expect("the provider answers");
            continue;
        }
        let html = response.text().await.expect("a page");
        assert!(status.is_success(), "the provider answered {status} at {url}: {html}");
        // The dev interaction pages (oidc-provider 9): one form, posted to
        // /interaction/<uid>, with a hidden `prompt` of `login` or `consent`.
        let (action, mut fields) = form(&html).unwrap_or_else(|| panic!("no form at {url}: {html}"));
        if fields.iter().any(|(name, value)| name == "prompt" && value == "login") {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "any password".into()));
        }
        url = url.join(&action).expect("a form action URL");
        response = browser.post(url.clone()).form(&fields).send().await.expect("the provider answers");
    }
    panic!("no redirect out of the provider after 20 steps (last at {url})");
}

/// The first form's action and hidden fields, HTML-unescaped.
fn form(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = html.find("<form")?;
    let form = &html[start..start + html[start..].find("</form>")?];
    let action = attribute(&form[..form.find('>')?], "action")?;
    let fields = form
        .split("<input")
        .skip(1)
        .map(|input| &input[..input.find('>').unwrap_or(input.len())])
        .filter(|input| attribute(input, "type").as_deref() == Some("hidden"))
        .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value").unwrap_or_default())))
        .collect();
    Some((action, fields))
}

/// A double-quoted attribute of a tag (as oidc-provider's templates write them).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = &tag[start..start + tag[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The provider's metadata (OpenID Connect Discovery).
pub async fn discovery(issuer: &str) -> serde_json::Value {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    reqwest::get(&url).await.expect("the provider answers").json().await.expect("its metadata")
}

/// The test as a client itself: an authorization code for `client_id` at `login`, with
/// PKCE, and its verifier.
pub async fn code_for(issuer: &str, client_id: &str, redirect_uri: &str, login: &str) -> (String, String) {
    authorize(issuer, client_id, redirect_uri, login, &uuid::Uuid::new_v4().to_string()).await
}

/// The test as a client itself: a real ID token for `client_id`, signed by the
/// provider, for unit-level checks of Baton's ID-token validation.
pub async fn id_token_for(
    issuer: &str,
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    login: &str,
    nonce: &str,
) -> String {
    let (code, verifier) = authorize(issuer, client_id, redirect_uri, login, nonce).await;
    let (status, body) = exchange(issuer, client_id, client_secret, redirect_uri, &code, &verifier).await;
    assert!(status.is_success(), "the token endpoint answered {status}: {body}");
    body["id_token"].as_str().expect("an id_token").to_string()
}

/// The token request for `code` (client_secret_basic): its status and JSON body, e.g.
/// 400 `{"error":"invalid_grant",…}` for a code of another client or an expired one.
pub async fn exchange(
    issuer: &str,
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let endpoint = discovery(issuer).await["token_endpoint"].as_str().expect("a token_endpoint").to_string();
    let response = reqwest::Client::new()
        .post(endpoint)
        .basic_auth(client_id, Some(client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("the provider answers");
    (response.status(), response.json().await.expect("a JSON body"))
}

/// An ID token's claims, unverified (the test reads what the provider wrote).
pub fn claims(id_token: &str) -> serde_json::Value {
    let payload = id_token.split('.').nth(1).expect("a JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

async fn authorize(issuer: &str, client_id: &str, redirect_uri: &str, login: &str, nonce: &str) -> (String, String) {
    let endpoint = discovery(issuer).await["authorization_endpoint"].as_str().expect("an endpoint").to_string();
    let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = uuid::Uuid::new_v4().to_string();
    let url = url::Url::parse_with_params(
        &endpoint,
        [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid email profile"),
            ("state", &state),
            ("nonce", nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("an authorization URL");
    let callback = url::Url::parse(&log_in_at_provider(url.as_str(), login).await).expect("a callback URL");
    let param = |name: &str| callback.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    assert_eq!(param("state").as_deref(), Some(state.as_str()), "the state comes back: {callback}");
    let code = param("code").unwrap_or_else(|| panic!("no code in {callback}"));
    (code, verifier)
}
