//! Opening the database: SQLite (the embedded default) or PostgreSQL, chosen by the
//! URL, through sqlx's `Any` driver so that one store type and one set of portable SQL
//! serve both. Migrations run here, at start-up.

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, ConnectOptions, Connection, Executor,
};
use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// Its name in traces (OpenTelemetry's `db.system`).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// How long a PostgreSQL connection may sit in the pool before it is pinged before use.
const STALE_AFTER: Duration = Duration::from_secs(1);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects, applies the SQLite pragmas on every pooled connection, and migrates.
pub async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url);
    let url = match backend {
        Backend::Sqlite => sqlite_url(url),
        Backend::Postgres => url.to_string(),
    };
    // Statement logging would print every query at INFO; the request trace suffices.
    let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
    let pooling = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5)).test_before_acquire(false);
    let pooling = match backend {
        // SQLite has one writer at a time anyway; a few readers are plenty. A SQLite
        // connection is a file handle in this process: it cannot go stale the way a
        // network connection can, so it is never pinged before use (a round trip to
        // its worker thread).
        Backend::Sqlite => pooling.max_connections(8).after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        }),
        // A PostgreSQL connection is pinged before use only after it sat idle
        // (`STALE_AFTER`), to survive a restart: sqlx already pings every connection
        // as it comes back to the pool, so one in steady use is known good, and a ping
        // before each use too was a third round trip per statement.
        Backend::Postgres => pooling.max_connections(16).before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= STALE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        }),
    };
    let pool = pooling.connect_with(options).await?;
    MIGRATOR.run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
    Ok(pool)
}

/// Every SQLite connection's settings. WAL lets readers run beside the writer; FULL
/// makes a commit durable before the answer leaves (NORMAL may lose the last commits
/// on power loss, which for rotation would hand out a token the database forgot); the
/// busy timeout makes a second writer wait instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
                              PRAGMA synchronous = FULL; \
                              PRAGMA busy_timeout = 5000; \
                              PRAGMA foreign_keys = ON;";

/// The file of a SQLite URL; `None` for PostgreSQL and for an in-memory database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if Backend::of_url(url) != Backend::Sqlite || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&sqlite_url(url)).ok()?;
    Some(options.get_filename().to_path_buf())
}

/// A connection to the (migrated) SQLite database in `file` outside sqlx's pool, with
/// the pool's settings: the group commit's (`store::rotation`).
pub fn open_sqlite(file: &Path) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(SQLITE_PRAGMAS)?;
    // One cached statement per batch size in use, up to the largest batch.
    conn.set_prepared_statement_cache_capacity(3 * 128);
    Ok(conn)
}

/// `sqlite://baton.db` must create the file on first start: ask for read-write-create
/// unless the URL already names a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Whether the database answers (for `/healthz`).
pub async fn ping(pool: &AnyPool) -> bool {
    matches!(tokio::time::timeout(Duration::from_secs(2), sqlx::query("SELECT 1").execute(pool)).await, Ok(Ok(_)))
}

/// Writes a consistent copy of the SQLite database of `pool` to `file` (`VACUUM
/// INTO`: one read transaction's snapshot, so writers go on meanwhile and the copy is
/// whole, compacted, and opens as any database does).
pub async fn backup_sqlite(pool: &AnyPool, file: &Path) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO $1").bind(file.display().to_string()).execute(pool).await?;
    Ok(())
}

/// The URL with every credential replaced, for logs: the password of the user
/// part, and query parameters that carry one (`?password=…`, `sslpassword`, any
/// `…secret…` or `…token…`). A URL that does not parse is not shown at all.
pub fn redacted(database_url: &str) -> String {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return "(a database URL that does not parse)".to_string();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let secret = |key: &str| {
        let key = key.to_ascii_lowercase();
        ["pass", "secret", "token", "key"].iter().any(|word| key.contains(word))
    };
    if url.query_pairs().any(|(key, _)| secret(&key)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) { "***".to_string() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        assert_eq!(sqlite_url("sqlite://baton.db"), "sqlite://baton.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redacted("postgres://baton:s3cret@db:5432/baton"), "postgres://baton:***@db:5432/baton");
        assert_eq!(redacted("sqlite://baton.db"), "sqlite://baton.db");
    }

    #[test]
    fn every_form_of_credential_is_redacted() {
        for url in [
            "postgres://baton@db/baton?password=s3cret",
            "postgres://db/baton?user=baton&password=s3cret&sslmode=require",
            "postgres://baton:s3cret@db/baton?sslpassword=s3cret",
            "postgresql://baton:s%33cret@db/baton",
            "postgres://db/baton?PASSWORD=s3cret",
            "postgres://db/baton?api_token=s3cret",
            "postgres://baton:s3cret@[::1]:5432/baton?options=-c%20x",
        ] {
            let shown = redacted(url);
            assert!(!shown.contains("s3cret") && !shown.contains("s%33cret"), "{url} -> {shown}");
        }
        assert_eq!(
            redacted("postgres://db/baton?user=baton&password=x&sslmode=require"),
            "postgres://db/baton?user=baton&password=***&sslmode=require"
        );
        assert!(!redacted("not a url with s3cret").contains("s3cret"));
    }

    #[tokio::test]
    async fn a_new_sqlite_file_is_created_migrated_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let pool = connect(&url).await.unwrap();
        assert!(ping(&pool).await);
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&pool).await.unwrap();
        assert_eq!(fk, 1);
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN \
             ('users', 'sessions', 'refresh_tokens', 'signing_keys', 'audit_events')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(tables, 5);
    }
}
