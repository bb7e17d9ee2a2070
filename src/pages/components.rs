//! The pieces the pages share: the signed-out card and its form fields, the spinner,
//! the error alert.

use crate::{
    client::language::{tr, use_language, use_texts},
    shared::i18n::{Lang, Pick, Words},
};
use leptos::prelude::*;

/// A small spinner for buttons and pending states; hidden from screen readers, whose
/// users get the button's `aria-busy` instead.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}

/// The Email field of the sign-in and sign-up forms. On sign-in it also offers the
/// browser's passkeys (`autocomplete="username webauthn"`).
#[component]
pub fn EmailField(#[prop(optional)] passkeys: bool) -> impl IntoView {
    let autocomplete = if passkeys { "username webauthn" } else { "username" };
    view! {
        <div class="field">
            <label for="email">{tr(|t| t.common.email)}</label>
            <input id="email" name="email" type="email" autocomplete=autocomplete inputmode="email" required/>
        </div>
    }
}

/// A form's submit button: disabled, busy and spinning while the request is out.
#[component]
pub fn SubmitButton(label: Pick, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    let t = use_texts();
    view! {
        <button type="submit" class="button button--primary" disabled=pending aria-busy=move || pending.get().to_string()>
            <Show when=move || pending.get()><Spinner/></Show>
            {move || label(t())}
        </button>
    }
}

/// The frame of the signed-out pages, with the page's `<title>` and the language
/// switcher.
#[component]
pub fn AuthCard(title: Pick, children: Children) -> impl IntoView {
    let t = use_texts();
    view! {
        <PageTitle title=title/>
        <div class="auth-layout">
            <div class="auth-layout__top">
                <a class="brand brand--large" href="/">
                    <span class="brand__mark" aria-hidden="true"></span>
                    "Baton"
                </a>
                <LanguageSwitch/>
            </div>
            <section class="card auth-card">
                <h1>{move || title(t())}</h1>
                {children()}
            </section>
            <p class="footnote">{tr(|t| t.common.footnote)}</p>
        </div>
    }
}

/// The document's `<title>`: the page's name, then Baton's, in the page's language.
#[component]
pub fn PageTitle(title: Pick) -> impl IntoView {
    let t = use_texts();
    view! { <leptos_meta::Title text=move || (t().common.title)(title(t()))/> }
}

/// English | 한국어: each language named in itself (and marked as such, so a screen
/// reader says it in the right voice), the page's own pressed.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let language = use_language();
    view! {
        <div class="language" role="group" aria-label=tr(|t| t.common.language)>
            {Lang::ALL.map(|lang| view! {
                <button type="button" class="language__choice" lang=lang.code()
                    aria-pressed=move || (language.get() == lang).to_string()
                    on:click=move |_| language.choose(lang)>
                    {lang.endonym()}
                </button>
            })}
        </div>
    }
}

/// An error next to a form, announced by screen readers (`role="alert"`). When one
/// appears, focus moves to it, so that a person on the keyboard lands on what went
/// wrong rather than on a button that seems to have done nothing; Shift+Tab leads
/// back to the fields. (Only when it appears: a language switch rewords it in place.)
#[component]
pub fn ErrorAlert(#[prop(into)] message: Signal<Option<Words>>) -> impl IntoView {
    let t = use_texts();
    let alert = NodeRef::<leptos::html::P>::new();
    let shown = Memo::new(move |_| message.with(Option::is_some));
    Effect::new(move |_| {
        if let (true, Some(alert)) = (shown.get(), alert.get()) {
            let _ = alert.focus();
        }
    });
    move || {
        message.get().map(|words| {
            view! { <p class="alert" role="alert" tabindex="-1" node_ref=alert>{move || words.say(t())}</p> }
        })
    }
}

/// A new-password box of a signed-out form (sign-up, reset), posted as `name`, with
/// the advice under it while it is typed.
#[component]
pub fn NewPasswordField(
    id: &'static str,
    label: Pick,
    /// The form field's name.
    name: &'static str,
    /// The account's email, as far as the page knows it.
    #[prop(into)]
    email: Signal<String>,
) -> impl IntoView {
    use crate::shared::credentials::Password;
    let password = RwSignal::new(String::new());
    let advice = format!("{id}-advice");
    let t = use_texts();
    view! {
        <div class="field">
            <label for=id>{move || label(t())}</label>
            <input
                id=id
                name=name
                type="password"
                autocomplete="new-password"
                minlength=Password::MIN_CHARS.to_string()
                aria-describedby=advice.clone()
                required
                on:input=move |ev| password.set(event_target_value(&ev))
            />
            <PasswordAdvice id=advice email=email password=password idle=true/>
        </div>
    }
}

