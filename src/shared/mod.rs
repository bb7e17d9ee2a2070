//! What the server and the browser both speak: the one error type, the parsed
//! inputs, the bodies of the contract, the names of devices and the app's languages. Nothing here imports
//! another part of Baton.

pub mod credentials;
pub mod device;
pub mod error;
pub mod i18n;
pub mod wire;
