//! The `users` table: one row per account.

use super::tx::{OnUnique, StoreError, Tx};
use crate::{
    server::{ids::UserId, time::UnixMillis},
    shared::i18n::Lang,
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
    /// An argon2id PHC string.
    pub password_hash: String,
    pub created_at: UnixMillis,
    /// When the address was proved by following a mailed link; `None` until then.
    pub email_verified_at: Option<UnixMillis>,
    /// Moved on by every change that ends the account's sessions ([`end_credentials`]).
    pub credential_epoch: i64,
}

/// An account as the API shows it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub created_at: UnixMillis,
    pub email_verified_at: Option<UnixMillis>,
}

impl From<&UserRow> for Account {
    fn from(user: &UserRow) -> Account {
        Account {
            id: user.id,
            email: user.email.clone(),
            created_at: user.created_at,
            email_verified_at: user.email_verified_at,
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
            sqlx::query_as("SELECT id, email, created_at, email_verified_at FROM users WHERE id = $1")
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
    sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .execute(tx.conn())
        .await
        .map(|_| Inserted::Created)
        .on_unique(Inserted::EmailTaken)
}

const USER_COLUMNS: &str = "id, email, password_hash, created_at, email_verified_at, credential_epoch";

pub async fn by_email(pool: &AnyPool, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id(pool: &AnyPool, id: UserId) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(pool).await?)
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
