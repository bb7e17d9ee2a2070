//! Response headers: security headers on everything, `no-store` on API answers, and
//! compression for pages and the bundle but never for API answers.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tower_http::compression::{
    predicate::{NotForContentType, Predicate},
    CompressionLayer, DefaultPredicate,
};

/// Headers every response carries unless it set its own (and the Content Security
/// Policy of [`SiteHeaders`]).
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // `same-origin`, not `no-referrer`: nothing leaves for other sites either way, but
    // under `no-referrer` a browser sends `Origin: null` with a plain form post, which
    // the Origin check must refuse, and no `Referer` for Leptos to return to; a form
    // submitted before hydration would fail.
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// What the response-headers layer adds beyond the fixed set.
#[derive(Clone, Debug, Default)]
pub struct SiteHeaders {
    /// `Strict-Transport-Security`, when the public origin is https.
    hsts: Option<HeaderValue>,
    /// The bundle's files carry content hashes in their names: cache them for good.
    immutable_bundle: Option<String>,
    /// Pages carry a stricter policy of their own in a meta tag; these directives work
    /// only as a header, or (`form-action`) depend on the server's settings.
    csp: Option<HeaderValue>,
}

impl SiteHeaders {
    /// `providers` are the issuer URLs of the OpenID providers: a **Continue with**
    /// button is a form whose answer redirects to the provider, and `form-action`
    /// governs where a form's redirects may go too, so each provider's origin is
    /// allowed there (its authorization endpoint is on it: `providers` warns otherwise).
    pub fn new(public_origin: Option<&str>, site: &leptos::config::LeptosOptions, providers: &[&str]) -> Self {
        // A year, the usual; not `includeSubDomains`: siblings are not ours to decide.
        let https = public_origin.is_some_and(|o| o.starts_with("https://"));
        let mut form_action = String::from("'self'");
        for origin in providers.iter().filter_map(|issuer| url::Url::parse(issuer).ok()) {
            let origin = origin.origin().ascii_serialization();
            if !form_action.split(' ').any(|o| o == origin) {
                form_action.push(' ');
                form_action.push_str(&origin);
            }
        }
        let csp = format!("frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action {form_action}");
        SiteHeaders {
            hsts: https.then(|| HeaderValue::from_static("max-age=31536000")),
            immutable_bundle: site.hash_files.then(|| format!("/{}/", site.site_pkg_dir)),
            csp: HeaderValue::from_str(&csp).ok(),
        }
    }
}

/// Adds the security headers (and HSTS on an https site), `Cache-Control: no-store`
/// to API answers (they carry tokens or account data, which no cache may keep), and
/// a year's caching to the hashed bundle.
pub async fn response_headers(State(site): State<SiteHeaders>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/");
    let is_bundle = site.immutable_bundle.as_deref().is_some_and(|pkg| path.starts_with(pkg));
    let mut response = next.run(request).await;
    let bundle_file = is_bundle && response.status().is_success();
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if let Some(csp) = &site.csp {
        headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(csp.clone());
    }
    if let Some(hsts) = &site.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
    }
    if is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if bundle_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    }
    response
}

/// Gzip for the bundle and the pages (the WASM shrinks to 40%), never for API
/// answers: a compressed response that carries a token next to attacker-influenced
/// text is what BREACH-style attacks measure.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/json")))
}
