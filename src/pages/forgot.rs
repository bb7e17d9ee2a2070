//! `/forgot`: **Email**, **Send reset link**; then the same confirmation whatever the
//! address (the server's answer does not say whether it has an account either).

use super::components::{AuthCard, EmailField, ErrorAlert, SubmitButton};
use crate::api::email::RequestPasswordReset;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    });
    let sent = move || matches!(action.value().get(), Some(Ok(_)));

    view! {
        <Title text="Reset your password · Baton"/>
        <AuthCard title="Reset your password">
            <Show
                when=sent
                fallback=move || view! {
                    <p class="muted">"Enter the email address of your account. We will send you a link to choose a new password."</p>
                    <ActionForm action=action attr:novalidate="" attr:class="form">
                        <EmailField/>
                        <ErrorAlert message=error/>
                        <SubmitButton label="Send reset link" pending=action.pending()/>
                    </ActionForm>
                }
            >
                <div class="notice notice--ok" role="status" data-testid="reset-sent">
                    <p>"Check your inbox. If an account uses that address, a link to reset its password is on its way."</p>
                    <p>"The link works once and expires soon. No mail after a few minutes? Look in your spam folder, or ask again."</p>
                </div>
            </Show>
            <p class="switch">"Remembered it? " <A href="/login">"Sign in"</A></p>
        </AuthCard>
    }
}
