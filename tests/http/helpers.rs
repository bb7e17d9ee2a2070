//! The fixtures: [`TestDb`], a fresh database of one backend that lives as long as
//! the test holds it (and every app started on it), handed to each test by
//! [`on_both_backends!`] / [`on_postgres!`]; [`TestApp`], a real Baton server on a
//! free loopback port; and a [`Client`] that speaks the contract.

use baton::{
    serve,
    server::{config::Settings, state::AppState},
};
use reqwest::{header, Response, StatusCode};
use serde_json::Value;
use std::{
    io::Write,
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU16, Ordering},
        Arc, Once,
    },
    time::{Duration, Instant},
};
use tokio::sync::oneshot;

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The throwaway cluster's admin URL (set by scripts/http.sh).
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("BATON_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

/// Whether the PostgreSQL variants can run. Under CI they must; elsewhere their
/// absence is said once.
pub fn postgres_available() -> bool {
    if postgres_admin_url().is_some() {
        return true;
    }
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        skipped(
            "BATON_TEST_POSTGRES_URL is not set",
            "every PostgreSQL test",
            "Run `make http` (it starts a throwaway cluster) to run them.",
        )
    });
    false
}

/// Says, on the terminal (past the test harness's capture), that `what` does not run
/// because of `why`; under CI, where everything must run, fails instead.
pub fn skipped(why: &str, what: &str, hint: &str) {
    assert!(std::env::var("CI").is_err(), "{why} under CI: {what} cannot run");
    let said = format!("{why}: {what} is SKIPPED. {hint}");
    let _ = writeln!(std::io::stderr(), "\n*** {} ***\n", said.trim_end());
}

/// A fresh database, deleted when the last holder lets go of it.
struct Database {
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// Where apps on it write their mails when no SMTP server is set (`BATON_OUTBOX`).
    outbox: tempfile::TempDir,
}

/// A test's database: clone it freely, start apps on it; it stays until the test and
/// every app on it are done.
#[derive(Clone)]
pub struct TestDb {
    database: Arc<Database>,
}

impl TestDb {
    /// A fresh database, or `None` where the PostgreSQL variant cannot run.
    pub async fn create(kind: Db) -> Option<TestDb> {
        let database = match kind {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/baton.db", dir.path().display());
                Database { url, _dir: Some(dir), outbox: tempfile::tempdir().expect("temp dir") }
            }
            Db::Postgres => {
                if !postgres_available() {
                    return None;
                }
                let admin = postgres_admin_url()?;
                let name = format!("baton_test_{}", uuid::Uuid::new_v4().simple());
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test cluster");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
                Database { url: format!("{base}/{name}"), _dir: None, outbox: tempfile::tempdir().expect("temp dir") }
            }
        };
        Some(TestDb { database: Arc::new(database) })
    }

    pub fn url(&self) -> &str {
        &self.database.url
    }

    /// The contract's default settings on this database (mails written to a folder
    /// of its own).
    pub fn settings(&self) -> Settings {
        let mut settings = test_settings(self.url());
        settings.mail.outbox = self.outbox();
        settings
    }

    /// Where apps on this database write mails when no SMTP server is set.
    pub fn outbox(&self) -> std::path::PathBuf {
        self.database.outbox.path().to_path_buf()
    }

    /// A server that sends its mail to `smtp`.
    pub async fn app_mailing(&self, smtp: &crate::smtp::SmtpServer) -> TestApp {
        let url = baton::server::config::SmtpUrl::parse(&smtp.url()).expect("an SMTP URL");
        self.app_with(|s| s.mail.smtp_url = Some(url)).await
    }

    /// [`TestDb::app_mailing`] with adjusted settings.
    pub async fn app_mailing_with(
        &self,
        smtp: &crate::smtp::SmtpServer,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let url = baton::server::config::SmtpUrl::parse(&smtp.url()).expect("an SMTP URL");
        self.app_with(|s| {
            s.mail.smtp_url = Some(url);
            adjust(s);
        })
        .await
    }

    /// A server with the contract's default settings.
    pub async fn app(&self) -> TestApp {
        self.app_with(|_| {}).await
    }

    /// A server with adjusted settings.
    pub async fn app_with(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.settings();
        adjust(&mut settings);
        self.start(settings).await
    }

    /// A server with these settings (a restart, a second instance).
    pub async fn start(&self, settings: Settings) -> TestApp {
        let mut app = TestApp::start(settings).await;
        app.database = Some(self.clone());
        app
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub settings: Settings,
    /// The default client, connecting from 127.0.0.1.
    pub client: Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    database: Option<TestDb>,
}

