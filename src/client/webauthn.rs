//! The browser's WebAuthn API (`navigator.credentials`), for passkeys. The server
//! sends options as JSON and takes credentials as JSON; the browser's own
//! `PublicKeyCredential.parse…OptionsFromJSON` and `toJSON` (WebAuthn Level 3) convert,
//! so no base64 is handled here.

use super::api;
use crate::shared::{
    i18n::Words,
    wire::{PasskeyAssertion, PasskeyOptions},
};
use js_sys::{Function, Object, Promise, Reflect, JSON};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a ceremony did not give a credential, as the page says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The person cancelled, or chose nothing this device has (the browser does not
    /// say which, on purpose).
    NotAllowed,
    /// This browser has no passkey support (or lacks WebAuthn Level 3).
    Unsupported,
    /// A passkey for this account is on this device already.
    AlreadyRegistered,
    /// Cancelled by the page (the autofill request, when the button is pressed).
    Aborted,
    Other(String),
}

impl Failure {
    pub fn words(self) -> Words {
        match self {
            Failure::NotAllowed => Words::pick(|t| t.passkey.not_allowed),
            Failure::Unsupported => Words::pick(|t| t.passkey.unsupported),
            Failure::AlreadyRegistered => Words::pick(|t| t.passkey.already_registered),
            Failure::Aborted => Words::pick(|t| t.passkey.aborted),
            Failure::Other(what) => Words::new(move |t| (t.passkey.failed)(&what)),
        }
    }
}

