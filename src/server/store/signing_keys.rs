//! The `signing_keys` table: Ed25519 keys by their RFC 7638 thumbprint.

use super::{
    notify,
    tx::{StoreError, Tx},
};
use crate::server::time::UnixMillis;
use sqlx::AnyPool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyRow {
    pub kid: String,
    /// The raw public key, base64url (the JWK's `x`).
    pub public_key: String,
    /// PKCS#8 DER, base64; `None` for a key kept in a PEM file.
    pub private_key: Option<String>,
    pub created_at: UnixMillis,
    pub retired_at: Option<UnixMillis>,
}

/// A generated key, as stored.
pub struct NewKey {
    pub kid: String,
    pub public_x: String,
    pub private_pkcs8: String,
}

/// Keys not retired, or retired after `retired_after`, oldest first.
pub async fn usable(pool: &AnyPool, retired_after: UnixMillis) -> Result<Vec<KeyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT kid, public_key, private_key, created_at, retired_at FROM signing_keys \
         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at",
    )
    .bind(retired_after)
    .fetch_all(pool)
    .await?)
}

pub async fn insert(tx: &mut Tx<'_>, key: &NewKey, now: UnixMillis) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO signing_keys (kid, public_key, private_key, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&key.kid)
        .bind(&key.public_x)
        .bind(&key.private_pkcs8)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn by_kid(pool: &AnyPool, kid: &str) -> Result<Option<KeyRow>, StoreError> {
    Ok(sqlx::query_as("SELECT kid, public_key, private_key, created_at, retired_at FROM signing_keys WHERE kid = $1")
        .bind(kid)
        .fetch_optional(pool)
        .await?)
}

/// Records the public half of a key kept in a PEM file, once (a retired one stays
/// retired).
pub async fn insert_public(tx: &mut Tx<'_>, kid: &str, public_x: &str, now: UnixMillis) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, public_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING",
    )
    .bind(kid)
    .bind(public_x)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Adds `key` as the active key, retires every other, and tells the other instances.
pub async fn rotate(tx: &mut Tx<'_>, key: &NewKey, now: UnixMillis) -> Result<(), StoreError> {
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(now)
        .execute(tx.conn())
        .await?;
    insert(tx, key, now).await?;
    notify::keys_changed(tx).await
}
