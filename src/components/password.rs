//! New passwords: the field of a signed-out form with its advice, the advice itself
//! (the server's strength check, asked once typing pauses), and the form that sets a
//! new password with a reset token.

use super::{
    form::{ErrorAlert, SubmitButton},
    second_step::SecondStepForm,
    signed_out::take_sign_in,
};
use crate::{
    api::email::ConfirmPasswordReset,
    client::{
        language::{tr, use_texts},
        session::{use_session, Status},
    },
    shared::{
        error::AppError,
        i18n::{Pick, Words},
        wire::SignInAnswer,
    },
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};

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

/// **New password** and **Set new password** for a reset `token` (from a mailed link,
/// or from "This wasn't me"); then signed in on `/`, or the second step first. Below
/// it, "Remembered it? Sign in", unless `offer_sign_in` is false (after "This wasn't
/// me" the current password is someone else's too).
#[component]
pub fn NewPasswordForm(token: String, #[prop(default = true)] offer_sign_in: bool) -> impl IntoView {
    let action = ServerAction::<ConfirmPasswordReset>::new();
    let tokens = move || match action.value().get()? {
        Ok(SignInAnswer::Tokens(tokens)) => Some(Ok(tokens)),
        Ok(SignInAnswer::SecondStep(_)) => None,
        Err(e) => Some(Err(e)),
    };
    take_sign_in(tokens);
    let second_step = move || match action.value().get() {
        Some(Ok(SignInAnswer::SecondStep(mfa))) => Some(mfa),
        _ => None,
    };
    // Only after this form's own answer (or its second step): someone already signed
    // in who follows a reset link still gets to set the password.
    let navigate = use_navigate();
    let session = use_session();
    Effect::new(move |_| {
        let answered = matches!(tokens(), Some(Ok(_)));
        let second_step_passed = second_step().is_some() && matches!(session.status.get(), Status::SignedIn(_));
        if answered || second_step_passed {
            navigate("/", NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let link_dead = move || matches!(action.value().get(), Some(Err(AppError::InvalidLink)));
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    let no_email = Signal::derive(String::new);
    let token = StoredValue::new(token);

    view! {
        <Show
            when=move || second_step().is_none()
            fallback=move || second_step().map(|mfa| view! {
                <p class="muted">{tr(|t| t.reset.second_step)}</p>
                <SecondStepForm mfa_token=Some(mfa.mfa_token)/>
            })
        >
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <input type="hidden" name="token" value=move || token.get_value()/>
                <NewPasswordField id="new-password" label=|t| t.common.new_password name="new_password" email=no_email/>
                <ErrorAlert message=error/>
                <SubmitButton label=|t| t.reset.set pending=action.pending()/>
            </ActionForm>
        </Show>
        <Show when=move || offer_sign_in || link_dead()>
            <p class="switch">
                <Show when=link_dead fallback=move || view! {
                    {tr(|t| t.common.remembered)} <A href="/login">{tr(|t| t.common.sign_in)}</A>
                }>
                    <A href="/forgot">{tr(|t| t.reset.new_link)}</A>
                </Show>
            </p>
        </Show>
    }
}
