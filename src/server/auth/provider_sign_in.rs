//! Signing in, signing up and connecting an account through an OpenID provider
//! (docs/API.md, "Sign in with another provider"): the trip there ([`start`]), the way
//! back ([`callback`]), and the account's list of connections ([`list`],
//! [`disconnect`]).
//!
//! An identity at a provider is its (provider, `sub`) pair, and nothing else ever
//! matches it to an account. Its email claim only names a *new* account, and only when
//! the provider says `email_verified: true`; an address that already has an account is
//! never linked automatically (anyone can open an account at some provider claiming
//! any address): its owner signs in first and connects the provider from `/account`.

use super::{
    bearer::Authenticated,
    challenge::SignIn,
    changes,
    device::Device,
    grant::{self, Grant},
    limits,
    method::Method,
    providers::{Identity, Provider},
    sign_in,
};
use crate::{
    server::{
        ids::UserId,
        mail::letters::SecurityChange,
        observe::metrics,
        state::AppState,
        store::{
            oidc_flows::{self, Flow},
            provider_identities::{self, Connected},
            secret_token::SecretToken,
            users::{self, Account, UserRow},
        },
    },
    shared::{credentials::Email, error::AppError, wire::ConnectedProvider},
};
use openidconnect::{
    core::CoreAuthenticationFlow, AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse as _,
};
use std::time::Duration;

/// How long a trip to the provider may take, from the button to the way back: the
/// `oidc` cookie's `Max-Age` too.
pub const FLOW_TTL: Duration = Duration::from_secs(10 * 60);

/// A trip about to begin: where to send the browser, and the value of its `oidc` cookie.
pub struct Started {
    pub url: String,
    pub browser: SecretToken,
}

/// Sends the browser to `provider`'s authorization endpoint: the code flow with PKCE
/// (S256), a random `state` and `nonce`, and the browser bound to them by its cookie.
/// `redirect_uri` is this server's `/auth/{provider}/callback`; `next` a local path
/// (already checked). With `connect`, the identity will be connected to that account.
pub async fn start(
    state: &AppState,
    provider_id: &str,
    origin: &str,
    next: &str,
    connect: Option<UserId>,
) -> Result<Started, AppError> {
    let provider = state.providers.get(provider_id)?;
    let metadata = provider.metadata(state.providers.http()).await?;
    let redirect_uri = format!("{origin}/auth/{provider_id}/callback");
    let client =
        provider.client(metadata).set_redirect_uri(RedirectUrl::new(redirect_uri.clone()).map_err(AppError::internal)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let csrf = SecretToken::generate();
    let nonce = SecretToken::generate();
    let (csrf_for_url, nonce_for_url) = (csrf.as_str().to_string(), nonce.as_str().to_string());
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(csrf_for_url),
            move || Nonce::new(nonce_for_url),
        )
        .set_pkce_challenge(challenge);
    for scope in provider.settings.scopes.split_whitespace().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    let (url, _, _) = request.url();
    let browser = SecretToken::generate();
    let flow = Flow {
        browser_hash: browser.hash(),
        provider: provider_id.to_string(),
        pkce_verifier: verifier.secret().to_string(),
        nonce: nonce.as_str().to_string(),
        redirect_uri,
        next: next.to_string(),
        user_id: connect,
        expires_at: state.clock.now().plus(FLOW_TTL),
    };
    let mut tx = state.store.begin().await?;
    oidc_flows::insert(&mut tx, &csrf, &flow).await?;
    tx.commit().await?;
    Ok(Started { url: url.to_string(), browser })
}

/// What the provider's redirect back carries.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider refused (the person cancelled, or the request was wrong).
    pub error: Option<String>,
}

/// Where the way back lands.
pub enum Landing {
    /// Signed in: the grant's cookies are set, the browser goes to `next`.
    SignedIn { grant: Grant, next: String },
    /// An account with two-step verification: the second step's ticket (for the `mfa`
    /// cookie), and the sign-in page asks for the code.
    SecondStep { mfa_token: String, next: String, provider: String },
    /// The identity is now connected to the account that asked.
    Connected { provider: String },
    /// Nothing was created or changed; the page says why.
    Refused { page: Page, why: Refusal, provider: String },
}

