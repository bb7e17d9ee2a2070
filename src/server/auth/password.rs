//! Password hashing with argon2id at OWASP's minimum (19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on the blocking pool and
//! behind a semaphore sized to the cores: a storm of sign-ins queues here instead of
//! occupying every worker thread, and refreshes (which never hash) keep flowing. The
//! queue itself is bounded: when it is full, a request is told at once to come back
//! (503 `unavailable`) instead of waiting behind everyone else.

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

/// Requests that may wait for a hashing slot, per core: about half a second of
/// hashing each, at some 40 hashes a second on two cores.
const QUEUE_PER_CORE: usize = 16;

#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Semaphore>,
    /// Hashing or waiting to: bounds the queue in front of `slots`.
    admitted: Arc<Semaphore>,
    /// Checked when the email is unknown, so that answer and timing match a wrong
    /// password and the endpoint does not reveal which emails have accounts.
    dummy_hash: Arc<str>,
}

/// The right to run one hash now; held across the last rate-limit check, the hash and
/// recording a failure, so that parallel guesses cannot all slip past the limit
/// before one is recorded.
pub struct HashSlot {
    _admitted: OwnedSemaphorePermit,
    _permit: OwnedSemaphorePermit,
}

impl Passwords {
    /// Hashes the dummy password once: call it off the async runtime's threads.
    pub fn new() -> Result<Self, AppError> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = hash_blocking("not a real password: timing equaliser")?;
        Ok(Passwords {
            slots: Arc::new(Semaphore::new(cores)),
            admitted: Arc::new(Semaphore::new(cores * (1 + QUEUE_PER_CORE))),
            dummy_hash: dummy.into(),
        })
    }

    /// Waits for a hashing slot, or answers `unavailable` at once when the queue is full.
    pub async fn slot(&self) -> Result<HashSlot, AppError> {
        let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("password hashing queue full: answering 503");
            AppError::Unavailable { retry_after: 1 }
        })?;
        let permit = self.slots.clone().acquire_owned().await.map_err(AppError::internal)?;
        Ok(HashSlot { _admitted: admitted, _permit: permit })
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
    async fn a_busy_hasher_queues_and_a_full_queue_answers_unavailable_at_once() {
        let passwords = Passwords::new().unwrap();
        let wait = std::time::Duration::from_millis(100);
        // Every core hashing: the next request waits its turn.
        let cores = passwords.slots.available_permits() as u32;
        let busy = passwords.slots.clone().try_acquire_many_owned(cores).unwrap();
        assert!(tokio::time::timeout(wait, passwords.slot()).await.is_err(), "it waits");
        // Every place in the queue taken as well: the answer comes at once.
        let places = passwords.admitted.available_permits() as u32;
        let full = passwords.admitted.clone().try_acquire_many_owned(places).unwrap();
        let refused = tokio::time::timeout(wait, passwords.slot()).await.expect("no waiting");
        assert!(matches!(refused, Err(AppError::Unavailable { retry_after: 1 })));
        drop((busy, full));
        assert!(tokio::time::timeout(wait, passwords.slot()).await.is_ok_and(|slot| slot.is_ok()));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies_even_with_the_dummy_password() {
        let passwords = Passwords::new().unwrap();
        let slot = passwords.slot().await.unwrap();
        let dummy = Password::parse_new("not a real password: timing equaliser").unwrap();
        assert!(!passwords.verify(&slot, &dummy, None).await.unwrap());
    }
}