impl std::ops::Deref for TestApp {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

/// A client of one server: speaks the contract.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie_name: &'static str,
}

/// Test settings: the contract's defaults, except a cheap failure limit window.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::from_sources("test", None, &|_| None).expect("default settings");
    settings.database_url = database_url.to_string();
    // No bundle is built for these tests: there is no hash file to name it.
    settings.leptos.hash_files = false;
    settings.tokens.clock_leeway = Duration::ZERO;
    // Metrics are one recorder per process: the tests that read them start processes.
    settings.operations.metrics_addr = None;
    settings.operations.shutdown_delay = Duration::ZERO;
    // No breach check (`breaches.rs` tests it against a range server of its own).
    settings.passwords.breached_passwords_url = None;
    // Every test signs in from 127.0.0.1, many times a second: the in-memory shedding
    // of floods is tested on its own (`abuse.rs`), the database limits everywhere.
    settings.limits.sign_in_burst = 1_000_000;
    settings
}

impl TestApp {
    /// A server on an existing database (prefer [`TestDb::start`], which keeps the
    /// database alive while the app runs).
    pub async fn start(settings: Settings) -> TestApp {
        TestApp::start_with(settings, axum::Router::new()).await
    }

    /// [`TestApp::start`] with an application's own routes (docs/EXTENDING.md).
    pub async fn start_with(settings: Settings, own: axum::Router<AppState>) -> TestApp {
        let state = AppState::build(&settings).await.expect("build the app state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve_with(listener, state.clone(), own, async {
            let _ = rx.await;
        }));
        let cookie_name = if settings.tokens.cookie_secure { "__Host-refresh_token" } else { "refresh_token" };
        TestApp {
            addr,
            client: Client { base: format!("http://{addr}"), http: client_from("127.0.0.1"), cookie_name },
            state,
            settings,
            shutdown: Some(tx),
            task: Some(task),
            database: None,
        }
    }

    /// A client of this server connecting from another loopback address.
    pub fn client_at(&self, ip: &str) -> Client {
        Client { http: client_from(ip), ..self.client.clone() }
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Runs a query on the app's database and returns one i64.
    pub async fn count(&self, sql: &str, bind: &str) -> i64 {
        sqlx::query_scalar(sql).bind(bind).fetch_one(self.state.store.pool()).await.expect("count query")
    }

    /// Registers a fresh account whose address is proved, as following its
    /// verification link does (the link itself is tested in `email.rs`): adding a
    /// passkey or an authenticator app needs a proved address.
    pub async fn verified_up(&self) -> SignedIn {
        let who = self.signed_up().await;
        self.verified(&who).await;
        who
    }

    /// Marks `who`'s address proved (see [`TestApp::verified_up`]).
    pub async fn verified(&self, who: &SignedIn) {
        let now = self.state.clock.now();
        sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&who.user_id)
            .execute(self.state.store.pool())
            .await
            .expect("verify the address");
        self.state.store.forget(who.user_id.parse().expect("a user id"));
    }

    /// Moves the server's clock past the re-authentication window, so no sign-in so
    /// far is recent. The clock rather than a short window and a sleep: a one-second
    /// window fails the setup itself whenever a busy machine takes a second for it.
    pub fn past_the_reauth_window(&self) {
        self.state.clock.advance(self.state.settings.tokens.reauth_window + Duration::from_secs(1));
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a form to a server function, with an optional refresh cookie value.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut request = self.http.post(self.url(path)).form(form);
        if let Some(value) = cookie {
            request = request.header(header::COOKIE, format!("{}={value}", self.cookie_name));
        }
        request.send().await.expect("request")
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post_form("/api/auth/register", &[("email", email), ("password", password)], None).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_form("/api/auth/login", &[("email", email), ("password", password)], None).await
    }

    pub async fn refresh(&self, cookie: &str) -> Response {
        self.post_form("/api/auth/refresh", &[], Some(cookie)).await
    }

    pub async fn logout(&self, cookie: Option<&str>) -> Response {
        self.post_form("/api/auth/logout", &[], cookie).await
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> Response {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// POSTs a form to a Bearer route.
    pub async fn post_bearer(&self, path: &str, bearer: &str, form: &[(&str, &str)]) -> Response {
        self.http.post(self.url(path)).bearer_auth(bearer).form(form).send().await.expect("request")
    }

    /// Registers a fresh account and returns its signed-in session.
    pub async fn signed_up(&self) -> SignedIn {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let response = self.register(&email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "register");
        SignedIn::from_response(response, &email).await
    }

    /// Signs in again as `who`: a second session of the same user.
    pub async fn signed_in_again(&self, who: &SignedIn) -> SignedIn {
        let response = self.login(&who.email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login");
        SignedIn::from_response(response, &who.email).await
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A real `baton` process on a free port (several instances, outages).
pub struct Instance {
    pub client: Client,
    child: Child,
    _outbox: tempfile::TempDir,
}

impl std::ops::Deref for Instance {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Instance {
    /// SIGKILL: the process dies at once, mid-request, as in a power cut of the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, what an orchestrator sends to stop it: the shutdown of the contract.
    pub fn terminate(&self) {
        let pid = i32::try_from(self.child.id()).expect("a pid");
        // SAFETY: `kill` only sends a signal, to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
    }

    /// Its exit status, once it exits within `limit`.
    pub async fn exited(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return status;
            }
            assert!(started.elapsed() < limit, "baton did not exit within {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port for a server a test starts (a baton instance, a PostgreSQL cluster, a mail
/// listener), free now and handed to no other test of this run. Not one the system
/// picks (`bind` to port 0): those come from the ephemeral range (32768 and up), where
/// a port checked free can go to a parallel test before our server binds it, and a
/// second baton on it answers `/healthz` as if it were ours (the likely cause of a CI
/// failure where a test talked to another test's instance until that one stopped).
/// Below that range the system hands out nothing, so each port here is ours; the
/// start depends on the process so that two test runs side by side rarely meet.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 1_000) as u16 * 10;
    loop {
        let port = base + NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(port < 32_768, "the test run used up its ports (from {base})");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Instance {
    /// Starts `baton` on `database_url` with extra variables, and waits until it
    /// answers `/healthz`. Its log is discarded (outage tests make it noisy). Should its
    /// port be taken all the same (by another program), it exits at once, and it is
    /// started again on another.
    pub async fn spawn(database_url: &str, env: &[(&str, &str)]) -> Instance {
        Self::spawn_logging(database_url, env, None).await
    }

    /// [`Instance::spawn`], its log (stderr) written to `log` (the test sets `BATON_LOG`).
    pub async fn spawn_logging(database_url: &str, env: &[(&str, &str)], log: Option<&std::path::Path>) -> Instance {
        for _ in 0..5 {
            if let Some(instance) = Self::try_spawn(database_url, env, log).await {
                return instance;
            }
        }
        panic!("baton exited at start five times (run it by hand with these settings to see why)");
    }

    /// Where this instance writes mails (no SMTP server set).
    pub fn outbox(&self) -> &std::path::Path {
        self._outbox.path()
    }

    async fn try_spawn(database_url: &str, env: &[(&str, &str)], log: Option<&std::path::Path>) -> Option<Instance> {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("BATON_CLOCK_LEEWAY", "0s")
            .env("BATON_LOG", "off")
            // No metrics listener unless a test asks (its default port is one for all),
            // and no pause before a shutdown drains.
            .env("BATON_METRICS_ADDR", "")
            .env("BATON_SHUTDOWN_DELAY", "0s")
            // No breach check: these machines reach no Pwned Passwords (`breaches.rs`
            // tests it against a range server of its own).
            .env("BATON_BREACHED_PASSWORDS_URL", "")
            // As `test_settings`: many sign-ins a second from 127.0.0.1.
            .env("BATON_SIGN_IN_BURST", "1000000")
            // Pages render without the bundle's hash file (the tests build no bundle).
            .env("LEPTOS_HASH_FILES", "false")
            .stdout(Stdio::null())
            .stderr(match log {
                Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
                None => Stdio::null(),
            });
        let outbox = tempfile::tempdir().expect("temp dir");
        command.env("BATON_OUTBOX", outbox.path());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start baton");
        let client = Client {
            base: format!("http://127.0.0.1:{port}"),
            http: client_from("127.0.0.1"),
            cookie_name: "__Host-refresh_token",
        };
        let mut instance = Instance { client, child, _outbox: outbox };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = instance.http.get(instance.url("/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    return Some(instance);
                }
            }
            if matches!(instance.child.try_wait(), Ok(Some(_))) {
                return None;
            }
            assert!(Instant::now() < deadline, "baton did not come up within a minute");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A reqwest client whose connections come from `ip` (any 127.0.0.0/8 address works
/// on Linux loopback), so tests can be several clients.
pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A signed-in session as a client holds it.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub email: String,
    pub user_id: String,
    pub access: String,
    pub refresh: String,
}

impl SignedIn {
    pub async fn from_response(response: Response, email: &str) -> SignedIn {
        let refresh = refresh_cookie(&response).expect("a refresh cookie is set");
        let body: Value = response.json().await.unwrap();
        SignedIn {
            email: email.to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            access: body["access_token"].as_str().unwrap().to_string(),
            refresh,
        }
    }
}

/// The `Set-Cookie` headers of a response that set or clear the refresh cookie.
pub fn refresh_set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.contains("refresh_token="))
        .map(str::to_string)
        .collect()
}

/// The value of the refresh cookie a response sets (not one it clears).
pub fn refresh_cookie(response: &Response) -> Option<String> {
    refresh_set_cookies(response).iter().find_map(|c| {
        let value = c.split(';').next()?.split_once('=')?.1;
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// Whether the response clears the refresh cookie.
pub fn clears_cookie(response: &Response) -> bool {
    refresh_set_cookies(response).iter().any(|c| c.contains("refresh_token=;") && c.contains("Max-Age=0"))
}

/// The error `code` of a JSON error body.
pub async fn code(response: Response) -> String {
    let body: Value = response.json().await.expect("a JSON error body");
    body["code"].as_str().expect("a code").to_string()
}

/// Asserts status and error code.
pub async fn assert_error(response: Response, status: u16, expected: &str) {
    assert_eq!(response.status().as_u16(), status, "status for {expected}");
    assert_eq!(code(response).await, expected);
}

/// Splits a JWT into its decoded header and payload.
pub fn decode_parts(token: &str) -> (Value, Value) {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let mut parts = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    let payload = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    (serde_json::from_slice(&header).unwrap(), serde_json::from_slice(&payload).unwrap())
}

/// Generates, for each listed test `async fn name(db: TestDb)`, one `#[tokio::test]`
/// per backend: `sqlite::name` and `postgres::name`, each handed a fresh database.
/// Tests listed after `; postgres only:` run on PostgreSQL alone.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)? $(; postgres only: $($pg_only:ident),* $(,)?)?) => {
        mod sqlite {
            $( $crate::backend_test!(Sqlite, $name); )*
        }
        mod postgres {
            $( $crate::backend_test!(Postgres, $name); )*
            $($( $crate::backend_test!(Postgres, $pg_only); )*)?
        }
    };
}

/// For tests that need PostgreSQL (several instances on one database):
/// `postgres::name` only.
#[macro_export]
macro_rules! on_postgres {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $( $crate::backend_test!(Postgres, $name); )*
        }
    };
}

/// One test of `super::$name` on a fresh database of `$backend`.
#[macro_export]
macro_rules! backend_test {
    ($backend:ident, $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            if let Some(db) = $crate::helpers::TestDb::create($crate::helpers::Db::$backend).await {
                super::$name(db).await
            }
        }
    };
}
