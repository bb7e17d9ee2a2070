//! Baton: short-lived JWT access tokens and rotating refresh tokens, in Leptos on axum.
//!
//! `ssr` builds the server; `hydrate` builds the browser bundle. What each folder
//! holds and what may import what: docs/ARCHITECTURE.md.

pub mod api;
pub mod app;
pub mod client;
pub mod pages;
pub mod shared;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
