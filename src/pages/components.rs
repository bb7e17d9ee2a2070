//! The pieces the pages share: the signed-out card and its form fields, the spinner,
//! the error alert.

use leptos::prelude::*;

/// A small spinner for buttons and pending states; hidden from screen readers, whose
/// users get the button's `aria-busy` instead.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}

/// The Email field of the sign-in and sign-up forms.
#[component]
pub fn EmailField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required/>
        </div>
    }
}

/// A form's submit button: disabled, busy and spinning while the request is out.
#[component]
pub fn SubmitButton(label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="button button--primary" disabled=pending aria-busy=move || pending.get().to_string()>
            <Show when=move || pending.get()><Spinner/></Show>
            {label}
        </button>
    }
}

/// The frame of the sign-in and sign-up pages.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth-layout">
            <a class="brand brand--large" href="/">
                <span class="brand__mark" aria-hidden="true"></span>
                "Baton"
            </a>
            <section class="card auth-card">
                <h1>{title}</h1>
                {children()}
            </section>
            <p class="footnote">"Short-lived access tokens in memory, rotating refresh tokens in an HttpOnly cookie."</p>
        </div>
    }
}

/// An error next to a form, announced by screen readers (`role="alert"`).
#[component]
pub fn ErrorAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|text| view! { <p class="alert" role="alert">{text}</p> })
}
