//! Running it (docs/API.md, "Operations"): the metrics an operator scrapes, the probes,
//! the request id and the JSON log, the traces, the shutdown, and the commands. Each
//! test starts real `baton` processes: metrics and the log subscriber are one per
//! process, and a shutdown is a signal to one.

use crate::helpers::*;
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::{
    collections::{BTreeMap, HashSet},
    process::Command,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

on_both_backends!(
    metrics_count_each_outcome_where_it_is_decided,
    a_sigterm_under_load_drains_without_failing_a_request,
);

/// One sample of the Prometheus text: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format (the lines that are samples).
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("a label: {pair}"));
                    (key.to_string(), value.trim_matches('"').to_string())
                })
                .collect();
            Sample { name: name.to_string(), labels, value: value.parse().unwrap_or_else(|_| panic!("{line}")) }
        })
        .collect()
}

/// The value of the series `name{labels}` (labels exactly these), if scraped.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    samples.iter().find(|s| s.name == name && s.labels == wanted).map(|s| s.value)
}

/// Every series of `name`: its labels and value.
fn series<'a>(samples: &'a [Sample], name: &str) -> Vec<&'a Sample> {
    samples.iter().filter(|s| s.name == name).collect()
}

/// A metrics address on a free port.
fn metrics_addr() -> String {
    format!("127.0.0.1:{}", free_port())
}

async fn scrape(addr: &str) -> Vec<Sample> {
    let response = reqwest::get(format!("http://{addr}/metrics")).await.expect("the metrics listener answers");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    samples(&response.text().await.unwrap())
}

