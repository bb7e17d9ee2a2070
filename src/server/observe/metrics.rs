//! Prometheus metrics, through the `metrics` facade and its Prometheus exporter: the
//! names of the contract, recorded where each outcome is decided (the rotation's
//! result, a sign-in's), and rendered for `GET /metrics` on `BATON_METRICS_ADDR`, with
//! the process' own (`metrics-process`). Without a metrics address nothing is
//! installed, and every record below is a no-op.

use crate::shared::error::AppError;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub const HTTP_DURATION: &str = "http_server_request_duration_seconds";
pub const SIGN_INS: &str = "baton_sign_ins_total";
pub const REFRESHES: &str = "baton_refreshes_total";
pub const HASH_QUEUE: &str = "baton_password_hash_queue_depth";
pub const HASH_SECONDS: &str = "baton_password_hash_seconds";
pub const RATE_LIMITED: &str = "baton_rate_limited_total";
pub const OUTBOX_PENDING: &str = "baton_mail_outbox_pending";
pub const MAIL_SENT: &str = "baton_mail_sent_total";
pub const POOL: &str = "baton_db_pool_connections";
pub const REVOCATIONS: &str = "baton_revocations_total";
pub const BREACH_CHECKS: &str = "baton_breach_checks_total";

/// Request durations from a millisecond to ten seconds; hashes from 10 ms to 5 s.
const HTTP_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const HASH_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The process' recorder: one per process (the `metrics` facade has one global
/// recorder), shared by every server this process starts.
static RECORDER: OnceLock<Result<Recorder, String>> = OnceLock::new();

#[derive(Clone)]
pub struct Recorder {
    handle: PrometheusHandle,
    process: std::sync::Arc<metrics_process::Collector>,
}

impl Recorder {
    /// Installs the process' recorder, or gives the one installed before.
    pub fn install() -> Result<Recorder, String> {
        RECORDER
            .get_or_init(|| {
                let handle = PrometheusBuilder::new()
                    .set_buckets_for_metric(
                        metrics_exporter_prometheus::Matcher::Full(HTTP_DURATION.into()),
                        HTTP_BUCKETS,
                    )
                    .and_then(|b| {
                        b.set_buckets_for_metric(
                            metrics_exporter_prometheus::Matcher::Full(HASH_SECONDS.into()),
                            HASH_BUCKETS,
                        )
                    })
                    .map_err(|e| e.to_string())?
                    .install_recorder()
                    .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
                describe();
                let process = metrics_process::Collector::default();
                process.describe();
                Ok(Recorder { handle, process: std::sync::Arc::new(process) })
            })
            .clone()
    }

    /// Folds the histograms' recent samples into their buckets. The exporter keeps
    /// each sample until then, so this runs every few seconds whether or not anyone
    /// scrapes (`serve` does it), or memory would grow with every request.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The Prometheus text of every metric now, the process' own read just before.
    pub fn render(&self) -> String {
        self.process.collect();
        // The histograms' buffers are drained by upkeep; a scrape is when it matters.
        self.handle.run_upkeep();
        self.handle.render()
    }
}

fn describe() {
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP requests by method, route pattern and status.");
    describe_counter!(SIGN_INS, "Sign-ins by method and result, counted where the result is decided.");
    describe_counter!(
        REFRESHES,
        "Refresh-token presentations by result: rotated, grace, reused, invalid, expired, rate_limited."
    );
    describe_gauge!(HASH_QUEUE, "Password hashes running or waiting for a slot.");
    describe_histogram!(HASH_SECONDS, Unit::Seconds, "Time to compute one argon2id hash (or verification).");
    describe_counter!(RATE_LIMITED, "Requests refused by a limit, by the limit.");
    describe_gauge!(OUTBOX_PENDING, "Mails waiting in the outbox.");
    describe_counter!(MAIL_SENT, "Mail deliveries by result: sent, failed (retried later), dropped.");
    describe_gauge!(POOL, "Database pool connections by state: idle, active.");
    describe_counter!(REVOCATIONS, "Sessions ended, by reason.");
    describe_counter!(
        BREACH_CHECKS,
        "New passwords checked against the breach lists, by result: found, clear, unavailable (let through)."
    );
}