/// The page a refusal is shown on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Login,
    Account,
}

text_enum! {
    /// Why the way back did not sign in or connect (`provider_error` in the URL).
    pub enum Refusal {
        /// The provider said no, or the state, the code or the ID token did not check
        /// out, or the provider could not be reached.
        Failed = "failed",
        /// An account has the provider's address: never linked automatically.
        AccountExists = "account_exists",
        /// The identity belongs to another account already (connecting).
        IdentityTaken = "identity_taken",
        /// No account has this identity, and the provider did not say the address is
        /// verified (or gave none): no account is made from an unproved address.
        EmailUnverified = "email_unverified",
        /// The identity's account is locked.
        AccountLocked = "account_locked",
    }
}

impl Landing {
    /// The `Location` of the 303 that ends the callback.
    pub fn location(&self) -> String {
        match self {
            Landing::SignedIn { next, .. } => next.clone(),
            Landing::SecondStep { next, provider, .. } => {
                format!("/login?second_step=1&provider={provider}&next={}", crate::shared::next::encode_component(next))
            }
            Landing::Connected { provider } => format!("/account?provider={provider}"),
            Landing::Refused { page, why, provider } => {
                let page = match page {
                    Page::Login => "/login",
                    Page::Account => "/account",
                };
                format!("{page}?provider_error={}&provider={provider}", why.as_str())
            }
        }
    }
}

/// `GET /auth/{provider}/callback`: checks the `state` against the browser's cookie
/// (single use), exchanges the code with the PKCE verifier, checks the ID token, then
/// signs in, signs up or connects (docs/API.md). Every failure is a [`Landing::Refused`]
/// with nothing created.
pub async fn callback(
    state: &AppState,
    provider_id: &str,
    back: &Callback,
    browser: Option<&str>,
    device: &Device,
) -> Landing {
    let refused = |page, why| Landing::Refused { page, why, provider: provider_id.to_string() };
    let flow = match take_flow(state, provider_id, back, browser).await {
        Ok(flow) => flow,
        Err(why) => {
            tracing::warn!(provider = provider_id, why, "refused a provider's way back");
            metrics::sign_in("provider", Err(&AppError::InvalidCredentials));
            return refused(Page::Login, Refusal::Failed);
        }
    };
    let page = if flow.user_id.is_some() { Page::Account } else { Page::Login };
    let identity = match identify(state, &flow, back).await {
        Ok(identity) => identity,
        Err(why) => {
            tracing::warn!(provider = provider_id, why, "refused a provider's way back");
            metrics::sign_in("provider", Err(&AppError::InvalidCredentials));
            return refused(page, Refusal::Failed);
        }
    };
    let landing = match flow.user_id {
        Some(user) => connect(state, provider_id, &identity, user, device).await,
        None => sign_in_as(state, provider_id, &identity, &flow.next, device).await,
    };
    let outcome = match &landing {
        Ok(Landing::SignedIn { .. }) => Ok("signed_in"),
        Ok(Landing::SecondStep { .. }) => Ok("second_step"),
        Ok(Landing::Connected { .. }) => Ok("connected"),
        Ok(Landing::Refused { why: Refusal::AccountLocked, .. }) => Err(&AppError::AccountLocked),
        Ok(Landing::Refused { .. }) => Ok("refused"),
        Err(error) => Err(error),
    };
    metrics::sign_in("provider", outcome);
    landing.unwrap_or_else(|error| {
        tracing::warn!(provider = provider_id, %error, "a provider sign-in failed");
        match error {
            AppError::AccountLocked => refused(page, Refusal::AccountLocked),
            _ => refused(page, Refusal::Failed),
        }
    })
}

