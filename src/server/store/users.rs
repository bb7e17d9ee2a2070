//! The `users` table: one row per account.

use super::tx::{OnUnique, StoreError, Tx};
use crate::{
    server::{db::Backend, ids::UserId, time::UnixMillis},
    shared::{i18n::Lang, roles::Roles},
};
use quick_cache::sync::Cache;
use sqlx::AnyPool;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    /// Trimmed and lower-cased (`Email::parse`).
    pub email: String,
    /// An argon2id PHC string; empty for an account without a password (made through
    /// a provider): `password_hash` stays `NOT NULL`, and no PHC string is empty, so
    /// no password can ever match it ([`UserRow::has_password`]).
    pub password_hash: String,
    pub created_at: UnixMillis,
    /// When the address was proved by following a mailed link; `None` until then.
    pub email_verified_at: Option<UnixMillis>,
    /// Moved on by every change that ends the account's sessions ([`end_credentials`]).
    pub credential_epoch: i64,
    #[sqlx(try_from = "String")]
    pub roles: Roles,
    /// When an administrator locked it; every way in answers `account_locked` meanwhile.
    pub locked_at: Option<UnixMillis>,
}

/// An account as the API shows it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub created_at: UnixMillis,
    pub email_verified_at: Option<UnixMillis>,
    /// Carried in the access tokens issued for it.
    #[sqlx(try_from = "String")]
    pub roles: Roles,
}

impl UserRow {
    /// A new account for `email`: `password_hash` empty for none, `verified_at` when
    /// the sign-up itself proved the address (a provider vouched, a mailed code).
    pub fn new(
        email: &crate::shared::credentials::Email,
        password_hash: String,
        verified_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> UserRow {
        UserRow {
            id: UserId::generate(),
            email: email.to_string(),
            password_hash,
            created_at: now,
            email_verified_at: verified_at,
            credential_epoch: 0,
            roles: Default::default(),
            locked_at: None,
        }
    }

    /// Whether the account has a password at all.
    pub fn has_password(&self) -> bool {
        !self.password_hash.is_empty()
    }
}

impl From<&UserRow> for Account {
    fn from(user: &UserRow) -> Account {
        Account {
            id: user.id,
            email: user.email.clone(),
            created_at: user.created_at,
            email_verified_at: user.email_verified_at,
            roles: user.roles.clone(),
        }
    }
}

/// Accounts kept in memory: every `GET /api/me` and every refresh's token body needs
/// one, and they rarely change. An entry is used for a few seconds at most, so a
/// change made by another instance shows within that time; changes made here call
/// [`super::Store::forget`].
#[derive(Clone)]
pub struct AccountCache {
    entries: Arc<Cache<UserId, (Instant, Arc<Account>)>>,
}

/// How long a cached account is believed.
const ACCOUNT_MAX_AGE: Duration = Duration::from_secs(5);

impl AccountCache {
    pub fn new() -> Self {
        AccountCache { entries: Arc::new(Cache::new(50_000)) }
    }

    /// The account `id`, from the cache or the database.
    pub async fn get(&self, pool: &AnyPool, id: UserId) -> Result<Option<Arc<Account>>, StoreError> {
        if let Some((loaded, account)) = self.entries.get(&id) {
            if loaded.elapsed() < ACCOUNT_MAX_AGE {
                return Ok(Some(account));
            }
        }
        let found: Option<Account> =
            sqlx::query_as("SELECT id, email, created_at, email_verified_at, roles FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        Ok(found.map(|account| {
            let account = Arc::new(account);
            self.entries.insert(id, (Instant::now(), account.clone()));
            account
        }))
    }

    pub fn forget(&self, id: UserId) {
        self.entries.remove(&id);
    }
}

impl Default for AccountCache {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    Created,
    EmailTaken,
}

pub async fn insert(tx: &mut Tx<'_>, user: &UserRow) -> Result<Inserted, StoreError> {
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id)
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(user.created_at)
    .bind(user.email_verified_at)
    .execute(tx.conn())
    .await
    .map(|_| Inserted::Created)
    .on_unique(Inserted::EmailTaken)
}

