//! The `passkeys` table: an account's WebAuthn credentials. Each row keeps
//! webauthn-rs' credential as JSON (public key, signature counter) and the person's
//! name for it.

use super::tx::{OnUnique, StoreError, Tx};
use crate::server::{
    ids::{PasskeyId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: PasskeyId,
    pub user_id: UserId,
    /// base64url, as the browser names it.
    pub credential_id: String,
    pub name: String,
    /// webauthn-rs' `Passkey`, JSON.
    pub passkey: String,
    pub created_at: UnixMillis,
    pub last_used_at: Option<UnixMillis>,
}

const COLUMNS: &str = "id, user_id, credential_id, name, passkey, created_at, last_used_at";

#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    Created,
    /// The credential is registered already (to this account or another).
    Duplicate,
}

pub async fn insert(tx: &mut Tx<'_>, row: &PasskeyRow) -> Result<Inserted, StoreError> {
    sqlx::query(&format!("INSERT INTO passkeys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
        .bind(row.id)
        .bind(row.user_id)
        .bind(&row.credential_id)
        .bind(&row.name)
        .bind(&row.passkey)
        .bind(row.created_at)
        .bind(row.last_used_at)
        .execute(tx.conn())
        .await
        .map(|_| Inserted::Created)
        .on_unique(Inserted::Duplicate)
}

/// The account's passkeys, oldest first.
pub async fn of_user(pool: &AnyPool, user: UserId) -> Result<Vec<PasskeyRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"))
        .bind(user)
        .fetch_all(pool)
        .await?)
}

pub async fn by_credential(pool: &AnyPool, credential_id: &str) -> Result<Option<PasskeyRow>, StoreError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"))
        .bind(credential_id)
        .fetch_optional(pool)
        .await?)
}

/// Records a sign-in with the passkey: its new state (in `passkey`, with the
/// signature counter) and when. Compare-and-set: only if the stored state is still
/// `read` (what the assertion was checked against), so two assertions checked side
/// by side cannot both be recorded and move the counter back. False if it was
/// removed or used meanwhile.
pub async fn used(
    tx: &mut Tx<'_>,
    id: PasskeyId,
    read: &str,
    passkey: &str,
    now: UnixMillis,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3 AND passkey = $4")
        .bind(passkey)
        .bind(now)
        .bind(id)
        .bind(read)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes every passkey of `user`; how many there were.
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM passkeys WHERE user_id = $1").bind(user).execute(tx.conn()).await?.rows_affected())
}

/// Removes one of `user`'s passkeys: false if it has no such passkey.
pub async fn delete(tx: &mut Tx<'_>, user: UserId, id: PasskeyId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}
