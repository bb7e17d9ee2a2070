//! `/register`: Email, Password, **Create account**; **Continue with <Name>** for each
//! provider; a link to `/login`.

use crate::{
    api::auth::Register,
    client::language::tr,
    components::{
        form::{EmailField, ErrorAlert, SubmitButton},
        frame::AuthCard,
        password::NewPasswordField,
        providers::ProviderButtons,
        signed_out::{continue_when_signed_in, keeping_next},
    },
    shared::i18n::Words,
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    continue_when_signed_in(move || action.value().get());

    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(Words::error(error)),
        _ => None,
    });
    let pending = action.pending();
    // The address typed so far, for the advice (the form posts its own fields).
    let email = Signal::derive(|| {
        use wasm_bindgen::JsCast;
        document()
            .get_element_by_id("email")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    });

    view! {
        <AuthCard title=|t| t.register.title>
            <ActionForm action=action attr:novalidate="" attr:class="form">
                <EmailField/>
                <NewPasswordField id="password" label=|t| t.common.password name="password" email=email/>
                <ErrorAlert message=error/>
                <SubmitButton label=|t| t.register.title pending=pending/>
            </ActionForm>
            <ProviderButtons or=true/>
            <p class="switch">{tr(|t| t.register.have_account)} <A href=keeping_next("/login")>{tr(|t| t.common.sign_in)}</A></p>
        </AuthCard>
    }
}
