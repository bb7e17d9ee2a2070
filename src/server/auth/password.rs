//! Password hashing with argon2id at OWASP's minimum (19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on the blocking pool and
//! behind a semaphore sized to the cores: a storm of sign-ins queues here instead of
//! occupying every worker thread, and refreshes (which never hash) keep flowing.

use crate::shared::{credentials::Password, error::AppError};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB, t=2, p=1.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Semaphore>,
    /// Checked when the email is unknown, so that answer and timing match a wrong
    /// password and the endpoint does not reveal which emails have accounts.
    dummy_hash: Arc<str>,
}

/// The right to run one hash now; held across the rate-limit check and the hash so
/// that parallel guesses cannot all slip past the limit before one is recorded.
pub struct HashSlot {
    _permit: OwnedSemaphorePermit,
}

impl Passwords {
    /// Hashes the dummy password once: call it off the async runtime's threads.
    pub fn new() -> Result<Self, AppError> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = hash_blocking("not a real password: timing equaliser")?;
        Ok(Passwords { slots: Arc::new(Semaphore::new(cores)), dummy_hash: dummy.into() })
    }

    pub async fn slot(&self) -> Result<HashSlot, AppError> {
        let permit = self.slots.clone().acquire_owned().await.map_err(AppError::internal)?;
        Ok(HashSlot { _permit: permit })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, _slot: &HashSlot, password: &Password) -> Result<String, AppError> {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_blocking(password.expose())).await.map_err(AppError::internal)?
    }

    /// Checks a password against a stored hash, or against the dummy when there is no
    /// account, so both cases cost the same.
    pub async fn verify(&self, _slot: &HashSlot, password: &Password, stored: Option<&str>) -> Result<bool, AppError> {
        let password = password.clone();
        let known = stored.is_some();
        let hash: String = stored.unwrap_or(&self.dummy_hash).to_string();
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
            Ok::<_, AppError>(argon2()?.verify_password(password.expose().as_bytes(), &parsed).is_ok())
        })
        .await
        .map_err(AppError::internal)??;
        Ok(known && matches)
    }
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let passwords = Passwords::new().unwrap();
        let slot = passwords.slot().await.unwrap();
        let right = Password::parse_new("correct horse battery").unwrap();
        let wrong = Password::parse_new("correct horse battery!").unwrap();
        let hash = passwords.hash(&slot, &right).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(passwords.verify(&slot, &right, Some(&hash)).await.unwrap());
        assert!(!passwords.verify(&slot, &wrong, Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies_even_with_the_dummy_password() {
        let passwords = Passwords::new().unwrap();
        let slot = passwords.slot().await.unwrap();
        let dummy = Password::parse_new("not a real password: timing equaliser").unwrap();
        assert!(!passwords.verify(&slot, &dummy, None).await.unwrap());
    }
}
