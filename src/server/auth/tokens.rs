//! Issuing and verifying the two kinds of JWT. This is the one verifier: the Bearer
//! extractor, the server functions and the refresh flow all come through here.
//!
//! Access and refresh tokens are signed with the same keys, so they are told apart by
//! `typ` in the header (RFC 9068 `at+jwt`, our `rt+jwt`) *and* by audience: a token of
//! one kind fails both checks as the other. `jsonwebtoken` never looks at `typ`, so it
//! is checked here, before the signature, together with the pinned algorithm.

use super::keys::KeyRing;
use crate::{
    server::{
        config::TokenSettings,
        ids::{SessionId, TokenId, UserId},
        store::{refresh_tokens::RefreshRow, revoked::RevokedSessions},
        time::UnixSecs,
    },
    shared::{error::AppError, roles::Roles},
};
use jsonwebtoken::{Algorithm, Header, Validation};
use quick_cache::sync::Cache;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

pub const ACCESS_AUDIENCE: &str = "baton-api";
pub const REFRESH_AUDIENCE: &str = "baton-refresh";

/// Far longer than any token we issue (about 600 bytes): a bound on the work a
/// garbage header can cause.
const MAX_TOKEN_LEN: usize = 4096;

/// Verified access tokens kept (about 200 bytes each): a bound on memory, whatever
/// the number of live sessions; the least used go first.
const VERIFIED_CAPACITY: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Access,
    Refresh,
}

impl Kind {
    pub fn typ(self) -> &'static str {
        match self {
            Kind::Access => "at+jwt",
            Kind::Refresh => "rt+jwt",
        }
    }

    pub fn audience(self) -> &'static str {
        match self {
            Kind::Access => ACCESS_AUDIENCE,
            Kind::Refresh => REFRESH_AUDIENCE,
        }
    }
}

/// The claims of both kinds (their `aud` differs). Field order is the serialisation
/// order, which must stay stable: the grace case relies on signing the same claims
/// again giving the same token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: UserId,
    pub sid: SessionId,
    pub jti: TokenId,
    pub iat: UnixSecs,
    pub exp: UnixSecs,
    /// Access tokens: when the person last proved who they are (RFC 9068 §2.2.1),
    /// what a sensitive action checks. Refresh tokens carry none (and serialise
    /// exactly as before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<UnixSecs>,
    /// Access tokens: the account's roles when the token was issued, for the
    /// application's own use (docs/API.md, "Roles and administration"); omitted when
    /// none, and never in refresh tokens. Baton's own administration reads the
    /// database instead, so a removed role stops there at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Malformed, badly signed, wrong kind, issuer or audience.
    Invalid,
    /// Signed by a key this instance does not know, even after reloading the keys:
    /// forged, or this instance cannot reach the database. Not the token's fault
    /// necessarily, so not a reason to sign anyone out.
    UnknownKey,
    /// Genuine but past `exp` (plus leeway); the claims are trustworthy.
    Expired(Claims),
}

#[derive(Clone)]
pub struct Tokens {
    keys: KeyRing,
    revoked: RevokedSessions,
    /// Access tokens whose signature and claims were verified: SHA-256 of the whole
    /// token → its claims. An EdDSA verification costs ~40 µs, a lookup well under
    /// one; a token is typically presented many times in its life. Expiry and
    /// revocation are checked on every use, cached or not, so a cached token is
    /// refused the moment its session is revoked.
    verified: Arc<Cache<[u8; 32], Arc<Claims>>>,
    issuer: String,
    access_ttl: Duration,
    leeway: Duration,
    access_validation: Validation,
    refresh_validation: Validation,
}

