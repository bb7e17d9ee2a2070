//! Instants as types, and the one clock.
//!
//! The database stores instants as Unix milliseconds (`UnixMillis`, every `*_at`
//! column); JWTs carry whole Unix seconds (`UnixSecs`, `iat` / `exp`, RFC 7519 §2
//! "NumericDate"). Keeping them apart in the types means a unit mix-up does not
//! compile; the conversions are the methods below and nowhere else.
//!
//! Every part of the server asks [`Clock::now`] for the time. Tests can move a clock
//! forward ([`Clock::advance`]) instead of sleeping.

use crate::shared::error::AppError;
use serde::{Deserialize, Serialize};
use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct UnixMillis(pub i64);

/// Whole seconds since the Unix epoch (a JWT NumericDate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct UnixSecs(pub i64);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl UnixMillis {
    /// The whole second this instant falls in.
    pub fn as_secs(self) -> UnixSecs {
        UnixSecs(self.0.div_euclid(1000))
    }

    pub fn plus(self, duration: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_add(millis(duration)))
    }

    pub fn minus(self, duration: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_sub(millis(duration)))
    }

    /// RFC 3339 in UTC, as the contract writes instants, always with three fractional
    /// digits. The `time` crate's own RFC 3339 drops trailing zeros ("…:01Z" beside
    /// "…:01.5Z"), so its instants did not sort in time order as text, which is how
    /// many clients sort them.
    pub fn to_rfc3339(self) -> Result<String, AppError> {
        use time::{format_description::StaticFormatDescription, macros::format_description, OffsetDateTime};
        const RFC3339_MILLIS: StaticFormatDescription =
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .map_err(AppError::internal)?
            .format(RFC3339_MILLIS)
            .map_err(AppError::internal)
    }

    /// How long after `earlier` this is; zero if it is not after it.
    pub fn since(self, earlier: UnixMillis) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

impl UnixSecs {
    pub fn as_millis(self) -> UnixMillis {
        UnixMillis(self.0.saturating_mul(1000))
    }

    pub fn plus(self, duration: Duration) -> UnixSecs {
        UnixSecs(self.0.saturating_add(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)))
    }

    /// Whole seconds from `now` until this instant; zero if it has passed.
    pub fn secs_after(self, now: UnixSecs) -> i64 {
        (self.0 - now.0).max(0)
    }
}

/// The server's clock: the system time, plus an offset that only tests move.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> UnixMillis {
        let system = SystemTime::now().duration_since(UNIX_EPOCH).map(millis).unwrap_or(0);
        UnixMillis(system + self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(millis(by), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_and_seconds_convert_by_flooring() {
        assert_eq!(UnixMillis(1_999).as_secs(), UnixSecs(1));
        assert_eq!(UnixMillis(-1).as_secs(), UnixSecs(-1));
        assert_eq!(UnixSecs(2).as_millis(), UnixMillis(2_000));
    }

    #[test]
    fn instants_are_written_at_one_width_so_text_order_is_time_order() {
        assert_eq!(UnixMillis(0).to_rfc3339().unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(UnixMillis(1_764_489_601_120).to_rfc3339().unwrap(), "2025-11-30T08:00:01.120Z");
        let instants: Vec<String> =
            [1_000, 1_005, 1_120, 1_123, 1_500, 2_000].map(|ms| UnixMillis(ms).to_rfc3339().unwrap()).to_vec();
        assert!(instants.windows(2).all(|w| w[0] < w[1]), "{instants:?}");
        for text in &instants {
            let parsed = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339);
            assert!(parsed.is_ok(), "{text} is RFC 3339");
        }
    }

    #[test]
    fn durations_never_go_negative() {
        assert_eq!(UnixMillis(5).since(UnixMillis(10)), Duration::ZERO);
        assert_eq!(UnixMillis(10).since(UnixMillis(5)), Duration::from_millis(5));
        assert_eq!(UnixSecs(5).secs_after(UnixSecs(9)), 0);
    }

    #[test]
    fn an_advanced_clock_moves_all_its_clones() {
        let clock = Clock::system();
        let clone = clock.clone();
        let before = clone.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clone.now().since(before) >= Duration::from_secs(3600));
    }
}
