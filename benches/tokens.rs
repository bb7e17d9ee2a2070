//! Token issue/verify and refresh rotation, measured without HTTP in between.
//!
//!     make bench            (cargo bench --features ssr --bench tokens)
//!
//! The rotation benchmark runs against a real SQLite file (WAL, synchronous=FULL, as
//! in production), or against PostgreSQL when `BATON_BENCH_DATABASE_URL` names one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: a panic is its failure report

use baton::server::{
    auth::{device::Device, rotation, sign_in},
    config::Settings,
    ids::{SessionId, UserId},
    state::AppState,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::Mutex;

fn benchmarks(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("BATON_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let mut settings = Settings::from_sources("bench", None, &|_| None).unwrap();
    settings.database_url = database_url.clone();
    let state = runtime.block_on(AppState::build(&settings)).unwrap();
    let tokens = state.tokens.clone();

    let (sub, sid) = (UserId::generate(), SessionId::generate());
    let now = state.clock.now().as_secs();
    c.bench_function("access token: issue (EdDSA sign)", |b| {
        b.iter(|| tokens.issue_access(sub, sid, &Default::default(), now, now).unwrap())
    });

    let token = tokens.issue_access(sub, sid, &Default::default(), now, now).unwrap();
    c.bench_function("access token: verify again (cache: SHA-256, lookup, expiry, revocation)", |b| {
        b.to_async(&runtime).iter(|| async { tokens.verify_access(&token, now).await.unwrap() })
    });

    // One account with one session, rotated over and over through the real flow.
    let device = Device {
        user_agent: "bench".into(),
        addr: "127.0.0.1".into(),
        net: "127.0.0.1".into(),
        lang: Default::default(),
        browser: None,
    };
    let email = format!("bench-{}@example.com", UserId::generate());
    let first = runtime.block_on(sign_in::register(&state, &email, "bench password", &device)).unwrap();
    c.bench_function("refresh token: verify (header, kid, EdDSA, claims; never cached)", |b| {
        b.to_async(&runtime).iter(|| async { tokens.verify_refresh(&first.refresh_token, now).await.unwrap() })
    });
    let current = Mutex::new(first.refresh_token);
    let backend = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    c.bench_function(&format!("refresh: rotate + sign both tokens ({backend})"), |b| {
        b.to_async(&runtime).iter(|| async {
            let presented = current.lock().unwrap().clone();
            let grant = rotation::refresh(&state, Some(&presented)).await.unwrap();
            *current.lock().unwrap() = grant.refresh_token;
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(5));
    targets = benchmarks
}
criterion_main!(benches);
