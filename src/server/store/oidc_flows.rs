//! The `oidc_flows` table: a trip to an OpenID provider between its start and its
//! callback. In the database, so any instance can take the callback; found by the
//! SHA-256 of its `state` and taken exactly once.

use super::{
    secret_token::SecretToken,
    tx::{StoreError, Tx},
};
use crate::server::{ids::UserId, time::UnixMillis};

/// A flow as it is stored (the `state` and the browser's cookie only as hashes).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Flow {
    pub browser_hash: String,
    pub provider: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub redirect_uri: String,
    pub next: String,
    /// The account to connect the identity to; `None` for a sign-in.
    pub user_id: Option<UserId>,
    pub expires_at: UnixMillis,
}

pub async fn insert(tx: &mut Tx<'_>, state: &SecretToken, flow: &Flow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO oidc_flows \
           (state_hash, browser_hash, provider, pkce_verifier, nonce, redirect_uri, next, user_id, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(state.hash())
    .bind(&flow.browser_hash)
    .bind(&flow.provider)
    .bind(&flow.pkce_verifier)
    .bind(&flow.nonce)
    .bind(&flow.redirect_uri)
    .bind(&flow.next)
    .bind(flow.user_id)
    .bind(flow.expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Takes the flow of `state`: gone afterwards, whatever the callback makes of it (a
/// replayed `state` finds nothing). Expired ones are taken too; the caller checks.
pub async fn take(tx: &mut Tx<'_>, state: &SecretToken) -> Result<Option<Flow>, StoreError> {
    Ok(sqlx::query_as(
        "DELETE FROM oidc_flows WHERE state_hash = $1 \
         RETURNING browser_hash, provider, pkce_verifier, nonce, redirect_uri, next, user_id, expires_at",
    )
    .bind(state.hash())
    .fetch_optional(tx.conn())
    .await?)
}

/// Ends every connection of a provider that `user` has started (a credential change).
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM oidc_flows WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
    Ok(())
}

pub async fn prune(tx: &mut Tx<'_>, now: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM oidc_flows WHERE state_hash IN (SELECT state_hash FROM oidc_flows WHERE expires_at < $1 LIMIT $2)",
    )
    .bind(now)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