/// The flow `state` names, if this browser began it for this provider, in time. It is
/// gone afterwards either way: a `state` works once.
async fn take_flow(
    state: &AppState,
    provider_id: &str,
    back: &Callback,
    browser: Option<&str>,
) -> Result<Flow, &'static str> {
    let csrf = back.state.as_deref().and_then(SecretToken::parse).ok_or("no state, or not one of ours")?;
    let mut tx = state.store.begin().await.map_err(|_| "the database is unavailable")?;
    let flow = oidc_flows::take(&mut tx, &csrf).await.map_err(|_| "the database is unavailable")?;
    tx.commit().await.map_err(|_| "the database is unavailable")?;
    let flow = flow.ok_or("an unknown or used state")?;
    if flow.provider != provider_id {
        return Err("a state begun for another provider");
    }
    if flow.expires_at <= state.clock.now() {
        return Err("an expired state");
    }
    let cookie = browser.and_then(SecretToken::parse).ok_or("no oidc cookie")?;
    if cookie.hash() != flow.browser_hash {
        return Err("a state begun by another browser");
    }
    Ok(flow)
}

/// The identity the provider vouches for: the code exchanged (with the PKCE verifier
/// and the same `redirect_uri`), and its ID token checked.
async fn identify(state: &AppState, flow: &Flow, back: &Callback) -> Result<Identity, String> {
    if let Some(error) = &back.error {
        // The provider's error code (`access_denied`…), kept to its characters: the
        // parameter is whatever the URL says, and it goes to the log.
        let code: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        return Err(format!("the provider refused: {code}"));
    }
    let code = back.code.as_deref().filter(|c| !c.is_empty() && c.len() <= 2048).ok_or("no code")?;
    let provider: &Provider = state.providers.get(&flow.provider).map_err(|_| "the provider is not configured")?;
    let http = state.providers.http();
    let metadata = provider.metadata(http).await.map_err(|_| "the provider is unreachable")?;
    let redirect = RedirectUrl::new(flow.redirect_uri.clone()).map_err(|e| e.to_string())?;
    let client = provider.client(metadata.clone()).set_redirect_uri(redirect);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| e.to_string())?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
        .request_async(http)
        .await
        .map_err(|e| format!("the code exchange failed: {e}"))?;
    let id_token = tokens.id_token().ok_or("the provider sent no ID token")?;
    provider
        .verify(http, &metadata, id_token, &Nonce::new(flow.nonce.clone()))
        .await
        .map_err(|e| format!("the ID token did not check out: {e}"))
}

/// A sign-in (or sign-up) by `identity`: its account if it has one, else a new one
/// with the provider's verified address, unless that address has an account.
async fn sign_in_as(
    state: &AppState,
    provider_id: &str,
    identity: &Identity,
    next: &str,
    device: &Device,
) -> Result<Landing, AppError> {
    let refused = |why| Ok(Landing::Refused { page: Page::Login, why, provider: provider_id.to_string() });
    let pool = state.store.pool();
    let method = Method::Provider(provider_id.to_string());
    let now = state.clock.now();
    if let Some(owner) = provider_identities::owner(pool, provider_id, &identity.subject).await? {
        let user = users::by_id(pool, owner).await?.ok_or(AppError::InvalidCredentials)?;
        if user.locked_at.is_some() {
            return refused(Refusal::AccountLocked);
        }
        // A provider is one factor: an account with two-step verification still asks
        // for its code.
        return Ok(match sign_in::after_first_step(state, &user, device, &method).await? {
            SignIn::SecondStep(next_step) => Landing::SecondStep {
                mfa_token: next_step.mfa_token,
                next: next.to_string(),
                provider: provider_id.to_string(),
            },
            SignIn::Granted(grant) => Landing::SignedIn { grant, next: next.to_string() },
        });
    }
    let Some(email) = identity.email.as_deref().filter(|_| identity.email_verified) else {
        return refused(Refusal::EmailUnverified);
    };
    let Ok(email) = Email::parse(email) else {
        return refused(Refusal::Failed);
    };
    if users::by_email(pool, email.as_str()).await?.is_some() {
        return refused(Refusal::AccountExists);
    }
    limits::admit_registration(state, device).await?;
    // The provider vouched for the address.
    let user = UserRow::new(&email, String::new(), Some(now), now);
    let (session, first) = grant::new_session(state, user.id, device, now)?;
    let mut tx = state.store.begin().await?;
    let browser = match sign_in::create_account(&mut tx, &user, &session, &first, device, now).await {
        Err(AppError::EmailTaken) => return refused(Refusal::AccountExists),
        created => created?,
    };
    if provider_identities::connect(&mut tx, user.id, provider_id, &identity.subject, Some(email.as_str()), now).await?
        != Connected::Yes
    {
        // Another sign-up with this identity won the race: it signs in next time.
        return refused(Refusal::Failed);
    }
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, provider = provider_id, "account created through a provider");
    let grant = grant::grant(state, &first, &Account::from(&user), now)?.for_browser(browser);
    Ok(Landing::SignedIn { grant, next: next.to_string() })
}