/// An action that runs in the background (a form posted, a button pressed): busy
/// while it is out, then what came of it, as an error or as a confirmation.
#[derive(Clone, Copy)]
pub struct Submission {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<Words>>,
    pub done: RwSignal<Option<Words>>,
}

impl Default for Submission {
    fn default() -> Self {
        Self::new()
    }
}

impl Submission {
    pub fn new() -> Self {
        Submission { pending: RwSignal::new(false), error: RwSignal::new(None), done: RwSignal::new(None) }
    }

    /// Runs `work`; its `Ok` is the confirmation to show, its `Err` the error.
    pub fn run(self, work: impl std::future::Future<Output = Result<Words, Words>> + 'static) {
        self.pending.set(true);
        self.error.set(None);
        self.done.set(None);
        leptos::task::spawn_local(async move {
            let outcome = work.await;
            // `try_`: the person may have left the page meanwhile.
            match outcome {
                Ok(done) => self.done.try_set(Some(done)),
                Err(error) => self.error.try_set(Some(error)),
            };
            self.pending.try_set(false);
        });
    }
}

/// How long typing must pause before a new password is judged.
const ADVICE_PAUSE_MS: u32 = 500;

/// Advice under a new-password field while it is typed: the server's strength check
/// (`password_strength`, the one registration and a password change run), asked once
/// typing pauses, never per keystroke, and only for the latest text. With `idle`, the
/// minimum length shows before anything is typed. A live region, so the advice is read
/// out as it changes. The server's advice is English; in another language the page
/// says its own.
#[component]
pub fn PasswordAdvice(
    #[prop(into)] id: String,
    /// The account's email (what the password must not be built from).
    #[prop(into)]
    email: Signal<String>,
    #[prop(into)] password: Signal<String>,
    #[prop(optional)] idle: bool,
) -> impl IntoView {
    use crate::{api::auth::password_strength, shared::credentials::Password, shared::error::AppError};
    /// What the advice says, kept as a verdict so it is worded in the page's language
    /// at the moment it is shown (the switcher rewords it too).
    #[derive(Clone)]
    enum Advice {
        TooShort,
        Strong,
        Weak(AppError),
    }
    let t = use_texts();
    let advice = RwSignal::new(None::<Advice>);
    let latest = StoredValue::new(0u64);
    Effect::new(move |_| {
        let typed = password.get();
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        if typed.chars().count() < Password::MIN_CHARS {
            advice.set((!typed.is_empty()).then_some(Advice::TooShort));
            return;
        }
        // The page may be gone by the time the timer or the answer comes (a sign-up
        // moves on at once): then there is no one to advise.
        let still_latest = move || latest.try_get_value() == Some(ticket);
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(ADVICE_PAUSE_MS).await;
            let Some(email) = email.try_get_untracked().filter(|_| still_latest()) else { return };
            let verdict = password_strength(email, typed).await;
            if !still_latest() {
                return;
            }
            advice.try_set(match verdict {
                Ok(_) => Some(Advice::Strong),
                Err(error @ (AppError::WeakPassword(_) | AppError::InvalidInput(_))) => Some(Advice::Weak(error)),
                // No advice is better than a wrong one; the submit will say.
                Err(_) => None,
            });
        });
    });
    let strong = move || advice.with(|a| matches!(a, Some(Advice::Strong)));
    let weak = move || advice.with(|a| matches!(a, Some(Advice::TooShort | Advice::Weak(_))));
    let text = move || match advice.get() {
        Some(Advice::TooShort) => Some((t().common.at_least)(Password::MIN_CHARS)),
        Some(Advice::Strong) => Some(t().common.strong_enough.to_string()),
        Some(Advice::Weak(error)) => Some((t().error)(&error)),
        None => idle.then(|| (t().common.at_least)(Password::MIN_CHARS)),
    };
    view! {
        <p id=id class="hint" class:hint--ok=strong class:hint--weak=weak aria-live="polite" data-testid="password-advice">
            {text}
        </p>
    }
}

/// Hands `text` to the browser as a download named `name`, of MIME type `kind`.
pub fn save_file(name: &str, kind: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
