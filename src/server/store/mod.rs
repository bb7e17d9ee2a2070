//! The store: every read and write of the database, one module per table, in SQL that
//! SQLite and PostgreSQL both run (see migrations/README.md).
//!
//! - [`users`] holds the accounts (and their roles); [`admin_actions`], what
//!   administrators did to them;
//! - [`sessions`]: one row per sign-in on a device; ending one is [`sessions::revoke`],
//!   which logs it in [`revocations`], announces it ([`notify`]) and, on commit, adds
//!   it to this instance's [`revoked`] set;
//! - [`refresh_tokens`]: rotation, as two steps: [`refresh_tokens::claim`] and, when
//!   nothing was claimed, [`refresh_tokens::why_not_claimed`]; [`rotation`] commits
//!   them (on SQLite, a group commit);
//! - [`signing_keys`], [`security_events`] (the activity, and what the limits count);
//! - [`email_links`]: the links mails carry; [`email_codes`]: the sign-in codes; [`outbox`]: the mails until they go;
//!   [`known_devices`]: where each account has signed in from; [`known_browsers`]: the
//!   browsers that signed in to it;
//! - the second factors: [`totp`], [`recovery_codes`], [`mfa_challenges`] (a second
//!   step waiting for its code), [`passkeys`] and their WebAuthn [`ceremonies`];
//! - sign-in through OpenID providers: [`provider_identities`] (who signs in to which
//!   account) and [`oidc_flows`] (a trip to a provider and back);
//! - [`secret_token`]: the random tokens stored only hashed; [`tx`]: write
//!   transactions and the store's error.
//!
//! Writes happen in a [`Tx`]. It holds this process's write turn on SQLite and, when
//! it commits, tells the in-memory set of revoked sessions ([`revoked`]) about every
//! session it ended, so no revoke path can forget to.
//!
//! Store functions return [`StoreError`] for database failures and typed outcomes for
//! everything a caller must decide on (an email already taken, a token already
//! spent); the wire error is made by the caller.

pub mod admin_actions;
pub mod ceremonies;
pub mod email_codes;
pub mod email_links;
pub mod known_browsers;
pub mod known_devices;
pub mod mfa_challenges;
pub mod notify;
pub mod oidc_flows;
pub mod outbox;
pub mod passkeys;
pub mod provider_identities;
pub mod recovery_codes;
pub mod refresh_tokens;
pub mod revocations;
pub mod revoked;
pub mod rotation;
pub mod secret_token;
pub mod security_events;
pub mod sessions;
pub mod signing_keys;
pub mod totp;
mod tx;
pub mod users;

use super::{
    db::{self, Backend},
    ids::UserId,
};
use revoked::RevokedSessions;
use rotation::{GroupCommit, Outcome, Presented};
use sqlx::AnyPool;
use std::sync::Arc;
use tx::Core;
pub use tx::{OnUnique, StoreError, Tx};
use users::{Account, AccountCache};

#[derive(Clone)]
pub struct Store {
    core: Core,
    accounts: AccountCache,
    /// SQLite's group commit of rotations (`rotation`); PostgreSQL needs none.
    rotations: Option<GroupCommit>,
}

impl Store {
    /// The store of the database at `url`, connected as `pool` (`db::connect`). On a
    /// SQLite file it starts the group commit of rotations, on a thread of its own.
    pub fn new(pool: AnyPool, url: &str, revoked: RevokedSessions) -> Self {
        let backend = Backend::of_url(url);
        let core = Core::new(pool, backend, revoked);
        let rotations = db::sqlite_file(url).map(|file| GroupCommit::start(core.clone(), file));
        Store { core, accounts: AccountCache::new(), rotations }
    }

    /// Rotates `presented`, durably: the outcome is returned once it is committed.
    pub async fn rotate(&self, presented: Presented) -> Result<Outcome, StoreError> {
        use tracing::Instrument;
        let span = tracing::info_span!("db.rotate", db.system = self.core.backend.name());
        match &self.rotations {
            Some(group) => group.rotate(presented).instrument(span).await,
            None => rotation::at_once(&self.core, &presented).instrument(span).await,
        }
    }

    /// The account `id`, from this instance's cache or the database.
    pub async fn account(&self, id: UserId) -> Result<Option<Arc<Account>>, StoreError> {
        self.accounts.get(&self.core.pool, id).await
    }

    /// Drops `id` from this instance's cache: call it with every change of the account.
    pub fn forget(&self, id: UserId) {
        self.accounts.forget(id);
    }

    /// Notified when a transaction that queued a mail commits (the mail sender waits
    /// on it).
    pub fn mail_queued(&self) -> Arc<tokio::sync::Notify> {
        self.core.mail_queued.clone()
    }

    /// For reads, which need no transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.core.pool
    }

    pub fn backend(&self) -> Backend {
        self.core.backend
    }

    /// The sessions revoked recently (on this instance or, through `sync`, another).
    pub fn revoked(&self) -> &RevokedSessions {
        &self.core.revoked
    }

    /// Starts a write transaction (after waiting for this process's write turn on
    /// SQLite).
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        self.core.begin().await
    }
}