/// Connects `identity` to `user`, who asked from `/account`.
async fn connect(
    state: &AppState,
    provider_id: &str,
    identity: &Identity,
    user: UserId,
    device: &Device,
) -> Result<Landing, AppError> {
    let refused = |why| Ok(Landing::Refused { page: Page::Account, why, provider: provider_id.to_string() });
    let user = users::by_id(state.store.pool(), user).await?.ok_or(AppError::InvalidCredentials)?;
    if user.locked_at.is_some() {
        return refused(Refusal::AccountLocked);
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let email = identity.email.as_deref().filter(|_| identity.email_verified);
    match provider_identities::connect(&mut tx, user.id, provider_id, &identity.subject, email, now).await? {
        Connected::Yes => {}
        Connected::IdentityTaken => {
            let owner = provider_identities::owner(state.store.pool(), provider_id, &identity.subject).await?;
            return if owner == Some(user.id) {
                Ok(Landing::Connected { provider: provider_id.to_string() })
            } else {
                refused(Refusal::IdentityTaken)
            };
        }
        Connected::ProviderTaken => return refused(Refusal::Failed),
    }
    changes::record(&mut tx, &Account::from(&user), SecurityChange::ProviderConnected, None, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, provider = provider_id, "provider connected");
    Ok(Landing::Connected { provider: provider_id.to_string() })
}

/// `GET /api/account/providers`: the caller's connected identities.
pub async fn list(state: &AppState, caller: &Authenticated) -> Result<Vec<ConnectedProvider>, AppError> {
    let identities = provider_identities::of_user(state.store.pool(), caller.user_id).await?;
    identities
        .into_iter()
        .map(|identity| {
            let name = state
                .providers
                .get(&identity.provider)
                .map(|p| p.settings.name.clone())
                .unwrap_or_else(|_| identity.provider.clone());
            Ok(ConnectedProvider {
                name,
                provider: identity.provider,
                email: identity.email,
                connected_at: identity.connected_at.to_rfc3339()?,
            })
        })
        .collect()
}

/// `DELETE /api/account/providers/{provider}`: 409 `last_sign_in_method` if it is the
/// account's only way to sign in; 404 if it is not connected.
pub async fn disconnect(
    state: &AppState,
    caller: &Authenticated,
    provider_id: &str,
    device: &Device,
) -> Result<(), AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    users::hold(&mut tx, account.id).await?;
    if !provider_identities::disconnect(&mut tx, account.id, provider_id).await? {
        return Err(AppError::NotFound);
    }
    // Counted after the removal, under the account's lock; refused, it rolls back.
    if users::sign_in_methods(&mut tx, account.id).await? == 0 {
        return Err(AppError::LastSignInMethod);
    }
    changes::record(&mut tx, &account, SecurityChange::ProviderDisconnected, caller.session_id, device, now).await?;
    tx.commit().await?;
    tracing::info!(user = %account.id, provider = provider_id, "provider disconnected");
    Ok(())
}
