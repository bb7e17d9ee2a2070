//! The refresh cookie: the only place a refresh token travels.
//!
//! `HttpOnly` keeps it from script (an XSS cannot read it), `SameSite=Strict` keeps it
//! off cross-site requests, `Path=/api/auth` keeps it off every page and protected
//! route, and the `__Secure-` prefix makes browsers refuse it unless it is `Secure`
//! (RFC 6265bis §4.1.3.1).

use crate::shared::error::AppError;
use http::{header, HeaderMap, HeaderValue};

pub const SECURE_NAME: &str = "__Secure-refresh_token";
pub const PLAIN_NAME: &str = "refresh_token";
pub const PATH: &str = "/api/auth";

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
    /// have planted) is ignored when the cookie must be `Secure`.
    pub fn read(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == self.name() && !c.value().is_empty())
            .map(|c| c.value().to_string())
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
            "__Secure-refresh_token=a.b.c; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=604800"
        );
    }

    #[test]
    fn without_secure_the_cookie_loses_its_prefix() {
        let set = RefreshCookie::new(false).set("a.b.c", 10).unwrap();
        assert_eq!(set.to_str().unwrap(), "refresh_token=a.b.c; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=10");
    }

    #[test]
    fn clearing_sends_an_empty_value_that_expires_now() {
        let clear = RefreshCookie::new(true).clear().unwrap();
        assert_eq!(
            clear.to_str().unwrap(),
            "__Secure-refresh_token=; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=0"
        );
    }

    #[test]
    fn reads_only_its_own_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; refresh_token=planted; __Secure-refresh_token=real"),
        );
        assert_eq!(RefreshCookie::new(true).read(&headers).as_deref(), Some("real"));
        assert_eq!(RefreshCookie::new(false).read(&headers).as_deref(), Some("planted"));
        assert_eq!(RefreshCookie::new(true).read(&HeaderMap::new()), None);
    }
}
