//! Password hashing with argon2id at OWASP's minimum (19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on threads of its own,
//! one per core, at the lowest OS priority (`SCHED_IDLE`): when the cores are idle it has
//! them all, and when requests that never hash (refreshes, `/api/me`) want them, the
//! scheduler gives the async runtime's threads the CPU first. A semaphore sized to the
//! cores lets that many hashes run at once; a storm of sign-ins queues here instead
//! of piling onto the threads. The
//! queue itself is bounded, overall and per client: when either is full, a request is
//! told at once to come back (503 `unavailable`) instead of waiting. One client
//! flooding sign-ups or sign-ins thus holds at most a few places, and someone else's
//! sign-in waits for a few hashes at most, never for the flood.
//!
//! The price of the idle class: on a machine whose cores other processes keep busy,
//! sign-ins get only the time those leave. Give Baton cores of its own (the browser
//! tests, which share two cores with Chromium, run the browser in the idle class too,
//! `scripts/e2e.sh`).

use crate::{
    server::observe::metrics,
    shared::{credentials::Password, error::AppError},
};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Instant,
};
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
/// Places (hashing or waiting) one client may hold, per core.
const PER_CLIENT_PER_CORE: usize = 2;

#[derive(Clone)]
pub struct Passwords {
    /// The hashing threads.
    hashers: Arc<rayon::ThreadPool>,
    slots: Arc<Semaphore>,
    /// Hashing or waiting to: bounds the queue in front of `slots`.
    admitted: Arc<Semaphore>,
    /// Places held per client (`Device::net`), and how many one may hold.
    per_client: Arc<Mutex<HashMap<String, usize>>>,
    per_client_max: usize,
    /// Places held in all (`baton_password_hash_queue_depth`).
    depth: Arc<AtomicUsize>,
    /// Checked when the email is unknown, so that answer and timing match a wrong
    /// password and the endpoint does not reveal which emails have accounts.
    dummy_hash: Arc<str>,
}

/// The right to run one hash now; held across the last rate-limit check, the hash and
/// recording a failure, so that parallel guesses cannot all slip past the limit
/// before one is recorded.
pub struct HashSlot {
    _place: Place,
    _permit: OwnedSemaphorePermit,
}

/// A client's place in the queue; given back when dropped.
struct Place {
    _admitted: OwnedSemaphorePermit,
    client: String,
    per_client: Arc<Mutex<HashMap<String, usize>>>,
    depth: Arc<AtomicUsize>,
}

impl Drop for Place {
    fn drop(&mut self) {
        metrics::hash_queue(self.depth.fetch_sub(1, Ordering::Relaxed) - 1);
        let mut held = self.per_client.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.client);
            }
        }
    }
}

impl Passwords {
    /// Hashes the dummy password once: call it off the async runtime's threads.
    pub fn new() -> Result<Self, AppError> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = hash_blocking("not a real password: timing equaliser")?;
        let hashers = rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("argon2-{i}"))
            .start_handler(|_| lowest_priority())
            .build()
            .map_err(AppError::internal)?;
        Ok(Passwords {
            hashers: Arc::new(hashers),
            slots: Arc::new(Semaphore::new(cores)),
            admitted: Arc::new(Semaphore::new(cores * (1 + QUEUE_PER_CORE))),
            per_client: Arc::default(),
            per_client_max: cores * PER_CLIENT_PER_CORE,
            depth: Arc::default(),
            dummy_hash: dummy.into(),
        })
    }

    /// Waits for a hashing slot for `client`, or answers `unavailable` at once when
    /// the queue, or this client's share of it, is full.
    pub async fn slot(&self, client: &str) -> Result<HashSlot, AppError> {
        let busy = |why: &str| {
            tracing::warn!(client, "password hashing queue full ({why}): answering 503");
            AppError::Unavailable { retry_after: 1 }
        };
        let place = {
            let mut held = self.per_client.lock().unwrap_or_else(PoisonError::into_inner);
            let count = held.entry(client.to_string()).or_insert(0);
            if *count >= self.per_client_max {
                return Err(busy("this client's share"));
            }
            let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| busy("overall"))?;
            *count += 1;
            metrics::hash_queue(self.depth.fetch_add(1, Ordering::Relaxed) + 1);
            Place {
                _admitted: admitted,
                client: client.to_string(),
                per_client: self.per_client.clone(),
                depth: self.depth.clone(),
            }
        };
        let permit = self.slots.clone().acquire_owned().await.map_err(AppError::internal)?;
        Ok(HashSlot { _place: place, _permit: permit })
    }

    /// Runs `work` on a hashing thread, in a span of the request's trace; the hash's
    /// own time is `baton_password_hash_seconds`.
    async fn on_hasher<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        use tracing::Instrument;
        let (done, result) = tokio::sync::oneshot::channel();
        self.hashers.spawn(move || {
            let started = Instant::now();
            let outcome = work();
            metrics::hash_seconds(started.elapsed().as_secs_f64());
            let _ = done.send(outcome);
        });
        async { result.await.map_err(AppError::internal)? }.instrument(tracing::info_span!("password.hash")).await
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, _slot: &HashSlot, password: &Password) -> Result<String, AppError> {
        let password = password.clone();
        self.on_hasher(move || hash_blocking(password.expose())).await
    }

    /// Checks a password against a stored hash, or against the dummy when there is no
    /// account, so both cases cost the same.
    pub async fn verify(&self, _slot: &HashSlot, password: &Password, stored: Option<&str>) -> Result<bool, AppError> {
        let password = password.clone();
        let known = stored.is_some();
        let hash: String = stored.unwrap_or(&self.dummy_hash).to_string();
        let matches = self
            .on_hasher(move || {
                let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
                Ok(argon2()?.verify_password(password.expose().as_bytes(), &parsed).is_ok())
            })
            .await?;
        Ok(known && matches)
    }
}

