//! Instants as people read them, in the browser's own time zone and the page's
//! language.

use crate::shared::i18n::Texts;

/// "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago"; "방금", "3분 전".
pub fn relative_time(t: &Texts, then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).max(0.0).floor() as i64;
    (t.ago)(seconds)
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
    use crate::shared::i18n::Lang;

    #[test]
    fn relative_times_read_naturally() {
        let en = Lang::En.texts();
        assert_eq!(relative_time(en, 0.0, 2_000.0), "just now");
        assert_eq!(relative_time(en, 0.0, 42_000.0), "42 s ago");
        assert_eq!(relative_time(en, 0.0, 125_000.0), "2 min ago");
        assert_eq!(relative_time(en, 0.0, 7_300_000.0), "2 h ago");
        assert_eq!(relative_time(en, 0.0, 90_000_000.0), "yesterday");
        assert_eq!(relative_time(en, 0.0, 400_000_000.0), "4 days ago");
        // A clock a little ahead of the server's is "just now", not the future.
        assert_eq!(relative_time(en, 5_000.0, 0.0), "just now");
    }

    #[test]
    fn relative_times_read_naturally_in_korean() {
        let ko = Lang::Ko.texts();
        assert_eq!(relative_time(ko, 0.0, 2_000.0), "방금");
        assert_eq!(relative_time(ko, 0.0, 42_000.0), "42초 전");
        assert_eq!(relative_time(ko, 0.0, 125_000.0), "2분 전");
        assert_eq!(relative_time(ko, 0.0, 7_300_000.0), "2시간 전");
        assert_eq!(relative_time(ko, 0.0, 90_000_000.0), "어제");
        assert_eq!(relative_time(ko, 0.0, 400_000_000.0), "4일 전");
    }
}
