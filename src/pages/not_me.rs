//! `/not-me?token=…`: "This wasn't me", from a new-device or email-changed mail. The
//! page follows the link (`components::link`: by the page's script, so a mail scanner
//! that only fetches the URL ends nothing), says what ended, and asks for a new
//! password with the reset token the answer carries.

use crate::{
    api::email::not_me,
    client::language::{tr, use_texts},
    components::{
        frame::AuthCard,
        link::{follow_link, Followed, LinkFailed, LinkWorking},
        password::NewPasswordForm,
    },
};
use leptos::prelude::*;

#[component]
pub fn NotMePage() -> impl IntoView {
    let t = use_texts();
    let (state, retry) = follow_link(not_me);
    let view_of = move || match state.get() {
        Followed::Working => view! { <LinkWorking says=|t| t.not_me.checking/> }.into_any(),
        Followed::Done(answer) => view! {
            <div class="notice notice--ok" role="status" data-testid="not-me-done">
                <p>{move || (t().not_me.ended)(answer.ended_sessions)}</p>
                <p>{tr(|t| t.not_me.address_back)}</p>
            </div>
            <p class="muted">{tr(|t| t.not_me.choose_password)}</p>
            <NewPasswordForm token=answer.reset_token.clone() offer_sign_in=false/>
        }
        .into_any(),
        Followed::Failed(error) => view! {
            <LinkFailed error=error dead=|t| t.not_me.link_dead next=|t| t.not_me.ask_reset on="/forgot"
                on_label=|t| t.reset.new_link failed=|t| t.not_me.failed try_again=|t| t.not_me.try_again
                retry=retry.clone()/>
        }
        .into_any(),
    };
    view! {
        <AuthCard title=|t| t.not_me.title>{view_of}</AuthCard>
    }
}