/// Linux's idle scheduling class for the calling thread (on Linux the policy is per
/// thread): it runs only when no ordinary thread wants the core, and a request's
/// thread that wakes up takes the core from it at once. Nice 19 alone still gave each
/// hash its time slice first, which showed as refresh p99 2.3 times its idle value
/// during a sign-in storm. If the system refuses both, hashing runs at normal priority.
///
/// The system call itself, not libc's wrapper: musl's (the container's static build)
/// always fails with ENOSYS, and its `sched_param` has more fields than glibc's.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: both calls only read their arguments (a zeroed `sched_param` is priority
    // 0, which SCHED_IDLE requires); `pid`/`who` 0 is this thread.
    unsafe {
        let param: libc::sched_param = std::mem::zeroed();
        if libc::syscall(libc::SYS_sched_setscheduler, 0, libc::SCHED_IDLE, &param as *const libc::sched_param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        }
    }
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_hashing_thread_runs_in_the_idle_class() {
        let policy = std::thread::spawn(|| {
            lowest_priority();
            // SAFETY: reads this thread's policy.
            unsafe { libc::syscall(libc::SYS_sched_getscheduler, 0) }
        })
        .join()
        .unwrap();
        assert_eq!(policy, libc::c_long::from(libc::SCHED_IDLE));
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let passwords = Passwords::new().unwrap();
        let slot = passwords.slot("test").await.unwrap();
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
        assert!(tokio::time::timeout(wait, passwords.slot("a")).await.is_err(), "it waits");
        // Every place in the queue taken as well: the answer comes at once.
        let places = passwords.admitted.available_permits() as u32;
        let full = passwords.admitted.clone().try_acquire_many_owned(places).unwrap();
        let refused = tokio::time::timeout(wait, passwords.slot("b")).await.expect("no waiting");
        assert!(matches!(refused, Err(AppError::Unavailable { retry_after: 1 })));
        drop((busy, full));
        assert!(tokio::time::timeout(wait, passwords.slot("c")).await.is_ok_and(|slot| slot.is_ok()));
    }

    /// One client holds at most its share of the queue; others still get places.
    #[tokio::test]
    async fn one_client_holds_at_most_its_share_of_the_queue() {
        let passwords = Passwords::new().unwrap();
        let wait = std::time::Duration::from_millis(100);
        let cores = passwords.slots.available_permits() as u32;
        let busy = passwords.slots.clone().try_acquire_many_owned(cores).unwrap();
        let flood: Vec<_> = (0..passwords.per_client_max)
            .map(|_| {
                let passwords = passwords.clone();
                tokio::spawn(async move { passwords.slot("flooder").await.map(|_| ()) })
            })
            .collect();
        tokio::time::sleep(wait).await;
        let refused = tokio::time::timeout(wait, passwords.slot("flooder")).await.expect("no waiting");
        assert!(matches!(refused, Err(AppError::Unavailable { .. })));
        // Someone else queues (and waits its turn) as usual.
        assert!(tokio::time::timeout(wait, passwords.slot("someone else")).await.is_err(), "it waits");
        drop(busy);
        for waiting in flood {
            assert!(waiting.await.unwrap().is_ok());
        }
        assert!(passwords.per_client.lock().unwrap().is_empty(), "every place given back");
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies_even_with_the_dummy_password() {
        let passwords = Passwords::new().unwrap();
        let slot = passwords.slot("test").await.unwrap();
        let dummy = Password::parse_new("not a real password: timing equaliser").unwrap();
        assert!(!passwords.verify(&slot, &dummy, None).await.unwrap());
    }
}
