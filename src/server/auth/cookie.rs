//! Baton's cookies: the refresh cookie, the only place a refresh token travels, the
//! `device` cookie, which marks a browser that signed in to an account before, and the
//! short-lived `oidc` and `mfa` cookies of a sign-in through another provider.
//!
//! `HttpOnly` keeps them from script (an XSS cannot read them), `SameSite=Strict` keeps
//! them off cross-site requests, and the `__Host-` prefix makes browsers refuse them
//! unless they are `Secure`, have no `Domain` and have `Path=/` (RFC 6265bis §4.1.3.2):
//! no sibling subdomain can plant or overwrite them (cookie tossing, login CSRF). With
//! `BATON_COOKIE_SECURE=false` every one of them drops `Secure` and, since browsers
//! would refuse the prefix without it, `__Host-`. The server reads the refresh cookie
//! only in the `/api/auth/*` endpoints, and refuses a request that carries more than
//! one rather than guess which is meant.

use crate::shared::error::AppError;
use http::{header, HeaderMap, HeaderValue};

/// What `__Host-` requires; it also keeps each cookie one per host.
pub const PATH: &str = "/";
/// A `device` cookie lives a year (docs/API.md), renewed by nothing: one value per
/// browser.
const DEVICE_MAX_AGE_S: i64 = 365 * 24 * 3600;

/// More than one cookie of a name came with a request.
#[derive(Debug, PartialEq, Eq)]
pub struct SeveralCookies;

/// One of Baton's cookies, as this server names it.
#[derive(Clone, Copy, Debug)]
pub struct Cookie {
    /// The name without its `__Host-` prefix.
    base: &'static str,
    secure: bool,
    /// `Strict`, except for `oidc` (below).
    same_site: &'static str,
}

impl Cookie {
    /// The refresh cookie (`__Host-refresh_token`).
    pub fn refresh(secure: bool) -> Self {
        Cookie { base: "refresh_token", secure, same_site: "Strict" }
    }

    /// The browser's `device` cookie (`__Host-device`).
    pub fn device(secure: bool) -> Self {
        Cookie { base: "device", secure, same_site: "Strict" }
    }

    /// `__Host-oidc`: binds a trip to an OpenID provider to the browser that began it.
    /// `Lax`, the one exception: the provider's redirect back is a cross-site top-level
    /// navigation, which a `Strict` cookie would miss.
    pub fn oidc(secure: bool) -> Self {
        Cookie { base: "oidc", secure, same_site: "Lax" }
    }

    /// `__Host-mfa`: the second step's `mfa_token` after a provider sign-in, which
    /// must not travel in a URL.
    pub fn mfa(secure: bool) -> Self {
        Cookie { base: "mfa", secure, same_site: "Strict" }
    }

