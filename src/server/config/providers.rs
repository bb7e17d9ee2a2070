//! The OpenID providers people may sign in with: one `[[baton.providers]]` table each
//! (docs/API.md, "Sign in with another provider"). The client secret may come from
//! `BATON_PROVIDER_<ID>_SECRET` instead of the file, so the file can be committed.

use super::{error::ConfigError, source::Source};

/// The scopes asked for when a provider's table names none.
pub const DEFAULT_SCOPES: &str = "openid email profile";

/// One configured provider.
#[derive(Clone, PartialEq)]
pub struct ProviderSettings {
    /// `a-z0-9-`, 1 to 32: the provider's name in URLs (`/auth/{id}`) and in events.
    pub id: String,
    /// Shown on the button: **Continue with <name>**.
    pub name: String,
    /// The issuer URL; `{issuer}/.well-known/openid-configuration` describes the rest.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated; `openid` is always asked for.
    pub scopes: String,
}

/// The secret stays out of logs and panics.
impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ProviderSettings {
    /// The variable that may hold this provider's client secret.
    pub fn secret_var(id: &str) -> String {
        format!("BATON_PROVIDER_{}_SECRET", id.to_ascii_uppercase().replace('-', "_"))
    }
}

/// Every `[[baton.providers]]` table, checked: ids unique and URL-safe, every field
/// present, the issuer an `https` URL (or `http` on loopback, for tests and local
/// providers), a secret from the file or its variable.
pub fn read(source: &Source<'_>) -> Result<Vec<ProviderSettings>, ConfigError> {
    let Some(value) = source.table().get("providers") else { return Ok(Vec::new()) };
    let tables = value
        .as_array()
        .ok_or_else(|| invalid(source, "providers", "must be a list of tables ([[baton.providers]])"))?;
    let mut providers: Vec<ProviderSettings> = Vec::new();
    for (index, table) in tables.iter().enumerate() {
        let table = table.as_table().ok_or_else(|| invalid(source, "providers", "must be a list of tables"))?;
        let field = |key: &str| -> Result<Option<String>, ConfigError> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(_) => Err(invalid(source, &format!("providers[{index}].{key}"), "must be a string")),
            }
        };
        let required = |key: &str| -> Result<String, ConfigError> {
            field(key)?
                .filter(|v| !v.is_empty())
                .ok_or_else(|| invalid(source, &format!("providers[{index}].{key}"), "is required"))
        };
        let id = required("id")?;
        if id.is_empty()
            || id.len() > 32
            || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(source, &format!("providers[{index}].id"), "must be 1 to 32 of a-z, 0-9 and -"));
        }
        if providers.iter().any(|p| p.id == id) {
            return Err(invalid(source, &format!("providers[{index}].id"), "is used by another provider"));
        }
        let issuer = required("issuer")?;
        check_issuer(&issuer).map_err(|reason| invalid(source, &format!("providers[{index}].issuer"), reason))?;
        let var = ProviderSettings::secret_var(&id);
        let client_secret = match source.env(&var) {
            Some(secret) if !secret.trim().is_empty() => secret.trim().to_string(),
            _ => field("client_secret")?.filter(|s| !s.is_empty()).ok_or_else(|| {
                invalid(source, &format!("providers[{index}].client_secret"), &format!("is required (or set {var})"))
            })?,
        };
        let scopes = field("scopes")?.filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_SCOPES.to_string());
        providers.push(ProviderSettings {
            name: required("name")?,
            client_id: required("client_id")?,
            id,
            issuer,
            client_secret,
            scopes,
        });
    }
    Ok(providers)
}

fn invalid(source: &Source<'_>, key: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        origin: format!("{} [baton] {key}", source.path()),
        value: String::new(),
        reason: reason.into(),
    }
}

/// An issuer is where the ID tokens' `iss` says they come from: `https`, or plain
/// `http` only on a loopback address (a provider on the same machine, or the tests').
fn check_issuer(issuer: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(issuer).map_err(|_| "must be a URL")?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err("must be an https URL (http only on loopback)"),
    }
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;

    const GOOD: &str = "[baton]\n[[baton.providers]]\nid = \"acme-id\"\nname = \"Acme\"\nissuer = \"https://id.acme.example\"\nclient_id = \"baton\"\nclient_secret = \"s3cret\"\n";

    #[test]
    fn a_provider_table_is_read_with_default_scopes() {
        let settings = load(GOOD, &[]).unwrap();
        let acme = &settings.providers[0];
        assert_eq!((acme.id.as_str(), acme.name.as_str(), acme.client_id.as_str()), ("acme-id", "Acme", "baton"));
        assert_eq!(acme.scopes, "openid email profile");
        assert_eq!(acme.client_secret, "s3cret");
        assert!(!format!("{acme:?}").contains("s3cret"));
    }

    #[test]
    fn the_secret_variable_wins_over_the_file() {
        let settings = load(GOOD, &[("BATON_PROVIDER_ACME_ID_SECRET", "from-env")]).unwrap();
        assert_eq!(settings.providers[0].client_secret, "from-env");
        let without = GOOD.replace("client_secret = \"s3cret\"\n", "");
        let error = load(&without, &[]).unwrap_err().to_string();
        assert!(error.contains("BATON_PROVIDER_ACME_ID_SECRET"), "{error}");
        assert!(load(&without, &[("BATON_PROVIDER_ACME_ID_SECRET", "x")]).is_ok());
    }

    #[test]
    fn bad_ids_issuers_and_duplicates_stop_start_up() {
        for (from, to, says) in [
            ("id = \"acme-id\"", "id = \"Acme/id\"", "a-z"),
            ("https://id.acme.example", "http://id.acme.example", "https"),
            ("https://id.acme.example", "not a url", "URL"),
        ] {
            let error = load(&GOOD.replace(from, to), &[]).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
        assert!(load(&GOOD.replace("https://id.acme.example", "http://127.0.0.1:4000"), &[]).is_ok());
        let twice = format!("{GOOD}{}", &GOOD["[baton]\n".len()..]);
        assert!(load(&twice, &[]).unwrap_err().to_string().contains("another provider"));
    }
}