/// A known sequence (a sign-in, a failed one, three rotations, one request over the
/// refresh limit, one reuse) shows exactly those counts, under the contract's names
/// and labels; a path with an id is counted under its route's pattern; and `/metrics`
/// is served on its own listener only.
async fn metrics_count_each_outcome_where_it_is_decided(db: TestDb) {
    let addr = metrics_addr();
    let app = Instance::spawn(db.url(), &[("BATON_METRICS_ADDR", &addr), ("BATON_REFRESH_LIMIT", "3")]).await;
    let who = app.signed_up().await;

    let signed_in = app.login(&who.email, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let session = SignedIn::from_response(signed_in, &who.email).await;
    assert_error(app.login(&who.email, "not the password at all").await, 401, "invalid_credentials").await;
    let mut token = session.refresh.clone();
    for _ in 0..3 {
        let response = app.refresh(&token).await;
        assert_eq!(response.status(), StatusCode::OK);
        token = refresh_cookie(&response).unwrap();
    }
    assert_error(app.refresh(&token).await, 429, "rate_limited").await;
    assert_error(app.refresh(&session.refresh).await, 401, "refresh_token_reused").await;
    let someone_elses = format!("/api/sessions/{}", uuid::Uuid::new_v4());
    let response = app.http.delete(app.url(&someone_elses)).bearer_auth(&who.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let scraped = scrape(&addr).await;
    let sign_ins: Vec<_> = series(&scraped, "baton_sign_ins_total").iter().map(|s| (&s.labels, s.value)).collect();
    assert_eq!(sign_ins.len(), 2, "a sign-in and a failed one: {sign_ins:?}");
    assert_eq!(value(&scraped, "baton_sign_ins_total", &[("method", "password"), ("result", "signed_in")]), Some(1.0));
    assert_eq!(value(&scraped, "baton_sign_ins_total", &[("method", "password"), ("result", "failed")]), Some(1.0));
    let refreshes: BTreeMap<&str, f64> =
        series(&scraped, "baton_refreshes_total").iter().map(|s| (s.labels["result"].as_str(), s.value)).collect();
    assert_eq!(refreshes, BTreeMap::from([("rate_limited", 1.0), ("reused", 1.0), ("rotated", 3.0)]));
    let limited: Vec<_> = series(&scraped, "baton_rate_limited_total").iter().map(|s| (&s.labels, s.value)).collect();
    assert_eq!(limited.len(), 1, "{limited:?}");
    assert_eq!(value(&scraped, "baton_rate_limited_total", &[("limit", "refresh")]), Some(1.0));
    let revoked: Vec<_> = series(&scraped, "baton_revocations_total").iter().map(|s| (&s.labels, s.value)).collect();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(value(&scraped, "baton_revocations_total", &[("reason", "reuse")]), Some(1.0));

    // Requests by their route's pattern, never the raw path.
    let by_pattern = [("method", "DELETE"), ("route", "/api/sessions/{id}"), ("status", "404")];
    assert_eq!(value(&scraped, "http_server_request_duration_seconds_count", &by_pattern), Some(1.0));
    let logins = [("method", "POST"), ("route", "/api/auth/login"), ("status", "200")];
    assert_eq!(value(&scraped, "http_server_request_duration_seconds_count", &logins), Some(1.0));
    let routes: HashSet<&str> = series(&scraped, "http_server_request_duration_seconds_count")
        .iter()
        .map(|s| s.labels["route"].as_str())
        .collect();
    assert!(routes.iter().all(|r| !r.contains(&someone_elses[14..])), "a raw path became a label: {routes:?}");
    assert!(
        series(&scraped, "http_server_request_duration_seconds_bucket").iter().any(|s| s.labels["le"] == "+Inf"),
        "a histogram"
    );

    // Three hashes: the registration, the sign-in and the failed one; none waiting now.
    assert_eq!(value(&scraped, "baton_password_hash_seconds_count", &[]), Some(3.0));
    assert_eq!(value(&scraped, "baton_password_hash_queue_depth", &[]), Some(0.0));
    // The gauges read at the scrape, and the process' own.
    assert!(value(&scraped, "baton_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(value(&scraped, "baton_db_pool_connections", &[("state", "active")]).is_some());
    assert!(value(&scraped, "baton_mail_outbox_pending", &[]).is_some());
    assert!(value(&scraped, "process_resident_memory_bytes", &[]).is_some_and(|rss| rss > 1e6));
    assert!(value(&scraped, "process_cpu_seconds_total", &[]).is_some());
    assert!(value(&scraped, "process_open_fds", &[]).is_some_and(|fds| fds > 0.0));

    // Not on the public port.
    let public = app.get("/metrics", None).await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    assert!(!public.text().await.unwrap().contains("# TYPE"), "metrics on the public port");
}

/// SIGTERM while 16 clients refresh and read `/api/me`: `/readyz` turns 503 at once
/// (within 100 ms) while requests are still served for the delay; then accepting
/// stops, and no request the server accepted fails; the process exits 0. Every
/// session then refreshes on a new instance, each with the last token its client was
/// given: a rotation whose answer was lost would show as a `grace` refresh.
async fn a_sigterm_under_load_drains_without_failing_a_request(db: TestDb) {
    const CLIENTS: usize = 16;
    const DELAY: Duration = Duration::from_secs(1);
    let env = [("BATON_SHUTDOWN_DELAY", "1s"), ("BATON_REFRESH_LIMIT", "100000"), ("BATON_REGISTER_LIMIT", "100")];
    let mut app = Instance::spawn(db.url(), &env).await;
    let mut sessions = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        sessions.push(app.signed_up().await);
    }
    let signalled: Arc<Mutex<Option<Instant>>> = Arc::default();
    let served = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::with_capacity(CLIENTS);
    for (i, mut who) in sessions.into_iter().enumerate() {
        let client = app.client.clone();
        let (signalled, served, failures) = (signalled.clone(), served.clone(), failures.clone());
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let request = if (n + i) % 2 == 0 {
                    client
                        .http
                        .post(client.url("/api/auth/refresh"))
                        .header("cookie", format!("{}={}", client.cookie_name, who.refresh))
                } else {
                    client.http.get(client.url("/api/me")).bearer_auth(&who.access)
                };
                match request.send().await {
                    Ok(response) if response.status() == StatusCode::OK => {
                        if refresh_cookie(&response).is_some() {
                            who = SignedIn::from_response(response, &who.email).await;
                        }
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                    // An answer is an accepted request: it must not fail.
                    Ok(response) => {
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        failures.lock().unwrap().push(format!("{status} {body}"));
                    }
                    // Once accepting stopped (after the delay), a connection may be
                    // refused or closed before a request on it was read: not accepted.
                    Err(e) => {
                        let after = signalled.lock().unwrap().map(|at| at.elapsed());
                        if after.is_none_or(|after| after < DELAY) {
                            failures.lock().unwrap().push(format!("{e:?} at {after:?} after SIGTERM"));
                        }
                        break;
                    }
                }
            }
            who
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Readiness first.
    let probe = client_from("127.0.0.1");
    assert!(served.load(Ordering::Relaxed) > 0, "the load runs");
    *signalled.lock().unwrap() = Some(Instant::now());
    let started = Instant::now();
    app.terminate();
    let not_ready = loop {
        let response = probe.get(app.url("/readyz")).send().await.expect("still serving during the delay");
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            break started.elapsed();
        }
        assert!(started.elapsed() < DELAY, "/readyz still 200 {:?} after SIGTERM", started.elapsed());
    };
    assert!(not_ready <= Duration::from_millis(100), "/readyz turned 503 after {not_ready:?}");
    eprintln!("operations: /readyz 503 {not_ready:?} after SIGTERM, under load");
    // Still served during the delay: the load goes on.
    let during = served.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(served.load(Ordering::Relaxed) > during, "requests are served during the delay");

    let status = app.exited(Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(0), "exit code");
    let mut last = Vec::with_capacity(CLIENTS);
    for client in clients {
        last.push(tokio::time::timeout(Duration::from_secs(30), client).await.expect("the client ends").unwrap());
    }
    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "accepted requests failed: {failures:?}");

    // Every session goes on, each from the last token it was given.
    let addr = metrics_addr();
    // Restarted with the same settings: the load above is counted by the refresh limit
    // (in the database, across instances), which the default would now apply.
    let again = Instance::spawn(db.url(), &[("BATON_METRICS_ADDR", &addr), ("BATON_REFRESH_LIMIT", "100000")]).await;
    for who in &last {
        assert_eq!(again.refresh(&who.refresh).await.status(), StatusCode::OK, "{} refreshes", who.email);
    }
    let scraped = scrape(&addr).await;
    let refreshes: BTreeMap<&str, f64> =
        series(&scraped, "baton_refreshes_total").iter().map(|s| (s.labels["result"].as_str(), s.value)).collect();
    assert_eq!(refreshes, BTreeMap::from([("rotated", CLIENTS as f64)]), "no answer of a rotation was lost");
}

/// The probes: `/livez` and `/readyz` (and `/healthz`, its older name) answer 200 with a
/// status while all is well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probes_answer_while_all_is_well() {
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let app = db.app().await;
    for probe in ["/livez", "/readyz", "/healthz"] {
        let response = app.get(probe, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{probe}");
        assert_eq!(response.json::<Value>().await.unwrap()["status"], "ok", "{probe}");
    }
}

/// Every answer carries `X-Request-Id`: a new one unless a trusted proxy sent its own;
/// a client cannot choose the id its request is logged under.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_the_trusted_proxys_or_a_new_one() {
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let app = db.app_with(|s| s.operations.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let id = |response: &Response| response.headers()["x-request-id"].to_str().unwrap().to_string();
    let first = id(&app.get("/api/nope", None).await);
    let second = id(&app.get("/livez", None).await);
    assert!(uuid::Uuid::parse_str(&first).is_ok() && first != second, "{first} {second}");

    let chosen = "lb-7f3a9c";
    let proxied = app.http.get(app.url("/livez")).header("x-request-id", chosen).send().await.unwrap();
    assert_eq!(id(&proxied), chosen, "the proxy's id is kept");
    let stranger = client_from("127.0.0.2");
    let direct = stranger.get(app.url("/livez")).header("x-request-id", chosen).send().await.unwrap();
    let given = id(&direct);
    assert!(given != chosen && uuid::Uuid::parse_str(&given).is_ok(), "a stranger's id is replaced: {given}");
}

/// What the flows below used that must never reach a log line, and the request ids
/// their answers carried.
#[derive(Default)]
struct Seen {
    secrets: Vec<String>,
    ids: Vec<String>,
}

impl Seen {
    /// Notes the answer's request id; returns the answer.
    fn answer(&mut self, response: Response) -> Response {
        let id = response.headers().get("x-request-id").expect("every answer has X-Request-Id");
        self.ids.push(id.to_str().unwrap().to_string());
        response
    }

    fn secret(&mut self, secret: &str) {
        assert!(secret.len() >= 6, "too short to look for: {secret:?}");
        self.secrets.push(secret.to_string());
    }

    /// A session's tokens.
    fn session(&mut self, who: &SignedIn) {
        self.secret(&who.access);
        self.secret(&who.refresh);
    }

    /// The session an OK answer gives.
    async fn signed_in(&mut self, response: Response, email: &str) -> SignedIn {
        let response = self.answer(response);
        assert_eq!(response.status(), StatusCode::OK);
        let who = SignedIn::from_response(response, email).await;
        self.session(&who);
        who
    }

    /// The status of an answer that is not needed further.
    fn status(&mut self, response: Response) -> StatusCode {
        self.answer(response).status()
    }
}

/// Whether `secret` occurs in `line`; a code of digits only where it stands alone (a
/// timestamp's or an id's digits are not a code).
fn holds(line: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return line.contains(secret);
    }
    line.match_indices(secret).any(|(at, _)| {
        let before = line[..at].bytes().next_back().is_none_or(|b| !b.is_ascii_digit());
        let after = line[at + secret.len()..].bytes().next().is_none_or(|b| !b.is_ascii_digit());
        before && after
    })
}

/// With `BATON_LOG_FORMAT=json` and everything logged (`BATON_LOG=debug`), every flow
/// of the API once: each line is a JSON object with the contract's fields; each line
/// of a request carries the `X-Request-Id` of its answer; and no line holds a password,
/// token, code or mailed link that the flows used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_log_of_every_flow_names_each_request_and_holds_no_secret() {
    use crate::two_step::{code_at, mfa, password_step, turn_on};
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("baton.log");
    let env = [("BATON_LOG_FORMAT", "json"), ("BATON_LOG", "debug"), ("BATON_SMTP_URL", &smtp.url())];
    let app = Instance::spawn_logging(db.url(), &env, Some(&log)).await;
    let mut seen = Seen::default();
    seen.secret(PASSWORD);
    let email = format!("log-{}@example.com", uuid::Uuid::new_v4().simple());

    // Signing up, the mailed link, signing in (and a wrong password), rotating, a reuse.
    let who = seen.signed_in(app.register(&email, PASSWORD).await, &email).await;
    let verify = smtp.mail(&email, "Confirm your email address").await.token("/verify");
    seen.secret(&verify);
    let verified = app.post_form("/api/auth/verify_email", &[("token", &verify)], None).await;
    assert_eq!(seen.status(verified), StatusCode::OK);
    let laptop = seen.signed_in(app.login(&email, PASSWORD).await, &email).await;
    let wrong = "wrong horse battery staple";
    seen.secret(wrong);
    let failed = seen.answer(app.login(&email, wrong).await);
    let failed_id = failed.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let rotated = seen.signed_in(app.refresh(&laptop.refresh).await, &email).await;
    seen.signed_in(app.refresh(&rotated.refresh).await, &email).await;
    assert_eq!(seen.status(app.refresh(&laptop.refresh).await), StatusCode::UNAUTHORIZED);

    // The account centre: the password proved again, changed, reset through a link.
    assert_eq!(seen.status(app.get("/api/me", Some(&who.access)).await), StatusCode::OK);
    assert_eq!(seen.status(app.get("/api/sessions", Some(&who.access)).await), StatusCode::OK);
    let reauth = app.post_bearer("/api/auth/reauth", &who.access, &[("password", PASSWORD)]).await;
    assert_eq!(seen.status(reauth), StatusCode::OK);
    let changed_password = "velvet harbour compass 2209";
    seen.secret(changed_password);
    let form = [("current_password", PASSWORD), ("new_password", changed_password)];
    assert_eq!(seen.status(app.post_bearer("/api/account/password", &who.access, &form).await), StatusCode::NO_CONTENT);
    let asked = app.post_form("/api/auth/password_reset", &[("email", &email)], None).await;
    assert_eq!(seen.status(asked), StatusCode::ACCEPTED);
    let reset = smtp.mail(&email, "Reset your Baton password").await.token("/reset");
    seen.secret(&reset);
    let form = [("token", reset.as_str()), ("new_password", PASSWORD)];
    let reset = seen.signed_in(app.post_form("/api/auth/password_reset/confirm", &form, None).await, &email).await;

    // Two-step: the app's secret and codes, the ticket between the steps, a recovery code.
    let on = turn_on(&app, &reset).await;
    seen.secret(&on.secret);
    seen.secret(&code_at(&on.secret, on.step));
    for code in &on.codes {
        seen.secret(code);
    }
    let ticket = password_step(&app, &reset).await;
    seen.secret(&ticket);
    let next = code_at(&on.secret, on.step + 1);
    seen.secret(&next);
    let phone = seen.signed_in(mfa(&app, &ticket, &next).await, &email).await;
    let ticket = password_step(&app, &reset).await;
    seen.secret(&ticket);
    let tablet = seen.signed_in(mfa(&app, &ticket, &on.codes[0]).await, &email).await;

    // The address changed through the link to the new one; sessions ended; the account.
    let moved = format!("moved-{email}");
    let change = app.post_bearer("/api/account/email", &phone.access, &[("email", &moved)]).await;
    assert_eq!(seen.status(change), StatusCode::ACCEPTED);
    let confirm = smtp.mail(&moved, "Confirm your new email address").await.token("/verify");
    seen.secret(&confirm);
    let confirmed = app.post_form("/api/auth/verify_email", &[("token", &confirm)], None).await;
    assert_eq!(seen.status(confirmed), StatusCode::OK);
    assert!(seen.status(app.logout(Some(&tablet.refresh)).await).is_success());
    let everywhere = app.post_bearer("/api/auth/logout_all", &phone.access, &[]).await;
    assert!(seen.status(everywhere).is_success());
    let ticket = password_step(&app, &SignedIn { email: moved.clone(), ..reset.clone() }).await;
    seen.secret(&ticket);
    seen.signed_in(mfa(&app, &ticket, &on.codes[1]).await, &moved).await;

    // The log, once the instance has written it all.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 50, "a full log: {} lines", lines.len());
    let ids: HashSet<&str> = seen.ids.iter().map(String::as_str).collect();
    let mut logged_ids = HashSet::new();
    for line in &lines {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        for field in ["timestamp", "level", "target"] {
            assert!(entry[field].is_string(), "no {field}: {line}");
        }
        assert!(entry.get("message").is_some() || entry.get("fields").is_some(), "no message: {line}");
        // A line of a request (its span's `path`) names the request's id.
        if entry.get("path").is_some() {
            let id = entry["request_id"].as_str().unwrap_or_else(|| panic!("a request's line without its id: {line}"));
            logged_ids.insert(id.to_string());
        }
        for secret in &seen.secrets {
            assert!(!holds(line, secret), "a secret ({}…) in the log: {line}", &secret[..4]);
        }
        assert!(!line.contains("token="), "a link in the log: {line}");
    }
    // (The log also holds requests this test did not note: the start-up probes, the
    // helpers' own. Each id the server makes is a UUID.)
    let logged: HashSet<&str> = logged_ids.iter().map(String::as_str).collect();
    assert!(logged.iter().all(|id| uuid::Uuid::parse_str(id).is_ok()), "{logged:?}");
    let missing: Vec<_> = ids.difference(&logged).collect();
    assert!(missing.is_empty(), "answers whose requests are not in the log under their id: {missing:?}");
    // The failed sign-in's own line is under its request's id.
    let failure = lines.iter().find(|l| l.contains("\"failed sign-in\"")).expect("the failed sign-in is logged");
    let failure: Value = serde_json::from_str(failure).unwrap();
    assert_eq!(failure["request_id"], failed_id.as_str());
    assert_eq!(failure["level"], "INFO");
}

