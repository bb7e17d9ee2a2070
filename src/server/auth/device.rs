//! Who is calling: the client's address (for the per-address sign-in limit, the
//! session list and the security events), its user agent (to name the device) and
//! the language it asks for (which the account's mails are then written in).
//!
//! Behind a load balancer every connection comes from the balancer, so one person's
//! failed sign-ins would lock out everyone. The balancer says who its client was in
//! `X-Forwarded-For`, but so can any client, so the header is believed only from a
//! configured proxy (`BATON_TRUSTED_PROXIES`), and only as far as a chain of trusted
//! proxies goes: read from the right, the first address that is not one of ours is
//! the client. Everything left of it was written by the client and proves nothing.

use super::cookie::Cookie;
use crate::server::{
    config::Settings,
    ids::{SessionId, UserId},
    state::AppState,
    store::{
        secret_token::SecretToken,
        security_events::{Event, EventKind},
    },
};
use crate::shared::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
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
    /// What the limits count by: the IPv4 address, or the IPv6 /64 (one subscriber
    /// usually holds a whole /64, so counting single IPv6 addresses counts nothing).
    pub net: String,
    /// The `lang` cookie's language, else `Accept-Language`'s.
    pub lang: Lang,
    /// The browser's `device` cookie, if it sent one (one, and well-formed).
    pub browser: Option<SecretToken>,
}

impl Device {
    pub fn of(parts: &Parts, settings: &Settings) -> Device {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| client_ip(peer.ip(), &parts.headers, &settings.operations.trusted_proxies));
        let (addr, net) = match ip {
            Some(ip) => (ip.to_string(), limit_key(ip)),
            None => ("unknown".to_string(), "unknown".to_string()),
        };
        let agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut end = agent.len().min(MAX_USER_AGENT);
        while !agent.is_char_boundary(end) {
            end -= 1;
        }
        let browser = Cookie::device(settings.tokens.cookie_secure)
            .read(&parts.headers)
            .ok()
            .flatten()
            .and_then(|value| SecretToken::parse(&value));
        Device { user_agent: agent[..end].to_string(), addr, net, lang: Lang::of_request(&parts.headers), browser }
    }
}

impl Device {
    /// An event of `kind` this device caused to `user`, in `session` if it has one
    /// (following a mailed link needs none), with the address and user agent the
    /// activity page shows.
    pub fn event(&self, kind: EventKind, user: UserId, session: impl Into<Option<SessionId>>) -> Event<'_> {
        Event {
            user_id: Some(user),
            session_id: session.into(),
            client_addr: Some(&self.addr),
            user_agent: Some(&self.user_agent),
            ..Event::new(kind)
        }
    }
}

/// Routes take the calling device as an extractor.
impl FromRequestParts<AppState> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Device::of(parts, &state.settings))
    }
}

/// The address an IPv4 client is counted by, or the /64 of an IPv6 one.
pub fn limit_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
    }
}

/// One `X-Forwarded-For` hop: an address, or an address with a port
/// (`203.0.113.7:4711`, `[2001:db8::1]:4711`), as some proxies write them.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
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
        let Some(ip) = parse_hop(hop) else { break };
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
    fn hops_written_with_a_port_count_as_their_address() {
        let headers = forwarded(&["1.2.3.4, 203.0.113.7:4711"]);
        assert_eq!(client_ip(ip("10.0.0.5"), &headers, &proxies()), ip("203.0.113.7"));
        let headers = forwarded(&["[2001:db8::1]:4711"]);
        assert_eq!(client_ip(ip("10.0.0.5"), &headers, &proxies()), ip("2001:db8::1"));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_by_address() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")), "2001:db8:1:2::/64");
        assert_ne!(limit_key(ip("2001:db8:1:3::1")), limit_key(ip("2001:db8:1:2::1")));
        assert_eq!(limit_key(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(limit_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
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

    proptest::proptest! {
        /// Any X-Forwarded-For through a trusted proxy: no panic, and the client is
        /// the peer or one of the hops as written.
        #[test]
        fn any_forwarded_for_is_read_safely(value in "[0-9a-fA-F:., \\[\\]]{0,200}") {
            let mut headers = HeaderMap::new();
            if let Ok(v) = value.parse() {
                headers.insert("x-forwarded-for", v);
            }
            let client = client_ip(ip("10.0.0.5"), &headers, &proxies());
            let from_hops = value.split(',').filter_map(|hop| parse_hop(hop.trim())).any(|h| h.to_canonical() == client);
            proptest::prop_assert!(client == ip("10.0.0.5") || from_hops);
        }

        #[test]
        fn every_address_has_a_limit_key_that_names_its_network(bits in proptest::num::u128::ANY, v4 in proptest::num::u32::ANY) {
            let six = limit_key(IpAddr::V6(std::net::Ipv6Addr::from(bits)));
            if !six.contains('.') {
                proptest::prop_assert!(six.ends_with("/64") && six.parse::<IpNet>().is_ok(), "{}", six);
            }
            let four = limit_key(IpAddr::V4(std::net::Ipv4Addr::from(v4)));
            proptest::prop_assert!(four.parse::<IpAddr>().is_ok());
        }
    }
}
