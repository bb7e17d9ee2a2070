//! Everything the server stands on, behind `ssr`: settings, the database and its
//! store, authentication, mail, the middleware, and the background tasks. The endpoints
//! that use it are in `crate::api`; nothing here imports them, nor anything of the
//! browser side.

pub mod auth;
pub mod config;
pub mod db;
pub mod http;
pub mod ids;
pub mod mail;
pub mod retention;
pub mod state;
pub mod store;
pub mod sync;
pub mod time;