const USER_COLUMNS: &str =
    "id, email, password_hash, created_at, email_verified_at, credential_epoch, roles, locked_at";

pub async fn by_email(pool: &AnyPool, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id(pool: &AnyPool, id: UserId) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(pool).await?)
}

/// The account `id`, read in `tx` (after the locks it holds).
pub async fn by_id_in(tx: &mut Tx<'_>, id: UserId) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?)
}

/// The account's roles now, from the database (never a cache): what an administration
/// endpoint checks on every request. `None` once the account is gone.
pub async fn roles_of<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    id: UserId,
) -> Result<Option<Roles>, StoreError> {
    let roles: Option<String> =
        sqlx::query_scalar("SELECT roles FROM users WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(roles.map(Roles::from))
}

pub async fn set_roles(tx: &mut Tx<'_>, id: UserId, roles: &Roles) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET roles = $1 WHERE id = $2")
        .bind(roles.to_column())
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Locks the account with `reason` (what the administrator wrote), or unlocks it
/// (`None`). Ending its sessions is the caller's ([`crate::server::auth::admin::lock`]).
pub async fn set_locked(tx: &mut Tx<'_>, id: UserId, lock: Option<(&str, UnixMillis)>) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET locked_at = $1, locked_reason = $2 WHERE id = $3")
        .bind(lock.map(|(_, at)| at))
        .bind(lock.map(|(reason, _)| reason))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether the account is locked now (`None`: no such account). Asked when a refresh
/// token is refused, to say why.
pub async fn is_locked(pool: &AnyPool, id: UserId) -> Result<Option<bool>, StoreError> {
    let locked: Option<Option<UnixMillis>> =
        sqlx::query_scalar("SELECT locked_at FROM users WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(locked.map(|at| at.is_some()))
}

/// How many unlocked accounts hold `role` (up to `at_most`): the last-administrator rule asks
/// whether there are two, start-up whether there is one. Without a limit this would
/// read every account; with one it stops at the `at_most`-th found.
pub async fn count_with_role<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    role: &str,
    at_most: i64,
) -> Result<i64, StoreError> {
    // `_` is LIKE's any-character: escaped, so `a_b` does not count `a-b`.
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE (' ' || roles || ' ') LIKE $1 ESCAPE '\\' \
           AND locked_at IS NULL LIMIT $2) AS found",
    )
    .bind(format!("% {} %", role.replace('_', "\\_")))
    .bind(at_most)
    .fetch_one(conn)
    .await?)
}

