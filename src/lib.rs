//! Baton: short-lived JWT access tokens and rotating refresh tokens, in Leptos on axum.
//!
//! `ssr` builds the server; `hydrate` builds the browser bundle. The parts, from the
//! bottom up: [`shared`] (what both builds speak), [`server`] (the server's internals),
//! [`api`] (the endpoints), [`client`] (the browser's runtime), [`components`] (the
//! widgets), [`pages`] (one per route), [`app`] (the shell and the routes), and, in the
//! server build, [`serve`] (the router, serving) and [`cli`] (the `baton` command).
//! What each folder holds and what may import what: docs/ARCHITECTURE.md.

// First, with its macros (`text_enum!`), which the rest uses.
#[macro_use]
pub mod shared;

pub mod api;
pub mod app;
pub mod client;
pub mod components;
pub mod pages;

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
