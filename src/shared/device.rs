//! A person-readable name for a device, from its user agent: "Chrome on Linux".
//! Enough to recognise one's own devices in the session list (and, server side, in
//! the security events); never used to decide anything.

/// Browsers by a mark in their user agent, most specific first (Edge and Opera also
/// say Chrome; Chrome also says Safari).
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("HeadlessChrome", "Headless Chrome"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
];

/// Systems likewise (iPhones also say Mac OS X; Android also says Linux).
const SYSTEMS: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
];

use crate::shared::i18n::{Device, Lang};

/// "Chrome on Linux" from a user agent: enough to recognise one's own devices. In
/// English, as the server's records, mails and the contract's answers say it.
pub fn describe_device(user_agent: &str) -> String {
    describe_device_in(&Lang::En.texts().device, user_agent)
}

/// [`describe_device`] in a page's language: "Linux의 Chrome".
pub fn describe_device_in(words: &Device, user_agent: &str) -> String {
    let first_mark = |table: &[(&str, &'static str)]| {
        table.iter().find(|(mark, _)| user_agent.contains(mark)).map(|(_, name)| *name)
    };
    match (first_mark(BROWSERS), first_mark(SYSTEMS)) {
        (Some(b), Some(s)) => (words.on)(b, s),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => (words.browser_on)(s),
        (None, None) if user_agent.is_empty() => words.unknown.to_string(),
        (None, None) => user_agent.split('/').next().unwrap_or(words.unknown).chars().take(40).collect(),
    }
}

/// A device as the server named it ([`describe_device`], English: the activity and
/// the contract's answers say "Firefox on Linux") in a page's language: the names
/// come from the tables above, so the English pattern reads back exactly; anything
/// else (a bare user-agent token) is a name, kept as it is.
pub fn in_language(described: &str, words: &Device) -> String {
    let english = &Lang::En.texts().device;
    if described == english.unknown {
        return words.unknown.to_string();
    }
    let known = |table: &[(&str, &'static str)], name: &str| table.iter().any(|(_, n)| *n == name);
    match described.rsplit_once(" on ") {
        Some(("Browser", system)) if known(SYSTEMS, system) => (words.browser_on)(system),
        Some((browser, system)) if known(BROWSERS, browser) && known(SYSTEMS, system) => (words.on)(browser, system),
        _ => described.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        assert_eq!(
            describe_device(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            ),
            "Chrome on Linux"
        );
        assert_eq!(
            describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(
            describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Windows"
        );
        assert_eq!(describe_device("curl/8.5.0"), "curl");
        assert_eq!(describe_device(""), "Unknown device");
    }

    #[test]
    fn the_servers_english_names_read_back_in_the_pages_language() {
        use super::in_language;
        use crate::shared::i18n::Lang;
        let korean = &Lang::Ko.texts().device;
        assert_eq!(in_language("Headless Chrome on Linux", korean), "Linux의 Headless Chrome");
        assert_eq!(in_language("Browser on macOS", korean), "macOS의 브라우저");
        assert_eq!(in_language("Unknown device", korean), "알 수 없는 기기");
        assert_eq!(in_language("curl", korean), "curl");
        // Only the tables' names are read back; a stranger's text stays as it came.
        assert_eq!(in_language("Lynx on Plan 9", korean), "Lynx on Plan 9");
        let english = &Lang::En.texts().device;
        for agent in ["Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36", "", "curl/8"] {
            assert_eq!(in_language(&describe_device(agent), english), describe_device(agent));
        }
    }

    #[test]
    fn devices_are_named_in_the_pages_language() {
        use super::describe_device_in;
        let korean = &crate::shared::i18n::Lang::Ko.texts().device;
        assert_eq!(
            describe_device_in(
                korean,
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Windows의 Firefox"
        );
        assert_eq!(describe_device_in(korean, ""), "알 수 없는 기기");
    }
}
