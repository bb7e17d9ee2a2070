//! `/reset?token=…`: **New password**, **Set new password**; then signed in on `/`
//! (every other session of the account has ended).

use super::{
    components::{AuthCard, ErrorAlert, NewPasswordField, SubmitButton},
    signed_out::take_sign_in,
};
use crate::{api::email::ConfirmPasswordReset, shared::error::AppError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

#[component]
pub fn ResetPage() -> impl IntoView {
    let action = ServerAction::<ConfirmPasswordReset>::new();
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    take_sign_in(move || action.value().get());
    // Only after this page's own answer: someone already signed in who follows a reset
    // link still gets to set the password.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            navigate("/", NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let link_dead = move || matches!(action.value().get(), Some(Err(AppError::InvalidLink)));
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    });
    let no_email = Signal::derive(String::new);
    let has_token = !token.is_empty();
    let token = StoredValue::new(token);

    view! {
        <Title text="Choose a new password · Baton"/>
        <AuthCard title="Choose a new password">
            <Show
                when=move || has_token
                fallback=|| view! {
                    <p class="alert" role="alert">"This link is incomplete. Open the link from the mail again, or ask for a new one."</p>
                }
            >
                <p class="muted">"Setting it signs out every device signed in to your account, then signs you in here."</p>
                <ActionForm action=action attr:novalidate="" attr:class="form">
                    <input type="hidden" name="token" value=move || token.get_value()/>
                    <NewPasswordField id="new-password" label="New password" name="new_password" email=no_email/>
                    <ErrorAlert message=error/>
                    <SubmitButton label="Set new password" pending=action.pending()/>
                </ActionForm>
            </Show>
            <p class="switch">
                <Show when=link_dead fallback=|| view! { "Remembered it? " <A href="/login">"Sign in"</A> }>
                    <A href="/forgot">"Ask for a new link"</A>
                </Show>
            </p>
        </AuthCard>
    }
}
