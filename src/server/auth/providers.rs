//! The OpenID providers Baton signs people in with (docs/API.md, "Sign in with another
//! provider"): each one's discovery document and keys, read through the `openidconnect`
//! crate, and the checks of an ID token. No provider-specific code: any certified
//! provider works by its `[[baton.providers]]` table alone.
//!
//! A provider's metadata is fetched at start-up (a background task, so one that is
//! down delays nothing: it is logged and retried with a growing pause) and again every
//! hour; a request that finds none yet fetches it itself. Its keys are fetched again
//! when an ID token names a key they lack (the provider rotated its keys), at most once
//! every [`JWKS_MIN_INTERVAL`].

use crate::{server::config::ProviderSettings, shared::error::AppError};
use openidconnect::{
    core::{
        CoreClient, CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    },
    reqwest, ClaimsVerificationError, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, SignatureVerificationError,
};
use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

/// How long discovered metadata is used before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The least time between two fetches of a provider's keys for an unknown `kid`: a
/// stream of tokens naming keys that do not exist must not become a stream of fetches.
const JWKS_MIN_INTERVAL: Duration = Duration::from_secs(10);
/// How long a call to a provider may take (discovery, keys, the code exchange).
const TIMEOUT: Duration = Duration::from_secs(10);
/// How far an ID token's `iat` may lie in the future (clock skew), and how old it may
/// be: the code it came with is minutes old at most.
const IAT_SKEW: Duration = Duration::from_secs(60);
const IAT_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// A client made from discovered metadata: an authorization endpoint; a token and a
/// userinfo endpoint if the document names them.
pub type ProviderClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Every configured provider, and the HTTP client that talks to them.
pub struct Providers {
    list: Vec<Arc<Provider>>,
    /// Cheap to clone (one connection pool behind a reference count).
    http: reqwest::Client,
}

/// One provider: its settings, and what was last discovered about it.
pub struct Provider {
    pub settings: ProviderSettings,
    discovered: RwLock<Option<Discovered>>,
    /// One discovery at a time per provider; the others wait for its result.
    discovering: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Discovered {
    metadata: CoreProviderMetadata,
    at: Instant,
    /// When the keys were last fetched again for an unknown `kid` (not at discovery:
    /// a provider that rotates its keys right after being discovered is still heard).
    keys_refetched: Option<Instant>,
}

/// The claims of an ID token that checked out.
#[derive(Clone, Debug)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    /// Only `true` when the provider said `email_verified: true`.
    pub email_verified: bool,
}

impl Providers {
    pub fn new(settings: &[ProviderSettings]) -> Result<Providers, String> {
        // No redirects: a provider's endpoints answer directly, and following one would
        // let a discovery document send Baton's requests anywhere (SSRF).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("the HTTP client for OpenID providers: {e}"))?;
        let list = settings
            .iter()
            .map(|settings| {
                Arc::new(Provider {
                    settings: settings.clone(),
                    discovered: RwLock::new(None),
                    discovering: tokio::sync::Mutex::new(()),
                })
            })
            .collect();
        Ok(Providers { list, http })
    }

    pub fn all(&self) -> impl Iterator<Item = &Provider> {
        self.list.iter().map(|p| p.as_ref())
    }

    /// The provider of `id`: `not_found` if none is configured.
    pub fn get(&self, id: &str) -> Result<&Provider, AppError> {
        self.all().find(|p| p.settings.id == id).ok_or(AppError::NotFound)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Keeps every provider's metadata fresh, from start-up on: a provider that cannot
    /// be reached is logged and tried again after 1, 2, 4… up to 60 seconds.
    pub fn spawn_discovery(&self) -> Vec<tokio::task::JoinHandle<()>> {
        self.list
            .iter()
            .map(|provider| {
                let (provider, http) = (provider.clone(), self.http.clone());
                tokio::spawn(async move {
                    let mut pause = Duration::from_secs(1);
                    loop {
                        match provider.refresh(&http).await {
                            Ok(()) => {
                                pause = Duration::from_secs(1);
                                tokio::time::sleep(METADATA_TTL).await;
                            }
                            Err(()) => {
                                tokio::time::sleep(pause).await;
                                pause = (pause * 2).min(Duration::from_secs(60));
                            }
                        }
                    }
                })
            })
            .collect()
    }
}

impl Provider {
    pub fn id(&self) -> &str {
        &self.settings.id
    }

    /// The provider's metadata: what was discovered within the hour, else discovered
    /// now. Discovered metadata older than that is still used when the provider cannot
    /// be reached (its endpoints rarely move; its keys are checked per token anyway).
    pub async fn metadata(&self, http: &reqwest::Client) -> Result<CoreProviderMetadata, AppError> {
        if let Some(fresh) = self.current().filter(|d| d.at.elapsed() < METADATA_TTL) {
            return Ok(fresh.metadata);
        }
        let _ = self.refresh(http).await;
        self.current()
            .map(|d| d.metadata)
            .ok_or_else(|| AppError::internal(format!("provider {} is unreachable", self.id())))
    }

    fn current(&self) -> Option<Discovered> {
        self.discovered.read().ok().and_then(|d| d.clone())
    }

