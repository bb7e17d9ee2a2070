//! Fills a freshly migrated Baton database with a large, realistic data set, for
//! `make scale` (scripts/scale.sh): the server measured at a million accounts.
//!
//!     cargo run --release --features ssr --example seed -- sqlite://scale.db
//!     ACCOUNTS=20000 TOKENS=200000 EVENTS=400000 target/release/examples/seed postgres://…
//!
//! The URL is the first argument (else `DATABASE_URL`); the sizes come from the
//! environment, with defaults for a million accounts:
//!
//! - `ACCOUNTS` (1,000,000) accounts `scale-{n}@example.com`, every one with the password
//!   `scale test password`, created over the last year in order of `n`;
//! - `SESSIONS` (TOKENS / 5) sessions begun over the retention window, and `TOKENS`
//!   (10,000,000) refresh tokens in their families: live, revoked (with their reason,
//!   some for reuse), idle or past their absolute lifetime;
//! - `EVENTS` (20,000,000) security events over the retention window: a sign-in per
//!   session and the event that ended it, sign-ups and verifications, and the rest
//!   (mostly failed sign-ins, a good part of them credential stuffing);
//!   `scale-0@example.com` has exactly `SCALE0_EVENTS` (100,000) of them, all shown
//!   on its activity page;
//! - `PASSKEYS` and `TOTP` (30% of the accounts each), `ADMIN_ACTIONS` (5%), and every
//!   account's usual devices and browsers (`known_devices`, `known_browsers`).
//!
//! Which account is which, for the benchmarks: scale-N has a passkey when N % 10 is 2,
//! 3 or 4 (among the first PASSKEYS such), the authenticator app (a second step at
//! sign-in) when it is 5, 6 or 7 (the first TOTP), and is locked when N % 1000 is 999;
//! half of those ending in 9 never verified their address. So every N % 10 in {0, 1, 8}
//! signs in with the password alone, verified (scale-0 and scale-1 among them).
//! scale-17, scale-50017, … are administrators. No seeded address is in 10/8 or 127/8,
//! so no seeded failure counts against a benchmark's own clients.
//!
//! The lifetimes and the retention window are the server's own settings (Leptos.toml,
//! `BATON_*`), so that nothing written here is swept at the server's first start.
//! `LIGHT_HASH` makes the one password hash cheap (see [`hash_password`]).
//! `SEED` (1) picks the data: every row is made from it and the row's number, so a pass
//! recomputes the session a token or an event belongs to instead of keeping millions
//! in memory. The instants are counted back from the moment of the run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool: a panic is its failure report

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use baton::{
    server::{
        auth::{device::limit_key, method::Method},
        config::Settings,
        db,
        store::{admin_actions::Action, sessions::RevokeReason},
    },
    shared::{activity::EventKind, device::describe_device, roles::ADMIN},
};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::runtime::Runtime;
use uuid::Uuid;

type Failure = Box<dyn std::error::Error + Send + Sync>;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const YEAR: i64 = 365 * DAY;

/// The password of every account.
const PASSWORD: &str = "scale test password";
/// Rows per transaction (SQLite) or per `COPY` (PostgreSQL).
const BATCH: usize = 50_000;
/// Every this many sessions belongs to scale-0, the activity page's account: its
/// sign-ins are real sessions, and its session list stays a page long or so.
const SCALE0_SESSION_EVERY: u64 = 400;

