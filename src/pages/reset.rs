//! `/reset?token=…`: **New password**, **Set new password**; then signed in on `/`
//! (every other session of the account has ended). The form is
//! `components::password::NewPasswordForm`, which `/not-me` shows too.

use crate::{
    client::language::tr,
    components::{frame::AuthCard, password::NewPasswordForm},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
