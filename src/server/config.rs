//! Typed settings: `Leptos.toml` first, then the environment, which wins.
//!
//! The file has a `[site]` table (Leptos' own site settings, overridden by `LEPTOS_*`
//! variables exactly as Leptos does it) and a `[baton]` table whose every key has a
//! `BATON_*` variable (or `DATABASE_URL`). A bad value stops start-up with a message
//! naming the variable or key it came from, never with a default silently used.

use ipnet::IpNet;
use leptos::config::LeptosOptions;
use std::{net::IpAddr, path::PathBuf, time::Duration};

/// Everything the server reads at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database_url: String,
    pub auth: AuthSettings,
}

/// Baton's own settings: token lifetimes and the rules around them.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthSettings {
    /// Access-token lifetime.
    pub access_ttl: Duration,
    /// Refresh-token lifetime: how long a session may stay idle.
    pub refresh_ttl: Duration,
    /// Absolute session lifetime, however often it is refreshed.
    pub session_ttl: Duration,
    /// How long the immediate predecessor of a family's current refresh token still
    /// gets the current one back (a lost response, two tabs refreshing at once).
    pub reuse_grace: Duration,
    pub cookie_secure: bool,
    /// Origin accepted by the Origin check instead of the request's `Host`.
    pub public_origin: Option<String>,
    pub issuer: String,
    /// An Ed25519 PKCS#8 PEM key to sign with, instead of the generated ones.
    pub signing_key_file: Option<PathBuf>,
    /// Failed sign-ins allowed per account and client address within the window
    /// (a client address across all accounts gets ten times as many).
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Registrations allowed per client address per hour.
    pub register_limit: u32,
    /// Refreshes allowed per session per minute.
    pub refresh_limit: u32,
    /// Password-reset requests allowed per client address, and per email, per hour.
    pub reset_limit: u32,
    /// Wrong second-step codes allowed per account within the login window, from
    /// every address together.
    pub mfa_max_failures: u32,
    /// Failed sign-ins per account from every address within the login window before
    /// only browsers that signed in to it before may keep trying.
    pub login_account_max_failures: u32,
    /// How recently the person must have proved who they are (signed in or
    /// re-authenticated) for a sensitive action: deleting the account, exporting data.
    pub reauth_window: Duration,
    /// Clock skew tolerated on `exp` (RFC 7519 §4.1.4 allows "a small leeway").
    pub clock_leeway: Duration,
    /// How long an ended session (with its refresh tokens) and an audit event are
    /// kept before they are deleted.
    pub retention: Duration,
    /// Reverse proxies (load balancers) whose `X-Forwarded-For` is believed. Empty:
    /// the header is ignored, since any client can send it.
    pub trusted_proxies: Vec<IpNet>,
    /// The SMTP server mail goes through; unset: mails are written to `outbox`.
    pub smtp_url: Option<SmtpUrl>,
    /// The sender of every mail, `Name <address>`.
    pub mail_from: String,
    /// Where mails are written as `.eml` files when there is no SMTP server.
    pub outbox: PathBuf,
    /// How long a password-reset link works.
    pub reset_ttl: Duration,
}

