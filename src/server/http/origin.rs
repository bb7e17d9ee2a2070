//! The Origin check on the auth endpoints.
//!
//! The refresh cookie is `SameSite=Strict`, but sign-in and sign-up take no cookie,
//! and "same-site" still admits a sibling subdomain. So a browser request to
//! `/api/auth/*` that says where it comes from must come from us; requests without
//! `Origin` (curl, other servers) pass, as they carry no ambient browser credentials.

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
            let allowed = origin.to_str().is_ok_and(|origin| {
                is_own_origin(origin, state.settings.public_origin.as_deref(), request.headers(), request.uri())
            });
            if !allowed {
                tracing::warn!(origin = ?origin, path = request.uri().path(), "refused a cross-origin request");
                return AppError::ForbiddenOrigin.into_response();
            }
        }
    }
    next.run(request).await
}

/// Whether `origin` is the server's own: the configured public origin when there is
/// one, else the origin whose host and port are the request's `Host`.
pub fn is_own_origin(origin: &str, public_origin: Option<&str>, headers: &HeaderMap, uri: &Uri) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    if let Some(public) = public_origin {
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
    let strip = |s: &str| s.strip_suffix(default_port).map(str::to_string).unwrap_or_else(|| s.to_string());
    strip(authority) == strip(&host)
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

    #[test]
    fn the_requests_own_host_is_accepted() {
        let uri = Uri::from_static("/api/auth/login");
        assert!(is_own_origin("http://127.0.0.1:3000", None, &host("127.0.0.1:3000"), &uri));
        assert!(is_own_origin("https://App.Example.com", None, &host("app.example.com:443"), &uri));
    }

    #[test]
    fn another_host_port_or_null_is_refused() {
        let uri = Uri::from_static("/api/auth/login");
        assert!(!is_own_origin("http://evil.example", None, &host("127.0.0.1:3000"), &uri));
        assert!(!is_own_origin("http://127.0.0.1:3001", None, &host("127.0.0.1:3000"), &uri));
        assert!(!is_own_origin("null", None, &host("127.0.0.1:3000"), &uri));
        assert!(!is_own_origin("ftp://127.0.0.1:3000", None, &host("127.0.0.1:3000"), &uri));
        assert!(!is_own_origin("http://127.0.0.1:3000", None, &HeaderMap::new(), &uri));
    }

    #[test]
    fn a_configured_public_origin_replaces_the_host() {
        let uri = Uri::from_static("/api/auth/login");
        let public = Some("https://app.example.com");
        assert!(is_own_origin("https://app.example.com", public, &host("10.0.0.5:3000"), &uri));
        assert!(!is_own_origin("http://10.0.0.5:3000", public, &host("10.0.0.5:3000"), &uri));
    }
}
