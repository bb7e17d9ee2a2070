//! One module per route: what the person finds at each path of the app (docs/API.md,
//! "Pages"), routed by `crate::app`. The widgets they are made of are in
//! `crate::components`.
//!
//! [`login`], [`login_code`], [`register`], [`forgot`], [`reset`], [`verify`] and [`not_me`] are open
//! to anyone; under the signed-in [`layout`]: [`dashboard`], [`sessions`], [`account`],
//! [`activity`], and for administrators the pages of [`admin`].

pub mod account;
pub mod activity;
pub mod admin;
pub mod dashboard;
pub mod forgot;
pub mod layout;
pub mod login;
pub mod login_code;
pub mod not_me;
pub mod register;
pub mod reset;
pub mod sessions;
pub mod verify;
