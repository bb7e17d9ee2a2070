//! The first line against one client flooding the sign-in endpoints (the middleware is
//! `http::shedding`): a token bucket per client address (`Device::net`, the IPv4
//! address or IPv6 /64), in memory, checked before the request reaches its endpoint.
//! Past `BATON_SIGN_IN_BURST` attempts at once and `BATON_SIGN_IN_RATE` a minute, the
//! answer is 429: no database query, no place in the hashing queue, so a refusal costs
//! the server little more than reading the request.
//!
//! A refused attempt is answered after a pause (`BATON_SIGN_IN_PAUSE`, 1 s) that costs
//! the server nothing but a timer: a flooding client that waits for each answer (as any HTTP/1.1
//! connection does) then sends one attempt a second per connection instead of tens of
//! thousands, so even cheap refusals stop taking the cores from everyone else (measured
//! in `make perf`'s flood rows). At most [`MAX_PAUSED`] refusals wait at once; past
//! that they are answered at once.
//!
//! The limits of `auth::limits` still count every attempt that gets through, across
//! instances and in the database; this one is per instance and forgets, which is what
//! lets it be cheap. Someone behind the same address as a flooder shares its bucket,
//! as they share its other per-address limits.

use crate::server::config::Settings;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{num::NonZeroU32, sync::Arc, time::Duration};

/// Refused attempts that may wait at once (a timer and a connection each).
const MAX_PAUSED: usize = 1024;

/// How often buckets that are full again are forgotten, so that memory follows the
/// clients of the last minute, not every address ever seen.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// The buckets, one per client address.
#[derive(Clone)]
pub struct Shedding {
    buckets: Arc<DefaultKeyedRateLimiter<String>>,
    paused: Arc<tokio::sync::Semaphore>,
    pause: Duration,
}

impl Shedding {
    pub fn new(settings: &Settings) -> Shedding {
        let limits = &settings.limits;
        let per_minute = NonZeroU32::new(limits.sign_in_rate).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.sign_in_burst).unwrap_or(NonZeroU32::MIN);
        Shedding {
            buckets: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))),
            paused: Arc::new(tokio::sync::Semaphore::new(MAX_PAUSED)),
            pause: limits.sign_in_pause,
        }
    }

    /// Takes one attempt from `client`'s bucket; the seconds until there is one, if it
    /// is empty.
    pub fn admit(&self, client: &str) -> Result<(), u64> {
        self.buckets.check_key(&client.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs() + 1
        })
    }

    /// A refusal's pause, when the pause is on and fewer than [`MAX_PAUSED`] refusals
    /// are waiting already.
    pub async fn pause(&self) {
        if self.pause.is_zero() {
            return;
        }
        if let Ok(_waiting) = self.paused.try_acquire() {
            tokio::time::sleep(self.pause).await;
        }
    }

    /// Forgets the full buckets every minute, in the background.
    pub fn spawn_forgetting(&self) -> tokio::task::JoinHandle<()> {
        let buckets = self.buckets.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_EVERY);
            loop {
                every.tick().await;
                buckets.retain_recent();
                buckets.shrink_to_fit();
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shedding(rate: u32, burst: u32) -> Shedding {
        let mut settings = Settings::from_sources("test", None, &|_| None).unwrap();
        settings.limits.sign_in_rate = rate;
        settings.limits.sign_in_burst = burst;
        Shedding::new(&settings)
    }

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_untouched() {
        let shedding = shedding(60, 3);
        for _ in 0..3 {
            assert_eq!(shedding.admit("10.0.0.1"), Ok(()));
        }
        // One a second from here: the next is a second away at most.
        assert!(matches!(shedding.admit("10.0.0.1"), Err(1 | 2)));
        assert_eq!(shedding.admit("10.0.0.2"), Ok(()));
    }
}
