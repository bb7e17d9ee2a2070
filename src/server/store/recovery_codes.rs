//! The `recovery_codes` table: the SHA-256 of each of an account's unused recovery
//! codes. A code has 79 random bits, so its hash needs no password-hashing cost.

use super::tx::{StoreError, Tx};
use crate::server::ids::UserId;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

/// What is stored for `code` (already normalised by the caller).
pub fn hash(code: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code.as_bytes()))
}

/// Replaces every code of `user` with `codes`: the old ones stop working.
pub async fn replace(tx: &mut Tx<'_>, user: UserId, codes: &[String]) -> Result<(), StoreError> {
    delete_of(tx, user).await?;
    for code in codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user)
            .bind(hash(code))
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Uses `code` up: true if it was one of `user`'s unused codes.
pub async fn spend(tx: &mut Tx<'_>, user: UserId, code: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
        .bind(user)
        .bind(hash(code))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_of(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
    Ok(())
}

/// How many unused codes `user` has.
pub async fn count_of(pool: &sqlx::AnyPool, user: UserId) -> Result<i64, StoreError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1").bind(user).fetch_one(pool).await?;
    Ok(count)
}
