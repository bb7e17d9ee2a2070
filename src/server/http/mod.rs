//! What every request passes through before it reaches an endpoint: the Origin check
//! on the auth endpoints ([`origin`]), the in-memory shedding of one client's flood of
//! sign-in attempts ([`shedding`]), the body limit ([`body_limit`]), and the
//! response [`headers`]; what each request leaves for the operator ([`telemetry`]:
//! its span and request id, its duration by route); and [`fields`], the form-or-JSON
//! body of a Bearer route.

pub mod body_limit;
pub mod fields;
pub mod headers;
pub mod origin;
pub mod shedding;
pub mod telemetry;
