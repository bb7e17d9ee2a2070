//! The `baton` command: its arguments, declared once with `clap` (which gives `--help`,
//! the usage line and the errors), and what each command does.

use crate::{
    serve,
    server::{
        auth::keys,
        config::Settings,
        db,
        state::{AppState, StartupError},
    },
};

/// `baton [COMMAND]`.
#[derive(Debug, clap::Parser)]
#[command(
    name = "baton",
    version,
    about = "Short-lived JWT access tokens and rotating refresh tokens: the Baton server.",
    long_about = "Short-lived JWT access tokens and rotating refresh tokens: the Baton server.\n\n\
        Settings come from Leptos.toml (or the file BATON_CONFIG names) and the environment \
        (DATABASE_URL, LEPTOS_SITE_ADDR, BATON_*); docs/API.md lists them."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the app and its API (what `baton` alone does).
    Serve,
    /// The keys that sign the tokens.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Make a new key the active one; older keys keep verifying their tokens.
    Rotate,
    /// List the keys, the active one marked.
    List,
}

/// Runs `command` with `settings`.
pub async fn run(command: Option<Command>, settings: Settings) -> Result<(), StartupError> {
    match command {
        None | Some(Command::Serve) => serve(settings).await,
        Some(Command::Keys { action: KeysCommand::Rotate }) => rotate_keys(settings).await,
        Some(Command::Keys { action: KeysCommand::List }) => list_keys(settings).await,
    }
}

/// Logs to stderr; `RUST_LOG` filters (default: Baton at info, the request trace at info).
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("baton=info,tower_http=info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).init();
}

pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    let state = AppState::build(&settings).await?;
    let addr = settings.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartupError::Other(format!("cannot listen on {addr}: {e}")))?;
    tracing::info!(
        database = %db::redacted(&settings.database_url),
        keys = ?state.tokens.keys().kids(),
        mail = %state.mailer.describe(),
        "listening on http://{addr}"
    );
    serve::serve(listener, state, serve::shutdown_signal()).await.map_err(|e| StartupError::Other(e.to_string()))
}

pub async fn rotate_keys(settings: Settings) -> Result<(), StartupError> {
    if let Some(path) = &settings.tokens.signing_key_file {
        return Err(StartupError::Keys(format!(
            "signing-key-file (BATON_SIGNING_KEY_FILE) names {}: rotating would retire that key, and every \
             instance configured with it would then refuse to start. Rotate by pointing signing-key-file at a \
             new key file, or remove it to let Baton keep and rotate its keys in the database.",
            path.display()
        )));
    }
    let state = AppState::build(&settings).await?;
    let kid = keys::rotate(&state.store, &state.clock).await.map_err(|e| StartupError::Keys(e.to_string()))?;
    println!("new active signing key: {kid}");
    println!(
        "older keys keep verifying their tokens until those expire; running servers pick the new key up within seconds"
    );
    Ok(())
}

pub async fn list_keys(settings: Settings) -> Result<(), StartupError> {
    let state = AppState::build(&settings).await?;
    let active = state.tokens.keys().active().ok().map(|signer| signer.kid);
    for kid in state.tokens.keys().kids() {
        let marker = if Some(&kid) == active.as_ref() { " (active)" } else { "" };
        println!("{kid}{marker}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse_and_a_wrong_one_is_an_error_that_shows_the_usage() {
        assert!(Cli::try_parse_from(["baton"]).unwrap().command.is_none());
        assert!(matches!(Cli::try_parse_from(["baton", "serve"]).unwrap().command, Some(Command::Serve)));
        let rotate = Cli::try_parse_from(["baton", "keys", "rotate"]).unwrap().command;
        assert!(matches!(rotate, Some(Command::Keys { action: KeysCommand::Rotate })));
        let error = Cli::try_parse_from(["baton", "keys", "spin"]).unwrap_err().to_string();
        assert!(error.contains("Usage: baton keys"), "{error}");
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("serve") && help.contains("keys") && help.contains("BATON_CONFIG"), "{help}");
    }
}
