//! The frame pages stand in: the signed-out card with its title and the language
//! switcher, the document's `<title>`, and the spinner of anything pending.

use crate::{
    client::language::{tr, use_language, use_texts},
    shared::i18n::{Lang, Pick},
};
use leptos::prelude::*;

/// A small spinner for buttons and pending states; hidden from screen readers, whose
/// users get the button's `aria-busy` instead.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
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
