//! Where a setting is looked up: the environment variable first, then the settings
//! file's `[baton]` table. Every lookup keeps the name of where its value came from,
//! for the error message.

use super::error::ConfigError;

/// The settings file's `[baton]` table and the environment.
pub struct Source<'a> {
    path: &'a str,
    baton: &'a toml::Table,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a str, baton: &'a toml::Table, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Source { path, baton, env }
    }

    /// The `[baton]` table itself, for settings that are tables (the providers).
    pub fn table(&self) -> &toml::Table {
        self.baton
    }

    /// The settings file's path, for messages.
    pub fn path(&self) -> &str {
        self.path
    }

    /// An environment variable.
    pub fn env(&self, var: &str) -> Option<String> {
        (self.env)(var)
    }

    /// The raw value and a name for where it came from, for error messages.
    pub fn get(&self, key: &str, var: &str) -> Option<(String, String)> {
        if let Some(value) = (self.env)(var) {
            return Some((var.to_string(), value));
        }
        self.baton.get(key).map(|value| {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (format!("{} [baton] {key}", self.path), text)
        })
    }

    /// The variable of a `[baton]` key: `BATON_` and the key in capitals
    /// (`access-ttl` is `BATON_ACCESS_TTL`).
    pub fn var_of(key: &str) -> String {
        format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
    }

    /// Where `key`'s value comes from and the value, for messages; `(default)` when
    /// it is not set.
    pub fn named(&self, key: &str, default: String) -> (String, String) {
        let var = Self::var_of(key);
        self.get(key, &var).unwrap_or_else(|| (format!("{var} (default)"), default))
    }

    /// A `[baton]` setting parsed by `parse`, or `default` when it is not set.
    pub fn parse_or<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        default: T,
    ) -> Result<T, ConfigError> {
        self.read(key, parse, default, false)
    }

    /// [`Source::parse_or`] for a value that may hold a password: an error names where
    /// it came from and why, never the value.
    pub fn parse_secret_or<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        default: T,
    ) -> Result<T, ConfigError> {
        self.read(key, parse, default, true)
    }

    fn read<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        default: T,
        secret: bool,
    ) -> Result<T, ConfigError> {
        let Some((origin, value)) = self.get(key, &Self::var_of(key)) else { return Ok(default) };
        parse(value.trim()).map_err(|reason| ConfigError::Invalid {
            origin,
            value: if secret { "…".into() } else { value },
            reason,
        })
    }
}
