//! The revoked sessions an access token may still name.
//!
//! Access tokens are self-contained, so revoking a session would otherwise leave its
//! access tokens working until they expire. Checking the database on every request
//! would undo the point of JWTs; instead every instance keeps the ids of recently
//! revoked sessions in memory, each only as long as an access token issued before the
//! revocation can live. The set is filled when this instance revokes, loaded at
//! start-up, and kept in step with other instances by `crate::sync`.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};
use uuid::Uuid;

#[derive(Clone)]
pub struct RevokedSessions {
    /// Session id → the instant (ms) after which no access token of it can be valid.
    inner: Arc<RwLock<HashMap<Uuid, i64>>>,
    keep_ms: i64,
}

impl RevokedSessions {
    /// `keep` is the longest an access token can outlive a revocation: its lifetime
    /// plus the clock leeway.
    pub fn new(keep: Duration) -> Self {
        RevokedSessions { inner: Arc::default(), keep_ms: keep.as_millis() as i64 + 1_000 }
    }

    /// How far back the start-up load and the catch-up query must look.
    pub fn horizon_ms(&self) -> i64 {
        self.keep_ms
    }

    pub fn insert(&self, sid: Uuid, revoked_at_ms: i64) {
        let forget_at = revoked_at_ms + self.keep_ms;
        self.inner.write().expect("revoked set lock").insert(sid, forget_at);
    }

    pub fn contains(&self, sid: &Uuid) -> bool {
        self.inner.read().expect("revoked set lock").contains_key(sid)
    }

    /// Drops ids whose access tokens have all expired.
    pub fn prune(&self, now_ms: i64) {
        self.inner.write().expect("revoked set lock").retain(|_, forget_at| *forget_at > now_ms);
    }

    pub fn len(&self) -> usize {
        self.inner.read().expect("revoked set lock").len()
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
        let sid = Uuid::new_v4();
        revoked.insert(sid, 1_000_000);
        revoked.prune(1_000_000 + 60_000);
        assert!(revoked.contains(&sid));
        revoked.prune(1_000_000 + 61_001);
        assert!(!revoked.contains(&sid));
        assert!(revoked.is_empty());
    }
}
