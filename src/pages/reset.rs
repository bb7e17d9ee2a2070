//! `/reset?token=…`: **New password**, **Set new password**; then signed in on `/`
//! (every other session of the account has ended). The form is [`NewPasswordForm`],
//! which `/not-me` shows too.

use super::{
    components::{AuthCard, ErrorAlert, NewPasswordField, SubmitButton},
    second_step::SecondStepForm,
    signed_out::take_sign_in,
};
use crate::{
    api::email::ConfirmPasswordReset,
    client::{
        language::tr,
        session::{use_session, Status},
    },
    shared::{error::AppError, i18n::Words, wire::SignInAnswer},
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

#[component]
pub fn ResetPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    view! {
        <AuthCard title=|t| t.reset.title>
            <Show
                when={
                    let has_token = !token.is_empty();
                    move || has_token
                }
                fallback=move || view! {
                    <p class="alert" role="alert">{tr(|t| t.reset.incomplete)}</p>
                }
            >
                <p class="muted">{tr(|t| t.reset.intro)}</p>
                <NewPasswordForm token=token.clone()/>
            </Show>
        </AuthCard>
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
                <SecondStepForm mfa=mfa/>
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
