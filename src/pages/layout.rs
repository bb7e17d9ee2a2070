//! The layout route of every signed-in page: the guard that keeps signed-out visitors
//! off it, and the frame with the navigation (`components::signed_in`). A new
//! signed-in page is one `<Route>` under the layout route in `crate::app`.

use crate::components::signed_in::{RequireAuth, SignedInFrame};
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// The layout route's view: the page in [`RequireAuth`] and [`SignedInFrame`].
#[component]
pub fn SignedInLayout() -> impl IntoView {
    view! {
        <RequireAuth>
            <SignedInFrame>
                <Outlet/>
            </SignedInFrame>
        </RequireAuth>
    }
}
