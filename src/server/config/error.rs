//! [`ConfigError`]: why the settings stop start-up, naming where the bad value came from.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{origin}={value:?} is not valid: {reason}")]
    Invalid { origin: String, value: String, reason: String },
    #[error("cannot read the settings file {path}: {cause}")]
    File { path: String, cause: std::io::Error },
    #[error("the settings file {path} is not valid TOML: {cause}")]
    Toml { path: String, cause: String },
    #[error("invalid site settings: {0}")]
    Site(String),
}
