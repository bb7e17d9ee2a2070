//! Running it: how long ended sessions and events are kept, and which proxies'
//! `X-Forwarded-For` is believed.

use super::values::{networks, positive_duration};
use ipnet::IpNet;
use std::time::Duration;

settings! {
    /// What an operator sets for the deployment rather than for the accounts.
    pub struct OperationSettings {
        /// How long an ended session (with its refresh tokens) and an audit event are
        /// kept before they are deleted.
        retention: Duration = Duration::from_secs(90 * 86_400), "retention", retention;
        /// Reverse proxies (load balancers) whose `X-Forwarded-For` is believed. Empty:
        /// the header is ignored, since any client can send it.
        trusted_proxies: Vec<IpNet> = Vec::new(), "trusted-proxies", networks;
    }
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
    fn trusted_proxies_are_addresses_or_ranges() {
        let s = load("[baton]\ntrusted-proxies = \"10.0.0.0/8, 192.168.1.10,fd00::/8\"\n", &[]).unwrap();
        let nets: Vec<String> = s.operations.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.10/32", "fd00::/8"]);
        let error = load("", &[("BATON_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal")]).unwrap_err().to_string();
        assert!(error.contains("BATON_TRUSTED_PROXIES") && error.contains("\"lb.internal\""), "{error}");
    }
}
