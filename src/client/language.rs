//! The page's language, as a context every page reads its strings through.
//!
//! The server decides it per request ([`of_request`]: the `lang` cookie, then
//! `Accept-Language`) and renders in it, writing it into `<html lang>`; the browser
//! starts from that attribute, so hydration finds the very text the server sent.
//! The switcher ([`Language::choose`]) changes every string at once, without a
//! reload, and remembers the choice in the `lang` cookie for the next request.

use crate::shared::i18n::{Lang, Pick, Texts};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Language(RwSignal<Lang>);

impl Language {
    /// Provides the page's language to everything below; the one already provided,
    /// if any (the server's shell provides it for `<html lang>`, then `App` finds it,
    /// so a request is negotiated once).
    pub fn provide() -> Language {
        if let Some(language) = use_context::<Language>() {
            return language;
        }
        let language = Language(RwSignal::new(of_request()));
        provide_context(language);
        language
    }

    pub fn get(self) -> Lang {
        self.0.get()
    }

    /// The catalogue of the page's language (tracked: read it in a reactive closure,
    /// and the text follows the switcher).
    pub fn texts(self) -> &'static Texts {
        self.0.get().texts()
    }

    pub fn get_untracked(self) -> Lang {
        self.0.get_untracked()
    }

    pub fn texts_untracked(self) -> &'static Texts {
        self.0.get_untracked().texts()
    }

    /// The switcher's choice: for this page at once, and for every later request.
    pub fn choose(self, lang: Lang) {
        self.0.set(lang);
        #[cfg(not(feature = "ssr"))]
        remember(lang);
    }
}

pub fn use_language() -> Language {
    expect_context::<Language>()
}

/// One string of the page's language, kept current when the switcher changes it:
/// `{tr(|t| t.login.title)}`. Every string shares this one closure type, so the bundle
/// holds one copy of the code that renders, hydrates and updates a reactive text; a
/// `move || …` written at each place is a type of its own, for which Leptos compiles
/// that code again.
pub fn tr(pick: Pick) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let language = use_language();
    move || pick(language.texts())
}

/// The page's catalogue as a tracked getter, for words with values:
/// `{move || (t().sessions.signed_in)(&when)}`.
pub fn use_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let language = use_language();
    move || language.texts()
}

/// The language of the request being rendered (English outside a request).
#[cfg(feature = "ssr")]
fn of_request() -> Lang {
    use_context::<http::request::Parts>().map(|parts| Lang::of_request(&parts.headers)).unwrap_or_default()
}

/// In the browser, the language the server rendered in: `<html lang>`.
#[cfg(not(feature = "ssr"))]
fn of_request() -> Lang {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

/// Writes the choice into `<html lang>` (screen readers switch voice by it) and into
/// the `lang` cookie for a year. Not `HttpOnly`, since it is written here, and
/// harmless to read: it holds `en` or `ko`. `SameSite=Lax`, so a link from elsewhere
/// opens in the chosen language too.
#[cfg(not(feature = "ssr"))]
fn remember(lang: Lang) {
    use crate::shared::i18n::LANG_COOKIE;
    use wasm_bindgen::JsCast;
    let document = document();
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", lang.code());
    }
    let secure = window().location().protocol().is_ok_and(|p| p == "https:");
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.code(),
        if secure { "; Secure" } else { "" }
    );
    let _ = document.unchecked_into::<web_sys::HtmlDocument>().set_cookie(&cookie);
}
