//! Ed25519 signing keys: kept in the database so restarts and every instance share
//! them, identified by their RFC 7638 thumbprint (`kid`), published as a JWKS.
//!
//! One key is active (signs new tokens): the newest key that the database holds as
//! active and this instance can sign with. Retired keys keep verifying, and stay in
//! the JWKS, until the last token they could have signed has expired. An operator may
//! instead name a PKCS#8 PEM file: its public half goes into the database (so every
//! instance verifies its tokens) and it signs while the database holds it active. It
//! takes part in rotation like any key: once retired, it never signs again, and a
//! restart does not revive it (start-up refuses instead).

use crate::{
    server::{
        config::TokenSettings,
        store::{
            signing_keys::{self, KeyRow, NewKey},
            Store,
        },
        time::Clock,
    },
    shared::error::AppError,
};
use base64::{engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{
    pkcs8::{DecodePrivateKey, EncodePrivateKey},
    SigningKey,
};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex, PoisonError, RwLock},
    time::{Duration, Instant},
};

/// A key that can sign: its id and the PKCS#8 form `jsonwebtoken` wants.
#[derive(Clone)]
pub struct Signer {
    pub kid: String,
    pub key: EncodingKey,
}

struct Entry {
    public_x: String,
    decoding: DecodingKey,
    /// Present when the private half is known here (generated keys, the PEM key): needed
    /// to sign the current refresh token again in the reuse-grace case.
    signer: Option<Signer>,
}

/// One consistent view of the keys; swapped whole on reload.
struct Ring {
    /// `None` when the database holds no active key this instance can sign with.
    active: Option<Signer>,
    by_kid: HashMap<String, Entry>,
    jwks: Arc<str>,
}

#[derive(Clone)]
pub struct KeyRing {
    ring: Arc<RwLock<Arc<Ring>>>,
    store: Store,
    clock: Clock,
    pem: Option<Signer>,
    retention: Duration,
    last_reload: Arc<Mutex<Instant>>,
    /// Makes concurrent forced reloads wait for one another instead of each querying.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

/// A new random key, in the form the database keeps it.
pub fn generate() -> Result<NewKey, AppError> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let public_x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    let der = key.to_pkcs8_der().map_err(AppError::internal)?;
    Ok(NewKey { kid: thumbprint(&public_x), public_x, private_pkcs8: STANDARD.encode(der.as_bytes()) })
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order.
pub fn thumbprint(public_x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{public_x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Reads an Ed25519 private key from a PKCS#8 PEM file.
pub fn read_pem(path: &Path) -> Result<(Signer, String), String> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let key = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|_| format!("{} is not an Ed25519 PKCS#8 PEM private key", path.display()))?;
    let public_x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    let signer = Signer { kid: thumbprint(&public_x), key: EncodingKey::from_ed_der(der.as_bytes()) };
    Ok((signer, public_x))
}

impl KeyRing {
    /// Loads the keys, creating the first one if the database has none that can sign.
    pub async fn load(store: Store, clock: Clock, settings: &TokenSettings) -> Result<KeyRing, String> {
        let now = clock.now();
        let pem = match &settings.signing_key_file {
            Some(path) => {
                let (signer, public_x) = read_pem(path)?;
                let known = signing_keys::by_kid(store.pool(), &signer.kid).await.map_err(|e| e.to_string())?;
                if known.as_ref().is_some_and(|k| k.retired_at.is_some()) {
                    return Err(format!(
                        "{} holds key {}, which `baton keys rotate` retired; a retired key never signs again. \
                         Remove signing-key-file (BATON_SIGNING_KEY_FILE) to sign with the database's active key, \
                         or name a new key file.",
                        path.display(),
                        signer.kid
                    ));
                }
                if known.is_none() {
                    let stored = async {
                        let mut tx = store.begin().await?;
                        signing_keys::insert_public(&mut tx, &signer.kid, &public_x, now).await?;
                        tx.commit().await
                    };
                    stored.await.map_err(|e| format!("cannot store the PEM key's public half: {e}"))?;
                }
                Some(signer)
            }
            None => {
                let rows = signing_keys::usable(store.pool(), now).await.map_err(|e| e.to_string())?;
                if !rows.iter().any(|k| k.retired_at.is_none() && k.private_key.is_some()) {
                    let key = generate().map_err(|e| e.to_string())?;
                    let stored = async {
                        let mut tx = store.begin().await?;
                        signing_keys::insert(&mut tx, &key, now).await?;
                        tx.commit().await
                    };
                    stored.await.map_err(|e| e.to_string())?;
                    tracing::info!(kid = %key.kid, "generated the first signing key");
                }
                None
            }
        };
        // Long enough for any token a retired key signed to expire.
        let longest_token = settings.access_ttl.max(settings.refresh_ttl.min(settings.session_ttl));
        let retention = longest_token + settings.clock_leeway + Duration::from_secs(60);
        let ring = build_ring(
            &signing_keys::usable(store.pool(), now.minus(retention)).await.map_err(|e| e.to_string())?,
            pem.as_ref(),
        )?;
        if ring.active.is_none() {
            return Err("the database holds no active signing key this instance can sign with".into());
        }
        Ok(KeyRing {
            ring: Arc::new(RwLock::new(Arc::new(ring))),
            store,
            clock,
            pem,
            retention,
            last_reload: Arc::new(Mutex::new(Instant::now())),
            reloading: Arc::default(),
        })
    }