/// Remembers the language the account was last used in (mails are written in it).
pub async fn set_language(tx: &mut Tx<'_>, id: UserId, lang: Lang) -> Result<(), StoreError> {
    // Written only when it changes: most sign-ins speak the account's language already.
    sqlx::query("UPDATE users SET lang = $1 WHERE id = $2 AND lang <> $3")
        .bind(lang.code())
        .bind(id)
        .bind(lang.code())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The account's language; `None` once the account is gone.
pub async fn language(pool: &AnyPool, id: UserId) -> Result<Option<Lang>, StoreError> {
    let code: Option<String> =
        sqlx::query_scalar("SELECT lang FROM users WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(code.map(|code| Lang::from_tag(&code).unwrap_or_default()))
}

/// What proving an address came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proved {
    /// The account's address is proved for the first time now.
    First,
    /// It was proved before.
    Again,
    /// `email` is not the account's address (any more).
    NotTheAddress,
}

/// Marks `email` verified if it is still the account's address.
pub async fn verify_email(tx: &mut Tx<'_>, id: UserId, email: &str, now: UnixMillis) -> Result<Proved, StoreError> {
    let first = sqlx::query(
        "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email = $3 AND email_verified_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(email)
    .execute(tx.conn())
    .await?;
    if first.rows_affected() == 1 {
        return Ok(Proved::First);
    }
    let current: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = $1 AND email = $2")
        .bind(id)
        .bind(email)
        .fetch_optional(tx.conn())
        .await?;
    Ok(if current.is_some() { Proved::Again } else { Proved::NotTheAddress })
}

/// Moves the account's credential epoch on: a sign-in that read the old one can no
/// longer open a session ([`still_current`]). Call it first in the transaction of the
/// change: on PostgreSQL the row lock it takes orders the change against those sign-ins.
/// Takes `id`'s row lock on PostgreSQL (SQLite's writer lock already orders every
/// write transaction): two removals of sign-in methods side by side are ordered, so
/// both cannot see the other's method still there and leave none.
pub async fn hold(tx: &mut Tx<'_>, id: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET credential_epoch = credential_epoch WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// How many ways `id` has to sign in, in `tx`: a password, each passkey, each
/// provider (an email code is a way back in, not a method the person chose).
pub async fn sign_in_methods(tx: &mut Tx<'_>, id: UserId) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT (CASE WHEN u.password_hash <> '' THEN 1 ELSE 0 END) \
           + (SELECT COUNT(*) FROM passkeys WHERE user_id = u.id) \
           + (SELECT COUNT(*) FROM provider_identities WHERE user_id = u.id) \
         FROM users u WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .unwrap_or(0))
}

pub async fn end_credentials(tx: &mut Tx<'_>, id: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET credential_epoch = credential_epoch + 1 WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether `epoch`, read with the credential a sign-in checked, is still the account's.
/// An `UPDATE` rather than a `SELECT`: on PostgreSQL it waits for a change holding the
/// row and then sees that change's epoch, so the answer cannot be stale by the time
/// the sign-in commits.
pub async fn still_current(tx: &mut Tx<'_>, id: UserId, epoch: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE users SET credential_epoch = $1 WHERE id = $2 AND credential_epoch = $1")
        .bind(epoch)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    Changed,
    /// Another account has the address now.
    EmailTaken,
}

/// Makes `email` (just proved) the account's address; also how a "this wasn't me" link
/// puts the old address back.
pub async fn change_email(tx: &mut Tx<'_>, id: UserId, email: &str, now: UnixMillis) -> Result<Changed, StoreError> {
    sqlx::query("UPDATE users SET email = $1, email_verified_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await
        .map(|_| Changed::Changed)
        .on_unique(Changed::EmailTaken)
}

pub async fn set_password(tx: &mut Tx<'_>, id: UserId, password_hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes the account; its sessions and their refresh tokens go with it (the
/// foreign keys cascade).
pub async fn delete(tx: &mut Tx<'_>, id: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// One account as the administration lists it: its facts and counts, never a hash,
/// secret or token.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: UserId,
    pub email: String,
    pub created_at: UnixMillis,
    pub email_verified_at: Option<UnixMillis>,
    #[sqlx(try_from = "String")]
    pub roles: Roles,
    pub last_sign_in_at: Option<UnixMillis>,
    pub locked_at: Option<UnixMillis>,
    pub two_step: i64,
    pub passkeys: i64,
    pub sessions: i64,
}

/// Where a page of [`list`] starts: after the account created at `created_at` with
/// `id` (newest first), so an account created meanwhile never shifts a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: UnixMillis,
    pub id: UserId,
}

/// Which accounts [`list`] lists.
#[derive(Clone, Copy, Debug)]
pub enum Filter<'a> {
    All,
    /// Those whose email starts with this, or whose id it is.
    Query(&'a str),
    /// The one account with this id.
    Id(UserId),
}

impl<'a> Filter<'a> {
    /// A search box's text: everyone when there is none.
    pub fn search(query: Option<&'a str>) -> Filter<'a> {
        query.map_or(Filter::All, Filter::Query)
    }
}

/// Up to `limit` accounts of `filter`, newest first, after `before`. Each row's counts
/// are subqueries on indexes by user (`sessions_by_user`, `passkeys_by_user`,
/// `audit_events_by_user_kind`).
pub async fn list(
    pool: &AnyPool,
    backend: Backend,
    filter: Filter<'_>,
    before: Option<Cursor>,
    limit: i64,
    now: UnixMillis,
) -> Result<Vec<Listed>, StoreError> {
    // Emails (and ids) are stored lower-cased: so is the search, on both backends.
    let (query, id) = match filter {
        Filter::All => (None, None),
        Filter::Query(q) => (Some(q.to_lowercase()), None),
        Filter::Id(id) => (None, Some(id.to_string())),
    };
    let query = query.as_deref();
    // LIKE's own characters in the query are escaped: `a_b` looks for `a_b` only.
    let prefix = query.map(|q| format!("{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let range = match (query, backend) {
        (Some(q), Backend::Sqlite) => few_matches(pool, q).await?,
        _ => None,
    };
    let sql = format!(
        // The page is chosen first (the inner query) and only its rows are counted,
        // not every match of a search before the sort.
        "SELECT u.id, u.email, u.created_at, u.email_verified_at, u.roles, u.locked_at, \
           (SELECT MAX(e.at) FROM audit_events e WHERE e.user_id = u.id AND e.kind IN ('signed_in', 'signed_up')) \
              AS last_sign_in_at, \
           (SELECT COUNT(*) FROM totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS two_step, \
           (SELECT COUNT(*) FROM passkeys p WHERE p.user_id = u.id) AS passkeys, \
           (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL \
              AND s.expires_at > $1 AND s.idle_expires_at > $1) AS sessions \
         FROM (SELECT u.id, u.email, u.created_at, u.email_verified_at, u.roles, u.locked_at FROM users u \
           WHERE {} AND {} ORDER BY u.created_at DESC, u.id DESC LIMIT $6) u \
         ORDER BY u.created_at DESC, u.id DESC",
        // ($7, $8: the range of a rare prefix, or NULL.)
        match filter {
            Filter::Query(_) if range.is_some() => {
                "((u.email >= $7 AND u.email < $8 AND u.email LIKE $2 ESCAPE '\\') OR u.id = $3)"
            }
            Filter::Query(_) => "(u.email LIKE $2 ESCAPE '\\' OR u.id = $3) AND ($7 IS NULL AND $8 IS NULL)",
            Filter::All => "($2 IS NULL AND $3 IS NULL AND $7 IS NULL AND $8 IS NULL)",
            Filter::Id(_) => "($2 IS NULL AND u.id = $3 AND $7 IS NULL AND $8 IS NULL)",
        },
        if before.is_some() {
            "(u.created_at < $4 OR (u.created_at = $4 AND u.id < $5))"
        } else {
            "($4 IS NULL AND $5 IS NULL)"
        },
    );
    Ok(sqlx::query_as(&sql)
        .bind(now)
        .bind(prefix)
        .bind(query.map(str::to_string).or(id))
        .bind(before.map(|c| c.created_at))
        .bind(before.map(|c| c.id))
        .bind(limit)
        .bind(range.as_ref().map(|(low, _)| low.clone()))
        .bind(range.map(|(_, high)| high))
        .fetch_all(pool)
        .await?)
}

/// Matches of a search past which walking the accounts newest first (the order of the
/// list) finds a page sooner than sorting every match: about √(page × accounts) at a
/// million accounts, where both take a few thousand index entries.
const DENSE_MATCHES: i64 = 5_000;

/// On SQLite, the bounds of the emails starting with `query`, when fewer than
/// [`DENSE_MATCHES`] do: the list then reads them from the `email` index and sorts
/// them, instead of walking every account for a prefix few share (151 ms already at
/// 20,000 accounts, `make scale`). Emails are stored lower-cased and SQLite compares text
/// bytewise, so every match lies in [query, query + U+10FFFF). PostgreSQL's order is
/// the database's collation, in which that need not hold: there the search walks.
async fn few_matches(pool: &AnyPool, query: &str) -> Result<Option<(String, String)>, StoreError> {
    let (low, high) = (query.to_string(), format!("{query}\u{10FFFF}"));
    let matches: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE email >= $1 AND email < $2 LIMIT $3) m")
            .bind(&low)
            .bind(&high)
            .bind(DENSE_MATCHES)
            .fetch_one(pool)
            .await?;
    Ok((matches < DENSE_MATCHES).then_some((low, high)))
}
