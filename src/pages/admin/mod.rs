//! The administration pages (docs/API.md, "Roles and administration"): [`users`]
//! (`/admin`, find an account), [`user`] (`/admin/users/{id}`, its facts, sessions and
//! activity, and what an administrator can do to it), [`audit`] (`/admin/audit`).
//! [`AdminLayout`] guards them all by role; the server guards every request they make.

pub mod audit;
pub mod user;
pub mod users;

use crate::{components::signed_in::RequireRole, shared::roles::ADMIN};
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// The layout route of the administration pages: only for the role `admin`.
#[component]
pub fn AdminLayout() -> impl IntoView {
    view! {
        <RequireRole role=ADMIN>
            <Outlet/>
        </RequireRole>
    }
}