    /// Fetches the discovery document and keys, unless another call just did. Failures
    /// are logged here (without the secret, which discovery never sends).
    async fn refresh(&self, http: &reqwest::Client) -> Result<(), ()> {
        let started = Instant::now();
        let _turn = self.discovering.lock().await;
        if self.current().is_some_and(|d| d.at >= started) {
            return Ok(()); // Discovered while this call waited its turn.
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| ())?;
        // The crate checks that the document's `issuer` is exactly the configured one: a
        // document naming another issuer (a mix-up) is refused.
        match CoreProviderMetadata::discover_async(issuer, http).await {
            Ok(metadata) => {
                let origin = |url: &str| url::Url::parse(url).ok().map(|u| u.origin());
                if origin(metadata.authorization_endpoint().as_str()) != origin(&self.settings.issuer) {
                    tracing::warn!(
                        provider = self.id(),
                        "the authorization endpoint is not on the issuer's origin: the pages' form-action does not \
                         allow it, so the Continue button cannot reach it"
                    );
                }
                if let Ok(mut slot) = self.discovered.write() {
                    *slot = Some(Discovered { metadata, at: Instant::now(), keys_refetched: None });
                }
                tracing::info!(provider = self.id(), "OpenID provider discovered");
                Ok(())
            }
            Err(error) => {
                tracing::warn!(provider = self.id(), issuer = %self.settings.issuer, %error, "OpenID provider unreachable; retrying");
                Err(())
            }
        }
    }

    /// A client of this provider with Baton's registration.
    pub fn client(&self, metadata: CoreProviderMetadata) -> ProviderClient {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
    }

    /// The claims of `token` if it checks out: signed by one of the provider's keys
    /// with an asymmetric algorithm it announces (never `none`, never an HMAC keyed
    /// with the client secret), issued by it, for Baton's client (`aud`, and `azp` when
    /// present), with `nonce`, not expired, and issued within the last minutes. An
    /// unknown `kid` fetches the provider's keys again once, then checks again.
    pub async fn verify(
        &self,
        http: &reqwest::Client,
        metadata: &CoreProviderMetadata,
        token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<Identity, String> {
        match self.check(metadata, token, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let metadata = self.refetch_keys(http).await.ok_or("no key of the provider signed this ID token")?;
                self.check(&metadata, token, nonce).map_err(|e| e.to_string())
            }
            checked => checked.map_err(|e| e.to_string()),
        }
        .map(|claims| Identity {
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
        })
    }

    /// [`Provider::verify`] of an ID token as it travels (compact JWS), with the
    /// provider's current metadata: for tests that hold real ID tokens of other clients,
    /// issuers or nonces.
    pub async fn verify_compact(&self, http: &reqwest::Client, token: &str, nonce: &str) -> Result<Identity, String> {
        let token: CoreIdToken = token.parse().map_err(|e: serde_json::Error| e.to_string())?;
        let metadata = self.metadata(http).await.map_err(|e| e.to_string())?;
        self.verify(http, &metadata, &token, &Nonce::new(nonce.to_string())).await
    }

    fn check(
        &self,
        metadata: &CoreProviderMetadata,
        token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
        let client = self.client(metadata.clone());
        let algorithms: Vec<CoreJwsSigningAlgorithm> =
            metadata.id_token_signing_alg_values_supported().iter().filter(|a| asymmetric(a)).cloned().collect();
        let verifier = client.id_token_verifier().set_allowed_algs(algorithms).set_issue_time_verifier_fn(|iat| {
            let now = chrono_now();
            let iat_s = iat.timestamp();
            if iat_s > now + IAT_SKEW.as_secs() as i64 {
                Err("issued in the future".to_string())
            } else if iat_s < now - IAT_MAX_AGE.as_secs() as i64 {
                Err("issued too long ago".to_string())
            } else {
                Ok(())
            }
        });
        token.claims(&verifier, nonce).cloned()
    }

    /// Fetches the keys again, unless that was done within [`JWKS_MIN_INTERVAL`]; the
    /// metadata with the new keys.
    async fn refetch_keys(&self, http: &reqwest::Client) -> Option<CoreProviderMetadata> {
        let _turn = self.discovering.lock().await;
        let current = self.current()?;
        if current.keys_refetched.is_some_and(|at| at.elapsed() < JWKS_MIN_INTERVAL) {
            return None;
        }
        let keys = match CoreJsonWebKeySet::fetch_async(current.metadata.jwks_uri(), http).await {
            Ok(keys) => keys,
            Err(error) => {
                tracing::warn!(provider = self.id(), %error, "cannot fetch the provider's keys");
                return None;
            }
        };
        let metadata = current.metadata.set_jwks(keys);
        if let Ok(mut slot) = self.discovered.write() {
            *slot =
                Some(Discovered { metadata: metadata.clone(), at: current.at, keys_refetched: Some(Instant::now()) });
        }
        tracing::info!(provider = self.id(), "fetched the provider's keys again for a new key id");
        Some(metadata)
    }
}

/// The algorithms an ID token may be signed with: public-key signatures only.
fn asymmetric(algorithm: &CoreJwsSigningAlgorithm) -> bool {
    !matches!(
        algorithm,
        CoreJwsSigningAlgorithm::HmacSha256
            | CoreJwsSigningAlgorithm::HmacSha384
            | CoreJwsSigningAlgorithm::HmacSha512
            | CoreJwsSigningAlgorithm::None
    )
}

/// Seconds since the epoch, by the system clock (an ID token is the provider's, judged
/// by real time, not by the clock tests move).
fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
