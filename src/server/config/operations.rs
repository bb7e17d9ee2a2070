//! Running it (docs/API.md, "Operations"): how long ended sessions and events are
//! kept, which proxies are believed, where metrics are served, how logs are written,
//! and how long a shutdown waits.

use super::values::{bounded_duration, networks, positive_duration};
use ipnet::IpNet;
use std::{net::SocketAddr, time::Duration};

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one readable line per event.
    #[default]
    Text,
    /// For collectors: one JSON object per line, the request's span fields at the top.
    Json,
}

/// The longest shutdown delay or drain: an orchestrator's patience is finite.
const MAX_SHUTDOWN_WAIT: Duration = Duration::from_secs(600);

settings! {
    /// What an operator sets for the deployment rather than for the accounts.
    pub struct OperationSettings {
        /// How long an ended session (with its refresh tokens) and an audit event are
        /// kept before they are deleted.
        retention: Duration = Duration::from_secs(90 * 86_400), "retention", retention;
        /// Reverse proxies (load balancers) whose `X-Forwarded-For` is believed. Empty:
        /// the header is ignored, since any client can send it.
        trusted_proxies: Vec<IpNet> = Vec::new(), "trusted-proxies", networks;
        /// Where Prometheus scrapes `/metrics` (never the public listener); `None`
        /// (an empty value) turns metrics off.
        metrics_addr: Option<SocketAddr> = Some(SocketAddr::from(([127, 0, 0, 1], 9464))), "metrics-addr", metrics_addr;
        log_format: LogFormat = LogFormat::Text, "log-format", log_format;
        /// The log filter (`info`, `baton=debug,info`, `off`).
        log: String = "info".to_string(), "log", log_filter;
        /// How long `/readyz` answers 503 before the server stops accepting, so load
        /// balancers notice first.
        shutdown_delay: Duration = Duration::from_secs(5), "shutdown-delay", |v| bounded_duration(v, MAX_SHUTDOWN_WAIT);
        /// The longest wait for the requests in flight once accepting stopped.
        shutdown_timeout: Duration = Duration::from_secs(30), "shutdown-timeout", |v| bounded_duration(v, MAX_SHUTDOWN_WAIT);
    }
}

fn metrics_addr(text: &str) -> Result<Option<SocketAddr>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| "expected an address like 127.0.0.1:9464, or nothing to turn metrics off".into())
}

fn log_format(text: &str) -> Result<LogFormat, String> {
    match text.to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("expected text or json".into()),
    }
}

fn log_filter(text: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(text)
        .map(|_| text.to_string())
        .map_err(|e| format!("not a log filter ({e}); expected e.g. info or baton=debug,info"))
}

/// At least an hour (and, checked with the other areas, at least the access-token
/// lifetime and the login window: `Settings::check_retention`).
fn retention(text: &str) -> Result<Duration, String> {
    let d = positive_duration(text)?;
    if d < Duration::from_secs(3600) {
        return Err("must be at least 1h".into());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;

    #[test]
    fn operations_have_the_contract_defaults_and_variables() {
        use super::LogFormat;
        use std::time::Duration;
        let d = load("", &[]).unwrap().operations;
        assert_eq!(d.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!((d.log_format, d.log.as_str()), (LogFormat::Text, "info"));
        assert_eq!((d.shutdown_delay, d.shutdown_timeout), (Duration::from_secs(5), Duration::from_secs(30)));
        let vars = [
            ("BATON_METRICS_ADDR", ""),
            ("BATON_LOG_FORMAT", "json"),
            ("BATON_LOG", "baton=debug,info"),
            ("BATON_SHUTDOWN_DELAY", "0s"),
        ];
        let set = load("", &vars).unwrap().operations;
        assert_eq!((set.metrics_addr, set.log_format, set.shutdown_delay), (None, LogFormat::Json, Duration::ZERO));
        for (var, bad) in [("BATON_METRICS_ADDR", "localhost"), ("BATON_LOG_FORMAT", "xml"), ("BATON_LOG", "a=b=c")] {
            let error = load("", &[(var, bad)]).unwrap_err().to_string();
            assert!(error.starts_with(&format!("{var}=")), "{error}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let s = load("[baton]\ntrusted-proxies = \"10.0.0.0/8, 192.168.1.10,fd00::/8\"\n", &[]).unwrap();
        let nets: Vec<String> = s.operations.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.10/32", "fd00::/8"]);
        let error = load("", &[("BATON_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal")]).unwrap_err().to_string();
        assert!(error.contains("BATON_TRUSTED_PROXIES") && error.contains("\"lb.internal\""), "{error}");
    }
}