    pub fn name(&self) -> &'static str {
        match (self.base, self.secure) {
            ("refresh_token", true) => "__Host-refresh_token",
            ("device", true) => "__Host-device",
            ("oidc", true) => "__Host-oidc",
            ("mfa", true) => "__Host-mfa",
            (base, _) => base,
        }
    }

    /// `Set-Cookie` for a new `device` value: it lives a year.
    pub fn set_device(&self, value: &str) -> Result<HeaderValue, AppError> {
        self.header(value, DEVICE_MAX_AGE_S)
    }

    /// `Set-Cookie` for `token`, living `max_age_s` seconds (until the token expires).
    pub fn set(&self, token: &str, max_age_s: i64) -> Result<HeaderValue, AppError> {
        self.header(token, max_age_s.max(0))
    }

    /// `Set-Cookie` that removes the cookie: same name and attributes, empty, `Max-Age=0`.
    pub fn clear(&self) -> Result<HeaderValue, AppError> {
        self.header("", 0)
    }

    fn header(&self, value: &str, max_age_s: i64) -> Result<HeaderValue, AppError> {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = format!(
            "{}={value}; HttpOnly{secure}; SameSite={}; Path={PATH}; Max-Age={max_age_s}",
            self.name(),
            self.same_site
        );
        // A JWT is base64url and dots, so this never fails for a token we signed.
        HeaderValue::from_str(&text).map_err(AppError::internal)
    }

    /// The value sent with the request, if any. Only the configured name is
    /// read, so a plain `refresh_token` (which any subdomain or plain-http page could
    /// have planted) is ignored when the cookie must be `Secure`. Two of them (an
    /// attacker's planted beside the victim's) are refused: whichever the server took,
    /// it could be the attacker's session.
    pub fn read(&self, headers: &HeaderMap) -> Result<Option<String>, SeveralCookies> {
        let mut found = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .filter(|c| c.name() == self.name() && !c.value().is_empty())
            .map(|c| c.value().to_string());
        match (found.next(), found.next()) {
            (first, None) => Ok(first),
            (Some(_), Some(_)) | (None, Some(_)) => Err(SeveralCookies),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_carries_every_attribute_of_the_contract() {
        let set = Cookie::refresh(true).set("a.b.c", 604_800).unwrap();
        assert_eq!(
            set.to_str().unwrap(),
            "__Host-refresh_token=a.b.c; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=604800"
        );
    }

    #[test]
    fn without_secure_the_cookie_loses_its_prefix() {
        let set = Cookie::refresh(false).set("a.b.c", 10).unwrap();
        assert_eq!(set.to_str().unwrap(), "refresh_token=a.b.c; HttpOnly; SameSite=Strict; Path=/; Max-Age=10");
    }

    #[test]
    fn clearing_sends_an_empty_value_that_expires_now() {
        let clear = Cookie::refresh(true).clear().unwrap();
        assert_eq!(
            clear.to_str().unwrap(),
            "__Host-refresh_token=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn the_device_cookie_lives_a_year_and_drops_its_prefix_without_secure() {
        let set = Cookie::device(true).set_device("abc").unwrap();
        assert_eq!(
            set.to_str().unwrap(),
            "__Host-device=abc; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=31536000"
        );
        let set = Cookie::device(false).set_device("abc").unwrap();
        assert_eq!(set.to_str().unwrap(), "device=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000");
    }

    #[test]
    fn the_oidc_cookie_is_lax_and_the_mfa_cookie_strict() {
        let set = Cookie::oidc(true).set("abc", 600).unwrap();
        assert_eq!(set.to_str().unwrap(), "__Host-oidc=abc; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=600");
        let set = Cookie::mfa(true).set("abc", 300).unwrap();
        assert_eq!(set.to_str().unwrap(), "__Host-mfa=abc; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=300");
        assert_eq!(Cookie::oidc(false).name(), "oidc");
    }

    #[test]
    fn reads_only_its_own_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; refresh_token=planted; __Host-refresh_token=real"),
        );
        assert_eq!(Cookie::refresh(true).read(&headers), Ok(Some("real".to_string())));
        assert_eq!(Cookie::refresh(false).read(&headers), Ok(Some("planted".to_string())));
        assert_eq!(Cookie::refresh(true).read(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn two_refresh_cookies_are_refused_in_one_header_or_two() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-refresh_token=attacker; __Host-refresh_token=victim"),
        );
        assert_eq!(Cookie::refresh(true).read(&headers), Err(SeveralCookies));
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("__Host-refresh_token=attacker"));
        headers.append(header::COOKIE, HeaderValue::from_static("a=b; __Host-refresh_token=victim"));
        assert_eq!(Cookie::refresh(true).read(&headers), Err(SeveralCookies));
    }

    proptest::proptest! {
        /// Any Cookie header: no panic, and at most one token comes out.
        #[test]
        fn any_cookie_header_is_read_safely(value in "[ -~]{0,400}") {
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(header::COOKIE, v);
            }
            let _ = Cookie::refresh(true).read(&headers);
        }

        /// What `set` writes, a browser sends back as `name=value`, and `read` finds.
        #[test]
        fn a_set_token_reads_back(token in "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}") {
            let cookie = Cookie::refresh(true);
            let set = cookie.set(&token, 60).unwrap();
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; {pair}")).unwrap());
            proptest::prop_assert_eq!(cookie.read(&headers), Ok(Some(token)));
        }
    }
}
