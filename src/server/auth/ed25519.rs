//! The crypto under `jsonwebtoken`, with Ed25519 keys parsed once.
//!
//! `jsonwebtoken` signs and verifies through a process-wide `CryptoProvider`; its
//! RustCrypto one parses the key on every call: a PKCS#8 decode and a scalar
//! multiplication (the public half) per signature, a point decompression per
//! verification, about as much work again as the signature itself. This provider
//! keeps each parsed Ed25519 key (there are only a handful: ours) and hands every
//! other algorithm to the RustCrypto provider unchanged. JWT encoding, decoding and
//! claim validation stay `jsonwebtoken`'s.

use ed25519_dalek::{pkcs8::DecodePrivateKey, Signature, SigningKey, VerifyingKey};
use jsonwebtoken::{
    crypto::{rust_crypto::DEFAULT_PROVIDER, CryptoProvider, JwtSigner, JwtVerifier},
    errors::{ErrorKind, Result},
    signature, Algorithm, DecodingKey, EncodingKey,
};
use std::{
    collections::HashMap,
    sync::{LazyLock, PoisonError, RwLock},
};

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    key_utils: DEFAULT_PROVIDER.key_utils.clone(),
});

/// Makes this the process's provider. Call it before the first token is signed or
/// verified; if something got there first, the stock provider stays (just slower).
pub fn install() {
    if PROVIDER.install_default().is_err() {
        tracing::debug!("jsonwebtoken's crypto provider was already chosen");
    }
}

/// Parsed signing keys by their PKCS#8 DER form.
static SIGNING: LazyLock<RwLock<HashMap<Vec<u8>, SigningKey>>> = LazyLock::new(Default::default);
/// Decompressed public keys by their 32 bytes.
static VERIFYING: LazyLock<RwLock<HashMap<[u8; 32], VerifyingKey>>> = LazyLock::new(Default::default);

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if *algorithm != Algorithm::EdDSA {
        return (DEFAULT_PROVIDER.signer_factory)(algorithm, key);
    }
    let der = key.as_bytes();
    let known = SIGNING.read().unwrap_or_else(PoisonError::into_inner).get(der).cloned();
    let parsed = match known {
        Some(parsed) => parsed,
        None => {
            let parsed = SigningKey::from_pkcs8_der(der).map_err(|_| ErrorKind::InvalidEddsaKey)?;
            SIGNING.write().unwrap_or_else(PoisonError::into_inner).insert(der.to_vec(), parsed.clone());
            parsed
        }
    };
    Ok(Box::new(Ed25519Signer(parsed)))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::EdDSA {
        return (DEFAULT_PROVIDER.verifier_factory)(algorithm, key);
    }
    let bytes: [u8; 32] =
        key.try_get_as_bytes()?.get(..32).and_then(|b| b.try_into().ok()).ok_or(ErrorKind::InvalidEddsaKey)?;
    let known = VERIFYING.read().unwrap_or_else(PoisonError::into_inner).get(&bytes).copied();
    let parsed = match known {
        Some(parsed) => parsed,
        None => {
            let parsed = VerifyingKey::from_bytes(&bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
            VERIFYING.write().unwrap_or_else(PoisonError::into_inner).insert(bytes, parsed);
            parsed
        }
    };
    Ok(Box::new(Ed25519Verifier(parsed)))
}

struct Ed25519Signer(SigningKey);

impl signature::Signer<Vec<u8>> for Ed25519Signer {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        Ok(self.0.sign(message).to_bytes().to_vec())
    }
}

impl JwtSigner for Ed25519Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

struct Ed25519Verifier(VerifyingKey);

impl signature::Verifier<Vec<u8>> for Ed25519Verifier {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        let signature = Signature::from_slice(signature).map_err(|_| signature::Error::new())?;
        self.0.verify(message, &signature).map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Ed25519Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What this provider signs, the stock one verifies, and the other way round.
    #[test]
    fn signatures_are_interchangeable_with_the_stock_provider() {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let der = key.to_pkcs8_der().unwrap();
        let encoding = EncodingKey::from_ed_der(der.as_bytes());
        let decoding = DecodingKey::from_ed_der(key.verifying_key().as_bytes());
        let message = b"header.claims";
        let ours = signer(&Algorithm::EdDSA, &encoding).unwrap().try_sign(message).unwrap();
        let stock = (DEFAULT_PROVIDER.signer_factory)(&Algorithm::EdDSA, &encoding).unwrap().try_sign(message).unwrap();
        assert_eq!(ours, stock, "Ed25519 is deterministic");
        assert!((DEFAULT_PROVIDER.verifier_factory)(&Algorithm::EdDSA, &decoding)
            .unwrap()
            .verify(message, &ours)
            .is_ok());
        let ours_verifier = verifier(&Algorithm::EdDSA, &decoding).unwrap();
        assert!(ours_verifier.verify(message, &stock).is_ok());
        assert!(ours_verifier.verify(b"header.tampered", &stock).is_err());
        assert!(ours_verifier.verify(message, &vec![0; 64]).is_err());
        assert!(ours_verifier.verify(message, &vec![0; 3]).is_err());
    }
}
