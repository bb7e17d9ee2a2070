//! The application state every handler and server function shares.

use super::{
    auth::{
        breaches::Breaches, keys::KeyRing, password::Passwords, providers::Providers, relying_party::RelyingParty,
        shedding::Shedding, tokens::Tokens,
    },
    config::Settings,
    db,
    mail::transport::Mailer,
    observe::{lifecycle::Lifecycle, metrics::Recorder},
    store::{revocations, revoked::RevokedSessions, Store},
    time::Clock,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::{ops::Deref, sync::Arc};

/// A handle on the shared state: axum clones it into every request (and each
/// middleware with state once more), so it is one reference count, not a copy of
/// the settings, validations and pools.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub settings: Settings,
    pub tokens: Tokens,
    pub passwords: Passwords,
    pub clock: Clock,
    pub mailer: Mailer,
    /// Baton as a WebAuthn relying party (passkeys).
    pub passkeys: RelyingParty,
    /// The OpenID providers people may sign in with.
    pub providers: Providers,
    /// Where new passwords are looked up in the breach lists.
    pub breaches: Breaches,
    /// The per-client buckets of sign-in attempts (`http::shedding`).
    pub shedding: Shedding,
    /// The database URL, for the PostgreSQL listener of `crate::server::sync`.
    pub database_url: Arc<str>,
    /// Ready, or shutting down (the probes).
    pub lifecycle: Lifecycle,
    /// The process' metrics recorder, when metrics are served (`BATON_METRICS_ADDR`).
    pub metrics: Option<Recorder>,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Leptos' handlers find their options in the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("signing keys: {0}")]
    Keys(String),
    #[error("{0}")]
    Other(String),
}

impl AppState {
    /// Opens and migrates the database, loads the signing keys (creating the first one
    /// on a new database) and the recently revoked sessions.
    pub async fn build(settings: &Settings) -> Result<AppState, StartupError> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// [`AppState::build`] with a clock of the caller's (tests move it forward).
    pub async fn build_with_clock(settings: &Settings, clock: Clock) -> Result<AppState, StartupError> {
        super::auth::ed25519::install();
        let tokens = &settings.tokens;
        let metrics = match settings.operations.metrics_addr {
            Some(_) => Some(Recorder::install().map_err(StartupError::Other)?),
            None => None,
        };
        let mailer = Mailer::new(&settings.mail).map_err(StartupError::Other)?;
        let pool = db::connect(&settings.database_url).await?;
        let revoked = RevokedSessions::new(tokens.access_ttl + tokens.clock_leeway);
        let store = Store::new(pool, &settings.database_url, revoked.clone());
        let keys = KeyRing::load(store.clone(), clock.clone(), tokens).await.map_err(StartupError::Keys)?;
        let (recent, latest) = revocations::since(store.pool(), clock.now().minus(revoked.horizon()))
            .await
            .map_err(|_| StartupError::Other("cannot load the revoked sessions".into()))?;
        revocations::apply(&revoked, &recent, latest);
        // One argon2 hash at start-up (the dummy); on the blocking pool like the others.
        let passwords = tokio::task::spawn_blocking(Passwords::new)
            .await
            .map_err(|e| StartupError::Other(e.to_string()))?
            .map_err(|e| StartupError::Other(e.to_string()))?;
        Ok(AppState(Arc::new(Shared {
            leptos_options: settings.leptos.clone(),
            tokens: Tokens::new(keys, revoked, tokens),
            store,
            settings: settings.clone(),
            passwords,
            clock,
            mailer,
            passkeys: RelyingParty::new(tokens.public_origin.as_deref(), settings.leptos.site_addr),
            providers: Providers::new(&settings.providers).map_err(StartupError::Other)?,
            breaches: Breaches::new(settings.passwords.breached_passwords_url.as_deref())
                .map_err(StartupError::Other)?,
            shedding: Shedding::new(settings),
            database_url: settings.database_url.clone().into(),
            lifecycle: Lifecycle::default(),
            metrics,
        })))
    }
}
