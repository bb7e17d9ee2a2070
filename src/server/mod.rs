//! Everything the server stands on, behind `ssr`: the settings ([`config`]), the
//! database ([`db`]) and its [`store`], authentication ([`auth`]), [`mail`], the
//! middleware ([`http`]), what operators see ([`observe`]: metrics, logs, traces,
//! the probes' lifecycle), the background tasks ([`sync`] with other instances,
//! [`retention`]), and what they share: [`state`], [`time`], [`ids`]. The endpoints that
//! use it are in `crate::api`; nothing here imports them, nor anything of the browser
//! side.

pub mod auth;
pub mod config;
pub mod db;
pub mod http;
pub mod ids;
pub mod mail;
pub mod observe;
pub mod retention;
pub mod state;
pub mod store;
pub mod sync;
pub mod time;
