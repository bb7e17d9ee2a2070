//! One module per page, and what they share: [`components`], the signed-out pages'
//! flow ([`signed_out`]), the signed-in [`layout`], and [`format`] for instants.

pub mod account;
pub mod activity;
pub mod components;
pub mod dashboard;
pub mod forgot;
pub mod format;
pub mod layout;
pub mod login;
pub mod not_me;
pub mod passkey_sign_in;
pub mod reauth_dialog;
pub mod register;
pub mod reset;
pub mod second_step;
pub mod security;
pub mod sessions;
pub mod signed_out;
pub mod verify;
