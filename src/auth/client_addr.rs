//! Which address a request comes from, for the per-address sign-in limit, the
//! session list and the audit trail.
//!
//! Behind a load balancer every connection comes from the balancer, so one person's
//! failed sign-ins would lock out everyone. The balancer says who its client was in
//! `X-Forwarded-For`, but so can any client, so the header is believed only from a
//! configured proxy (`BATON_TRUSTED_PROXIES`), and only as far as a chain of trusted
//! proxies goes: read from the right, the first address that is not one of ours is
//! the client. Everything left of it was written by the client and proves nothing.

use http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

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
