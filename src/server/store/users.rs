//! The `users` table: one row per account.

use super::{OnUnique, StoreError, Tx};
use crate::server::{ids::UserId, time::UnixMillis};
use sqlx::AnyPool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    /// Trimmed and lower-cased (`Email::parse`).
    pub email: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub created_at: UnixMillis,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    Created,
    EmailTaken,
}

pub async fn insert(tx: &mut Tx, user: &UserRow) -> Result<Inserted, StoreError> {
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

pub async fn by_email(pool: &AnyPool, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as("SELECT id, email, password_hash, created_at FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id(pool: &AnyPool, id: UserId) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as("SELECT id, email, password_hash, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}
