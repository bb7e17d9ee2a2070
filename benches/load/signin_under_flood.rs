//! Sign-in latency while another address floods registration, against a running Baton:
//!
//!     cargo run --release --features ssr --example signin_under_flood -- http://127.0.0.1:3000 [flood] [workers]
//!
//! Signs one account up, measures 20 sign-ins from 127.0.0.2 alone, then starts a
//! flood of `flood` registrations (default 300) of an already taken email from
//! 127.0.0.3 with `workers` concurrent clients (default 32), measures 20 sign-ins from
//! 127.0.0.2 while it runs, and prints both latency summaries and what the flood got.
//! `make flood` runs it against a fresh release server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: a panic is its failure report

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const PASSWORD: &str = "flood test password";

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<std::net::IpAddr>().unwrap()).build().unwrap()
}

async fn sign_ins(http: &reqwest::Client, base: &str, email: &str, count: usize) -> Vec<Duration> {
    let mut took = Vec::new();
    for _ in 0..count {
        let started = Instant::now();
        let response = http
            .post(format!("{base}/api/auth/login"))
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in");
        took.push(started.elapsed());
    }
    took
}

fn summary(mut took: Vec<Duration>) -> String {
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms", at(0.5), at(0.95), at(1.0))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args.first().cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let flood: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300);
    let workers: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);

    let person = client_from("127.0.0.2");
    let email = format!("flood-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = person
        .post(format!("{base}/api/auth/register"))
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "register");

    let alone = sign_ins(&person, &base, &email, 20).await;
    println!("sign-in alone:               {}", summary(alone));

    let flooder = client_from("127.0.0.3");
    let answers = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let flooding: Vec<_> = (0..workers)
        .map(|_| {
            let (flooder, base, email) = (flooder.clone(), base.clone(), email.clone());
            let (answers, next) = (answers.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < flood {
                    let status = flooder
                        .post(format!("{base}/api/auth/register"))
                        .form(&[("email", email.as_str()), ("password", PASSWORD)])
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    *answers.lock().unwrap().entry(status).or_default() += 1;
                }
            })
        })
        .collect();
    let during = sign_ins(&person, &base, &email, 20).await;
    for worker in flooding {
        worker.await.unwrap();
    }
    println!("sign-in during the flood:    {}", summary(during));
    let answers: Vec<String> = answers.lock().unwrap().iter().map(|(s, n)| format!("{n}× {s}")).collect();
    println!(
        "the flood ({flood} registrations of a taken email, {workers} at a time, {:.1} s): {}",
        started.elapsed().as_secs_f64(),
        answers.join(", ")
    );
}
