//! `/verify?token=…`: follows a verification or email-change link and says whether
//! the address is now verified (`components::link`: followed by the page's script, so
//! a mail scanner that only fetches the URL verifies nothing).

use crate::{
    api::email::verify_email,
    client::language::tr,
    components::{
        frame::AuthCard,
        link::{follow_link, Followed, LinkFailed, LinkWorking},
    },
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let (state, retry) = follow_link(verify_email);
    let view_of = move || {
        match state.get() {
        Followed::Working => view! { <LinkWorking says=|t| t.verify.checking/> }.into_any(),
        Followed::Done(_) => view! {
            <div role="status">
                <p class="notice notice--ok" data-testid="verified">{tr(|t| t.verify.verified)}</p>
                <p><A href="/">{tr(|t| t.verify.continue_to)}</A></p>
            </div>
        }
        .into_any(),
        Followed::Failed(error) => view! {
            <LinkFailed error=error dead=|t| t.verify.link_dead next=|t| t.verify.ask_again on="/" on_label=|t| t.verify.go
                failed=|t| t.verify.failed try_again=|t| t.verify.try_again retry=retry.clone()/>
        }
        .into_any(),
    }
    };
    view! {
        <AuthCard title=|t| t.verify.title>{view_of}</AuthCard>
    }
}
