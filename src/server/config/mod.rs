//! Typed settings, by area: `Leptos.toml` first, then the environment, which wins.
//!
//! The file has a `[site]` table (Leptos' own site settings, [`site`], overridden by
//! `LEPTOS_*` variables exactly as Leptos does it) and a `[baton]` table whose every
//! key has a `BATON_*` variable (or `DATABASE_URL`). Each area declares its settings
//! once, in a [`settings!`] table (field, default, key, parser): [`tokens`] (lifetimes,
//! the cookies, the issuer), [`limits`] (rate limits and caps), [`mail`],
//! [`operations`] (retention, proxies, metrics, logs, shutdown), [`passwords`] (the
//! breached-password check), and [`providers`] (the OpenID providers, a list of
//! tables). [`source`] looks a
//! key up, [`values`] parses what it finds. A bad value stops start-up with a message naming the variable or key
//! it came from ([`error`]), never with a default silently used.

/// Declares an area's settings once: the struct, its `Default` (the contract's
/// defaults) and `from_source`, which reads each field's key (its variable is
/// `BATON_` and the key in capitals) with its parser, or keeps the default. A field
/// marked `secret` is never echoed in an error (it may hold a password).
macro_rules! settings {
    (
        $(#[$doc:meta])*
        pub struct $name:ident {
            $(
                $(#[$fdoc:meta])*
                $field:ident: $ty:ty = $default:expr, $key:literal $($secret:ident)?, $parse:expr;
            )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $name {
            /// Each setting from `source`, or its default.
            pub fn from_source(
                source: &$crate::server::config::source::Source<'_>,
            ) -> Result<Self, $crate::server::config::error::ConfigError> {
                Ok($name { $( $field: settings!(@read source, $key, $parse, $default $(, $secret)?), )* })
            }
        }
    };
    (@read $source:ident, $key:literal, $parse:expr, $default:expr) => {
        $source.parse_or($key, $parse, $default)?
    };
    (@read $source:ident, $key:literal, $parse:expr, $default:expr, secret) => {
        $source.parse_secret_or($key, $parse, $default)?
    };
}

pub mod error;
pub mod limits;
pub mod mail;
pub mod operations;
pub mod passwords;
pub mod providers;
pub mod site;
pub mod source;
pub mod tokens;
pub mod values;

pub use error::ConfigError;
pub use limits::LimitSettings;
pub use mail::{MailSettings, SmtpUrl};
pub use operations::OperationSettings;
pub use passwords::PasswordSettings;
pub use providers::ProviderSettings;
pub use tokens::TokenSettings;

use leptos::config::LeptosOptions;
use source::Source;

/// Everything the server reads at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database_url: String,
    pub tokens: TokenSettings,
    pub limits: LimitSettings,
    pub mail: MailSettings,
    pub operations: OperationSettings,
    pub passwords: PasswordSettings,
    /// The OpenID providers people may sign in with.
    pub providers: Vec<ProviderSettings>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://baton.db";
const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

impl Settings {
    /// Reads the settings file named by `BATON_CONFIG` (default `Leptos.toml`, which
    /// may be absent) and the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let (path, required) = match env("BATON_CONFIG") {
            Some(path) => (path, true),
            None => (DEFAULT_CONFIG_FILE.to_string(), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
            Err(cause) => return Err(ConfigError::File { path, cause }),
        };
        Self::from_sources(&path, text.as_deref(), &env)
    }

    /// The pure part of [`Settings::load`], so tests can pass the file and variables.
    pub fn from_sources(
        path: &str,
        file: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let table: toml::Table = match file {
            Some(text) => text.parse().map_err(|e: toml::de::Error| ConfigError::Toml {
                path: path.to_string(),
                cause: e.message().to_string(),
            })?,
            None => toml::Table::new(),
        };
        let leptos = site::options(table.get("site"))?;
        let baton = match table.get("baton") {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                return Err(ConfigError::Toml { path: path.to_string(), cause: "[baton] must be a table".into() })
            }
            None => toml::Table::new(),
        };
        let source = Source::new(path, &baton, env);
        let database_url = source
            .get("database-url", "DATABASE_URL")
            .map(|(origin, value)| values::database_url(&origin, value))
            .transpose()?
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let settings = Settings {
            leptos,
            database_url,
            tokens: TokenSettings::from_source(&source)?,
            limits: LimitSettings::from_source(&source)?,
            mail: MailSettings::from_source(&source)?,
            operations: OperationSettings::from_source(&source)?,
            passwords: PasswordSettings::from_source(&source)?,
            providers: providers::read(&source)?,
        };
        settings.check_retention(&source)?;
        Ok(settings)
    }

    /// Deleting ended sessions while their access tokens still live would make a
    /// restarted instance forget the revocation (the tokens would work again), and
    /// deleting security events inside the login window would forget failures.
    fn check_retention(&self, source: &Source<'_>) -> Result<(), ConfigError> {
        let retention = self.operations.retention;
        for (floor, key, what) in [
            (
                self.tokens.access_ttl + self.tokens.clock_leeway,
                "access-ttl",
                "the access-token lifetime plus the clock leeway",
            ),
            (self.limits.login_window, "login-window", "the login window"),
        ] {
            if retention < floor {
                let default = OperationSettings::default().retention;
                let (origin, value) = source.named("retention", format!("{}s", default.as_secs()));
                return Err(ConfigError::Invalid {
                    origin,
                    value,
                    reason: format!(
                        "must be at least {what} ({}: {}s)",
                        source.named(key, String::new()).0,
                        floor.as_secs()
                    ),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::{collections::HashMap, time::Duration};

    /// Settings from a file's text and variables, as `Settings::load` reads them.
    pub(crate) fn load(file: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_sources("Leptos.toml", Some(file), &move |k| vars.get(k).cloned())
    }

    #[test]
    fn no_file_and_no_variables_give_the_contract_defaults() {
        let settings = Settings::from_sources("Leptos.toml", None, &|_| None).unwrap();
        assert_eq!(settings.tokens, TokenSettings::default());
        assert_eq!(settings.limits, LimitSettings::default());
        assert_eq!(settings.mail, MailSettings::default());
        assert_eq!(settings.operations, OperationSettings::default());
        assert_eq!(settings.passwords, PasswordSettings::default());
        assert_eq!(settings.database_url, "sqlite://baton.db");
        assert_eq!(settings.leptos.site_addr.to_string(), "127.0.0.1:3000");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file = "[baton]\naccess-ttl = \"10m\"\nreuse-grace = \"2s\"\n";
        let settings =
            load(file, &[("BATON_ACCESS_TTL", "3s"), ("BATON_LOGIN_WINDOW", "1h"), ("BATON_LOGIN_MAX_FAILURES", "3")])
                .unwrap();
        assert_eq!(settings.tokens.access_ttl, Duration::from_secs(3));
        assert_eq!(settings.tokens.reuse_grace, Duration::from_secs(2));
        assert_eq!(settings.limits.login_window, Duration::from_secs(3600));
        assert_eq!(settings.limits.login_max_failures, 3);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = load("", &[("BATON_ACCESS_TTL", "soon")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_ACCESS_TTL=\"soon\" is not valid"), "{error}");
    }

    #[test]
    fn a_bad_value_in_the_file_names_its_key() {
        let error = load("[baton]\ncookie-secure = \"maybe\"\n", &[]).unwrap_err().to_string();
        assert!(error.contains("[baton] cookie-secure"), "{error}");
    }

    #[test]
    fn retention_must_outlast_the_login_failure_window() {
        let seven_days = Duration::from_secs(7 * 86_400);
        assert_eq!(load("", &[("BATON_RETENTION", "7d")]).unwrap().operations.retention, seven_days);
        assert!(load("", &[("BATON_RETENTION", "30m")]).unwrap_err().to_string().contains("at least 1h"));
        let error = load("", &[("BATON_RETENTION", "2h"), ("BATON_LOGIN_WINDOW", "3h")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_RETENTION=\"2h\" is not valid"), "{error}");
        assert!(error.contains("BATON_LOGIN_WINDOW"), "{error}");
    }

    /// Deleting a revoked session while its access tokens live would let them work
    /// again after a restart.
    #[test]
    fn retention_must_outlast_the_access_tokens_naming_both_variables() {
        let error = load("", &[("BATON_RETENTION", "1h"), ("BATON_ACCESS_TTL", "2h")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_RETENTION=\"1h\" is not valid"), "{error}");
        assert!(error.contains("BATON_ACCESS_TTL"), "{error}");
        assert!(load("", &[("BATON_RETENTION", "3h"), ("BATON_ACCESS_TTL", "2h")]).is_ok());
        // From the file too, named by its key.
        let error = load("[baton]\naccess-ttl = \"2h\"\nretention = \"1h\"\n", &[]).unwrap_err().to_string();
        assert!(error.contains("[baton] retention") && error.contains("[baton] access-ttl"), "{error}");
    }

    #[test]
    fn a_database_url_error_does_not_echo_the_password() {
        let error = load("", &[("DATABASE_URL", "mysql://u:hunter2@db/x")]).unwrap_err().to_string();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("DATABASE_URL"), "{error}");
    }
}
