//! HTTP-level tests of the contract (docs/API.md): each starts a real server on a
//! free port with a fresh database and talks to it over HTTP. Every test runs on
//! SQLite and on PostgreSQL (`on_both_backends!`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: a panic is its failure report

mod helpers;
mod oidc;
mod smtp;

mod abuse;
mod account_centre;
mod admin;
mod attacks;
mod breaches;
mod email;
mod email_codes;
mod extending;
mod group_commit;
mod hardening;
mod instances;
mod keys;
mod operations;
mod outage;
mod passkeys;
mod providers;
mod rotation;
mod sessions;
mod sign_up_and_in;
mod takeover;
mod two_step;
