//! A load test of refresh-token rotation against a running Baton:
//!
//!     cargo run --release --features ssr --example refresh_load -- http://127.0.0.1:3000 [seconds] [clients]
//!
//! Signs up `clients` accounts (default 16), then each client rotates its own refresh
//! token as fast as the server answers for `seconds` (default 10): every request is a
//! full rotation (verify, conditional UPDATE, new token row, commit, two signatures).
//! Prints rotations per second and latency percentiles. `make load` runs it against
//! SQLite and PostgreSQL in turn.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: a panic is its failure report

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args.first().cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let clients: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();

    let mut cookies = Vec::new();
    for _ in 0..clients {
        let email = format!("load-{}@example.com", uuid::Uuid::new_v4().simple());
        let response = http
            .post(format!("{base}/api/auth/register"))
            .form(&[("email", email.as_str()), ("password", "load test password")])
            .send()
            .await
            .expect("register");
        assert!(response.status().is_success(), "register: {}", response.status());
        cookies.push(cookie_of(&response).expect("a refresh cookie"));
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = cookies
        .into_iter()
        .map(|mut cookie| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0u32;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let response = http.post(format!("{base}/api/auth/refresh")).header("cookie", &cookie).send().await;
                    match response {
                        Ok(r) if r.status().is_success() => {
                            cookie = cookie_of(&r).expect("a rotated cookie");
                            latencies.push(sent.elapsed());
                        }
                        _ => failures += 1,
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (l, f) = worker.await.unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile =
        |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)));
    println!(
        "{} rotations in {elapsed:.1}s by {clients} clients: {:.0} rotations/s, p50 {:.2?}, p99 {:.2?}, failures {failures}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(0.50).copied().unwrap_or_default(),
        percentile(0.99).copied().unwrap_or_default(),
    );
}

/// `name=value` of the refresh cookie a response sets.
fn cookie_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("refresh_token=") && !c.contains("refresh_token=;"))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
}