/// An SMTP server's URL. It may hold a password, so it is never printed whole:
/// `Debug` and [`SmtpUrl::redacted`] show it without the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn parse(text: &str) -> Result<SmtpUrl, String> {
        const HINT: &str = "expected smtp://[user:password@]host[:port] or smtps://…";
        let url = url::Url::parse(text).map_err(|_| HINT.to_string())?;
        if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
            return Err(HINT.into());
        }
        Ok(SmtpUrl(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password replaced by `***`, for logs.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => "(unreadable)".into(),
        }
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Default for AuthSettings {
    /// The defaults of the contract (docs/API.md, "Configuration").
    fn default() -> Self {
        AuthSettings {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            reuse_grace: Duration::from_secs(5),
            cookie_secure: true,
            public_origin: None,
            issuer: "baton".to_string(),
            signing_key_file: None,
            login_max_failures: 10,
            login_window: Duration::from_secs(15 * 60),
            register_limit: 10,
            refresh_limit: 60,
            reset_limit: 5,
            mfa_max_failures: 10,
            login_account_max_failures: 100,
            reauth_window: Duration::from_secs(10 * 60),
            clock_leeway: Duration::from_secs(5),
            retention: Duration::from_secs(90 * 86_400),
            trusted_proxies: Vec::new(),
            smtp_url: None,
            mail_from: "Baton <no-reply@localhost>".to_string(),
            outbox: PathBuf::from("./outbox"),
            reset_ttl: Duration::from_secs(30 * 60),
        }
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://baton.db";
const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";
const MAX_LEEWAY: Duration = Duration::from_secs(30);
const MAX_GRACE: Duration = Duration::from_secs(60);

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
        let leptos = site_options(table.get("site"))?;
        let baton = match table.get("baton") {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                return Err(ConfigError::Toml { path: path.to_string(), cause: "[baton] must be a table".into() })
            }
            None => toml::Table::new(),
        };
        let source = Source { path, baton: &baton, env };

        let database_url = source
            .get("database-url", "DATABASE_URL")
            .map(|(origin, value)| parse_database_url(&origin, value))
            .transpose()?
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());

        let d = AuthSettings::default();
        let auth = AuthSettings {
            access_ttl: source.parse_or("access-ttl", positive_duration, d.access_ttl)?,
            refresh_ttl: source.parse_or("refresh-ttl", positive_duration, d.refresh_ttl)?,
            session_ttl: source.parse_or("session-ttl", positive_duration, d.session_ttl)?,
            reuse_grace: source.parse_or("reuse-grace", |v| bounded_duration(v, MAX_GRACE), d.reuse_grace)?,
            cookie_secure: source.parse_or("cookie-secure", parse_bool, d.cookie_secure)?,
            public_origin: source.parse("public-origin", parse_origin)?,
            issuer: source.parse_or("issuer", parse_issuer, d.issuer)?,
            signing_key_file: source.parse("signing-key-file", |v| Ok(PathBuf::from(v)))?,
            login_max_failures: source.parse_or("login-max-failures", parse_count, d.login_max_failures)?,
            login_window: source.parse_or("login-window", positive_duration, d.login_window)?,
            register_limit: source.parse_or("register-limit", parse_count, d.register_limit)?,
            refresh_limit: source.parse_or("refresh-limit", parse_count, d.refresh_limit)?,
            reset_limit: source.parse_or("reset-limit", parse_count, d.reset_limit)?,
            mfa_max_failures: source.parse_or("mfa-max-failures", parse_count, d.mfa_max_failures)?,
            login_account_max_failures: source.parse_or(
                "login-account-max-failures",
                parse_count,
                d.login_account_max_failures,
            )?,
            reauth_window: source.parse_or("reauth-window", positive_duration, d.reauth_window)?,
            clock_leeway: source.parse_or("clock-leeway", |v| bounded_duration(v, MAX_LEEWAY), d.clock_leeway)?,
            retention: source.parse_or("retention", retention_duration, d.retention)?,
            trusted_proxies: source.parse_or("trusted-proxies", parse_networks, d.trusted_proxies)?,
            // Like the database URL, never echoed: it may hold a password.
            smtp_url: source
                .get("smtp-url", "BATON_SMTP_URL")
                .map(|(origin, value)| {
                    SmtpUrl::parse(value.trim()).map_err(|reason| ConfigError::Invalid {
                        origin,
                        value: "…".into(),
                        reason,
                    })
                })
                .transpose()?,
            mail_from: source.parse_or("mail-from", parse_mailbox, d.mail_from)?,
            outbox: source.parse_or("outbox", |v| Ok(PathBuf::from(v)), d.outbox)?,
            reset_ttl: source.parse_or("reset-ttl", positive_duration, d.reset_ttl)?,
        };
        // Deleting ended sessions while their access tokens still live would make a
        // restarted instance forget the revocation (the tokens would work again), and
        // deleting security events inside the login window would forget failures.
        for (floor, key, what) in [
            (auth.access_ttl + auth.clock_leeway, "access-ttl", "the access-token lifetime plus the clock leeway"),
            (auth.login_window, "login-window", "the login window"),
        ] {
            if auth.retention < floor {
                let (origin, value) = source.named("retention", format!("{}s", d.retention.as_secs()));
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
        Ok(Settings { leptos, database_url, auth })
    }
}

/// The site settings cargo-leptos builds with (`[package.metadata.leptos]` in
/// Cargo.toml), compiled in: they are written once, there, and the deployed binary
/// needs no Cargo.toml.
const CARGO_TOML: &str = include_str!("../../Cargo.toml");

/// Leptos' own loader, fed with the compiled-in site settings and, over them, the
/// settings file's `[site]` table, so `LEPTOS_*` variables keep their usual meaning.
fn site_options(site: Option<&toml::Value>) -> Result<LeptosOptions, ConfigError> {
    let cargo: toml::Table = CARGO_TOML.parse().map_err(|e: toml::de::Error| ConfigError::Site(e.to_string()))?;
    let mut table = cargo
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("leptos"))
        .and_then(toml::Value::as_table)
        .cloned()
        .ok_or_else(|| ConfigError::Site("Cargo.toml has no [package.metadata.leptos]".into()))?;
    match site {
        Some(toml::Value::Table(overrides)) => table.extend(overrides.clone()),
        Some(_) => return Err(ConfigError::Site("[site] must be a table".into())),
        None => {}
    }
    let text = format!(
        "[package.metadata.leptos]\n{}",
        toml::to_string(&table).map_err(|e| ConfigError::Site(e.to_string()))?
    );
    leptos::config::get_config_from_str(&text).map_err(|e| ConfigError::Site(e.to_string()))
}

