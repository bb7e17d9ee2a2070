//! Who is calling: the client's address (for the per-address sign-in limit, the
//! session list and the security events) and its user agent (to name the device).
//!
//! Behind a load balancer every connection comes from the balancer, so one person's
//! failed sign-ins would lock out everyone. The balancer says who its client was in
//! `X-Forwarded-For`, but so can any client, so the header is believed only from a
//! configured proxy (`BATON_TRUSTED_PROXIES`), and only as far as a chain of trusted
//! proxies goes: read from the right, the first address that is not one of ours is
//! the client. Everything left of it was written by the client and proves nothing.

use crate::server::config::AuthSettings;
use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderMap};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Longest user agent kept with a session; the rest is noise or an attack.
const MAX_USER_AGENT: usize = 512;

/// The device a request comes from, as recorded with its session and events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub user_agent: String,
    /// The client's address, or `unknown` when the connection's is not known.
    pub addr: String,
}

impl Device {
    pub fn of(parts: &Parts, settings: &AuthSettings) -> Device {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| client_ip(peer.ip(), &parts.headers, &settings.trusted_proxies).to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut end = agent.len().min(MAX_USER_AGENT);
        while !agent.is_char_boundary(end) {
            end -= 1;
        }
        Device { user_agent: agent[..end].to_string(), addr }
    }
}

/// The client's address: the peer's, or behind trusted proxies the rightmost
/// untrusted `X-Forwarded-For` hop.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    // Several headers count as one list, in order (RFC 9110 §5.3); read from the end.
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rev();
    for hop in hops {
        // An entry we cannot read ends what we can vouch for: the last good hop stands.
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "192.168.1.10/32".parse().unwrap()]
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(client_ip(ip("198.51.100.1"), &headers, &[]), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.0.0.5"), &headers, &[]), ip("10.0.0.5"));
    }

    #[test]
    fn a_client_cannot_forge_the_header() {
        // Straight to the server, not through the proxy: the header is the client's own.
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(client_ip(ip("198.51.100.1"), &headers, &proxies()), ip("198.51.100.1"));
    }

    #[test]
    fn through_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        // The client prepended a lie; the proxy appended the address it saw.
        let headers = forwarded(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_ip(ip("10.0.0.5"), &headers, &proxies()), ip("203.0.113.7"));
        // Two of our proxies in a row, and the list split over two headers.
        let headers = forwarded(&["1.2.3.4, 203.0.113.7", "192.168.1.10"]);
        assert_eq!(client_ip(ip("10.0.0.5"), &headers, &proxies()), ip("203.0.113.7"));
    }

    #[test]
    fn odd_headers_fall_back_to_what_can_be_vouched_for() {
        assert_eq!(client_ip(ip("10.0.0.5"), &HeaderMap::new(), &proxies()), ip("10.0.0.5"));
        assert_eq!(client_ip(ip("10.0.0.5"), &forwarded(&["garbage"]), &proxies()), ip("10.0.0.5"));
        assert_eq!(client_ip(ip("10.0.0.5"), &forwarded(&["203.0.113.7, nonsense"]), &proxies()), ip("10.0.0.5"));
        // Only proxies: the leftmost one is as far as the chain goes.
        assert_eq!(client_ip(ip("10.0.0.5"), &forwarded(&["10.1.1.1"]), &proxies()), ip("10.1.1.1"));
        // IPv4 seen through an IPv6 socket is still the IPv4 address.
        assert_eq!(client_ip(ip("::ffff:10.0.0.5"), &forwarded(&["2001:db8::1"]), &proxies()), ip("2001:db8::1"));
    }
}
