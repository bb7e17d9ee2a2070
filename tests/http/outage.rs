//! PostgreSQL going away and coming back: the instance stays live (`/livez` 200), is
//! not ready (`/readyz`, `/healthz` 503), answers `internal` where it needs the
//! database, loses nothing, and recovers by itself, without a restart.
//! This test runs its own throwaway cluster, since it stops and starts it.

use crate::helpers::*;
use reqwest::StatusCode;
use std::{
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    /// A new cluster, or `None` where PostgreSQL tests do not run (said loudly by
    /// `skipped`; under CI a missing PostgreSQL fails instead).
    fn start() -> Option<Cluster> {
        if !postgres_available() {
            return None;
        }
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max();
        let Some(bin) = bin else {
            skipped("No initdb under /usr/lib/postgresql", "the PostgreSQL outage test", "");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let cluster = Cluster { bin, dir, port };
        if is_root() {
            Command::new("chown").arg("nobody").arg(cluster.dir.path()).status().unwrap();
        }
        let data = cluster.data();
        assert!(cluster
            .run("initdb", &["-D", &data, "-U", "baton", "--auth=trust", "--no-sync"])
            .status()
            .unwrap()
            .success());
        cluster.pg_ctl("start");
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Command {
        let program = self.bin.join(tool);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args).stdout(Stdio::null()).stderr(Stdio::null());
        command
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let log = self.dir.path().join("server.log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", data.as_str(), "-w", "-t", "30", "-l", log.as_str(), "-o", options.as_str()];
        if action == "stop" {
            args.extend(["-m", "fast"]);
        }
        args.push(action);
        assert!(self.run("pg_ctl", &args).status().unwrap().success(), "pg_ctl {action}");
    }

    fn url(&self) -> String {
        format!("postgres://baton@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]).status();
    }
}

fn is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

async fn wait_for(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what} did not happen within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_gives_503_and_internal_then_recovers_losing_nothing() {
    let Some(cluster) = Cluster::start() else { return };
    let app = Instance::spawn(&cluster.url(), &[]).await;
    let who = app.signed_up().await;

    assert_eq!(app.get("/livez", None).await.status(), StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
    cluster.pg_ctl("stop");
    wait_for("/readyz 503", Duration::from_secs(10), async || {
        app.get("/readyz", None).await.status() == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Alive all the same: a liveness probe must not restart it for its database.
    let live = app.get("/livez", None).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let refresh = app.refresh(&who.refresh).await;
    assert!(!clears_cookie(&refresh), "the cookie survives an outage");
    assert_error(refresh, 500, "internal").await;
    assert_error(app.get("/api/sessions", Some(&who.access)).await, 500, "internal").await;
    assert_error(app.login(&who.email, PASSWORD).await, 500, "internal").await;

    cluster.pg_ctl("start");
    wait_for("/readyz 200", Duration::from_secs(20), async || {
        app.get("/readyz", None).await.status() == StatusCode::OK
    })
    .await;
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
    // The failed refresh spent nothing: the same token rotates now.
    let response = app.refresh(&who.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.get("/api/me", Some(&who.access)).await.status(), StatusCode::OK);
}