/// Where a setting is looked up: the environment variable first, then the file.
struct Source<'a> {
    path: &'a str,
    baton: &'a toml::Table,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Source<'_> {
    /// The raw value and a name for where it came from, for error messages.
    fn get(&self, key: &str, var: &str) -> Option<(String, String)> {
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
    fn var_of(key: &str) -> String {
        format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
    }

    /// Where `key`'s value comes from and the value, for messages; `(default)` when
    /// it is not set.
    fn named(&self, key: &str, default: String) -> (String, String) {
        let var = Self::var_of(key);
        self.get(key, &var).unwrap_or_else(|| (format!("{var} (default)"), default))
    }

    /// A `[baton]` setting: its key in the file, or its variable.
    fn parse<T>(&self, key: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, ConfigError> {
        let var = Self::var_of(key);
        self.get(key, &var)
            .map(|(origin, value)| parse(value.trim()).map_err(|reason| ConfigError::Invalid { origin, value, reason }))
            .transpose()
    }

    fn parse_or<T>(&self, key: &str, parse: impl Fn(&str) -> Result<T, String>, default: T) -> Result<T, ConfigError> {
        Ok(self.parse(key, parse)?.unwrap_or(default))
    }
}

/// Parses durations written like `500ms`, `5s`, `15m`, `12h`, `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const HINT: &str = "expected a duration like 15m, 7d or 5s";
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| format!("{HINT} (the unit is missing)"))?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| HINT.to_string())?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(HINT.to_string()),
    };
    number.checked_mul(unit_ms).map(Duration::from_millis).ok_or_else(|| "the duration is too long".to_string())
}

fn positive_duration(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d < Duration::from_secs(1) {
        return Err("must be at least 1s".into());
    }
    if d > Duration::from_secs(10 * 365 * 86_400) {
        return Err("must be at most 3650d".into());
    }
    Ok(d)
}

/// `10.0.0.0/8, 192.168.1.10, fd00::/8`: addresses or ranges, comma-separated.
fn parse_networks(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>().or_else(|_| part.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                format!("{part:?} is neither an IP address nor a range; expected a list like 10.0.0.0/8, 192.168.1.10")
            })
        })
        .collect()
}