/// One HTTP request, by its route's pattern (never the raw path: a scanner must not
/// make a series per URL it tries).
///
/// On every request, so its handle is kept: making one allocates its three labels and
/// looks the series up in the registry, which cost `/api/me` 7 % of its throughput
/// (`make perf`, observe); a kept handle is a hash lookup and the record. The set of
/// (method, route, status) is small and bounded by the routes.
pub fn http_request(method: &str, route: &str, status: u16, seconds: f64) {
    if !matches!(RECORDER.get(), Some(Ok(_))) {
        return;
    }
    let wanted = HttpSeriesRef(method, route, status);
    let histogram = HTTP_SERIES.get(&wanted).unwrap_or_else(|| {
        let labels = [("method", method.to_string()), ("route", route.to_string()), ("status", status.to_string())];
        let histogram = histogram!(HTTP_DURATION, &labels);
        HTTP_SERIES.insert(HttpSeries(method.to_string(), route.to_string(), status), histogram.clone());
        histogram
    });
    histogram.record(seconds);
}

/// The request histogram's handles, by series.
static HTTP_SERIES: std::sync::LazyLock<quick_cache::sync::Cache<HttpSeries, metrics::Histogram>> =
    std::sync::LazyLock::new(|| quick_cache::sync::Cache::new(4096));

/// (method, route pattern, status).
#[derive(Clone, PartialEq, Eq, Hash)]
struct HttpSeries(String, String, u16);

/// The same, borrowed from a request: hashes as [`HttpSeries`] does (a `String`
/// hashes as its `str`), so a lookup allocates nothing.
#[derive(Hash)]
struct HttpSeriesRef<'a>(&'a str, &'a str, u16);

impl quick_cache::Equivalent<HttpSeries> for HttpSeriesRef<'_> {
    fn equivalent(&self, key: &HttpSeries) -> bool {
        self.0 == key.0 && self.1 == key.1 && self.2 == key.2
    }
}

/// A sign-in's result, as the sign-in decided it: `method` is `password`,
/// `second_step` or `passkey`; `result` is what succeeded (`signed_in`, or
/// `second_step` when the password was right and a code comes next) or the refusal:
/// `failed` (a wrong password, code or passkey), `rate_limited`, `invalid` (malformed
/// input), `locked` (the right credential of a locked account), `error` (ours).
pub fn sign_in(method: &'static str, result: Result<&'static str, &AppError>) {
    let result = result.unwrap_or_else(|refusal| match refusal {
        AppError::InvalidCredentials | AppError::InvalidCode => "failed",
        AppError::RateLimited { .. } => "rate_limited",
        AppError::AccountLocked => "locked",
        AppError::InvalidInput(_) | AppError::WeakPassword(_) => "invalid",
        _ => "error",
    });
    counter!(SIGN_INS, "method" => method, "result" => result).increment(1);
}

/// A refresh token's presentation, by what the rotation decided: `rotated`, `grace`,
/// `reused`, `invalid`, `expired` or `rate_limited`.
pub fn refresh(result: &'static str) {
    counter!(REFRESHES, "result" => result).increment(1);
}

/// A request refused by the limit named `limit` (`sign_in`, `refresh`, …).
pub fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

/// One new password checked against the breach lists: `found`, `clear`, or
/// `unavailable` (the service did not answer in time; the password was let through).
pub fn breach_check(result: &'static str) {
    counter!(BREACH_CHECKS, "result" => result).increment(1);
}

/// One session ended, by the reason its row records (`logout`, `reuse`, …).
pub fn revoked(reason: &'static str) {
    counter!(REVOCATIONS, "reason" => reason).increment(1);
}

pub fn mail_sent(result: &'static str) {
    counter!(MAIL_SENT, "result" => result).increment(1);
}

pub fn hash_queue(depth: usize) {
    gauge!(HASH_QUEUE).set(depth as f64);
}

pub fn hash_seconds(seconds: f64) {
    histogram!(HASH_SECONDS).record(seconds);
}

pub fn outbox_pending(mails: i64) {
    gauge!(OUTBOX_PENDING).set(mails as f64);
}

pub fn pool(idle: usize, active: usize) {
    gauge!(POOL, "state" => "idle").set(idle as f64);
    gauge!(POOL, "state" => "active").set(active as f64);
}