    fn snapshot(&self) -> Arc<Ring> {
        self.ring.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Re-reads the keys from the database (a rotation by another process or instance).
    pub async fn reload(&self) -> Result<(), AppError> {
        let since = self.clock.now().minus(self.retention);
        let rows = signing_keys::usable(self.store.pool(), since).await?;
        let ring = build_ring(&rows, self.pem.as_ref()).map_err(AppError::internal)?;
        let active = |ring: &Ring| ring.active.as_ref().map(|s| s.kid.clone());
        let changed = {
            let old = self.snapshot();
            active(&old) != active(&ring) || old.by_kid.len() != ring.by_kid.len()
        };
        if changed {
            match active(&ring) {
                Some(kid) => tracing::info!(active = %kid, keys = ring.by_kid.len(), "signing keys reloaded"),
                None => tracing::error!("no active signing key this instance can sign with: signing refused"),
            }
        }
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(ring);
        *self.last_reload.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
        Ok(())
    }

    /// The key new tokens are signed with; `unavailable` while the database holds no
    /// active key this instance can sign with (never a key it retired).
    pub fn active(&self) -> Result<Signer, AppError> {
        self.snapshot().active.clone().ok_or(AppError::Unavailable { retry_after: 5 })
    }

    /// The signer of `kid`, to reproduce a token it signed earlier.
    pub fn signer(&self, kid: &str) -> Option<Signer> {
        self.snapshot().by_kid.get(kid).and_then(|e| e.signer.clone())
    }

    /// The verifying key of `kid`. An unknown kid may be a key another instance just
    /// created: reload once (at most once a second, so forged kids cannot turn every
    /// request into a database read) and look again.
    pub async fn decoding(&self, kid: &str) -> Option<DecodingKey> {
        if let Some(entry) = self.snapshot().by_kid.get(kid) {
            return Some(entry.decoding.clone());
        }
        // Claim the slot before reloading, so that a burst of requests naming an
        // unknown kid makes one query, not one each.
        let due = {
            let mut last = self.last_reload.lock().unwrap_or_else(PoisonError::into_inner);
            let due = last.elapsed() >= Duration::from_secs(1);
            if due {
                *last = Instant::now();
            }
            due
        };
        if due && self.reload().await.is_ok() {
            return self.snapshot().by_kid.get(kid).map(|e| e.decoding.clone());
        }
        None
    }

    /// The verifying key of `kid`, reloading from the database first when it is
    /// unknown, however recently that was done: for a refresh token, where answering
    /// "invalid" would sign the person out for this instance's own stale state.
    /// Concurrent callers share one reload.
    pub async fn decoding_fresh(&self, kid: &str) -> Result<Option<DecodingKey>, AppError> {
        let known = |ring: &Ring| ring.by_kid.get(kid).map(|e| e.decoding.clone());
        if let Some(key) = known(&self.snapshot()) {
            return Ok(Some(key));
        }
        let _one_at_a_time = self.reloading.lock().await;
        if let Some(key) = known(&self.snapshot()) {
            return Ok(Some(key));
        }
        self.reload().await?;
        Ok(known(&self.snapshot()))
    }

    /// The JWKS document (RFC 7517), prebuilt at load.
    pub fn jwks(&self) -> Arc<str> {
        self.snapshot().jwks.clone()
    }

    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self.snapshot().by_kid.keys().cloned().collect();
        kids.sort();
        kids
    }
}

/// Adds a new active key and retires the others (they keep verifying until their
/// tokens have expired). Used by `baton keys rotate`.
pub async fn rotate(store: &Store, clock: &Clock) -> Result<String, AppError> {
    // A configured PEM key would be retired too, and the instances configured with it
    // would refuse to start: the operator must choose one way of keeping keys.
    let key = generate()?;
    let mut tx = store.begin().await?;
    signing_keys::rotate(&mut tx, &key, clock.now()).await?;
    tx.commit().await?;
    Ok(key.kid)
}

fn build_ring(rows: &[KeyRow], pem: Option<&Signer>) -> Result<Ring, String> {
    let mut by_kid = HashMap::new();
    let mut newest_active: Option<(&KeyRow, Signer)> = None;
    for row in rows {
        let raw =
            URL_SAFE_NO_PAD.decode(&row.public_key).map_err(|_| format!("key {} has a corrupt public key", row.kid))?;
        if raw.len() != 32 {
            return Err(format!("key {} is not an Ed25519 public key", row.kid));
        }
        let signer = match (&row.private_key, pem) {
            (Some(private), _) => {
                let der = STANDARD.decode(private).map_err(|_| format!("key {} has a corrupt private key", row.kid))?;
                Some(Signer { kid: row.kid.clone(), key: EncodingKey::from_ed_der(&der) })
            }
            (None, Some(pem)) if pem.kid == row.kid => Some(pem.clone()),
            _ => None,
        };
        if let (Some(signer), None) = (&signer, row.retired_at) {
            if newest_active.as_ref().is_none_or(|(best, _)| row.created_at >= best.created_at) {
                newest_active = Some((row, signer.clone()));
            }
        }
        by_kid.insert(
            row.kid.clone(),
            Entry { public_x: row.public_key.clone(), decoding: DecodingKey::from_ed_der(&raw), signer },
        );
    }
    let active = newest_active.map(|(_, signer)| signer);
    let mut kids: Vec<&String> = by_kid.keys().collect();
    kids.sort();
    let keys: Vec<serde_json::Value> = kids
        .into_iter()
        .map(|kid| {
            serde_json::json!({
                "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                "kid": kid, "x": by_kid[kid].public_x,
            })
        })
        .collect();
    let jwks = serde_json::json!({ "keys": keys }).to_string().into();
    Ok(Ring { active, by_kid, jwks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_8037_appendix_a3() {
        // RFC 8037 A.3: the thumbprint of the example Ed25519 key.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn generated_keys_round_trip_through_their_stored_form() {
        let key = generate().unwrap();
        assert_eq!(key.kid, thumbprint(&key.public_x));
        let der = STANDARD.decode(&key.private_pkcs8).unwrap();
        let back = SigningKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(back.verifying_key().as_bytes()), key.public_x);
    }
}
