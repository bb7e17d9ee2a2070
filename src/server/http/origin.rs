//! The Origin check on the auth endpoints.
//!
//! The refresh cookie is `SameSite=Strict`, but sign-in and sign-up take no cookie,
//! and "same-site" still admits a sibling subdomain. So a browser request to
//! `/api/auth/*` that says where it comes from must come from us; requests without
//! `Origin` (curl, other servers) pass, as they carry no ambient browser credentials.
//!
//! Without `BATON_PUBLIC_ORIGIN`, "us" is the request's `Host` with the scheme the
//! site can work on: `https`, since the refresh cookie is `Secure` (a page served
//! over plain http on another host cannot hold it, and an `http://` origin there is
//! a network attacker's page); `http` only on loopback (which browsers treat as
//! secure) or with `BATON_COOKIE_SECURE=false`.

use crate::{server::state::AppState, shared::error::AppError};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, Uri};

pub async fn require_same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/auth/") {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let settings = &state.settings;
            let own = OwnOrigin {
                public: settings.tokens.public_origin.as_deref(),
                cookie_secure: settings.tokens.cookie_secure,
            };
            let allowed = origin.to_str().is_ok_and(|origin| own.is(origin, request.headers(), request.uri()));
            if !allowed {
                tracing::warn!(origin = ?origin, path = request.uri().path(), "refused a cross-origin request");
                return AppError::ForbiddenOrigin.into_response();
            }
        }
    }
    next.run(request).await
}

/// What the server's own origin is.
#[derive(Clone, Copy, Debug)]
pub struct OwnOrigin<'a> {
    /// `BATON_PUBLIC_ORIGIN`: when set, the only origin accepted.
    pub public: Option<&'a str>,
    pub cookie_secure: bool,
}

impl OwnOrigin<'_> {
    /// Whether `origin` is the server's own: the configured public origin when there
    /// is one, else the origin whose host and port are the request's `Host`, with the
    /// scheme the site works on (see the module's note).
    pub fn is(&self, origin: &str, headers: &HeaderMap, uri: &Uri) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        if let Some(public) = self.public {
            return origin == public;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false; // includes the opaque origin "null"
        };
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| uri.authority().map(|a| a.to_string()));
        let Some(host) = host else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let default_port = match scheme {
            "http" => ":80",
            "https" => ":443",
            _ => return false,
        };
        let scheme_ok = scheme == "https" || !self.cookie_secure || is_loopback(&host);
        let strip = |s: &str| s.strip_suffix(default_port).map(str::to_string).unwrap_or_else(|| s.to_string());
        scheme_ok && strip(authority) == strip(&host)
    }
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn host(h: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        headers
    }

    const SECURE: OwnOrigin = OwnOrigin { public: None, cookie_secure: true };

    #[test]
    fn the_requests_own_host_is_accepted() {
        let uri = Uri::from_static("/api/auth/login");
        assert!(SECURE.is("http://127.0.0.1:3000", &host("127.0.0.1:3000"), &uri));
        assert!(SECURE.is("http://localhost:3000", &host("localhost:3000"), &uri));
        assert!(SECURE.is("https://App.Example.com", &host("app.example.com:443"), &uri));
    }

    #[test]
    fn another_host_port_or_null_is_refused() {
        let uri = Uri::from_static("/api/auth/login");
        assert!(!SECURE.is("http://evil.example", &host("127.0.0.1:3000"), &uri));
        assert!(!SECURE.is("http://127.0.0.1:3001", &host("127.0.0.1:3000"), &uri));
        assert!(!SECURE.is("null", &host("127.0.0.1:3000"), &uri));
        assert!(!SECURE.is("ftp://127.0.0.1:3000", &host("127.0.0.1:3000"), &uri));
        assert!(!SECURE.is("http://127.0.0.1:3000", &HeaderMap::new(), &uri));
    }

    /// A network attacker's plain-http page on our host name is not us when the site
    /// runs on https (its cookie is `Secure`).
    #[test]
    fn plain_http_is_refused_for_a_site_off_loopback_unless_cookies_are_not_secure() {
        let uri = Uri::from_static("/api/auth/login");
        assert!(!SECURE.is("http://app.example.com", &host("app.example.com"), &uri));
        assert!(SECURE.is("https://app.example.com", &host("app.example.com"), &uri));
        let plain = OwnOrigin { public: None, cookie_secure: false };
        assert!(plain.is("http://intranet.example:8080", &host("intranet.example:8080"), &uri));
    }

    #[test]
    fn a_configured_public_origin_replaces_the_host() {
        let uri = Uri::from_static("/api/auth/login");
        let own = OwnOrigin { public: Some("https://app.example.com"), cookie_secure: true };
        assert!(own.is("https://app.example.com", &host("10.0.0.5:3000"), &uri));
        assert!(!own.is("http://10.0.0.5:3000", &host("10.0.0.5:3000"), &uri));
    }
}
