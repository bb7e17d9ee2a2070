//! Write transactions and the store's error: what every table module builds on.

use super::revoked::RevokedSessions;
use crate::server::{db::Backend, ids::SessionId, observe::metrics, time::UnixMillis};
use crate::shared::error::AppError;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// A database failure: the connection, a constraint nobody expected, a bug.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// From the group commit's own SQLite connection (`rotation`).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

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

/// What starts write transactions: the pool and, on SQLite, this process's write turn.
#[derive(Clone)]
pub(super) struct Core {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    /// SQLite allows one writer at a time; a second one waits in SQLite's busy
    /// handler, which sleeps in growing steps and wrecks tail latency under load.
    /// Queueing this process's writers here, first come first served, keeps them
    /// off each other. (PostgreSQL has row locks and needs none.)
    writer: Option<Arc<Mutex<()>>>,
    pub(super) revoked: RevokedSessions,
    /// Wakes this instance's mail sender when a transaction that queued a mail commits.
    pub(super) mail_queued: Arc<Notify>,
}

impl Core {
    pub(super) fn new(pool: AnyPool, backend: Backend, revoked: RevokedSessions) -> Self {
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Core { pool, backend, writer, revoked, mail_queued: Arc::new(Notify::new()) }
    }

    pub(super) async fn turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        }
    }

    /// The statement that starts a write transaction. SQLite's write lock is taken at
    /// once: a transaction that reads first and writes later would fail outright
    /// (SQLITE_BUSY, no busy wait) if another connection wrote meanwhile, such as one
    /// still rolling back a dropped transaction after its write turn was released.
    fn begin_statement(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    pub(super) async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        // One span from asking for the write turn to the commit or rollback: what a
        // trace shows of the request's database work.
        let span = tracing::info_span!("db.transaction", db.system = self.backend.name());
        let turn = self.turn().await;
        let inner = self.pool.begin_with(self.begin_statement()).await?;
        Ok(Tx {
            inner,
            backend: self.backend,
            revoked: self.revoked.clone(),
            ended: Vec::new(),
            mail: self.mail_queued.clone(),
            queued_mail: false,
            _turn: turn,
            _span: span,
        })
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub struct Tx<'c> {
    inner: Transaction<'c, Any>,
    backend: Backend,
    revoked: RevokedSessions,
    /// Sessions this transaction ends, with when and the reason's name: refused in
    /// memory once it commits, and counted by reason (a rolled-back revocation ended
    /// nothing). A name, not `sessions::RevokeReason`: `sessions` uses this module.
    ended: Vec<(SessionId, UnixMillis, &'static str)>,
    mail: Arc<Notify>,
    /// It queued a mail: the sender is woken once it commits.
    queued_mail: bool,
    _turn: Option<OwnedMutexGuard<()>>,
    /// Closed with the transaction (the trace's span ends there).
    _span: tracing::Span,
}

impl Tx<'_> {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Makes the work durable; then access tokens of the sessions it ended stop
    /// working on this instance at once (other instances hear it from `sync`), and
    /// the mails it queued are on their way.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        for (sid, at, reason) in self.ended {
            self.revoked.insert(sid, at);
            metrics::revoked(reason);
        }
        if self.queued_mail {
            self.mail.notify_one();
        }
        Ok(())
    }

    /// Makes every other transaction that asks for `key` wait until this one ends, so
    /// that a count and the write that depends on it (a limit and the attempt it
    /// admits) cannot interleave with another's. SQLite has one writer at a time, so a
    /// write transaction there holds every key already; PostgreSQL takes a
    /// transaction-scoped advisory lock on the key's hash. Take several keys in one
    /// order (sorted), or two transactions could each wait for the other.
    pub async fn lock(&mut self, key: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(key.as_bytes());
            let id = i64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(id).execute(self.conn()).await?;
        }
        Ok(())
    }

    /// Called by [`super::outbox::enqueue`] only.
    pub(super) fn mail_queued(&mut self) {
        self.queued_mail = true;
    }

    /// Called by [`sessions::revoke`] only.
    pub(super) fn ended(&mut self, sid: SessionId, at: UnixMillis, reason: &'static str) {
        self.ended.push((sid, at, reason));
    }
}