fn retention_duration(text: &str) -> Result<Duration, String> {
    let d = positive_duration(text)?;
    if d < Duration::from_secs(3600) {
        return Err("must be at least 1h".into());
    }
    Ok(d)
}

fn bounded_duration(text: &str, max: Duration) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d > max {
        return Err(format!("must be at most {}s", max.as_secs()));
    }
    Ok(d)
}

/// `Name <address>` or a bare address, as a mail's `From`.
fn parse_mailbox(text: &str) -> Result<String, String> {
    text.parse::<lettre::message::Mailbox>()
        .map(|_| text.to_string())
        .map_err(|_| "expected a sender like Baton <no-reply@example.com>".to_string())
}

fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

fn parse_count(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1".into()),
    }
}

fn parse_issuer(text: &str) -> Result<String, String> {
    if text.is_empty() || text.len() > 256 {
        return Err("must be between 1 and 256 characters".into());
    }
    Ok(text.to_string())
}

/// An origin is `scheme://host[:port]`, nothing more (RFC 6454): that is what a
/// browser's `Origin` header carries, and what it is compared with.
fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim_end_matches('/');
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("expected an origin like https://app.example.com")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("expected an origin like https://app.example.com (no path)".into());
    }
    Ok(origin.to_ascii_lowercase())
}