impl Tokens {
    pub fn new(keys: KeyRing, revoked: RevokedSessions, settings: &TokenSettings) -> Self {
        let validation = |kind: Kind| {
            let mut v = Validation::new(Algorithm::EdDSA);
            v.set_issuer(&[&settings.issuer]);
            v.set_audience(&[kind.audience()]);
            v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            // `exp` is checked below, so an expired refresh token can still say which
            // session it belonged to (session_expired versus invalid_refresh_token).
            v.validate_exp = false;
            v
        };
        Tokens {
            keys,
            revoked,
            verified: Arc::new(Cache::new(VERIFIED_CAPACITY)),
            issuer: settings.issuer.clone(),
            access_ttl: settings.access_ttl.max(Duration::from_secs(1)),
            leeway: settings.clock_leeway,
            access_validation: validation(Kind::Access),
            refresh_validation: validation(Kind::Refresh),
        }
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    pub fn revoked(&self) -> &RevokedSessions {
        &self.revoked
    }

    /// How long an access token lives.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// A new access token for session `sid` of user `sub`, who holds `roles`, issued at
    /// `now`, whose session last proved who it is at `auth_time`.
    pub fn issue_access(
        &self,
        sub: UserId,
        sid: SessionId,
        roles: &Roles,
        auth_time: UnixSecs,
        now: UnixSecs,
    ) -> Result<String, AppError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: ACCESS_AUDIENCE.to_string(),
            sub,
            sid,
            jti: TokenId::generate(),
            iat: now,
            exp: now.plus(self.access_ttl),
            auth_time: Some(auth_time),
            roles: roles.names().to_vec(),
        };
        let signer = self.keys.active()?;
        sign(Kind::Access, &claims, &signer.kid, &signer.key)
    }

    /// The refresh token a stored row stands for. Ed25519 signatures are
    /// deterministic (RFC 8032 §5.1.6), so the same row always gives the same token.
    pub fn sign_refresh(&self, row: &RefreshRow) -> Result<String, AppError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: REFRESH_AUDIENCE.to_string(),
            sub: row.user_id,
            sid: row.session_id,
            jti: row.jti,
            iat: row.iat,
            exp: row.exp,
            auth_time: None,
            roles: Vec::new(),
        };
        let signer = self
            .keys
            .signer(&row.kid)
            .ok_or_else(|| AppError::internal(format!("no private key for kid {} to sign a refresh token", row.kid)))?;
        sign(Kind::Refresh, &claims, &signer.kid, &signer.key)
    }

    /// Verifies an access token, including that its session was not revoked (from
    /// memory: no database read per request).
    pub async fn verify_access(&self, token: &str, now: UnixSecs) -> Result<Arc<Claims>, AppError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(AppError::InvalidToken);
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let claims = match self.verified.get(&digest) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.verify(Kind::Access, token, now).await.map_err(|_| AppError::InvalidToken)?);
                self.verified.insert(digest, claims.clone());
                claims
            }
        };
        if now >= claims.exp.plus(self.leeway) || self.revoked.contains(&claims.sid) {
            return Err(AppError::InvalidToken);
        }
        Ok(claims)
    }

    /// Verifies a refresh token's signature, kind and lifetime (its stored state is the
    /// store's business). An unknown `kid` makes it reload the keys first: a key
    /// another instance created a moment ago must not sign anyone out.
    pub async fn verify_refresh(&self, token: &str, now: UnixSecs) -> Result<Claims, Refused> {
        self.verify(Kind::Refresh, token, now).await
    }

    async fn verify(&self, kind: Kind, token: &str, now: UnixSecs) -> Result<Claims, Refused> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Refused::Invalid);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refused::Invalid)?;
        // Pin the algorithm (no `none`, no HS256 keyed with the public key), the type,
        // and refuse header parameters we never issue (RFC 8725 §3.1, RFC 7515 §4.1.11:
        // a `crit` we do not understand must be refused).
        let typ_ok = header.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(kind.typ()));
        if header.alg != Algorithm::EdDSA
            || !typ_ok
            || header.crit.is_some()
            || header.jku.is_some()
            || header.jwk.is_some()
        {
            return Err(Refused::Invalid);
        }
        let kid = header.kid.as_deref().ok_or(Refused::Invalid)?;
        let key = match kind {
            // Access tokens: at most one reload a second, so forged kids cannot turn
            // every request into a database read; a refused one is renewed anyway.
            Kind::Access => self.keys.decoding(kid).await,
            Kind::Refresh => self.keys.decoding_fresh(kid).await.map_err(|_| Refused::UnknownKey)?,
        };
        let key = key.ok_or(Refused::UnknownKey)?;
        let validation = match kind {
            Kind::Access => &self.access_validation,
            Kind::Refresh => &self.refresh_validation,
        };
        let claims = jsonwebtoken::decode::<Claims>(token, &key, validation).map_err(|_| Refused::Invalid)?.claims;
        if claims.iat > now.plus(self.leeway) {
            return Err(Refused::Invalid);
        }
        if now >= claims.exp.plus(self.leeway) {
            return Err(Refused::Expired(claims));
        }
        Ok(claims)
    }
}

