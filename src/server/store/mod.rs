//! The store: every read and write of the database, one module per table, in SQL that
//! SQLite and PostgreSQL both run (see migrations/README.md).
//!
//! - [`users`] holds the accounts;
//! - [`sessions`]: one row per sign-in on a device; ending one is [`sessions::revoke`].
//! - [`refresh_tokens`]: rotation, as two steps: [`refresh_tokens::claim`] and, when
//!   nothing was claimed, [`refresh_tokens::why_not_claimed`].
//! - [`signing_keys`], [`security_events`].
//!
//! Writes happen in a [`Tx`]. It holds this process's write turn on SQLite and, when
//! it commits, tells the in-memory set of revoked sessions ([`revoked`]) about every
//! session it ended, so no revoke path can forget to.
//!
//! Store functions return [`StoreError`] for database failures and typed outcomes for
//! everything a caller must decide on (an email already taken, a token already
//! spent); the wire error is made by the caller.

/// An enum stored as text: each variant and its string in the database, once.
/// (Decoding an unknown string is an error: the database holds only what we wrote.)
macro_rules! text_enum {
    ($(#[$doc:meta])* pub enum $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!("unknown {} {other:?}", stringify!($name))),
                }
            }
        }

        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: <sqlx::Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(<String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?.parse::<$name>()?)
            }
        }
    };
}

pub mod notify;
pub mod refresh_tokens;
pub mod revocations;
pub mod revoked;
pub mod security_events;
pub mod sessions;
pub mod signing_keys;
pub mod users;

use super::{db::Backend, ids::SessionId, time::UnixMillis};
use crate::shared::error::AppError;
use revoked::RevokedSessions;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A database failure: the connection, a constraint nobody expected, a bug.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreError(#[from] sqlx::Error);

impl From<StoreError> for AppError {
    #[track_caller]
    fn from(error: StoreError) -> Self {
        AppError::internal(error)
    }
}

/// Turns a unique-key violation into the outcome `taken`, as realworld-axum-sqlx's
/// `on_constraint` does: the caller decides what it means, not the database driver.
pub trait OnUnique<T> {
    fn on_unique(self, taken: T) -> Result<T, StoreError>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self, taken: T) -> Result<T, StoreError> {
        match self {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(taken),
            other => Ok(other?),
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; a second one waits in SQLite's busy
    /// handler, which sleeps in growing steps and wrecks tail latency under load.
    /// Queueing this process's writers here, first come first served, keeps them
    /// off each other. (PostgreSQL has row locks and needs none.)
    writer: Option<Arc<Mutex<()>>>,
    revoked: RevokedSessions,
}

impl Store {
    pub fn new(pool: AnyPool, backend: Backend, revoked: RevokedSessions) -> Self {
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Store { pool, backend, writer, revoked }
    }

    /// For reads, which need no transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The sessions revoked recently (on this instance or, through `sync`, another).
    pub fn revoked(&self) -> &RevokedSessions {
        &self.revoked
    }

    /// Starts a write transaction (after waiting for this process's write turn on
    /// SQLite).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let turn = match &self.writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let inner = match self.backend {
            // Take SQLite's write lock at once: a transaction that reads first and
            // writes later would fail outright (SQLITE_BUSY, no busy wait) if another
            // connection wrote meanwhile, such as one still rolling back a dropped
            // transaction after its write turn was released.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { inner, backend: self.backend, revoked: self.revoked.clone(), ended: Vec::new(), _turn: turn })
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    revoked: RevokedSessions,
    /// Sessions this transaction ends: refused in memory once it commits.
    ended: Vec<(SessionId, UnixMillis)>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Makes the work durable; then access tokens of the sessions it ended stop
    /// working on this instance at once (other instances hear it from `sync`).
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        for (sid, at) in self.ended {
            self.revoked.insert(sid, at);
        }
        Ok(())
    }

    /// Called by [`sessions::revoke`] only.
    fn ended(&mut self, sid: SessionId, at: UnixMillis) {
        self.ended.push((sid, at));
    }
}
