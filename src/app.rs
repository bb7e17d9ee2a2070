//! The HTML shell, `<App/>` and its routes.

use crate::{
    client::{
        early,
        language::{use_texts, Language},
        renewal,
        session::Session,
    },
    components::{frame::AuthCard, providers},
    pages::{
        account::AccountPage,
        activity::ActivityPage,
        admin::{audit::AdminAuditPage, user::AdminUserPage, users::AdminUsersPage, AdminLayout},
        dashboard::DashboardPage,
        forgot::ForgotPage,
        layout::SignedInLayout,
        login::LoginPage,
        login_code::LoginCodePage,
        not_me::NotMePage,
        register::RegisterPage,
        reset::ResetPage,
        sessions::SessionsPage,
        verify::VerifyPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes, A},
    ParamSegment, StaticSegment,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The request's language, provided here so that `<html lang>` and `App` share it.
    let lang = Language::provide().get_untracked();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                // First in <head>, so it governs every script after it.
                <meta http-equiv="Content-Security-Policy" content=content_security_policy(&options)/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.ico"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                // Sends a sign-in form submitted before hydration without leaving the page.
                <script nonce=leptos::nonce::use_nonce() inner_html=early::SCRIPT></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content Security Policy. The access token lives in this page's memory,
/// so script injection is the one way to steal it: only scripts carrying this
/// response's nonce run (and what they load, `'strict-dynamic'`), no inline styles or
/// plugins, and the page talks only to its own origin. (`frame-ancestors` and the
/// other header-only directives come with every response from `crate::server`, and so
/// does `form-action`, which allows the OpenID providers' origins: a **Continue with**
/// form's answer redirects there.)
fn content_security_policy(options: &LeptosOptions) -> String {
    let nonce = leptos::nonce::use_nonce().map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    // Under `cargo leptos watch` (which sets LEPTOS_WATCH, the same test `<AutoReload>`
    // makes) the page reloads through a websocket on the reload port.
    let live_reload = match std::env::var("LEPTOS_WATCH") {
        Ok(_) => format!(" ws://*:{port} wss://*:{port}", port = options.reload_port),
        Err(_) => String::new(),
    };
    format!(
        "default-src 'self'; script-src 'strict-dynamic'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{live_reload}; object-src 'none'; base-uri 'self'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Language::provide();
    providers::provide_configured();
    // The auth context, once for the whole app; the browser side starts after hydration.
    let session = Session::new();
    provide_context(session);
    renewal::start(session);
    // A marker for the browser suite: set once the WASM bundle has taken over.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Router>
            <main class="app">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    <Route path=(StaticSegment("login"), StaticSegment("code")) view=LoginCodePage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                    // Where mailed links lead: open to anyone.
                    <Route path=StaticSegment("forgot") view=ForgotPage/>
                    <Route path=StaticSegment("reset") view=ResetPage/>
                    <Route path=StaticSegment("verify") view=VerifyPage/>
                    <Route path=StaticSegment("not-me") view=NotMePage/>
                    // Signed-in pages: the layout guards them and draws the frame.
                    <ParentRoute path=StaticSegment("") view=SignedInLayout>
                        <Route path=StaticSegment("") view=DashboardPage/>
                        <Route path=StaticSegment("sessions") view=SessionsPage/>
                        <Route path=StaticSegment("account") view=AccountPage/>
                        <Route path=StaticSegment("activity") view=ActivityPage/>
                        <ParentRoute path=StaticSegment("admin") view=AdminLayout>
                            <Route path=StaticSegment("") view=AdminUsersPage/>
                            <Route path=(StaticSegment("users"), ParamSegment("id")) view=AdminUserPage/>
                            <Route path=StaticSegment("audit") view=AdminAuditPage/>
                        </ParentRoute>
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let t = use_texts();
    view! {
        <AuthCard title=|t| t.not_found.heading>
            <p>{move || t().not_found.body}</p>
            <p><A href="/">{move || t().not_found.home}</A></p>
        </AuthCard>
    }
}