fn sign(kind: Kind, claims: &Claims, kid: &str, key: &jsonwebtoken::EncodingKey) -> Result<String, AppError> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(kind.typ().to_string());
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, key).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{db, store::Store, time::Clock};
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use proptest::{prelude::*, test_runner::TestRunner};

    /// The verifier of a fresh SQLite database, with its first key.
    async fn tokens(dir: &tempfile::TempDir) -> Tokens {
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let pool = db::connect(&url).await.unwrap();
        let settings = TokenSettings::default();
        let revoked = RevokedSessions::new(settings.access_ttl);
        let store = Store::new(pool, &url, revoked.clone());
        let keys = KeyRing::load(store, Clock::system(), &settings).await.unwrap();
        Tokens::new(keys, revoked, &settings)
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Untrusted bytes in the Authorization header or the cookie: whatever they are,
    /// verification refuses them without a panic, also when they are shaped like a
    /// JWT (any header, any claims, any signature) or are one of ours with a byte
    /// changed.
    #[test]
    fn arbitrary_and_tampered_tokens_are_refused_without_panicking() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tokens = runtime.block_on(tokens(&dir));
        let now = Clock::system().now().as_secs();
        let genuine =
            tokens.issue_access(UserId::generate(), SessionId::generate(), &Roles::default(), now, now).unwrap();
        let kid = tokens.keys().active().unwrap().kid;
        assert!(runtime.block_on(tokens.verify_access(&genuine, now)).is_ok());

        let headers = prop::sample::select(vec![
            r#"{"alg":"none","typ":"at+jwt"}"#.to_string(),
            r#"{"alg":"HS256","typ":"at+jwt","kid":"KID"}"#.to_string(),
            r#"{"alg":"EdDSA","typ":"at+jwt","kid":"KID"}"#.to_string(),
            r#"{"alg":"EdDSA","typ":"rt+jwt","kid":"KID"}"#.to_string(),
            r#"{"alg":"EdDSA","typ":"at+jwt","kid":"KID","crit":["exp"]}"#.to_string(),
            r#"{"alg":"EdDSA","typ":"at+jwt","kid":"nope"}"#.to_string(),
            r#"{"alg":"EdDSA"}"#.to_string(),
            "[]".to_string(),
        ])
        .prop_map(move |h| h.replace("KID", &kid));
        let shaped = (headers, "\\PC{0,200}", prop::collection::vec(any::<u8>(), 0..80)).prop_map(
            |(header, claims, signature)| {
                format!("{}.{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()), b64(&signature))
            },
        );
        let tampered = (0..genuine.len(), any::<u8>()).prop_map({
            let genuine = genuine.clone();
            move |(at, byte)| {
                let mut bytes = genuine.clone().into_bytes();
                let replacement =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[byte as usize % 65];
                bytes[at] = if bytes[at] == replacement { b'.' } else { replacement };
                String::from_utf8(bytes).unwrap_or_default()
            }
        });
        let inputs = prop_oneof!["\\PC{0,5000}", shaped, tampered];
        TestRunner::default()
            .run(&inputs, |token| {
                // A tampered copy can only verify if the change was a no-op.
                prop_assume!(token != genuine);
                prop_assert!(runtime.block_on(tokens.verify_access(&token, now)).is_err());
                prop_assert!(runtime.block_on(tokens.verify_refresh(&token, now)).is_err());
                Ok(())
            })
            .unwrap();
    }
}
