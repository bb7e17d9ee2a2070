//! PostgreSQL notifications between instances: what is announced, on which channel,
//! in which form. The store announces inside the transaction that made the change
//! (PostgreSQL delivers a `NOTIFY` at commit, so never for work that rolled back);
//! `crate::server::sync` listens and decodes with [`Notification::parse`]. SQLite has
//! one instance and no notifications: announcing is a no-op there.

use super::tx::{StoreError, Tx};
use crate::server::{db::Backend, ids::SessionId, time::UnixMillis};
use sqlx::Executor;

/// Sessions were revoked: `"<revoked at ms>:<sid>,<sid>…"`, or empty when there were
/// too many to list (listeners then catch up from the table).
pub const REVOKED_CHANNEL: &str = "baton_revoked";
/// The signing keys changed (`baton keys rotate`): listeners reload them.
pub const KEYS_CHANNEL: &str = "baton_keys";

/// NOTIFY payloads are limited to 8000 bytes; 100 ids take about 3700.
const MAX_LISTED: usize = 100;

/// A notification as a listener understands it.
#[derive(Debug, PartialEq, Eq)]
pub enum Notification {
    Revoked {
        at: UnixMillis,
        sids: Vec<SessionId>,
    },
    /// Something changed that the payload does not say: read it from the database.
    CatchUp,
    KeysChanged,
}

impl Notification {
    pub fn parse(channel: &str, payload: &str) -> Notification {
        if channel == KEYS_CHANNEL {
            return Notification::KeysChanged;
        }
        let parsed = payload.split_once(':').and_then(|(at, sids)| {
            let at = UnixMillis(at.parse().ok()?);
            let sids: Option<Vec<SessionId>> = sids.split(',').map(|s| s.parse().ok()).collect();
            Some(Notification::Revoked { at, sids: sids? })
        });
        parsed.unwrap_or(Notification::CatchUp)
    }
}

pub async fn revoked(tx: &mut Tx<'_>, sids: &[SessionId], at: UnixMillis) -> Result<(), StoreError> {
    if tx.backend() != Backend::Postgres || sids.is_empty() {
        return Ok(());
    }
    // The payload is digits, hex and punctuation we format ourselves, so it can be
    // inlined (NOTIFY takes no bind parameters).
    let payload = if sids.len() <= MAX_LISTED {
        let list: Vec<String> = sids.iter().map(SessionId::to_string).collect();
        format!("{}:{}", at.0, list.join(","))
    } else {
        String::new()
    };
    tx.conn().execute(format!("NOTIFY {REVOKED_CHANNEL}, '{payload}'").as_str()).await?;
    Ok(())
}

pub async fn keys_changed(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        tx.conn().execute(format!("NOTIFY {KEYS_CHANNEL}").as_str()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocations_parse_back_and_anything_else_means_catch_up() {
        let sid = SessionId::generate();
        assert_eq!(
            Notification::parse(REVOKED_CHANNEL, &format!("42:{sid}")),
            Notification::Revoked { at: UnixMillis(42), sids: vec![sid] }
        );
        assert_eq!(Notification::parse(REVOKED_CHANNEL, ""), Notification::CatchUp);
        assert_eq!(Notification::parse(REVOKED_CHANNEL, "42:not-a-uuid"), Notification::CatchUp);
        assert_eq!(Notification::parse(KEYS_CHANNEL, ""), Notification::KeysChanged);
    }

    proptest::proptest! {
        #[test]
        fn any_payload_parses_safely(payload in "\\PC{0,300}") {
            let _ = Notification::parse(REVOKED_CHANNEL, &payload);
        }
    }
}