/// The commands: `baton migrate` prepares a database and exits; `baton config check`
/// prints the settings with secrets redacted and names a bad value; `baton
/// healthcheck` asks an instance's `/livez`; `baton --help` lists them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_operators_need() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.db", dir.path().display());
    let baton = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command.args(args).env("DATABASE_URL", &url).env("BATON_LOG", "off").env("BATON_METRICS_ADDR", "");
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_string();

    let help = baton(&["--help"], &[]);
    assert!(help.status.success());
    for verb in ["serve", "migrate", "config", "keys", "backup", "healthcheck", "users"] {
        assert!(text(&help.stdout).contains(verb), "--help names {verb}: {}", text(&help.stdout));
    }

    let migrated = baton(&["migrate"], &[]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let tables: i64 = {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'refresh_tokens'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(tables, 1, "migrated");

    let smtp = "smtp://mailer:s3cret-pass@mail.example.com:587";
    let check = baton(&["config", "check"], &[("BATON_SMTP_URL", smtp)]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let printed = text(&check.stdout);
    assert!(printed.contains("metrics") && printed.contains("mail.example.com"), "{printed}");
    assert!(!printed.contains("s3cret-pass"), "a secret printed: {printed}");
    let bad = baton(&["config", "check"], &[("BATON_SHUTDOWN_TIMEOUT", "soon")]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("BATON_SHUTDOWN_TIMEOUT"), "{}", text(&bad.stderr));

    let on_postgres =
        baton(&["backup", "/tmp/never-written.db"], &[("DATABASE_URL", "postgres://baton@127.0.0.1:1/x")]);
    assert_eq!(on_postgres.status.code(), Some(1));
    assert!(text(&on_postgres.stderr).contains("pg_dump"), "{}", text(&on_postgres.stderr));

    let app = Instance::spawn(&url, &[]).await;
    let site = app.base.trim_start_matches("http://").to_string();
    let healthy = baton(&["healthcheck"], &[("LEPTOS_SITE_ADDR", &site)]);
    assert!(healthy.status.success(), "{}", text(&healthy.stderr));
    let nobody = format!("127.0.0.1:{}", free_port());
    let unhealthy = baton(&["healthcheck"], &[("LEPTOS_SITE_ADDR", &nobody)]);
    assert_eq!(unhealthy.status.code(), Some(1));
}

/// `baton backup FILE` while eight clients keep rotating: the copy passes SQLite's
/// integrity check, and on it every session refreshes with the token that was
/// current when the copy was taken (the one its client holds in its history whose
/// `jti` the copy has unused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_is_whole_and_every_session_refreshes_on_it() {
    const CLIENTS: usize = 8;
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let app = Instance::spawn(db.url(), &[("BATON_REFRESH_LIMIT", "100000")]).await;
    let mut sessions = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        sessions.push(app.signed_up().await);
    }
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rotations = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::with_capacity(CLIENTS);
    for who in sessions {
        let (client, done, rotations) = (app.client.clone(), done.clone(), rotations.clone());
        clients.push(tokio::spawn(async move {
            let mut history = vec![who.refresh.clone()];
            while !done.load(Ordering::Relaxed) {
                let response = client.refresh(history.last().unwrap()).await;
                assert_eq!(response.status(), StatusCode::OK, "a refresh during the backup");
                history.push(refresh_cookie(&response).unwrap());
                rotations.fetch_add(1, Ordering::Relaxed);
            }
            (who, history)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let before = rotations.load(Ordering::Relaxed);
    let backup = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("backup")
        .arg(&copy)
        .env("DATABASE_URL", db.url())
        .env("BATON_LOG", "off")
        .output()
        .await
        .unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    tokio::time::sleep(Duration::from_millis(200)).await;
    done.store(true, Ordering::Relaxed);
    let mut held = Vec::with_capacity(CLIENTS);
    for client in clients {
        held.push(client.await.unwrap());
    }
    assert!(rotations.load(Ordering::Relaxed) > before, "rotations went on during the backup");

    let check: String =
        rusqlite::Connection::open(&copy).unwrap().query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(check, "ok");
    let current: HashSet<String> = {
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let mut statement = conn.prepare("SELECT jti FROM refresh_tokens WHERE used_at IS NULL").unwrap();
        statement.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    // With the settings of the server it copies: its refresh limit counted the load,
    // and the copy holds those counts.
    let restored = Instance::spawn(&format!("sqlite://{}", copy.display()), &[("BATON_REFRESH_LIMIT", "100000")]).await;
    for (who, history) in &held {
        let token = history
            .iter()
            .find(|token| current.contains(decode_parts(token).1["jti"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("the copy has a current token of {}'s session", who.email));
        assert_eq!(restored.refresh(token).await.status(), StatusCode::OK, "{} refreshes", who.email);
    }
}

/// The spans an OTLP/HTTP receiver was sent, decoded as a collector would.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<opentelemetry_proto::tonic::trace::v1::Span>>>,
}

impl Receiver {
    /// Listens on a free loopback port for `POST /v1/traces` (protobuf); its base URL.
    async fn start(&self) -> String {
        use axum::{body::Bytes, routing::post, Router};
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
        use prost::Message;
        let spans = self.spans.clone();
        let app = Router::new().route(
            "/v1/traces",
            post(move |body: Bytes| {
                let spans = spans.clone();
                async move {
                    let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                    let mut held = spans.lock().unwrap();
                    for resource in request.resource_spans {
                        for scope in resource.scope_spans {
                            held.extend(scope.spans);
                        }
                    }
                    // An empty ExportTraceServiceResponse.
                    ([("content-type", "application/x-protobuf")], Vec::<u8>::new())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    /// The spans of trace `trace_id` once one named `name` arrived (within 20 s).
    async fn trace_with(&self, trace_id: &[u8], name: &str) -> Vec<opentelemetry_proto::tonic::trace::v1::Span> {
        let started = Instant::now();
        loop {
            let spans: Vec<_> = self.spans.lock().unwrap().iter().filter(|s| s.trace_id == trace_id).cloned().collect();
            if spans.iter().any(|s| s.name == name) {
                return spans;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no {name} span of the trace arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// With `OTEL_EXPORTER_OTLP_ENDPOINT` set, a sign-in is a trace: its request's span
/// continues the `traceparent` a trusted proxy sent, with child spans for the
/// database work and the password hash. A stranger's `traceparent` starts nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_is_exported_as_a_trace_continuing_the_proxys() {
    let receiver = Receiver::default();
    let endpoint = receiver.start().await;
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ("BATON_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let app = Instance::spawn(db.url(), &env).await;
    let who = app.signed_up().await;

    let trace_id: [u8; 16] = *uuid::Uuid::new_v4().as_bytes();
    let parent: [u8; 8] = uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap();
    let traceparent = format!("00-{}-{}-01", hex(&trace_id), hex(&parent));
    let response = app
        .http
        .post(app.url("/api/auth/login"))
        .header("traceparent", &traceparent)
        .form(&[("email", who.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The request's span ends last (its children end inside it), and the exporter may
    // send them in separate batches: once it is here, so are they.
    let spans = receiver.trace_with(&trace_id, "request").await;
    let request = spans.iter().find(|s| s.name == "request").expect("the request's span");
    assert_eq!(request.parent_span_id, parent, "the proxy's span is the request's parent");
    let path = request.attributes.iter().find(|a| a.key == "path").expect("the path attribute");
    assert!(format!("{:?}", path.value).contains("/api/auth/login"), "{path:?}");
    // Each child hangs (through its parents) under the request's span.
    let under_request = |span: &opentelemetry_proto::tonic::trace::v1::Span| {
        let mut at = span.parent_span_id.clone();
        for _ in 0..10 {
            if at == request.span_id {
                return true;
            }
            match spans.iter().find(|s| s.span_id == at) {
                Some(parent) => at = parent.parent_span_id.clone(),
                None => return false,
            }
        }
        false
    };
    let hash = spans.iter().find(|s| s.name == "password.hash").unwrap();
    assert!(under_request(hash), "the hash is a child of the request");
    assert!(hash.end_time_unix_nano > hash.start_time_unix_nano);
    let database: Vec<_> = spans.iter().filter(|s| s.name == "db.transaction").collect();
    assert!(!database.is_empty() && database.iter().all(|s| under_request(s)), "database spans under the request");

    // From an address that is not a trusted proxy, the header is not believed.
    let stranger_trace: [u8; 16] = *uuid::Uuid::new_v4().as_bytes();
    let forged = format!("00-{}-{}-01", hex(&stranger_trace), hex(&parent));
    let stranger = client_from("127.0.0.2");
    let response = stranger.get(app.url("/api/nope")).header("traceparent", forged).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Its request was exported (after the login's), in a trace of its own.
    let started = Instant::now();
    loop {
        let spans = receiver.spans.lock().unwrap().clone();
        let nope = spans.iter().find(|s| {
            s.name == "request" && s.attributes.iter().any(|a| format!("{:?}", a.value).contains("/api/nope"))
        });
        if let Some(span) = nope {
            assert_ne!(span.trace_id, stranger_trace, "a stranger's traceparent was continued");
            assert!(span.parent_span_id.is_empty(), "a root span");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the stranger's request was not exported");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
