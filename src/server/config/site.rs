//! The site: Leptos' own settings (the listen address, the site root, the bundle's
//! names), compiled in from Cargo.toml's `[package.metadata.leptos]` and overridden by
//! the settings file's `[site]` table and the `LEPTOS_*` variables.

use super::error::ConfigError;
use leptos::config::LeptosOptions;

/// The site settings cargo-leptos builds with (`[package.metadata.leptos]` in
/// Cargo.toml), compiled in: they are written once, there, and the deployed binary
/// needs no Cargo.toml.
const CARGO_TOML: &str = include_str!("../../../Cargo.toml");

/// Leptos' own loader, fed with the compiled-in site settings and, over them, the
/// settings file's `[site]` table, so `LEPTOS_*` variables keep their usual meaning.
pub fn options(site: Option<&toml::Value>) -> Result<LeptosOptions, ConfigError> {
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

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;

    #[test]
    fn site_settings_come_from_the_site_table() {
        let s = load("[site]\nsite-addr = \"0.0.0.0:8080\"\n", &[]).unwrap();
        assert_eq!(s.leptos.site_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(&*s.leptos.output_name, "baton");
    }
}
