//! What the server and the browser both speak: the one error type, the parsed
//! inputs, the bodies of the contract and the names of devices. Nothing here imports
//! another part of Baton.

pub mod credentials;
pub mod device;
pub mod error;
pub mod wire;
