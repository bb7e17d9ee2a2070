//! The app's languages and their message catalogues: English and Korean.
//!
//! Every string a person reads in the app comes from a [`Texts`] (declared in
//! [`texts`]), one per language ([`en`], [`ko`]). `Texts` is a plain struct, so a catalogue that misses a string
//! does not compile: no page can show a key or fall back to English by accident.
//! Strings with values in them are functions, so each language orders its words its
//! own way (Korean puts the verb last: "{device}에서 로그인했습니다").
//!
//! Why not `leptos_i18n` or Fluent: `leptos_i18n` 0.6 generates its code from a build
//! script whose dependency tree is 155 crates (ICU4X's data exporter, rustls, ring,
//! ureq, zip), built twice per release build (server and bundle target directories),
//! which would add minutes to every clean build; Fluent parses its `.ftl` files in the
//! browser, which puts a parser in a bundle already over its size goal. Two languages
//! with no plural rules beyond what a function writes need neither.
//!
//! Which language a page speaks: the `lang` cookie (the switcher's choice) first,
//! then the best of `Accept-Language`, then English ([`Lang::negotiate`]). The
//! server renders in it and writes it into `<html lang>`; the browser reads it back
//! from there when it hydrates, so there is no flash of another language.

mod en;
mod ko;
mod texts;

pub use texts::*;

/// Words for a person, worded when they are shown rather than when they are made: a
/// confirmation or an error kept in a signal is reworded by the language switcher
/// like every other text on the page.
#[derive(Clone)]
pub struct Words(std::sync::Arc<dyn Fn(&'static Texts) -> String + Send + Sync>);

impl Words {
    pub fn new(say: impl Fn(&'static Texts) -> String + Send + Sync + 'static) -> Words {
        Words(std::sync::Arc::new(say))
    }

    /// One string of the catalogue.
    pub fn pick(pick: Pick) -> Words {
        Words::new(move |t| pick(t).to_string())
    }

    /// What an error's code means to a person.
    pub fn error(error: crate::shared::error::AppError) -> Words {
        Words::new(move |t| (t.error)(&error))
    }

    /// "{what}: you did not confirm it was you.": a sensitive action left undone
    /// because the re-authentication prompt was cancelled.
    pub fn unconfirmed(what: Pick) -> Words {
        Words::new(move |t| (t.common.not_confirmed)(what(t)))
    }

    /// What a refused sensitive action says: [`Words::unconfirmed`] when the person
    /// cancelled the re-authentication prompt (`client::fetch` opens it for every
    /// `reauth_required`), else the error in the page's words.
    pub fn refused(error: crate::shared::error::AppError, not_done: Pick) -> Words {
        match error {
            crate::shared::error::AppError::ReauthRequired => Words::unconfirmed(not_done),
            other => Words::error(other),
        }
    }

    /// [`Words::refused`], with `how` wording any other error ("Could not …: …").
    pub fn refused_or_failed(error: crate::shared::error::AppError, not_done: Pick, how: fn(&Texts) -> Say1) -> Words {
        match error {
            crate::shared::error::AppError::ReauthRequired => Words::unconfirmed(not_done),
            other => Words::failed(how, other),
        }
    }

    /// "Could not …: {what the error means}": `how` picks the sentence.
    pub fn failed(how: fn(&Texts) -> Say1, error: crate::shared::error::AppError) -> Words {
        Words::new(move |t| how(t)(&(t.error)(&error)))
    }

    /// These words in `t`'s language.
    pub fn say(&self, t: &'static Texts) -> String {
        (self.0)(t)
    }
}

/// The cookie that remembers the switcher's choice (`en` or `ko`).
pub const LANG_COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language's own name for itself, as the switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// A tag's language, if we speak it: `ko`, `ko-KR`, `EN-gb` all count.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL.into_iter().find(|lang| primary.eq_ignore_ascii_case(lang.code()))
    }

    /// The language of a request: the cookie's, when it names one we speak; else the
    /// `Accept-Language` entry with the highest weight that we speak (the first of
    /// equals; `q=0` means "not this one"); else English.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = cookie.and_then(Lang::from_tag) {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for entry in accept_language.unwrap_or_default().split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else { continue };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0)))
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    /// The language a request asks for: its `lang` cookie, else its `Accept-Language`
    /// ([`Lang::negotiate`]). The page's renderer and the account's language both read
    /// it here.
    #[cfg(feature = "ssr")]
    pub fn of_request(headers: &http::HeaderMap) -> Lang {
        use http::header::{ACCEPT_LANGUAGE, COOKIE};
        let chosen = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == LANG_COOKIE)
            .map(|cookie| cookie.value().to_string());
        let accepted = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
        Lang::negotiate(chosen.as_deref(), accepted)
    }

    /// This language's catalogue.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &en::TEXTS,
            Lang::Ko => &ko::TEXTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang::{self, En, Ko};

    #[test]
    fn the_cookie_wins_over_the_browser() {
        assert_eq!(Lang::negotiate(Some("ko"), Some("en-US,en;q=0.9")), Ko);
        assert_eq!(Lang::negotiate(Some("en"), Some("ko-KR")), En);
        // A cookie we cannot read is no choice at all.
        assert_eq!(Lang::negotiate(Some("xx"), Some("ko-KR")), Ko);
    }

    #[test]
    fn accept_language_is_read_by_weight() {
        assert_eq!(Lang::negotiate(None, Some("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7")), Ko);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, ko;q=0.5, en;q=0.8")), En);
        assert_eq!(Lang::negotiate(None, Some("fr, ko;q=0.3")), Ko);
        assert_eq!(Lang::negotiate(None, Some("en;q=0.5, KO")), Ko);
        assert_eq!(Lang::negotiate(None, Some("ko;q=0, en;q=0.1")), En);
        assert_eq!(Lang::negotiate(None, Some("ko;q=0")), En);
    }

    #[test]
    fn anything_else_is_english() {
        assert_eq!(Lang::negotiate(None, None), En);
        assert_eq!(Lang::negotiate(None, Some("")), En);
        assert_eq!(Lang::negotiate(None, Some("*")), En);
        assert_eq!(Lang::negotiate(None, Some("de-DE,fr;q=0.9")), En);
        assert_eq!(Lang::negotiate(None, Some(";;;,,q=2")), En);
    }
}
