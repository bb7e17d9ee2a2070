//! What every request passes through before it reaches an endpoint: the Origin check
//! on the auth endpoints ([`origin`]), the body limit ([`body_limit`]), and the
//! response [`headers`]; and [`fields`], the form-or-JSON body of a Bearer route.

pub mod body_limit;
pub mod fields;
pub mod headers;
pub mod origin;
