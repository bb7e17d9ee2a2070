//! The `baton` command: its arguments, declared once with `clap` (which gives `--help`,
//! the usage line and the errors), and what each command does.

use crate::{
    serve,
    server::{
        auth::{admin, keys},
        config::Settings,
        db,
        state::{AppState, StartupError},
        store::{
            admin_actions::Actor,
            users::{self as store_users, Filter},
        },
    },
    shared::error::AppError,
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
    /// Apply the database migrations and exit (a deploy step before new instances start).
    Migrate,
    /// The settings.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
    /// The keys that sign the tokens.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// An online, consistent copy of the SQLite database, taken while it serves.
    Backup {
        /// The file to write (it must not exist yet).
        file: std::path::PathBuf,
    },
    /// Ask this instance's /livez: exit 0 when it answers 200, else 1 (for a
    /// container's HEALTHCHECK, which has no curl).
    Healthcheck,
    /// Accounts and their roles, on the configured database (recorded in the
    /// administration log as done by `cli`).
    Users {
        #[command(subcommand)]
        action: UsersCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum UsersCommand {
    /// List accounts, newest first: id, email, roles.
    List {
        /// Only those whose email starts with this, or whose id it is.
        #[arg(long)]
        query: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Give an account a role (`baton users grant EMAIL admin` makes the first
    /// administrator).
    Grant { email: String, role: String },
    /// Take a role from an account.
    Revoke { email: String, role: String },
    /// Lock an account: its sessions end at once, and it cannot sign in until unlocked.
    Lock {
        email: String,
        /// Why (1 to 500 characters): the person sees it in their activity and mail.
        #[arg(long)]
        reason: String,
    },
    /// Unlock an account; the sessions the lock ended stay ended.
    Unlock { email: String },
    /// End every session of an account at once, on every instance.
    SignOut { email: String },
}

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings, secrets redacted; a bad value exits 1 naming it.
    Check,
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
        Some(Command::Migrate) => migrate(settings).await,
        Some(Command::Config { action: ConfigCommand::Check }) => {
            print!("{}", describe(&settings));
            Ok(())
        }
        Some(Command::Keys { action: KeysCommand::Rotate }) => rotate_keys(settings).await,
        Some(Command::Keys { action: KeysCommand::List }) => list_keys(settings).await,
        Some(Command::Backup { file }) => backup(settings, &file).await,
        Some(Command::Healthcheck) => healthcheck(settings.leptos.site_addr).await,
        Some(Command::Users { action }) => users(settings, action).await,
    }
}

/// The effective settings, as `baton config check` prints them: every area, the
/// database URL and the SMTP URL without their passwords, the providers without their
/// client secrets.
pub fn describe(settings: &Settings) -> String {
    format!(
        "listen: {}\ndatabase: {}\n{:#?}\n{:#?}\n{:#?}\n{:#?}\nproviders: {:#?}\n",
        settings.leptos.site_addr,
        db::redacted(&settings.database_url),
        settings.tokens,
        settings.limits,
        settings.mail,
        settings.operations,
        settings.providers,
    )
}

/// `baton migrate`: connecting applies the migrations.
async fn migrate(settings: Settings) -> Result<(), StartupError> {
    db::connect(&settings.database_url).await?;
    println!("migrations applied to {}", db::redacted(&settings.database_url));
    Ok(())
}

/// `baton backup FILE`: SQLite's `VACUUM INTO`, which reads one consistent snapshot
/// while the server goes on writing. PostgreSQL has its own tool.
async fn backup(settings: Settings, file: &std::path::Path) -> Result<(), StartupError> {
    if db::Backend::of_url(&settings.database_url) == db::Backend::Postgres {
        return Err(StartupError::Other("this database is PostgreSQL: back it up with pg_dump".into()));
    }
    if file.exists() {
        return Err(StartupError::Other(format!("{} exists already; name a new file", file.display())));
    }
    let pool = db::connect(&settings.database_url).await?;
    db::backup_sqlite(&pool, file).await?;
    println!("backed up to {}", file.display());
    Ok(())
}

/// `baton healthcheck`: one `GET /livez` to this instance, by hand over a socket (the
/// container image has no curl, nor should the binary carry an HTTP client for this).
async fn healthcheck(listen: std::net::SocketAddr) -> Result<(), StartupError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = match listen.ip().is_unspecified() {
        true => std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), listen.port()),
        false => listen,
    };
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(format!("GET /livez HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .await?;
        let mut answer = Vec::new();
        stream.take(4096).read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), ask)
        .await
        .map_err(|_| StartupError::Other(format!("{addr}: no answer within 5 s")))?
        .map_err(|e| StartupError::Other(format!("{addr}: {e}")))?;
    let status = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_string();
    if status.starts_with("HTTP/1.1 200") {
        println!("{addr}: {status}");
        Ok(())
    } else {
        Err(StartupError::Other(format!("{addr}/livez answered {status:?}")))
    }
}

