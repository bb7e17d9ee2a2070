//! Instants as people read them, in the browser's own time zone.

/// "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago".
pub fn relative_time(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).max(0.0).floor() as i64;
    match seconds {
        0..=4 => "just now".to_string(),
        5..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        86_400..=172_799 => "yesterday".to_string(),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// Milliseconds of an RFC 3339 instant, parsed by the browser.
pub fn parse_instant(rfc3339: &str) -> f64 {
    js_sys::Date::parse(rfc3339)
}

/// `HH:MM:SS` of a local instant.
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}:{:02}", date.get_hours(), date.get_minutes(), date.get_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative_time(0.0, 2_000.0), "just now");
        assert_eq!(relative_time(0.0, 42_000.0), "42 s ago");
        assert_eq!(relative_time(0.0, 125_000.0), "2 min ago");
        assert_eq!(relative_time(0.0, 7_300_000.0), "2 h ago");
        assert_eq!(relative_time(0.0, 90_000_000.0), "yesterday");
        assert_eq!(relative_time(0.0, 400_000_000.0), "4 days ago");
    }
}
