//! [`SecretToken`]: what the database must be able to recognise but never hold.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A bearer secret handed out once: 32 random bytes, base64url where it travels (a
/// mailed link, the second step's `mfa_token`, the `device` cookie), only its SHA-256
/// in the database. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

impl SecretToken {
    pub fn generate() -> SecretToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it came back in a request; `None` if it cannot be one of ours
    /// (so nothing is looked up for it).
    pub fn parse(text: &str) -> Option<SecretToken> {
        // 32 bytes are 43 characters: anything longer is not decoded at all.
        let text = text.trim();
        if text.len() != 43 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        (bytes.len() == 32).then(|| SecretToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored and looked up.
    pub fn hash(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_32_random_bytes_and_parses_back_to_the_same_hash() {
        let token = SecretToken::generate();
        assert_eq!(token.as_str().len(), 43);
        assert_ne!(token.as_str(), SecretToken::generate().as_str());
        let parsed = SecretToken::parse(token.as_str()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_ne!(token.hash(), token.as_str());
    }

    #[test]
    fn anything_else_is_not_a_token() {
        for text in
            ["", "abc", "!!!!", &"A".repeat(44), &URL_SAFE_NO_PAD.encode([0u8; 31]), "a b", &"A".repeat(100_000)]
        {
            assert!(SecretToken::parse(text).is_none(), "{text:?}");
        }
    }
}
