//! The parsers of setting values: each takes the trimmed text and says, in words for
//! the error message, why it will not do.

use super::error::ConfigError;
use ipnet::IpNet;
use std::{net::IpAddr, path::PathBuf, time::Duration};

/// Durations written like `500ms`, `5s`, `15m`, `12h`, `7d`.
pub fn duration(text: &str) -> Result<Duration, String> {
    const HINT: &str = "expected a duration like 15m, 7d or 5s";
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| format!("{HINT} (the unit is missing)"))?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| HINT.to_string())?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(HINT.to_string()),
    };
    number.checked_mul(unit_ms).map(Duration::from_millis).ok_or_else(|| "the duration is too long".to_string())
}

/// A lifetime or a window: from a second to ten years.
pub fn positive_duration(text: &str) -> Result<Duration, String> {
    let d = duration(text)?;
    if d < Duration::from_secs(1) {
        return Err("must be at least 1s".into());
    }
    if d > Duration::from_secs(10 * 365 * 86_400) {
        return Err("must be at most 3650d".into());
    }
    Ok(d)
}

/// A duration of at most `max`.
pub fn bounded_duration(text: &str, max: Duration) -> Result<Duration, String> {
    let d = duration(text)?;
    if d > max {
        return Err(format!("must be at most {}s", max.as_secs()));
    }
    Ok(d)
}

/// `10.0.0.0/8, 192.168.1.10, fd00::/8`: addresses or ranges, comma-separated.
pub fn networks(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>().or_else(|_| part.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                format!("{part:?} is neither an IP address nor a range; expected a list like 10.0.0.0/8, 192.168.1.10")
            })
        })
        .collect()
}

/// `Name <address>` or a bare address, as a mail's `From`.
pub fn mailbox(text: &str) -> Result<String, String> {
    text.parse::<lettre::message::Mailbox>()
        .map(|_| text.to_string())
        .map_err(|_| "expected a sender like Baton <no-reply@example.com>".to_string())
}

pub fn boolean(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

/// A limit: a whole number of at least one.
pub fn count(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1".into()),
    }
}

pub fn issuer(text: &str) -> Result<String, String> {
    if text.is_empty() || text.len() > 256 {
        return Err("must be between 1 and 256 characters".into());
    }
    Ok(text.to_string())
}

pub fn path(text: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(text))
}

/// An origin is `scheme://host[:port]`, nothing more (RFC 6454): that is what a
/// browser's `Origin` header carries, and what it is compared with.
pub fn origin(text: &str) -> Result<String, String> {
    let origin = text.trim_end_matches('/');
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("expected an origin like https://app.example.com")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("expected an origin like https://app.example.com (no path)".into());
    }
    Ok(origin.to_ascii_lowercase())
}

/// Only the scheme is checked here (the driver reports the rest when connecting);
/// the value is never echoed, as it may hold a password.
pub fn database_url(origin: &str, value: String) -> Result<String, ConfigError> {
    if value.starts_with("sqlite:") || value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            origin: origin.to_string(),
            value: "…".into(),
            reason: "expected a sqlite://… or postgres://… URL".into(),
        })
    }
}

/// Wraps a parser of a setting that is unset by default.
/// An http(s) URL that a path is appended to (ending in `/`), or nothing when empty
/// (a check turned off).
pub fn optional_http_url(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(text).map_err(|_| "expected an http(s) URL, or nothing to turn it off".to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("expected an http(s) URL, or nothing to turn it off".into());
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(Some(url))
}

pub fn optional<T>(parse: impl Fn(&str) -> Result<T, String>) -> impl Fn(&str) -> Result<Option<T>, String> {
    move |text| parse(text).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(duration("soon").is_err());
        assert!(duration("15").is_err());
        assert!(duration("-5s").is_err());
        assert!(duration("5 s").is_err());
        assert!(duration("99999999999999999999d").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_duration_text_parses_safely(text in "\\PC{0,40}") {
            let _ = duration(&text);
        }

        #[test]
        fn durations_round_trip(n in 0u64..1_000_000, unit in proptest::sample::select(vec![("ms", 1u64), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)])) {
            proptest::prop_assert_eq!(duration(&format!("{n}{}", unit.0)), Ok(Duration::from_millis(n * unit.1)));
        }
    }
}
