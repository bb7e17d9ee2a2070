//! Where to go after signing in (`?next=`), without becoming an open redirect.

/// A local path to go back to after signing in, or `/`. Only same-site paths: a
/// `next` of `//evil.example` or `https://…` would be an open redirect.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/login") =>
        {
            path
        }
        _ => "/".to_string(),
    }
}

/// Percent-encodes a URL component (RFC 3986 unreserved characters stay).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/sessions".into())), "/sessions");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("/sessions?x=1&y"), "%2Fsessions%3Fx%3D1%26y");
    }
}
