//! The refresh cookie: the only place a refresh token travels.
//!
//! `HttpOnly` keeps it from script (an XSS cannot read it), `SameSite=Strict` keeps it
//! off cross-site requests, and the `__Host-` prefix makes browsers refuse it unless
//! it is `Secure`, has no `Domain` and has `Path=/` (RFC 6265bis §4.1.3.2): no sibling
//! subdomain can plant or overwrite it (cookie tossing, login CSRF). The server reads
//! it only in the `/api/auth/*` endpoints, and refuses a request that carries more than
//! one rather than guess which is meant.

use crate::shared::error::AppError;
use http::{header, HeaderMap, HeaderValue};

pub const SECURE_NAME: &str = "__Host-refresh_token";
pub const PLAIN_NAME: &str = "refresh_token";
/// What `__Host-` requires; it also keeps the cookie one per host.
pub const PATH: &str = "/";

/// More than one refresh cookie came with a request.
#[derive(Debug, PartialEq, Eq)]
pub struct SeveralCookies;

#[derive(Clone, Copy, Debug)]
pub struct RefreshCookie {
    secure: bool,
}

impl RefreshCookie {
    pub fn new(secure: bool) -> Self {
        RefreshCookie { secure }
    }

    pub fn name(&self) -> &'static str {
        if self.secure {
            SECURE_NAME
        } else {
            PLAIN_NAME
        }
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
        let text =
            format!("{}={value}; HttpOnly{secure}; SameSite=Strict; Path={PATH}; Max-Age={max_age_s}", self.name());
        // A JWT is base64url and dots, so this never fails for a token we signed.
        HeaderValue::from_str(&text).map_err(AppError::internal)
    }

    /// The refresh token sent with the request, if any. Only the configured name is
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
        let set = RefreshCookie::new(true).set("a.b.c", 604_800).unwrap();
        assert_eq!(
            set.to_str().unwrap(),
            "__Host-refresh_token=a.b.c; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=604800"
        );
    }

    #[test]
    fn without_secure_the_cookie_loses_its_prefix() {
        let set = RefreshCookie::new(false).set("a.b.c", 10).unwrap();
        assert_eq!(set.to_str().unwrap(), "refresh_token=a.b.c; HttpOnly; SameSite=Strict; Path=/; Max-Age=10");
    }

    #[test]
    fn clearing_sends_an_empty_value_that_expires_now() {
        let clear = RefreshCookie::new(true).clear().unwrap();
        assert_eq!(
            clear.to_str().unwrap(),
            "__Host-refresh_token=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn reads_only_its_own_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; refresh_token=planted; __Host-refresh_token=real"),
        );
        assert_eq!(RefreshCookie::new(true).read(&headers), Ok(Some("real".to_string())));
        assert_eq!(RefreshCookie::new(false).read(&headers), Ok(Some("planted".to_string())));
        assert_eq!(RefreshCookie::new(true).read(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn two_refresh_cookies_are_refused_in_one_header_or_two() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-refresh_token=attacker; __Host-refresh_token=victim"),
        );
        assert_eq!(RefreshCookie::new(true).read(&headers), Err(SeveralCookies));
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("__Host-refresh_token=attacker"));
        headers.append(header::COOKIE, HeaderValue::from_static("a=b; __Host-refresh_token=victim"));
        assert_eq!(RefreshCookie::new(true).read(&headers), Err(SeveralCookies));
    }

    proptest::proptest! {
        /// Any Cookie header: no panic, and at most one token comes out.
        #[test]
        fn any_cookie_header_is_read_safely(value in "[ -~]{0,400}") {
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(header::COOKIE, v);
            }
            let _ = RefreshCookie::new(true).read(&headers);
        }

        /// What `set` writes, a browser sends back as `name=value`, and `read` finds.
        #[test]
        fn a_set_token_reads_back(token in "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}") {
            let cookie = RefreshCookie::new(true);
            let set = cookie.set(&token, 60).unwrap();
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; {pair}")).unwrap());
            proptest::prop_assert_eq!(cookie.read(&headers), Ok(Some(token)));
        }
    }
}
