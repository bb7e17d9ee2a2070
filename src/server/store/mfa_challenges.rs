//! The `mfa_challenges` table: the second step of a sign-in (or of a password reset)
//! waiting for its code. Found by the SHA-256 of its `mfa_token`.

use super::{
    secret_token::SecretToken,
    tx::{StoreError, Tx},
};
use crate::server::{ids::UserId, time::UnixMillis};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChallengeRow {
    pub token_hash: String,
    pub user_id: UserId,
    /// For a password reset: the new password, set once the second step succeeds.
    pub new_password_hash: Option<String>,
    pub failures: i64,
    /// How the first step was made (`sign_in::Method`).
    pub method: Option<String>,
}

pub async fn insert(
    tx: &mut Tx<'_>,
    token: &SecretToken,
    user: UserId,
    new_password_hash: Option<&str>,
    method: &str,
    expires_at: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mfa_challenges (token_hash, user_id, new_password_hash, method, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token.hash())
    .bind(user)
    .bind(new_password_hash)
    .bind(method)
    .bind(expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The live challenge of `token` with fewer than `max_failures` wrong codes.
pub async fn find(
    tx: &mut Tx<'_>,
    token: &SecretToken,
    max_failures: i64,
    now: UnixMillis,
) -> Result<Option<ChallengeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT token_hash, user_id, new_password_hash, failures, method FROM mfa_challenges \
         WHERE token_hash = $1 AND expires_at > $2 AND failures < $3",
    )
    .bind(token.hash())
    .bind(now)
    .bind(max_failures)
    .fetch_optional(tx.conn())
    .await?)
}

/// Counts a wrong code against the challenge.
pub async fn failed(tx: &mut Tx<'_>, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE mfa_challenges SET failures = failures + 1 WHERE token_hash = $1")
        .bind(token_hash)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Uses the challenge up: false if a parallel request used it first.
pub async fn spend(tx: &mut Tx<'_>, token_hash: &str) -> Result<bool, StoreError> {
    let done =
        sqlx::query("DELETE FROM mfa_challenges WHERE token_hash = $1").bind(token_hash).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every second step of `user` waiting for its code (a credential change).
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM mfa_challenges WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
    Ok(())
}

pub async fn prune(tx: &mut Tx<'_>, now: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM mfa_challenges WHERE token_hash IN (SELECT token_hash FROM mfa_challenges WHERE expires_at < $1 LIMIT $2)",
    )
    .bind(now)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
