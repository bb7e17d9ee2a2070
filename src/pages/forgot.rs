//! `/forgot`: **Email**, **Send reset link**; then the same confirmation whatever the
//! address (the server's answer does not say whether it has an account either).

use crate::{
    api::email::RequestPasswordReset,
    client::language::tr,
    components::{
        form::{EmailField, ErrorAlert, SubmitButton},
        frame::AuthCard,
    },
    shared::i18n::Words,
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    let sent = move || matches!(action.value().get(), Some(Ok(_)));

    view! {
        <AuthCard title=|t| t.forgot.title>
            <Show
                when=sent
                fallback=move || view! {
                    <p class="muted">{tr(|t| t.forgot.intro)}</p>
                    <ActionForm action=action attr:novalidate="" attr:class="form">
                        <EmailField/>
                        <ErrorAlert message=error/>
                        <SubmitButton label=|t| t.forgot.send pending=action.pending()/>
                    </ActionForm>
                }
            >
                <div class="notice notice--ok" role="status" data-testid="reset-sent">
                    <p>{tr(|t| t.forgot.sent)}</p>
                    <p>{tr(|t| t.forgot.sent_more)}</p>
                </div>
            </Show>
            <p class="switch">{tr(|t| t.common.remembered)} <A href="/login">{tr(|t| t.common.sign_in)}</A></p>
        </AuthCard>
    }
}
