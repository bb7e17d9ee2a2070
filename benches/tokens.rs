//! Token issue/verify and refresh rotation, measured without HTTP in between.
//!
//!     make bench            (cargo bench --features ssr --bench tokens)
//!
//! The rotation benchmark runs against a real SQLite file (WAL, synchronous=FULL, as
//! in production), or against PostgreSQL when `BATON_BENCH_DATABASE_URL` names one.

use baton::{
    auth::{
        now_ms,
        store::{Audit, NewSession, RefreshRow, Rotation, Successor, UserRow},
    },
    config::Settings,
    state::AppState,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::Mutex;
use uuid::Uuid;

fn benchmarks(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("BATON_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let mut settings = Settings::from_sources("bench", None, &|_| None).unwrap();
    settings.database_url = database_url.clone();
    let state = runtime.block_on(AppState::build(&settings)).unwrap();
    let tokens = state.tokens.clone();

    let (sub, sid) = (Uuid::new_v4(), Uuid::new_v4());
    let now_s = now_ms() / 1000;
    c.bench_function("access token: issue (EdDSA sign)", |b| b.iter(|| tokens.issue_access(sub, sid, now_s).unwrap()));

    let token = tokens.issue_access(sub, sid, now_s).unwrap();
    c.bench_function("access token: verify (header, kid, EdDSA, claims, revocation)", |b| {
        b.to_async(&runtime).iter(|| async { tokens.verify_access(&token, now_s).await.unwrap() })
    });

    // One account with one session, rotated over and over.
    let current = runtime.block_on(async {
        let now = now_ms();
        let user = UserRow {
            id: Uuid::new_v4(),
            email: format!("bench-{}@example.com", Uuid::new_v4().simple()),
            password_hash: "unused".into(),
            created_at: now,
        };
        let session = NewSession {
            id: Uuid::new_v4(),
            user_id: user.id,
            created_at: now,
            expires_at: now + 30 * 86_400_000,
            user_agent: "bench".into(),
            client_addr: "127.0.0.1".into(),
        };
        let first = RefreshRow {
            jti: Uuid::new_v4(),
            session_id: session.id,
            user_id: user.id,
            kid: tokens.keys().active().kid,
            iat: now / 1000,
            exp: now / 1000 + 86_400,
        };
        state.store.register(&user, &session, &first, Audit { kind: "register", ..Default::default() }).await.unwrap();
        first
    });
    let current = Mutex::new(current);
    let kid = tokens.keys().active().kid;
    let backend = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    c.bench_function(&format!("refresh: rotate + sign both tokens ({backend})"), |b| {
        b.to_async(&runtime).iter(|| async {
            let presented = current.lock().unwrap().clone();
            let successor = Successor { jti: Uuid::new_v4(), kid: &kid, ttl_s: 86_400 };
            let rotation =
                state.store.rotate(presented.jti, presented.session_id, successor, 0, now_ms()).await.unwrap();
            let Rotation::Rotated { next, owner } = rotation else { panic!("rotation refused: {rotation:?}") };
            tokens.sign_refresh(&next).unwrap();
            tokens.issue_access(owner.id, next.session_id, now_ms() / 1000).unwrap();
            *current.lock().unwrap() = next;
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(5));
    targets = benchmarks
}
criterion_main!(benches);