fn main() -> Result<(), Failure> {
    let url = match std::env::args().nth(1) {
        Some(flag) if flag.starts_with('-') => {
            println!("usage: seed [DATABASE_URL]   (sizes: see benches/load/seed.rs)");
            return Ok(());
        }
        Some(url) => url,
        None => std::env::var("DATABASE_URL").map_err(|_| "give the database URL (sqlite://… or postgres://…)")?,
    };
    let world = World::new(Sizes::from_env(), Settings::load()?)?;
    let census = Census::of(&world);
    world.announce(&census);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut db = runtime.block_on(Db::open(&url))?;
    runtime.block_on(db.check_empty())?;

    let w = &world;
    let sizes = &world.sizes;
    let started = Instant::now();
    let loads = [
        load(&runtime, &mut db, &USERS, sizes.accounts, || (0..sizes.accounts).map(|n| w.user_row(n)))?,
        load(&runtime, &mut db, &SESSIONS, sizes.sessions, || Sessions::new(w).map(|s| w.session_row(s)))?,
        load(&runtime, &mut db, &REFRESH_TOKENS, sizes.tokens, || Sessions::new(w).flat_map(|s| w.token_rows(&s)))?,
        load(&runtime, &mut db, &AUDIT_EVENTS, census.events(), || w.events(&census))?,
        load(&runtime, &mut db, &PASSKEYS, sizes.passkeys, || (0..sizes.passkeys).map(|i| w.passkey_row(i)))?,
        load(&runtime, &mut db, &TOTP, sizes.totp, || (0..sizes.totp).map(|i| w.totp_row(i)))?,
        load(&runtime, &mut db, &ADMIN_ACTIONS, sizes.admin_actions, || {
            (0..sizes.admin_actions).map(|i| w.admin_row(i))
        })?,
        load(&runtime, &mut db, &KNOWN_DEVICES, census.devices, || (0..sizes.accounts).flat_map(|n| w.device_rows(n)))?,
        load(&runtime, &mut db, &KNOWN_BROWSERS, census.devices, || {
            (0..sizes.accounts).flat_map(|n| w.browser_rows(n))
        })?,
    ];
    let finishing = Instant::now();
    runtime.block_on(db.finish())?;
    let total: u64 = loads.iter().sum();
    let elapsed = started.elapsed();
    println!(
        "seed: {} rows in {:.1} s ({} rows/s), finishing {:.1} s",
        thousands(total),
        elapsed.as_secs_f64(),
        thousands(per_second(total, elapsed)),
        finishing.elapsed().as_secs_f64()
    );
    println!("seed: rows now in the database:");
    for table in TABLES {
        println!("  {:<15} {:>12}", table.name, thousands(runtime.block_on(db.count(table.name))?));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// What to write.

/// How much to write, each from its environment variable.
struct Sizes {
    accounts: u64,
    sessions: u64,
    tokens: u64,
    events: u64,
    scale0_events: u64,
    passkeys: u64,
    totp: u64,
    admin_actions: u64,
}

impl Sizes {
    fn from_env() -> Sizes {
        let accounts = env_or("ACCOUNTS", 1_000_000).max(2);
        let tokens = env_or("TOKENS", 10_000_000);
        // A session is a family of at least one token.
        let sessions = env_or("SESSIONS", tokens / 5).min(tokens);
        Sizes {
            accounts,
            sessions,
            tokens: if sessions == 0 { 0 } else { tokens },
            events: env_or("EVENTS", 20_000_000),
            scale0_events: env_or("SCALE0_EVENTS", 100_000),
            passkeys: env_or("PASSKEYS", accounts * 3 / 10).min(class_size(accounts, PASSKEY_DIGIT)),
            totp: env_or("TOTP", accounts * 3 / 10).min(class_size(accounts, TOTP_DIGIT)),
            admin_actions: env_or("ADMIN_ACTIONS", accounts / 20),
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.replace(['_', ','], "").parse().unwrap_or_else(|_| panic!("{name}={text:?} is not a count")),
        Err(_) => default,
    }
}

/// The first digit (N % 10) of the three that have a passkey, and of those with TOTP.
const PASSKEY_DIGIT: u64 = 2;
const TOTP_DIGIT: u64 = 5;

/// How many of `accounts` end in one of the three digits from `first`.
fn class_size(accounts: u64, first: u64) -> u64 {
    accounts / 10 * 3 + (accounts % 10).saturating_sub(first).min(3)
}

/// The `i`-th account of the class whose digits start at `first`.
fn class_member(i: u64, first: u64) -> u64 {
    i / 3 * 10 + first + i % 3
}

/// Where `n` stands in the class whose digits start at `first`, if it is one of the
/// `size` seeded members.
fn class_index(n: u64, first: u64, size: u64) -> Option<u64> {
    let digit = n % 10;
    if !(first..first + 3).contains(&digit) {
        return None;
    }
    let i = n / 10 * 3 + digit - first;
    (i < size).then_some(i)
}

/// Everything the rows are made from: the sizes, the server's lifetimes and
/// retention, the instant the data ends at, and what every row shares.
struct World {
    sizes: Sizes,
    seed: u64,
    now: i64,
    /// The start of the retention window: an event older than this, or a session that
    /// ended before it, would be swept at the server's first start.
    window: i64,
    /// The first account's creation.
    first_account: i64,
    refresh_ttl: i64,
    session_ttl: i64,
    /// One argon2id hash of [`PASSWORD`] for every account: hashing a million would
    /// take hours, and a shared salt changes nothing a sign-in does.
    password_hash: &'static str,
    /// A key id shaped like the server's (an RFC 7638 thumbprint) but of no key: no one
    /// holds a seeded token, so none is ever verified.
    kid: &'static str,
    /// Browsers' User-Agents and the device names the server gives them.
    devices: Vec<(&'static str, String)>,
    /// The `method` of a `signed_in` event.
    methods: Methods,
}

struct Methods {
    password: &'static str,
    passkey: &'static str,
    email_code: &'static str,
    provider: &'static str,
}

impl World {
    fn new(sizes: Sizes, settings: Settings) -> Result<World, Failure> {
        let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let hashing = Instant::now();
        let password_hash = hash_password()?;
        println!("seed: the password's argon2id hash took {:.2} s", hashing.elapsed().as_secs_f64());
        // Leaked once: every row borrows them, as `&'static str` rows need no copy.
        let leak = |text: String| -> &'static str { text.leak() };
        Ok(World {
            seed: env_or("SEED", 1),
            now,
            window: now - millis(settings.operations.retention),
            first_account: now - YEAR,
            refresh_ttl: millis(settings.tokens.refresh_ttl),
            session_ttl: millis(settings.tokens.session_ttl),
            password_hash: leak(password_hash),
            kid: leak(URL_SAFE_NO_PAD.encode(Sha256::digest(b"baton scale seed"))),
            devices: BROWSERS.iter().map(|agent| (*agent, describe_device(agent))).collect(),
            methods: Methods {
                password: leak(Method::Password.as_wire()),
                passkey: leak(Method::Passkey.as_wire()),
                email_code: leak(Method::EmailCode.as_wire()),
                provider: leak(Method::Provider("google".into()).as_wire()),
            },
            sizes,
        })
    }

    fn announce(&self, census: &Census) {
        let s = &self.sizes;
        println!(
            "seed: {} accounts, {} sessions, {} refresh tokens, {} events ({} of scale-0), {} passkeys, {} TOTP, \
             {} admin actions, {} known devices and as many browsers",
            thousands(s.accounts),
            thousands(s.sessions),
            thousands(s.tokens),
            thousands(census.events()),
            thousands(census.scale0.max(s.scale0_events)),
            thousands(s.passkeys),
            thousands(s.totp),
            thousands(s.admin_actions),
            thousands(census.devices),
        );
        println!(
            "seed: over the retention window of {} days; refresh tokens live {} days, sessions {} days",
            (self.now - self.window) / DAY,
            self.refresh_ttl / DAY,
            self.session_ttl / DAY
        );
        let f = &census.fates;
        println!(
            "seed: sessions: {} live, {} revoked ({} for reuse), {} idle past their token, {} past their lifetime",
            thousands(f.live),
            thousands(f.revoked),
            thousands(f.reused),
            thousands(f.idle),
            thousands(f.expired)
        );
        if census.scale0 > s.scale0_events {
            println!("seed: scale-0's sessions alone give it {} events, more than SCALE0_EVENTS", census.scale0);
        }
        if census.background() == 0 {
            println!("seed: EVENTS is smaller than the sessions' and scale-0's own events: writing those only");
        }
    }

    fn dice(&self, stream: Stream, index: u64) -> Dice {
        Dice::of(self.seed, stream, index)
    }
}

/// argon2id with the server's parameters (src/server/auth/password.rs), or with
/// `LIGHT_HASH` set at argon2id's least (8 KiB, one pass): a verification reads its
/// parameters from the hash, so a sign-in then costs what the server does around the
/// hash, which `make scale` compares between an empty and a full database.
fn hash_password() -> Result<String, Failure> {
    use argon2::{
        password_hash::{rand_core::OsRng, PasswordHasher, SaltString},
        Algorithm, Argon2, Params, Version,
    };
    let params = match std::env::var_os("LIGHT_HASH") {
        Some(_) => Params::new(8, 1, 1, None)?,
        None => Params::new(19 * 1024, 2, 1, None)?,
    };
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password(PASSWORD.as_bytes(), &salt)?.to_string())
}

// ---------------------------------------------------------------------------------------
// Randomness.

/// What a [`Dice`] is rolled for: each kind of row has its own sequence.
#[derive(Clone, Copy)]
enum Stream {
    UserId = 1,
    User,
    Session,
    Token,
    SessionEvent,
    AccountEvent,
    Scale0Event,
    Background,
    Passkey,
    Totp,
    Admin,
    Device,
    Home,
}

/// SplitMix64: small, fast even unoptimised, and seeded per row, so that any row can be
/// made again from its number alone.
struct Dice(u64);

impl Dice {
    fn of(seed: u64, stream: Stream, index: u64) -> Dice {
        Dice(mix(mix(seed ^ ((stream as u64) << 48)) ^ index))
    }

    /// An instant in `[from, to)`, or `from` if that is empty.
    fn between(&mut self, from: i64, to: i64) -> i64 {
        if to > from {
            self.gen_range(from..to)
        } else {
            from
        }
    }

    /// An exponentially distributed length of time.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.gen::<f64>()).ln()
    }

    fn one_of<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.gen_range(0..items.len())]
    }

    /// One of `(weight, item)`.
    fn weighted<T: Copy>(&mut self, table: &[(u32, T)]) -> T {
        let total: u32 = table.iter().map(|(weight, _)| weight).sum();
        let mut roll = self.gen_range(0..total);
        for &(weight, item) in table {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        table[table.len() - 1].1
    }
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(z: u64) -> u64 {
    let z = z.wrapping_add(GOLDEN);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl RngCore for Dice {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes()[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// A version 7 id of the instant `at`, as the server makes them (src/server/ids.rs).
fn v7(at: i64, dice: &mut Dice) -> Uuid {
    let mut random = [0u8; 10];
    dice.fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &random).into_uuid()
}

// ---------------------------------------------------------------------------------------
// Accounts.

/// What the `users` row of an account holds, beyond its id and address.
struct Account {
    id: Uuid,
    created: i64,
    verified: Option<i64>,
    locked: Option<(i64, &'static str)>,
}

const LOCK_REASONS: &[&str] =
    &["Chargeback under review", "Reported for spam", "Asked by the owner while travelling", "Suspicious activity"];

impl World {
    /// Accounts were created in order of `n`, evenly over the last year.
    fn created_at(&self, n: u64) -> i64 {
        let step = YEAR / self.sizes.accounts as i64;
        self.first_account
            + (i128::from(YEAR) * i128::from(n) / i128::from(self.sizes.accounts)) as i64
            + (mix(self.seed ^ n) % step.max(1) as u64) as i64
    }

    /// How many accounts surely existed at `at`.
    fn accounts_before(&self, at: i64) -> u64 {
        let n = i128::from(at - self.first_account) * i128::from(self.sizes.accounts) / i128::from(YEAR) - 1;
        n.clamp(0, i128::from(self.sizes.accounts)) as u64
    }

    fn user_id(&self, n: u64) -> Uuid {
        v7(self.created_at(n), &mut self.dice(Stream::UserId, n))
    }

    fn account(&self, n: u64) -> Account {
        let mut dice = self.dice(Stream::User, n);
        let created = self.created_at(n);
        // One in twenty never followed the verification link: half of those ending in
        // 9, so that those the benchmarks sign in with are all verified, and so are
        // those with a passkey or the app (both need a proved address).
        let unproved = n % 10 == 9 && dice.gen_bool(0.5);
        let verified = (!unproved).then(|| dice.between(created + MINUTE, (created + 2 * DAY).min(self.now)));
        let locked = (n % 1000 == 999).then(|| (dice.between(created, self.now), dice.one_of(LOCK_REASONS)));
        Account { id: self.user_id(n), created, verified, locked }
    }

    fn roles(n: u64) -> &'static str {
        if n % 50_000 == 17 {
            ADMIN
        } else if n % 1_000 == 517 {
            "support"
        } else {
            ""
        }
    }

    fn user_row(&self, n: u64) -> Row {
        let account = self.account(n);
        let mut dice = self.dice(Stream::User, n ^ (1 << 63));
        let (locked_at, locked_reason) = match account.locked {
            Some((at, reason)) => (Val::Int(at), Val::Str(reason)),
            None => (Val::Null, Val::Null),
        };
        // Most never changed a credential; some did once or twice.
        let epoch = if dice.gen_bool(0.05) { dice.gen_range(1..4) } else { 0 };
        vec![
            Val::Id(account.id),
            Val::Text(email(n)),
            Val::Str(self.password_hash),
            Val::Int(account.created),
            opt_int(account.verified),
            Val::Str(if dice.gen_bool(0.1) { "ko" } else { "en" }),
            Val::Int(epoch),
            Val::Str(World::roles(n)),
            locked_at,
            locked_reason,
        ]
    }
}

fn email(n: u64) -> String {
    format!("scale-{n}@example.com")
}

// ---------------------------------------------------------------------------------------
// Where people sign in from.

const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
];

/// What credential stuffing sends.
const SCRIPTS: &[&str] = &[
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "okhttp/4.12.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
];

/// First octets of public IPv4 ranges: none is private, loopback or the 10/8 that the
/// benchmarks' own clients name.
const FIRST_OCTETS: &[u8] =
    &[2, 5, 24, 31, 37, 46, 50, 62, 66, 71, 77, 81, 88, 94, 98, 104, 109, 151, 176, 185, 188, 212, 217];

/// Addresses credential stuffing comes from.
const ATTACKERS: u64 = 3_000;

/// A client address, and what the sign-in limits count it by (`limit_key`).
struct Place {
    addr: String,
    net: String,
}

/// The address of hash `h`: one in seven IPv6. Variant `k` differs from the others of
/// the same `h` in its last part only, so an account's usual places never coincide.
fn place(h: u64, k: u64) -> Place {
    let ip = if h.is_multiple_of(7) {
        let part = |shift: u32| ((h >> shift) & 0xffff) as u16;
        IpAddr::V6(Ipv6Addr::new(
            0x2a02,
            part(8),
            part(24),
            part(40),
            part(3),
            part(19),
            part(35),
            (part(48) & 0xfffe) | k as u16,
        ))
    } else {
        let first = FIRST_OCTETS[(h >> 8) as usize % FIRST_OCTETS.len()];
        IpAddr::V4(Ipv4Addr::new(first, (h >> 16) as u8, (h >> 24) as u8, ((h >> 32) % 250) as u8 + 1 + k as u8))
    };
    Place { addr: ip.to_string(), net: limit_key(ip) }
}

/// One of an account's usual devices: a browser on an address.
struct Home {
    agent: &'static str,
    place: Place,
}

impl World {
    /// Each account signs in from one or two usual devices.
    fn homes(&self, n: u64) -> u64 {
        1 + (mix(self.seed ^ ((Stream::Home as u64) << 48) ^ n) & 1)
    }

    fn home(&self, n: u64, k: u64) -> Home {
        let h = mix(mix(self.seed ^ ((Stream::Home as u64) << 40)) ^ n);
        Home { agent: self.devices[(mix(h ^ k) % self.devices.len() as u64) as usize].0, place: place(h, k) }
    }

    fn usual_home(&self, n: u64, dice: &mut Dice) -> Home {
        let k = dice.gen_range(0..self.homes(n));
        self.home(n, k)
    }

    /// Somewhere else: a hotel, a phone on another network.
    fn elsewhere(&self, dice: &mut Dice) -> Home {
        Home { agent: dice.one_of(BROWSERS), place: place(dice.next_u64(), 0) }
    }

    fn attacker(&self, dice: &mut Dice) -> Home {
        let h = mix(self.seed ^ 0xA77A_C4E5 ^ dice.gen_range(0..ATTACKERS));
        Home { agent: SCRIPTS[(h >> 40) as usize % SCRIPTS.len()], place: place(h, 0) }
    }
}

// ---------------------------------------------------------------------------------------
// Sessions and their refresh tokens.

/// One session: who, from where, when each token of its family was issued (the
/// first at the sign-in, each next one when the one before was spent), and its end.
struct SessionPlan {
    index: u64,
    id: Uuid,
    owner: u64,
    home: Home,
    issued: Vec<i64>,
    expires: i64,
    idle_expires: i64,
    end: End,
}

enum End {
    Live,
    Revoked {
        at: i64,
        reason: RevokeReason,
    },
    /// Its last token expired unused.
    Idle,
    /// Past its absolute lifetime; `refused_at` if a token came back after it.
    Expired {
        refused_at: Option<i64>,
    },
}

impl SessionPlan {
    fn created(&self) -> i64 {
        self.issued[0]
    }

    fn last_used(&self) -> i64 {
        self.issued[self.issued.len() - 1]
    }
}

/// Why sessions were revoked, by weight.
const REVOKE_REASONS: &[(u32, RevokeReason)] = &[
    (60, RevokeReason::Logout),
    (10, RevokeReason::LogoutAll),
    (10, RevokeReason::Revoked),
    (4, RevokeReason::Reuse),
    (7, RevokeReason::PasswordChanged),
    (5, RevokeReason::PasswordReset),
    (1, RevokeReason::NotMe),
    (3, RevokeReason::Admin),
];

/// The sessions in order, each planned from its number and the tokens left for the
/// families after it: every pass that needs them makes the same ones again.
struct Sessions<'w> {
    world: &'w World,
    next: u64,
    tokens_left: u64,
}

impl<'w> Sessions<'w> {
    fn new(world: &'w World) -> Self {
        Sessions { world, next: 0, tokens_left: world.sizes.tokens }
    }
}

impl Iterator for Sessions<'_> {
    type Item = SessionPlan;

    fn next(&mut self) -> Option<SessionPlan> {
        let index = self.next;
        let sessions_left = self.world.sizes.sessions.checked_sub(index).filter(|left| *left > 0)?;
        self.next += 1;
        let mut dice = self.world.dice(Stream::Session, index);
        let tokens = family_size(&mut dice, self.tokens_left, sessions_left);
        self.tokens_left -= tokens;
        Some(self.world.plan_session(index, tokens, &mut dice))
    }
}

/// How many tokens a family has: most a few, some many (geometric), around the mean
/// of what is left, so that the families add up to exactly TOKENS.
fn family_size(dice: &mut Dice, tokens_left: u64, sessions_left: u64) -> u64 {
    if sessions_left <= 1 {
        return tokens_left;
    }
    let most = tokens_left - (sessions_left - 1);
    let mean_extra = tokens_left as f64 / sessions_left as f64 - 1.0;
    if mean_extra <= 0.0 {
        return 1;
    }
    // floor(Exp) with this rate is geometric with mean `mean_extra`.
    let rate = (1.0 + 1.0 / mean_extra).ln();
    let extra = dice.exponential(1.0 / rate).floor().min(50.0 * mean_extra) as u64;
    (1 + extra).min(most)
}

impl World {
    fn plan_session(&self, index: u64, tokens: u64, dice: &mut Dice) -> SessionPlan {
        let span = self.now - self.window;
        let sessions = self.sizes.sessions as i64;
        let created = self.window
            + (i128::from(span) * i128::from(index) / i128::from(sessions)) as i64
            + dice.between(0, span / sessions);
        let owner = self.session_owner(index, created, dice);
        let home = if dice.gen_bool(0.9) { self.usual_home(owner, dice) } else { self.elsewhere(dice) };
        let expires = created + self.session_ttl;
        let issued = self.issue_times(created, expires, tokens, dice);
        let last = issued[issued.len() - 1];
        // As the rotation keeps it: the current token's expiry, never past the end.
        let idle_expires = (last / 1000 + self.refresh_ttl / 1000).min(expires / 1000) * 1000;
        let end = self.end_of(last, idle_expires, expires, tokens, dice);
        SessionPlan { index, id: v7(created, dice), owner, home, issued, expires, idle_expires, end }
    }

    /// scale-0 for its share; otherwise anyone whose account existed, but not a locked
    /// one (locking ends every session).
    fn session_owner(&self, index: u64, created: i64, dice: &mut Dice) -> u64 {
        if index.is_multiple_of(SCALE0_SESSION_EVERY) {
            return 0;
        }
        let known = self.accounts_before(created).clamp(2, self.sizes.accounts);
        let n = dice.gen_range(1..known);
        if n % 1000 == 999 {
            n - 1
        } else {
            n
        }
    }

    /// When each token of a family of `tokens` was issued. A person comes back at their
    /// own pace (from every ten minutes to every other day); each rotation comes before
    /// the token it spends expires, and all before the session's end and now.
    fn issue_times(&self, created: i64, expires: i64, tokens: u64, dice: &mut Dice) -> Vec<i64> {
        let pace = (10.0 * MINUTE as f64).ln() + dice.gen::<f64>() * ((2 * DAY) as f64 / (10 * MINUTE) as f64).ln();
        let longest = 0.95 * self.refresh_ttl as f64;
        let mut offsets = Vec::with_capacity(tokens as usize);
        let mut t = 0.0;
        offsets.push(t);
        for _ in 1..tokens {
            t += dice.exponential(pace.exp()).min(longest);
            offsets.push(t);
        }
        let room = (self.now.min(expires) - created - 1).max(0) as f64;
        let squeeze = if t > room { room * dice.gen_range(0.3..1.0) / t } else { 1.0 };
        offsets.iter().map(|offset| created + (offset * squeeze) as i64).collect()
    }

    /// About a third are revoked while they could still be used; the rest are live, or
    /// ended by themselves.
    fn end_of(&self, last: i64, idle_expires: i64, expires: i64, tokens: u64, dice: &mut Dice) -> End {
        let usable_until = idle_expires.min(self.now);
        if last + 1 < usable_until && dice.gen_bool(0.35) {
            let reason = match dice.weighted(REVOKE_REASONS) {
                // Reuse is a spent token coming back: a family of one has none.
                RevokeReason::Reuse if tokens < 2 => RevokeReason::Logout,
                reason => reason,
            };
            return End::Revoked { at: dice.between(last + 1, usable_until), reason };
        }
        if idle_expires > self.now {
            End::Live
        } else if idle_expires < expires / 1000 * 1000 {
            End::Idle
        } else {
            let refused = expires < self.now && dice.gen_bool(0.3);
            End::Expired { refused_at: refused.then(|| dice.between(expires, self.now)) }
        }
    }

    fn session_row(&self, s: SessionPlan) -> Row {
        let (revoked_at, reason) = match s.end {
            End::Revoked { at, reason } => (Val::Int(at), Val::Str(reason.as_str())),
            _ => (Val::Null, Val::Null),
        };
        // A rotation opens a refresh window (the refresh limit's) and counts itself.
        let rotated = s.issued.len() > 1;
        let (created, last_used) = (s.created(), s.last_used());
        vec![
            Val::Id(s.id),
            Val::Id(self.user_id(s.owner)),
            Val::Int(created),
            Val::Int(last_used),
            Val::Int(s.idle_expires),
            Val::Int(s.expires),
            revoked_at,
            reason,
            Val::Str(s.home.agent),
            Val::Text(s.home.place.addr),
            Val::Int(if rotated { last_used } else { 0 }),
            Val::Int(i64::from(rotated)),
            Val::Int(created),
        ]
    }

    /// A family: each token spent when the next was issued (its parent), but the last.
    fn token_rows(&self, s: &SessionPlan) -> Vec<Row> {
        let mut dice = self.dice(Stream::Token, s.index);
        let jtis: Vec<Uuid> = s.issued.iter().map(|at| v7(*at, &mut dice)).collect();
        let refresh_secs = self.refresh_ttl / 1000;
        (0..jtis.len())
            .map(|j| {
                let iat = s.issued[j] / 1000;
                vec![
                    Val::Id(jtis[j]),
                    Val::Id(s.id),
                    j.checked_sub(1).map_or(Val::Null, |parent| Val::Id(jtis[parent])),
                    Val::Str(self.kid),
                    Val::Int(iat),
                    Val::Int((iat + refresh_secs).min(s.expires / 1000)),
                    opt_int(s.issued.get(j + 1).copied()),
                ]
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Security events.

/// A security event's columns, as `security_events::Event` has them; each kind fills
/// the ones the server fills for it.
#[derive(Default)]
struct Event {
    user_id: Option<Uuid>,
    session_id: Option<Uuid>,
    email: Option<String>,
    client_addr: Option<String>,
    client_net: Option<String>,
    user_agent: Option<&'static str>,
    reason: Option<&'static str>,
    method: Option<&'static str>,
}

impl Event {
    fn row(self, kind: EventKind, at: i64, dice: &mut Dice) -> Row {
        let text = |value: Option<String>| value.map_or(Val::Null, Val::Text);
        let word = |value: Option<&'static str>| value.map_or(Val::Null, Val::Str);
        vec![
            Val::Id(v7(at, dice)),
            Val::Int(at),
            Val::Str(kind.as_str()),
            self.user_id.map_or(Val::Null, Val::Id),
            self.session_id.map_or(Val::Null, Val::Id),
            text(self.email),
            text(self.client_addr),
            text(self.client_net),
            word(self.user_agent),
            word(self.reason),
            word(self.method),
        ]
    }
}

/// Everything but the sessions' and the accounts' own events, by weight (of 1,000).
const BACKGROUND: &[(u32, EventKind)] = &[
    (620, EventKind::SignInFailed),
    (80, EventKind::RegisterAttempt),
    (60, EventKind::ResetRequested),
    (50, EventKind::EmailCodeRequested),
    (40, EventKind::MfaFailed),
    (30, EventKind::EmailCodeFailed),
    (20, EventKind::LinkRequested),
    (20, EventKind::PasswordChanged),
    (15, EventKind::PasskeyAdded),
    (5, EventKind::PasskeyRemoved),
    (8, EventKind::MfaEnabled),
    (3, EventKind::MfaDisabled),
    (5, EventKind::RecoveryCodeUsed),
    (5, EventKind::RecoveryCodesRenewed),
    (5, EventKind::EmailChanged),
    (2, EventKind::EmailChangeCancelled),
    (8, EventKind::ProviderConnected),
    (2, EventKind::ProviderDisconnected),
    (2, EventKind::NotMeReported),
    (1, EventKind::CredentialsRemovedOnVerification),
    (2, EventKind::AdminRolesChanged),
    (2, EventKind::AdminLocked),
    (1, EventKind::AdminUnlocked),
    (4, EventKind::AccountDeleted),
];

/// scale-0's events beyond its sessions': an account under steady attack, all of them
/// kinds its activity page shows.
const SCALE0_MIX: &[(u32, EventKind)] = &[
    (850, EventKind::SignInFailed),
    (60, EventKind::EmailCodeFailed),
    (40, EventKind::PasswordChanged),
    (20, EventKind::EmailChangeCancelled),
    (10, EventKind::NotMeReported),
    (10, EventKind::PasskeyAdded),
    (10, EventKind::PasskeyRemoved),
];

const NAMES: &[&str] =
    &["anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kim", "lena"];
const DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "web.de", "naver.com", "icloud.com"];

/// An address with no account, as leaked lists and typos give them.
fn stranger(dice: &mut Dice) -> String {
    format!("{}{}@{}", dice.one_of(NAMES), dice.gen_range(0..100_000), dice.one_of(DOMAINS))
}

/// How many events each part of the events table gets, and what else the tables
/// need to know beforehand; counted by making the sessions once.
struct Census {
    session_events: u64,
    account_events: u64,
    /// scale-0's events from its sessions (and sign-up, if recent).
    scale0: u64,
    scale0_wanted: u64,
    events_wanted: u64,
    devices: u64,
    fates: Fates,
}

#[derive(Default)]
struct Fates {
    live: u64,
    revoked: u64,
    reused: u64,
    idle: u64,
    expired: u64,
}

impl Census {
    fn of(world: &World) -> Census {
        let mut census = Census {
            session_events: 0,
            account_events: 0,
            scale0: 0,
            scale0_wanted: world.sizes.scale0_events,
            events_wanted: world.sizes.events,
            devices: (0..world.sizes.accounts).map(|n| world.homes(n)).sum(),
            fates: Fates::default(),
        };
        for session in Sessions::new(world) {
            let events = 1 + u64::from(world.end_event(&session).is_some());
            census.session_events += events;
            if session.owner == 0 {
                census.scale0 += events;
            }
            census.fates.count(&session.end);
        }
        for n in 0..world.sizes.accounts {
            let events = world.account_moments(n).iter().flatten().count() as u64;
            census.account_events += events;
            if n == 0 {
                census.scale0 += events;
            }
        }
        census
    }

    fn scale0_top_up(&self) -> u64 {
        self.scale0_wanted.saturating_sub(self.scale0)
    }

    fn background(&self) -> u64 {
        self.events_wanted.saturating_sub(self.session_events + self.account_events + self.scale0_top_up())
    }

    fn events(&self) -> u64 {
        self.session_events + self.account_events + self.scale0_top_up() + self.background()
    }
}

impl Fates {
    fn count(&mut self, end: &End) {
        match end {
            End::Live => self.live += 1,
            End::Revoked { reason, .. } => {
                self.revoked += 1;
                self.reused += u64::from(*reason == RevokeReason::Reuse);
            }
            End::Idle => self.idle += 1,
            End::Expired { .. } => self.expired += 1,
        }
    }
}

impl World {
    /// The events table in four runs, each in time order but the first: the sessions'
    /// sign-ins and ends, the accounts' sign-ups and verifications, scale-0's own, and
    /// everything else.
    fn events<'a>(&'a self, census: &'a Census) -> impl Iterator<Item = Row> + 'a {
        let sessions = Sessions::new(self).flat_map(|s| self.session_events(s));
        let accounts = (0..self.sizes.accounts).flat_map(|n| self.account_events(n));
        let scale0 = spread(self.window, self.now, census.scale0_top_up()).map(|(j, at)| {
            let mut dice = self.dice(Stream::Scale0Event, j);
            let kind = dice.weighted(SCALE0_MIX);
            self.account_event(kind, 0, &mut dice).row(kind, at, &mut dice)
        });
        let background = spread(self.window, self.now, census.background()).map(|(j, at)| {
            let mut dice = self.dice(Stream::Background, j);
            let kind = dice.weighted(BACKGROUND);
            self.background_event(kind, at, &mut dice).row(kind, at, &mut dice)
        });
        sessions.chain(accounts).chain(scale0).chain(background)
    }

    /// The session's sign-in, and the event that ended it, if one did.
    fn session_events(&self, s: SessionPlan) -> Vec<Row> {
        let mut dice = self.dice(Stream::SessionEvent, s.index);
        let end = self.end_event(&s);
        let method = self.sign_in_method(s.owner, &mut dice);
        let user = self.user_id(s.owner);
        let signed_in = Event {
            user_id: Some(user),
            session_id: Some(s.id),
            client_addr: Some(s.home.place.addr.clone()),
            user_agent: Some(s.home.agent),
            method: Some(method),
            ..Event::default()
        };
        let mut rows = vec![signed_in.row(EventKind::SignedIn, s.created(), &mut dice)];
        if let Some((kind, at)) = end {
            let event = match kind {
                // Asked from another device, or from this one in another session.
                EventKind::PasswordChanged | EventKind::PasswordReset => self.by_device(s.owner, None, &mut dice),
                EventKind::NotMeReported => self.by_device(s.owner, Some(s.id), &mut dice),
                EventKind::AdminSignedOut => {
                    Event { user_id: Some(user), reason: Some("Lost phone"), ..Event::default() }
                }
                _ => Event { user_id: Some(user), session_id: Some(s.id), ..Event::default() },
            };
            rows.push(event.row(kind, at, &mut dice));
        }
        rows
    }

    /// What the server records when the session ends, and when.
    fn end_event(&self, s: &SessionPlan) -> Option<(EventKind, i64)> {
        match s.end {
            End::Revoked { at, reason } => {
                let kind = match reason {
                    RevokeReason::LogoutAll => EventKind::SignedOutEverywhere,
                    RevokeReason::Revoked => EventKind::SessionRevoked,
                    RevokeReason::Reuse => EventKind::RefreshTokenReused,
                    RevokeReason::PasswordChanged => EventKind::PasswordChanged,
                    RevokeReason::PasswordReset => EventKind::PasswordReset,
                    RevokeReason::NotMe => EventKind::NotMeReported,
                    RevokeReason::Admin => EventKind::AdminSignedOut,
                    RevokeReason::Locked => EventKind::AdminLocked,
                    RevokeReason::AccountDeleted => EventKind::AccountDeleted,
                    RevokeReason::Logout => EventKind::SignedOut,
                };
                Some((kind, at))
            }
            End::Expired { refused_at: Some(at) } => Some((EventKind::SessionExpired, at)),
            _ => None,
        }
    }

    fn sign_in_method(&self, n: u64, dice: &mut Dice) -> &'static str {
        let m = &self.methods;
        let has_passkey = class_index(n, PASSKEY_DIGIT, self.sizes.passkeys).is_some();
        match dice.gen_range(0..100) {
            0..=59 if has_passkey => m.passkey,
            0..=5 => m.email_code,
            6..=9 => m.provider,
            _ => m.password,
        }
    }

    /// When account `n` signed up and proved its address, where those are within the
    /// retention window.
    fn account_moments(&self, n: u64) -> [Option<i64>; 2] {
        let account = self.account(n);
        let recent = |at: i64| (at >= self.window).then_some(at);
        [recent(account.created), account.verified.and_then(recent)]
    }

    fn account_events(&self, n: u64) -> Vec<Row> {
        let mut dice = self.dice(Stream::AccountEvent, n);
        let [signed_up, verified] = self.account_moments(n);
        let mut rows = Vec::new();
        // The sign-up's session is left out: it is one of the sessions above, or over.
        if let Some(at) = signed_up {
            rows.push(self.by_device(n, None, &mut dice).row(EventKind::SignedUp, at, &mut dice));
        }
        if let Some(at) = verified {
            rows.push(self.by_device(n, None, &mut dice).row(EventKind::EmailVerified, at, &mut dice));
        }
        rows
    }

    /// An event from one of the account's usual devices (`Device::event`).
    fn by_device(&self, n: u64, session: Option<Uuid>, dice: &mut Dice) -> Event {
        let home = self.usual_home(n, dice);
        Event {
            user_id: Some(self.user_id(n)),
            session_id: session,
            client_addr: Some(home.place.addr),
            user_agent: Some(home.agent),
            ..Event::default()
        }
    }

    /// An attempt the limits count: the address tried, and where from.
    fn attempt(user: Option<Uuid>, email: String, home: Home) -> Event {
        Event {
            user_id: user,
            email: Some(email),
            client_addr: Some(home.place.addr),
            client_net: Some(home.place.net),
            user_agent: Some(home.agent),
            ..Event::default()
        }
    }

    /// An event about account `n`, with the columns the server fills for its kind.
    fn account_event(&self, kind: EventKind, n: u64, dice: &mut Dice) -> Event {
        let user = Some(self.user_id(n));
        match kind {
            EventKind::SignInFailed | EventKind::MfaFailed | EventKind::EmailCodeFailed => {
                // Mostly the owner's own typos; for a targeted account, often not.
                let home = if dice.gen_bool(0.7) { self.usual_home(n, dice) } else { self.attacker(dice) };
                World::attempt(user, email(n), home)
            }
            EventKind::LinkRequested => {
                let home = self.usual_home(n, dice);
                Event {
                    user_id: user,
                    client_addr: Some(home.place.addr),
                    client_net: Some(home.place.net),
                    ..Event::default()
                }
            }
            EventKind::AdminLocked => {
                Event { user_id: user, reason: Some(dice.one_of(LOCK_REASONS)), ..Event::default() }
            }
            EventKind::AdminUnlocked | EventKind::AdminRolesChanged => Event { user_id: user, ..Event::default() },
            _ => self.by_device(n, None, dice),
        }
    }

    /// One of everything else, at `at`: attempts from strangers, and changes people
    /// made to their own accounts.
    fn background_event(&self, kind: EventKind, at: i64, dice: &mut Dice) -> Event {
        let known = self.accounts_before(at).clamp(2, self.sizes.accounts);
        let someone = dice.gen_range(1..known);
        match kind {
            // Credential stuffing: leaked addresses, some of them ours, from a few
            // thousand addresses.
            EventKind::SignInFailed if dice.gen_bool(0.5) => {
                let home = self.attacker(dice);
                if dice.gen_bool(0.4) {
                    World::attempt(Some(self.user_id(someone)), email(someone), home)
                } else {
                    World::attempt(None, stranger(dice), home)
                }
            }
            EventKind::RegisterAttempt => {
                let home = self.elsewhere(dice);
                Event { client_addr: Some(home.place.addr), client_net: Some(home.place.net), ..Event::default() }
            }
            EventKind::ResetRequested | EventKind::EmailCodeRequested => {
                let (home, address) = if dice.gen_bool(0.7) {
                    (self.usual_home(someone, dice), email(someone))
                } else {
                    (self.elsewhere(dice), stranger(dice))
                };
                Event {
                    email: Some(address),
                    client_addr: Some(home.place.addr),
                    client_net: Some(home.place.net),
                    ..Event::default()
                }
            }
            EventKind::AccountDeleted => Event::default(),
            EventKind::MfaFailed
            | EventKind::MfaEnabled
            | EventKind::MfaDisabled
            | EventKind::RecoveryCodeUsed
            | EventKind::RecoveryCodesRenewed => self.account_event(kind, self.in_class(someone, TOTP_DIGIT), dice),
            EventKind::PasskeyAdded | EventKind::PasskeyRemoved => {
                self.account_event(kind, self.in_class(someone, PASSKEY_DIGIT), dice)
            }
            _ => self.account_event(kind, someone, dice),
        }
    }
}

/// `count` instants spread evenly over `[from, to)`, in order, with their numbers.
fn spread(from: i64, to: i64, count: u64) -> impl Iterator<Item = (u64, i64)> {
    (0..count).map(move |j| (j, spread_at(from, to, count, j)))
}

/// The `j`-th of `count` instants spread evenly over `[from, to)`.
fn spread_at(from: i64, to: i64, count: u64, j: u64) -> i64 {
    from + (i128::from(to - from) * i128::from(j) / i128::from(count.max(1))) as i64
}

// ---------------------------------------------------------------------------------------
// Second factors, administration, devices.

const PASSKEY_NAMES: &[&str] = &[
    "iCloud Keychain",
    "Google Password Manager",
    "Windows Hello",
    "YubiKey 5 NFC",
    "1Password",
    "Pixel 8",
    "Work laptop",
];

/// webauthn-rs' credential JSON in shape, of no real key: it is read only when its
/// passkey signs in, which no one can.
const PASSKEY_JSON: &str = concat!(
    r#"{"cred":{"cred_id":"c2NhbGUtc2VlZC1wbGFjZWhvbGRlci1jcmVkZW50aWFs","cred":{"type_":"ES256","key":{"EC_EC2":"#,
    r#"{"curve":"SECP256R1","x":"n7Ae3zBP9HlNHsNlRT4Q1bEsZ3nU9yjP7e2bMjHnPcY","#,
    r#""y":"Xf7H2V1ih8N3zK3c2CKrs9cdaN6T7cV7w3f4Q4XbWwk"}}},"counter":0,"transports":["internal","hybrid"],"#,
    r#""user_verified":true,"backup_eligible":true,"backup_state":true,"registration_policy":"required","#,
    r#""extensions":{"cred_protect":"Ignored","hmac_create_secret":"NotRequested","appid":"NotRequested","#,
    r#""cred_props":"Ignored"},"attestation":{"data":"None","metadata":"None"},"attestation_format":"none"}}"#,
);

const ADMIN_ACTIONS_MIX: &[(u32, Action)] = &[
    (40, Action::SignedOut),
    (20, Action::Locked),
    (15, Action::Unlocked),
    (20, Action::RolesChanged),
    (5, Action::Deleted),
];

impl World {
    /// The account of the class whose digits start at `first` next to `n` (the same
    /// tens), or `n` if that one has no such factor.
    fn in_class(&self, n: u64, first: u64) -> u64 {
        let size = if first == PASSKEY_DIGIT { self.sizes.passkeys } else { self.sizes.totp };
        let next_to = n - n % 10 + first + n % 3;
        if class_index(next_to, first, size).is_some() {
            next_to
        } else {
            n
        }
    }

    /// When an account that needs a proved address got to adding a factor.
    fn factor_added(&self, account: &Account, dice: &mut Dice) -> i64 {
        dice.between(account.verified.unwrap_or(account.created), self.now)
    }

    fn passkey_row(&self, i: u64) -> Row {
        let account = self.account(class_member(i, PASSKEY_DIGIT));
        let mut dice = self.dice(Stream::Passkey, i);
        let created = self.factor_added(&account, &mut dice);
        // Unique by construction: the passkey's number, then random bytes.
        let mut credential = [0u8; 32];
        dice.fill_bytes(&mut credential);
        credential[..8].copy_from_slice(&i.to_be_bytes());
        let used = dice.gen_bool(0.6).then(|| dice.between(created.max(self.window), self.now));
        vec![
            Val::Id(v7(created, &mut dice)),
            Val::Id(account.id),
            Val::Text(URL_SAFE_NO_PAD.encode(credential)),
            Val::Str(dice.one_of(PASSKEY_NAMES)),
            Val::Str(PASSKEY_JSON),
            Val::Int(created),
            opt_int(used),
        ]
    }

    /// An enabled authenticator app, or (a few) a setup never confirmed.
    fn totp_row(&self, i: u64) -> Row {
        let account = self.account(class_member(i, TOTP_DIGIT));
        let mut dice = self.dice(Stream::Totp, i);
        let mut bytes = [0u8; 20];
        dice.fill_bytes(&mut bytes);
        let secret = totp_rs::Secret::new_stack(bytes).to_base32();
        let started = self.factor_added(&account, &mut dice);
        if dice.gen_bool(0.03) {
            let failures = dice.gen_range(0..3);
            return vec![
                Val::Id(account.id),
                Val::Null,
                Val::Text(secret),
                Val::Null,
                Val::Int(0),
                Val::Int(started + 10 * MINUTE),
                Val::Int(failures),
            ];
        }
        // The 30-second step of the latest code accepted.
        let last_step = dice.between(started.max(self.window), self.now) / 30_000;
        vec![
            Val::Id(account.id),
            Val::Text(secret),
            Val::Null,
            Val::Int(started),
            Val::Int(last_step),
            Val::Null,
            Val::Int(0),
        ]
    }

    /// An administrator's (or the command line's) action on an account.
    fn admin_row(&self, i: u64) -> Row {
        let mut dice = self.dice(Stream::Admin, i);
        let at = spread_at(self.window, self.now, self.sizes.admin_actions, i);
        let admins = (self.sizes.accounts + 50_000 - 18) / 50_000;
        let (actor_id, actor_email) = if admins > 0 && dice.gen_bool(0.9) {
            let admin = 17 + 50_000 * dice.gen_range(0..admins);
            (Val::Id(self.user_id(admin)), Val::Text(email(admin)))
        } else {
            (Val::Null, Val::Str("cli"))
        };
        let action = dice.weighted(ADMIN_ACTIONS_MIX);
        let target = dice.gen_range(2..self.sizes.accounts.max(3));
        let (target_id, target_email) = match action {
            // A deleted account's id is gone from `users`, and its address from here.
            Action::Deleted => (Val::Id(v7(at, &mut dice)), Val::Null),
            _ => (Val::Id(self.user_id(target)), Val::Text(email(target))),
        };
        let reason = match action {
            Action::Locked | Action::Deleted => Val::Str(dice.one_of(LOCK_REASONS)),
            Action::SignedOut if dice.gen_bool(0.5) => Val::Str("Lost phone"),
            _ => Val::Null,
        };
        vec![
            Val::Id(v7(at, &mut dice)),
            Val::Int(at),
            actor_id,
            actor_email,
            Val::Str(action.as_str()),
            target_id,
            target_email,
            reason,
        ]
    }

    /// The account's usual (device, address) pairs, as its sign-ins left them.
    fn device_rows(&self, n: u64) -> Vec<Row> {
        let mut dice = self.dice(Stream::Device, n);
        let user = self.user_id(n);
        (0..self.homes(n))
            .map(|k| {
                let home = self.home(n, k);
                vec![
                    Val::Id(user),
                    Val::Text(describe_device(home.agent)),
                    Val::Text(home.place.addr),
                    Val::Int(dice.between(self.window, self.now)),
                ]
            })
            .collect()
    }

    /// The browsers (their `device` cookies' SHA-256) of the usual devices.
    fn browser_rows(&self, n: u64) -> Vec<Row> {
        let mut dice = self.dice(Stream::Device, n ^ (1 << 63));
        let user = self.user_id(n);
        (0..self.homes(n))
            .map(|_| {
                let mut hash = [0u8; 32];
                dice.fill_bytes(&mut hash);
                vec![
                    Val::Id(user),
                    Val::Text(URL_SAFE_NO_PAD.encode(hash)),
                    Val::Int(dice.between(self.window, self.now)),
                ]
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Rows and tables.

/// One column's value. Ids stay binary until written (no string per id); words every
/// row shares are borrowed.
enum Val {
    Null,
    Int(i64),
    Id(Uuid),
    Str(&'static str),
    Text(String),
}

type Row = Vec<Val>;

fn opt_int(value: Option<i64>) -> Val {
    value.map_or(Val::Null, Val::Int)
}

/// A table and the columns its rows give, in order.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
}

const USERS: Table = Table {
    name: "users",
    columns: &[
        "id",
        "email",
        "password_hash",
        "created_at",
        "email_verified_at",
        "lang",
        "credential_epoch",
        "roles",
        "locked_at",
        "locked_reason",
    ],
};
const SESSIONS: Table = Table {
    name: "sessions",
    columns: &[
        "id",
        "user_id",
        "created_at",
        "last_used_at",
        "idle_expires_at",
        "expires_at",
        "revoked_at",
        "revoke_reason",
        "user_agent",
        "client_addr",
        "refresh_window_start",
        "refreshes_in_window",
        "authenticated_at",
    ],
};
const REFRESH_TOKENS: Table =
    Table { name: "refresh_tokens", columns: &["jti", "session_id", "parent_jti", "kid", "iat", "exp", "used_at"] };
const AUDIT_EVENTS: Table = Table {
    name: "audit_events",
    columns: &[
        "id",
        "at",
        "kind",
        "user_id",
        "session_id",
        "email",
        "client_addr",
        "client_net",
        "user_agent",
        "reason",
        "method",
    ],
};
const PASSKEYS: Table = Table {
    name: "passkeys",
    columns: &["id", "user_id", "credential_id", "name", "passkey", "created_at", "last_used_at"],
};
const TOTP: Table = Table {
    name: "totp",
    columns: &[
        "user_id",
        "secret",
        "pending_secret",
        "enabled_at",
        "last_step",
        "pending_expires_at",
        "pending_failures",
    ],
};
const ADMIN_ACTIONS: Table = Table {
    name: "admin_actions",
    columns: &["id", "at", "actor_id", "actor_email", "action", "target_id", "target_email", "reason"],
};
const KNOWN_DEVICES: Table =
    Table { name: "known_devices", columns: &["user_id", "device", "client_addr", "last_seen_at"] };
const KNOWN_BROWSERS: Table = Table { name: "known_browsers", columns: &["user_id", "browser_hash", "last_seen_at"] };

const TABLES: [&Table; 9] = [
    &USERS,
    &SESSIONS,
    &REFRESH_TOKENS,
    &AUDIT_EVENTS,
    &PASSKEYS,
    &TOTP,
    &ADMIN_ACTIONS,
    &KNOWN_DEVICES,
    &KNOWN_BROWSERS,
];

// ---------------------------------------------------------------------------------------
// Loading.

/// Fills `table` with `rows` (`expected` of them): they are made on a thread of
/// their own while this one writes the batch before, so both cores work. The table's
/// secondary indexes are set aside while it fills and built again after, each with
/// the statement that made it: one sort instead of a random-order insert per row into
/// each (five on `audit_events`), and the same indexes the migrations made.
fn load<I, F>(runtime: &Runtime, db: &mut Db, table: &Table, expected: u64, rows: F) -> Result<u64, Failure>
where
    F: FnOnce() -> I + Send,
    I: Iterator<Item = Row>,
{
    let started = Instant::now();
    let indexes = runtime.block_on(db.set_aside_indexes(table.name))?;
    let (sender, batches) = tokio::sync::mpsc::channel::<Vec<Row>>(2);
    let written = std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut rows = rows();
            loop {
                let batch: Vec<Row> = rows.by_ref().take(BATCH).collect();
                if batch.is_empty() || sender.blocking_send(batch).is_err() {
                    break;
                }
            }
        });
        runtime.block_on(async {
            // Owned here: a failed write drops it, which stops the thread making rows.
            let mut batches = batches;
            let mut progress = Progress::new(table.name, expected);
            while let Some(batch) = batches.recv().await {
                db.write(table, &batch).await?;
                progress.add(batch.len() as u64);
            }
            Ok::<u64, Failure>(progress.rows)
        })
    })?;
    let filled = started.elapsed();
    let indexing = Instant::now();
    runtime.block_on(db.restore_indexes(&indexes))?;
    let indexed = indexing.elapsed();
    let elapsed = started.elapsed();
    println!(
        "{:<15} {:>12} rows {:>7.1} s {:>9} rows/s   (writing {:.1} s, {} indexes {:.1} s)",
        table.name,
        thousands(written),
        elapsed.as_secs_f64(),
        thousands(per_second(written, elapsed)),
        filled.as_secs_f64(),
        indexes.len(),
        indexed.as_secs_f64(),
    );
    if written != expected {
        println!("seed: {} has {written} rows, {expected} were expected", table.name);
    }
    Ok(written)
}

/// A line every tenth of a table.
struct Progress {
    table: &'static str,
    expected: u64,
    rows: u64,
    started: Instant,
}

impl Progress {
    fn new(table: &'static str, expected: u64) -> Progress {
        Progress { table, expected, rows: 0, started: Instant::now() }
    }

    fn add(&mut self, rows: u64) {
        let tenth = |n: u64| n * 10 / self.expected.max(1);
        let before = tenth(self.rows);
        self.rows += rows;
        if tenth(self.rows) > before && self.rows < self.expected {
            println!(
                "  {} {} / {} ({} rows/s)",
                self.table,
                thousands(self.rows),
                thousands(self.expected),
                thousands(per_second(self.rows, self.started.elapsed()))
            );
        }
    }
}

fn per_second(rows: u64, elapsed: Duration) -> u64 {
    (rows as f64 / elapsed.as_secs_f64().max(1e-3)) as u64
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// An index set aside while its table fills: its name and the statement that made it.
struct Index {
    name: String,
    definition: String,
}

/// The database being filled.
enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(PgConnection),
}

/// For this connection only: nothing needs to be durable before the seed is done (a
/// failed seed is thrown away), and the server sets its own pragmas on every
/// connection (src/server/db.rs). No foreign key is looked up per row (the bundled
/// SQLite checks them by default): every parent is written before its children. The
/// cache holds the tables' newest pages and their id indexes; `threads` lets an index
/// build sort on both cores.
const SQLITE_BULK: &str = "PRAGMA journal_mode = WAL; \
                           PRAGMA synchronous = OFF; \
                           PRAGMA foreign_keys = OFF; \
                           PRAGMA cache_size = -1048576; \
                           PRAGMA threads = 2;";

impl Db {
    async fn open(url: &str) -> Result<Db, Failure> {
        if db::Backend::of_url(url) == db::Backend::Postgres {
            return Ok(Db::Postgres(Db::open_postgres(url).await?));
        }
        let file = db::sqlite_file(url).ok_or("not a SQLite file URL (sqlite://path)")?;
        // Never created here: a missing file is a mistyped path, not a new database.
        let conn = rusqlite::Connection::open_with_flags(&file, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        conn.execute_batch(SQLITE_BULK)?;
        Ok(Db::Sqlite(conn))
    }

    /// A connection that commits without waiting for the disk, sorts index builds in
    /// memory, and (as the superuser it is in a throwaway cluster) skips the foreign
    /// keys' per-row checks: every parent is written before its children.
    async fn open_postgres(url: &str) -> Result<PgConnection, Failure> {
        let mut conn = PgConnection::connect(url).await?;
        conn.execute("SET synchronous_commit = off").await?;
        conn.execute("SET maintenance_work_mem = '1GB'").await?;
        if conn.execute("SET session_replication_role = replica").await.is_err() {
            println!("seed: not a superuser, so COPY checks every foreign key (slower)");
        }
        Ok(conn)
    }

    /// Seeding adds to nothing: the ids and addresses would collide with an earlier seed.
    async fn check_empty(&mut self) -> Result<(), Failure> {
        match self.count("users").await {
            Ok(0) => Ok(()),
            Ok(n) => Err(format!("the database has {n} accounts already: seed a freshly migrated one").into()),
            Err(e) => Err(format!("cannot count the accounts ({e}): is the database migrated (baton migrate)?").into()),
        }
    }

    async fn count(&mut self, table: &str) -> Result<u64, Failure> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = match self {
            Db::Sqlite(conn) => conn.query_row(&sql, [], |row| row.get(0))?,
            Db::Postgres(conn) => sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?,
        };
        Ok(u64::try_from(n)?)
    }

    async fn execute(&mut self, sql: &str) -> Result<(), Failure> {
        match self {
            Db::Sqlite(conn) => conn.execute_batch(sql)?,
            Db::Postgres(conn) => {
                conn.execute(sql).await?;
            }
        }
        Ok(())
    }

    /// Drops the table's indexes that a constraint does not need (a primary key or a
    /// `UNIQUE` column keeps checking every row), and returns them.
    async fn set_aside_indexes(&mut self, table: &str) -> Result<Vec<Index>, Failure> {
        let found: Vec<(String, String)> = match self {
            Db::Sqlite(conn) => conn
                .prepare(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
                )?
                .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?,
            Db::Postgres(conn) => {
                sqlx::query_as(
                    "SELECT indexname, indexdef FROM pg_indexes \
                     WHERE schemaname = current_schema() AND tablename = $1 \
                       AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                )
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let indexes: Vec<Index> = found.into_iter().map(|(name, definition)| Index { name, definition }).collect();
        for index in &indexes {
            self.execute(&format!("DROP INDEX {}", index.name)).await?;
        }
        Ok(indexes)
    }

    async fn restore_indexes(&mut self, indexes: &[Index]) -> Result<(), Failure> {
        for index in indexes {
            self.execute(&index.definition).await?;
        }
        Ok(())
    }

    /// One batch: a transaction of single-row inserts through one prepared statement
    /// (SQLite), or one `COPY` in text format (PostgreSQL).
    async fn write(&mut self, table: &Table, rows: &[Row]) -> Result<(), Failure> {
        match self {
            Db::Sqlite(conn) => insert_sqlite(conn, table, rows),
            Db::Postgres(conn) => {
                let sql = format!("COPY {} ({}) FROM STDIN", table.name, table.columns.join(", "));
                let mut copy = conn.copy_in_raw(&sql).await?;
                copy.send(copy_text(rows)).await?;
                copy.finish().await?;
                Ok(())
            }
        }
    }

    /// SQLite: everything into the database file, so that its size is the database's
    /// and the server starts on an empty WAL. PostgreSQL: the statistics autovacuum
    /// would gather soon after such a load, now, so that the first measurements do not
    /// plan against empty tables. (SQLite has none unless ANALYZE runs, which the
    /// server never does, so none are made for it here.)
    async fn finish(&mut self) -> Result<(), Failure> {
        match self {
            Db::Sqlite(conn) => conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?,
            Db::Postgres(conn) => {
                conn.execute("ANALYZE").await?;
            }
        }
        Ok(())
    }
}

fn insert_sqlite(conn: &mut rusqlite::Connection, table: &Table, rows: &[Row]) -> Result<(), Failure> {
    let placeholders: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {} ({}) VALUES ({})", table.name, table.columns.join(", "), placeholders.join(", "));
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(&sql)?;
        // SQLite copies each bound text, so one buffer serves every id.
        let mut id = [0u8; 36];
        for row in rows {
            for (i, value) in row.iter().enumerate() {
                match value {
                    Val::Null => insert.raw_bind_parameter(i + 1, rusqlite::types::Null)?,
                    Val::Int(n) => insert.raw_bind_parameter(i + 1, n)?,
                    Val::Id(uuid) => insert.raw_bind_parameter(i + 1, &*uuid.hyphenated().encode_lower(&mut id))?,
                    Val::Str(text) => insert.raw_bind_parameter(i + 1, text)?,
                    Val::Text(text) => insert.raw_bind_parameter(i + 1, text)?,
                }
            }
            insert.raw_execute()?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Rows in `COPY`'s text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_text(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 256);
    let mut id = [0u8; 36];
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            match value {
                Val::Null => out.extend_from_slice(b"\\N"),
                Val::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
                Val::Id(uuid) => out.extend_from_slice(uuid.hyphenated().encode_lower(&mut id).as_bytes()),
                Val::Str(text) => escape_into(&mut out, text),
                Val::Text(text) => escape_into(&mut out, text),
            }
        }
        out.push(b'\n');
    }
    out
}

fn escape_into(out: &mut Vec<u8>, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(byte),
        }
    }
}
