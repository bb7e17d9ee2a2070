//! What every request passes through before it reaches an endpoint: the Origin check
//! on the auth endpoints, the body limit, and the response headers.

pub mod body_limit;
pub mod fields;
pub mod headers;
pub mod origin;