/// Only the scheme is checked here (the driver reports the rest when connecting);
/// the value is never echoed, as it may hold a password.
fn parse_database_url(origin: &str, value: String) -> Result<String, ConfigError> {
    if value.starts_with("sqlite:") || value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            origin: origin.to_string(),
            value: "…".into(),
            reason: "expected a sqlite://… or postgres://… URL".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(file: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_sources("Leptos.toml", Some(file), &move |k| vars.get(k).cloned())
    }

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn no_file_and_no_variables_give_the_contract_defaults() {
        let settings = Settings::from_sources("Leptos.toml", None, &|_| None).unwrap();
        assert_eq!(settings.auth, AuthSettings::default());
        assert_eq!(settings.database_url, "sqlite://baton.db");
        assert_eq!(settings.leptos.site_addr.to_string(), "127.0.0.1:3000");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file = "[baton]\naccess-ttl = \"10m\"\nreuse-grace = \"2s\"\n";
        let settings =
            load(file, &[("BATON_ACCESS_TTL", "3s"), ("BATON_LOGIN_WINDOW", "1h"), ("BATON_LOGIN_MAX_FAILURES", "3")])
                .unwrap();
        assert_eq!(settings.auth.access_ttl, Duration::from_secs(3));
        assert_eq!(settings.auth.reuse_grace, Duration::from_secs(2));
        assert_eq!(settings.auth.login_window, Duration::from_secs(3600));
        assert_eq!(settings.auth.login_max_failures, 3);
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
    fn leeway_is_capped_at_thirty_seconds() {
        assert!(load("", &[("BATON_CLOCK_LEEWAY", "31s")]).is_err());
        assert!(load("", &[("BATON_CLOCK_LEEWAY", "30s")]).is_ok());
    }

    #[test]
    fn retention_must_outlast_the_login_failure_window() {
        assert_eq!(load("", &[("BATON_RETENTION", "7d")]).unwrap().auth.retention, Duration::from_secs(7 * 86_400));
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
    fn the_new_limits_have_the_contract_defaults_and_variables() {
        let defaults = load("", &[]).unwrap().auth;
        assert_eq!((defaults.register_limit, defaults.refresh_limit, defaults.login_max_failures), (10, 60, 10));
        let set = load("", &[("BATON_REGISTER_LIMIT", "3"), ("BATON_REFRESH_LIMIT", "5")]).unwrap().auth;
        assert_eq!((set.register_limit, set.refresh_limit), (3, 5));
        assert!(load("", &[("BATON_REFRESH_LIMIT", "0")]).is_err());
        assert_eq!(defaults.reset_limit, 5);
        assert_eq!(load("", &[("BATON_RESET_LIMIT", "50")]).unwrap().auth.reset_limit, 50);
    }

    #[test]
    fn the_per_account_caps_have_the_contract_defaults_and_variables() {
        let defaults = load("", &[]).unwrap().auth;
        assert_eq!((defaults.mfa_max_failures, defaults.login_account_max_failures), (10, 100));
        let vars = [("BATON_MFA_MAX_FAILURES", "3"), ("BATON_LOGIN_ACCOUNT_MAX_FAILURES", "40")];
        let set = load("", &vars).unwrap().auth;
        assert_eq!((set.mfa_max_failures, set.login_account_max_failures), (3, 40));
        let error = load("", &[("BATON_MFA_MAX_FAILURES", "0")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_MFA_MAX_FAILURES=\"0\" is not valid"), "{error}");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let s = load("[baton]\ntrusted-proxies = \"10.0.0.0/8, 192.168.1.10,fd00::/8\"\n", &[]).unwrap();
        let nets: Vec<String> = s.auth.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.10/32", "fd00::/8"]);
        let error = load("", &[("BATON_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal")]).unwrap_err().to_string();
        assert!(error.contains("BATON_TRUSTED_PROXIES") && error.contains("\"lb.internal\""), "{error}");
    }

    #[test]
    fn public_origin_must_be_a_bare_origin() {
        let s = load("", &[("BATON_PUBLIC_ORIGIN", "https://App.example.com/")]).unwrap();
        assert_eq!(s.auth.public_origin.as_deref(), Some("https://app.example.com"));
        assert!(load("", &[("BATON_PUBLIC_ORIGIN", "https://app.example.com/login")]).is_err());
        assert!(load("", &[("BATON_PUBLIC_ORIGIN", "app.example.com")]).is_err());
    }

    #[test]
    fn a_database_url_error_does_not_echo_the_password() {
        let error = load("", &[("DATABASE_URL", "mysql://u:hunter2@db/x")]).unwrap_err().to_string();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("DATABASE_URL"), "{error}");
    }

    #[test]
    fn the_smtp_password_never_shows() {
        let s = load("", &[("BATON_SMTP_URL", "smtp://mailer:hunter2@mail.example.com:587")]).unwrap();
        let url = s.auth.smtp_url.clone().unwrap();
        assert_eq!(url.redacted(), "smtp://mailer:***@mail.example.com:587");
        assert!(!format!("{:?}", s.auth).contains("hunter2"));
        assert_eq!(url.expose(), "smtp://mailer:hunter2@mail.example.com:587");
        let error = load("", &[("BATON_SMTP_URL", "imap://u:hunter2@mail.example.com")]).unwrap_err().to_string();
        assert!(error.contains("BATON_SMTP_URL") && !error.contains("hunter2"), "{error}");
        assert!(load("", &[("BATON_SMTP_URL", "smtp://")]).is_err());
        let error = load("", &[("BATON_MAIL_FROM", "not a mailbox")]).unwrap_err().to_string();
        assert!(error.contains("BATON_MAIL_FROM"), "{error}");
        let d = load("", &[]).unwrap().auth;
        assert_eq!((d.mail_from.as_str(), d.reset_ttl), ("Baton <no-reply@localhost>", Duration::from_secs(1800)));
    }

    #[test]
    fn site_settings_come_from_the_site_table() {
        let s = load("[site]\nsite-addr = \"0.0.0.0:8080\"\n", &[]).unwrap();
        assert_eq!(s.leptos.site_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(&*s.leptos.output_name, "baton");
    }

    proptest::proptest! {
        #[test]
        fn any_duration_text_parses_safely(text in "\\PC{0,40}") {
            let _ = parse_duration(&text);
        }

        #[test]
        fn durations_round_trip(n in 0u64..1_000_000, unit in proptest::sample::select(vec![("ms", 1u64), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)])) {
            proptest::prop_assert_eq!(parse_duration(&format!("{n}{}", unit.0)), Ok(Duration::from_millis(n * unit.1)));
        }
    }
}
