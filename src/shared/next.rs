//! Where to go after signing in (`?next=`), without becoming an open redirect.
//!
//! `next` is resolved the way the browser will resolve it, by a WHATWG URL parser,
//! and followed only when the result stays on this site. Comparing strings instead
//! misses what the parser does: it drops tabs and newlines anywhere, reads `\` as `/`
//! and a scheme-relative `//host`, so `/\t/evil.example` is `//evil.example`.

/// A base no real page has (RFC 2606 `.invalid`): a `next` that resolves to another
/// origin than this one is leaving the page's site, whatever the page's site is.
const BASE: &str = "https://baton.invalid/";

/// The local path (with query and fragment) `next` leads to, or `/` when it would
/// leave the site, lead back to `/login`, or is anything odd: only an absolute path
/// is considered (so nothing with a scheme, whose meaning would depend on the page's
/// own scheme), and whitespace or control characters anywhere, or a backslash, are
/// refused outright rather than cleaned up.
pub fn safe_next(next: Option<String>) -> String {
    next.as_deref().and_then(local_target).unwrap_or_else(|| "/".to_string())
}

fn local_target(next: &str) -> Option<String> {
    if !next.starts_with('/') || next.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return None;
    }
    let (origin, path, local) = resolve(next)?;
    if origin != BASE.trim_end_matches('/') || path == "/login" || path.starts_with("/login/") {
        return None;
    }
    Some(local)
}

/// `next` resolved against [`BASE`]: the origin, the path, and everything from the
/// path on. Both builds use a WHATWG URL parser: the server the `url` crate's, the
/// browser its own (`URL`), which also keeps the `url` crate and its Unicode tables
/// (about 100 KB) out of the bundle.
#[cfg(not(target_arch = "wasm32"))]
fn resolve(next: &str) -> Option<(String, String, String)> {
    let target = url::Url::parse(BASE).ok()?.join(next).ok()?;
    let local = target[url::Position::BeforePath..].to_string();
    Some((target.origin().ascii_serialization(), target.path().to_string(), local))
}

#[cfg(target_arch = "wasm32")]
fn resolve(next: &str) -> Option<(String, String, String)> {
    let target = web_sys::Url::new_with_base(next, BASE).ok()?;
    let local = format!("{}{}{}", target.pathname(), target.search(), target.hash());
    Some((target.origin(), target.pathname(), local))
}

/// Percent-encodes a query value.
pub fn encode_component(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/sessions".into())), "/sessions");
        assert_eq!(safe_next(Some("/sessions?x=1#top".into())), "/sessions?x=1#top");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    /// The variants of docs/API.md ("Pages"): each would reach evil.example through a
    /// string check, or is plainly not a path.
    #[test]
    fn tricks_that_a_url_parser_turns_into_another_site_go_home() {
        for next in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            " //evil.example",
            "/ /evil.example",
            "\\\\evil.example",
            "/\\evil.example",
            "///evil.example",
            "////evil.example",
            "https:evil.example",
            "https://evil.example/sessions",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "/login",
            "/login?next=/sessions",
            "/login/",
            "",
        ] {
            assert_eq!(safe_next(Some(next.to_string())), "/", "{next:?}");
        }
    }

    #[test]
    fn what_stays_on_the_site_is_kept_normalised() {
        assert_eq!(safe_next(Some("/a/../sessions".into())), "/sessions");
        assert_eq!(safe_next(Some("sessions".into())), "/", "only absolute paths");
        assert_eq!(safe_next(Some("/%2F/evil.example".into())), "/%2F/evil.example");
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("/sessions?x=1&y"), "%2Fsessions%3Fx%3D1%26y");
    }

    proptest::proptest! {
        /// Whatever `next` is: a local absolute path, never scheme-relative, never
        /// `/login`, and the same again when checked twice.
        #[test]
        fn next_is_always_a_local_path(next in "\\PC{0,120}", prefix in proptest::sample::select(vec!["", "/", "//", "/\\", "\t/", "http:", "/login"])) {
            let target = safe_next(Some(format!("{prefix}{next}")));
            proptest::prop_assert!(target.starts_with('/') && !target.starts_with("//"), "{}", target);
            proptest::prop_assert!(!target.contains('\\') && !target.chars().any(char::is_whitespace));
            let base = url::Url::parse(BASE).unwrap();
            proptest::prop_assert_eq!(base.join(&target).unwrap().origin(), base.origin());
            proptest::prop_assert_eq!(safe_next(Some(target.clone())), target);
        }
    }
}
