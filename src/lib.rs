//! Baton: short-lived JWT access tokens and rotating refresh tokens, in Leptos on axum.
//!
//! `ssr` builds the server; `hydrate` builds the browser bundle. Modules shared by both
//! come first.

pub mod api;
pub mod app;
pub mod auth;
pub mod client;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod body_limit;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod sync;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