fn failure(error: JsValue) -> Failure {
    let name = Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    // What the browser said, for whoever opens the console (never shown on the page).
    let said = Reflect::get(&error, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
    leptos::logging::warn!("WebAuthn: {name}: {said}");
    match name.as_str() {
        "NotAllowedError" => Failure::NotAllowed,
        "InvalidStateError" => Failure::AlreadyRegistered,
        "AbortError" => Failure::Aborted,
        "NotSupportedError" => Failure::Unsupported,
        _ => Failure::Other(Reflect::get(&error, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or(name)),
    }
}

/// `PublicKeyCredential`, if the browser has it.
fn public_key_credential() -> Option<JsValue> {
    let class = Reflect::get(&js_sys::global(), &"PublicKeyCredential".into()).ok()?;
    (!class.is_undefined()).then_some(class)
}

/// Calls the static `PublicKeyCredential.<name>(json)`.
fn parse_options(name: &str, options: &Value) -> Result<JsValue, Failure> {
    let class = public_key_credential().ok_or(Failure::Unsupported)?;
    let parse: Function =
        Reflect::get(&class, &name.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or(Failure::Unsupported)?;
    let json = JSON::parse(&options.to_string()).map_err(failure)?;
    parse.call1(&class, &json).map_err(failure)
}

/// The credential's `toJSON()`, as JSON.
fn credential_json(credential: JsValue) -> Result<Value, Failure> {
    let to_json: Function =
        Reflect::get(&credential, &"toJSON".into()).ok().and_then(|f| f.dyn_into().ok()).ok_or(Failure::Unsupported)?;
    let json = to_json.call0(&credential).map_err(failure)?;
    let text: String = JSON::stringify(&json).map_err(failure)?.into();
    serde_json::from_str(&text).map_err(|e| Failure::Other(e.to_string()))
}

fn credentials() -> Result<web_sys::CredentialsContainer, Failure> {
    web_sys::window().map(|w| w.navigator().credentials()).ok_or(Failure::Unsupported)
}

/// Creates a passkey from the server's creation options (`publicKey`): `conditional`
/// asks the password manager to make one quietly, if it will (no dialog; it may never
/// answer), else the browser asks at once.
pub async fn create(public_key: &Value, conditional: bool) -> Result<Value, Failure> {
    let options = Object::new();
    let parsed = parse_options("parseCreationOptionsFromJSON", public_key)?;
    Reflect::set(&options, &"publicKey".into(), &parsed).map_err(failure)?;
    if conditional {
        Reflect::set(&options, &"mediation".into(), &"conditional".into()).map_err(failure)?;
    }
    let promise = credentials()?.create_with_options(options.unchecked_ref()).map_err(failure)?;
    let credential = JsFuture::from(promise).await.map_err(failure)?;
    credential_json(credential)
}

/// Signs in with a passkey from the server's request options (`publicKey`):
/// `conditional` waits for the person to pick one in the Email box's autofill, else
/// the browser asks at once. `signal` cancels the request.
pub async fn get(
    public_key: &Value,
    conditional: bool,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Value, Failure> {
    let options = Object::new();
    let parsed = parse_options("parseRequestOptionsFromJSON", public_key)?;
    Reflect::set(&options, &"publicKey".into(), &parsed).map_err(failure)?;
    if conditional {
        Reflect::set(&options, &"mediation".into(), &"conditional".into()).map_err(failure)?;
    }
    if let Some(signal) = signal {
        Reflect::set(&options, &"signal".into(), signal).map_err(failure)?;
    }
    let promise = credentials()?.get_with_options(options.unchecked_ref()).map_err(failure)?;
    let credential = JsFuture::from(promise).await.map_err(failure)?;
    credential_json(credential)
}

/// Whether the browser offers passkeys in autofill (conditional mediation).
pub async fn autofill_available() -> bool {
    let Some(class) = public_key_credential() else { return false };
    let Some(check) = Reflect::get(&class, &"isConditionalMediationAvailable".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = check.call0(&class) else { return false };
    let Ok(promise) = promise.dyn_into::<Promise>() else { return false };
    JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// Whether the browser creates passkeys without a dialog after a sign-in
/// (`getClientCapabilities()` reports `conditionalCreate`).
pub async fn conditional_create_available() -> bool {
    let Some(class) = public_key_credential() else { return false };
    let Some(ask) =
        Reflect::get(&class, &"getClientCapabilities".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = ask.call0(&class).and_then(|p| p.dyn_into::<Promise>()) else {
        return false;
    };
    let Ok(capabilities) = JsFuture::from(promise).await else { return false };
    Reflect::get(&capabilities, &"conditionalCreate".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// Tells the password manager something through the WebAuthn Signal API
/// (`PublicKeyCredential.<name>(details)`), where the browser has it: `rpId` is this
/// page's host, which is the relying party's wherever passkeys work ([`here`]). What
/// comes of it is ignored: a signal only tidies what the person is offered.
fn signal(name: &str, details: &[(&str, JsValue)]) {
    let Some(class) = public_key_credential() else { return };
    let Some(function) = Reflect::get(&class, &name.into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) else {
        return;
    };
    let Some(host) = web_sys::window().and_then(|w| w.location().hostname().ok()) else { return };
    let argument = Object::new();
    let _ = Reflect::set(&argument, &"rpId".into(), &host.into());
    for (key, value) in details {
        let _ = Reflect::set(&argument, &(*key).into(), value);
    }
    if let Ok(promise) = function.call1(&class, &argument).and_then(|p| p.dyn_into::<Promise>()) {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// The server does not know `credential_id` (a passkey removed elsewhere): the password
/// manager may stop offering it.
pub fn signal_unknown_credential(credential_id: &str) {
    signal("signalUnknownCredential", &[("credentialId", credential_id.into())]);
}

/// The account `user_id` (its uuid) has exactly these passkeys now.
pub fn signal_accepted_credentials(user_id: &str, credential_ids: &[String]) {
    let Some(user) = user_handle(user_id) else { return };
    let ids: js_sys::Array = credential_ids.iter().map(|id| JsValue::from_str(id)).collect();
    signal("signalAllAcceptedCredentials", &[("userId", user.into()), ("allAcceptedCredentialIds", ids.into())]);
}

/// The account `user_id` is called `email` now (its name on its passkeys).
pub fn signal_current_user(user_id: &str, email: &str) {
    let Some(user) = user_handle(user_id) else { return };
    signal(
        "signalCurrentUserDetails",
        &[("userId", user.into()), ("name", email.into()), ("displayName", email.into())],
    );
}

/// The WebAuthn user handle of the account `uuid`, as the Signal API takes it: the
/// server registers passkeys with the uuid's 16 bytes, here in base64url.
fn user_handle(uuid: &str) -> Option<String> {
    let hex: Vec<u8> = uuid.bytes().filter(|b| *b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        hex.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect();
    Some(base64url(&bytes?))
}

/// Base64url without padding (RFC 4648 §5), for the 16 bytes of a user handle.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Whether passkeys can work on this page at all: WebAuthn refuses an IP address as
/// the site (no need to ask the server to start a ceremony there).
pub fn possible_here() -> bool {
    let host = web_sys::window().and_then(|w| w.location().hostname().ok()).unwrap_or_default();
    host.parse::<std::net::Ipv4Addr>().is_err() && !host.starts_with('[')
}

/// Whether this page is where passkeys work (the relying party's `origin`): WebAuthn
/// binds a passkey to its site, and the server's is `localhost` without a public origin.
pub fn here(origin: &str) -> bool {
    web_sys::window().and_then(|w| w.location().origin().ok()).is_some_and(|here| here == origin)
}

/// Starts a passkey sign-in ceremony (`POST /api/auth/passkey/start`).
pub async fn start() -> Result<PasskeyOptions, Words> {
    api::start_passkey_sign_in().await.map_err(Words::error)
}

/// The answer to the sign-in ceremony `started`: its id and the browser's credential.
pub fn assertion(started: &PasskeyOptions, credential: Value) -> PasskeyAssertion {
    PasskeyAssertion { challenge_id: started.challenge_id.clone().unwrap_or_default(), credential }
}

/// Why passkeys do not work on this page, when they cannot.
pub fn elsewhere(origin: String) -> Words {
    Words::new(move |t| (t.passkey.elsewhere)(&origin))
}

/// A passkey assertion for a new ceremony, asked of the person at once (the
/// re-authentication prompt).
pub async fn assert_now() -> Result<PasskeyAssertion, Words> {
    let started = start().await?;
    if !here(&started.origin) {
        return Err(elsewhere(started.origin));
    }
    let credential = get(&started.public_key, false, None).await.map_err(Failure::words)?;
    Ok(assertion(&started, credential))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_handle_is_the_uuid_bytes_in_base64url() {
        // What webauthn-rs puts in `user.id` for this account: the uuid's 16 bytes.
        assert_eq!(user_handle("00112233-4455-6677-8899-aabbccddeeff").as_deref(), Some("ABEiM0RVZneImaq7zN3u_w"));
        assert_eq!(user_handle("not a uuid"), None);
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