/// `baton users …`: what an administrator can do, from the command line, for a server
/// with no administrator yet or in an emergency.
async fn users(settings: Settings, action: UsersCommand) -> Result<(), StartupError> {
    let state = AppState::build(&settings).await?;
    let failed = |e: AppError| StartupError::Other(e.to_string());
    match action {
        UsersCommand::List { query, limit } => {
            let query = query.map(|q| q.trim().to_lowercase());
            let now = state.clock.now();
            let rows = store_users::list(
                state.store.pool(),
                state.store.backend(),
                Filter::search(query.as_deref()),
                None,
                limit.clamp(1, 10_000),
                now,
            )
            .await
            .map_err(|e| failed(e.into()))?;
            for row in rows {
                let locked = if row.locked_at.is_some() { "  locked" } else { "" };
                println!("{}  {}  {}{locked}", row.id, row.email, row.roles.to_column());
            }
        }
        UsersCommand::Grant { email, role } | UsersCommand::Revoke { email, role }
            if email.is_empty() || role.is_empty() =>
        {
            return Err(StartupError::Other(format!("an email and a role are needed, not {email:?} {role:?}")));
        }
        UsersCommand::Grant { email, role } => {
            let account = account_of(&state, &email).await?;
            let roles = account.roles.with(&role).map_err(failed)?;
            let now = admin::set_roles(&state, &Actor::Cli, account.id, roles).await.map_err(failed)?;
            println!("{}: {}", account.email, now.to_column());
        }
        UsersCommand::Revoke { email, role } => {
            let account = account_of(&state, &email).await?;
            let now = admin::set_roles(&state, &Actor::Cli, account.id, account.roles.without(&role))
                .await
                .map_err(failed)?;
            println!("{}: {}", account.email, now.to_column());
        }
        UsersCommand::Lock { email, reason } => {
            let account = account_of(&state, &email).await?;
            let reason = admin::reason(&reason).map_err(failed)?;
            admin::lock(&state, &Actor::Cli, account.id, reason).await.map_err(failed)?;
            println!("{}: locked", account.email);
        }
        UsersCommand::Unlock { email } => {
            let account = account_of(&state, &email).await?;
            admin::unlock(&state, &Actor::Cli, account.id, None).await.map_err(failed)?;
            println!("{}: unlocked", account.email);
        }
        UsersCommand::SignOut { email } => {
            let account = account_of(&state, &email).await?;
            let ended = admin::sign_out(&state, &Actor::Cli, account.id, None).await.map_err(failed)?;
            println!("{}: {ended} session(s) ended", account.email);
        }
    }
    Ok(())
}

/// The account with `email`, or an error naming it.
async fn account_of(state: &AppState, email: &str) -> Result<store_users::UserRow, StartupError> {
    let email = email.trim().to_lowercase();
    store_users::by_email(state.store.pool(), &email)
        .await
        .map_err(|e| StartupError::Other(e.to_string()))?
        .ok_or_else(|| StartupError::Other(format!("no account has the email {email}")))
}

pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    serve_with(settings, axum::Router::new()).await
}

/// [`serve`] with an application's own routes beside Baton's (docs/EXTENDING.md).
pub async fn serve_with(settings: Settings, own: axum::Router<AppState>) -> Result<(), StartupError> {
    let state = AppState::build(&settings).await?;
    let addr = settings.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartupError::Other(format!("cannot listen on {addr}: {e}")))?;
    tracing::info!(
        database = %db::redacted(&settings.database_url),
        keys = ?state.tokens.keys().kids(),
        mail = %state.mailer.describe(),
        metrics = %settings.operations.metrics_addr.map_or("off".to_string(), |a| format!("http://{a}/metrics")),
        "listening on http://{addr}"
    );
    if store_users::count_with_role(state.store.pool(), crate::shared::roles::ADMIN, 1).await.unwrap_or(1) == 0 {
        tracing::info!("no administrator yet: `baton users grant EMAIL admin` makes one (docs/API.md)");
    }
    serve::serve_with(listener, state, own, serve::shutdown_signal())
        .await
        .map_err(|e| StartupError::Other(e.to_string()))
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
    fn config_check_names_every_area_and_no_password() {
        let settings = crate::server::config::tests::load(
            "[[baton.providers]]\nid = \"acme\"\nname = \"Acme\"\nissuer = \"https://id.acme.example\"\nclient_id = \"b\"\n",
            &[
                ("DATABASE_URL", "postgres://baton:hunter2@db/baton"),
                ("BATON_SMTP_URL", "smtp://mailer:hunter3@mail.example.com:587"),
                ("BATON_PROVIDER_ACME_SECRET", "hunter4"),
            ],
        )
        .unwrap();
        let shown = describe(&settings);
        for area in [
            "TokenSettings",
            "LimitSettings",
            "MailSettings",
            "OperationSettings",
            "access_ttl",
            "metrics_addr",
            "acme",
        ] {
            assert!(shown.contains(area), "{area}: {shown}");
        }
        assert!(!shown.contains("hunter2") && !shown.contains("hunter3") && !shown.contains("hunter4"), "{shown}");
    }

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse_and_a_wrong_one_is_an_error_that_shows_the_usage() {
        assert!(Cli::try_parse_from(["baton"]).unwrap().command.is_none());
        assert!(matches!(Cli::try_parse_from(["baton", "serve"]).unwrap().command, Some(Command::Serve)));
        let backup = Cli::try_parse_from(["baton", "backup", "copy.db"]).unwrap().command;
        assert!(matches!(backup, Some(Command::Backup { file }) if file.as_os_str() == "copy.db"));
        assert!(Cli::try_parse_from(["baton", "backup"]).is_err(), "the file is required");
        let check = Cli::try_parse_from(["baton", "config", "check"]).unwrap().command;
        assert!(matches!(check, Some(Command::Config { action: ConfigCommand::Check })));
        let rotate = Cli::try_parse_from(["baton", "keys", "rotate"]).unwrap().command;
        assert!(matches!(rotate, Some(Command::Keys { action: KeysCommand::Rotate })));
        let error = Cli::try_parse_from(["baton", "keys", "spin"]).unwrap_err().to_string();
        assert!(error.contains("Usage: baton keys"), "{error}");
        let help = Cli::command().render_long_help().to_string();
        for command in ["serve", "migrate", "config", "keys", "backup", "healthcheck"] {
            assert!(help.contains(command), "{command}: {help}");
        }
        assert!(help.contains("BATON_CONFIG"), "{help}");
    }
}
