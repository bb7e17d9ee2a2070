//! What forms are made of: the busy button (the one way Baton draws a button whose
//! action takes a moment), the Email field, the error alert, and [`Submission`], an
//! action's pending state and outcome.

use super::frame::Spinner;
use crate::{
    client::language::{tr, use_texts},
    shared::i18n::{Pick, Words},
};
use leptos::prelude::*;

/// A button whose action takes a moment: while `pending` it is disabled, says it is
/// busy (`aria-busy`) and shows a spinner beside its words. `kind` is its `type`
/// (`button`, or `submit` in a form); `class` its look. Event handlers and other
/// attributes given to it (`on:click`, `attr:aria-label`) land on the button itself.
///
/// `pending` is an `ArcSignal` (from the caller's `RwSignal` or `Memo`), not an
/// arena `Signal` made for the button: a button in a view that its own action
/// replaces (a setup step that becomes the next one) is gone by the time the action
/// says it is done, and a `Signal` owned by that view would be read after it.
#[component]
pub fn BusyButton(
    label: Pick,
    #[prop(into)] pending: ArcSignal<bool>,
    #[prop(default = "button")] kind: &'static str,
    #[prop(default = "button")] class: &'static str,
) -> impl IntoView {
    let t = use_texts();
    let (busy, aria, spin) = (pending.clone(), pending.clone(), pending);
    view! {
        <button type=kind class=class disabled=move || busy.get() aria-busy=move || aria.get().to_string()>
            <Show when=move || spin.get()><Spinner/></Show>
            {move || label(t())}
        </button>
    }
}

/// A form's submit button: the primary [`BusyButton`].
#[component]
pub fn SubmitButton(label: Pick, #[prop(into)] pending: ArcSignal<bool>) -> impl IntoView {
    view! { <BusyButton label=label pending=pending kind="submit" class="button button--primary"/> }
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
