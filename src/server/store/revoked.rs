//! The revoked sessions an access token may still name: the in-memory mirror of
//! `sessions.revoked_at`.
//!
//! Access tokens are self-contained, so revoking a session would otherwise leave its
//! access tokens working until they expire. Checking the database on every request
//! would undo the point of JWTs; instead every instance keeps the ids of recently
//! revoked sessions in memory, each only as long as an access token issued before the
//! revocation can live. The set is filled when a revoking transaction of this
//! instance commits (`Tx::commit`), loaded at start-up, and kept in step with other
//! instances by `crate::server::sync`, which reads the revocation log from
//! [`RevokedSessions::seen`] on.

use crate::server::{ids::SessionId, time::UnixMillis};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, PoisonError, RwLock,
    },
    time::Duration,
};

#[derive(Clone)]
pub struct RevokedSessions {
    /// Session id → the instant after which no access token of it can be valid.
    inner: Arc<RwLock<HashMap<SessionId, UnixMillis>>>,
    keep: Duration,
    /// The highest revocation-log number applied here.
    seen: Arc<AtomicI64>,
}

impl RevokedSessions {
    /// `keep` is the longest an access token can outlive a revocation: its lifetime
    /// plus the clock leeway.
    pub fn new(keep: Duration) -> Self {
        RevokedSessions { inner: Arc::default(), keep: keep + Duration::from_secs(1), seen: Arc::default() }
    }

    /// How far back the start-up load and the catch-up query must look.
    pub fn horizon(&self) -> Duration {
        self.keep
    }

    pub fn insert(&self, sid: SessionId, revoked_at: UnixMillis) {
        let forget_at = revoked_at.plus(self.keep);
        self.inner.write().unwrap_or_else(PoisonError::into_inner).insert(sid, forget_at);
    }

    /// Marks the revocation log applied up to `through` (`revocations::apply`).
    pub fn caught_up_to(&self, through: i64) {
        self.seen.fetch_max(through, Ordering::Relaxed);
    }

    /// The highest revocation-log number applied: catch up from here.
    pub fn seen(&self) -> i64 {
        self.seen.load(Ordering::Relaxed)
    }

    pub fn contains(&self, sid: &SessionId) -> bool {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).contains_key(sid)
    }

    /// Drops ids whose access tokens have all expired.
    pub fn prune(&self, now: UnixMillis) {
        self.inner.write().unwrap_or_else(PoisonError::into_inner).retain(|_, forget_at| *forget_at > now);
    }

    pub fn len(&self) -> usize {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_kept_while_its_access_tokens_can_live_and_then_forgotten() {
        let revoked = RevokedSessions::new(Duration::from_secs(60));
        let sid = SessionId::generate();
        revoked.insert(sid, UnixMillis(1_000_000));
        revoked.prune(UnixMillis(1_000_000 + 60_000));
        assert!(revoked.contains(&sid));
        revoked.prune(UnixMillis(1_000_000 + 61_001));
        assert!(!revoked.contains(&sid));
        assert!(revoked.is_empty());
    }
}
