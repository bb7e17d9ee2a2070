//! What the `baton` command does: serve, or manage signing keys.

use crate::{
    serve,
    server::{
        auth::keys,
        config::Settings,
        db,
        state::{AppState, StartupError},
    },
};

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
