//! The `provider_identities` table: which account an identity at an OpenID provider
//! (the provider's id and its `sub`) signs in to. Matched by that pair only, never by
//! an email address.

use super::tx::{StoreError, Tx};
use crate::server::{ids::UserId, time::UnixMillis};
use sqlx::{AnyPool, Executor};

/// One connected identity, as `/account` shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Identity {
    pub provider: String,
    pub email: Option<String>,
    pub connected_at: UnixMillis,
}

/// The account `subject` at `provider` signs in to.
pub async fn owner(pool: &AnyPool, provider: &str, subject: &str) -> Result<Option<UserId>, StoreError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM provider_identities WHERE provider = $1 AND subject = $2")
        .bind(provider)
        .bind(subject)
        .fetch_optional(pool)
        .await?)
}

/// What [`connect`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Connected {
    Yes,
    /// The identity belongs to an account already (this one or another).
    IdentityTaken,
    /// The account has an identity at this provider already.
    ProviderTaken,
}

/// Connects `subject` at `provider` to `user`, unless either is connected already.
pub async fn connect(
    tx: &mut Tx<'_>,
    user: UserId,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    now: UnixMillis,
) -> Result<Connected, StoreError> {
    // Both uniqueness rules are the table's own (its key and index); the insert skips
    // on either conflict, and the reads say which, under this transaction's write.
    let done = sqlx::query(
        "INSERT INTO provider_identities (provider, subject, user_id, email, connected_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(provider)
    .bind(subject)
    .bind(user)
    .bind(email)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Connected::Yes);
    }
    let taken: Option<UserId> =
        sqlx::query_scalar("SELECT user_id FROM provider_identities WHERE provider = $1 AND subject = $2")
            .bind(provider)
            .bind(subject)
            .fetch_optional(tx.conn())
            .await?;
    Ok(if taken.is_some() { Connected::IdentityTaken } else { Connected::ProviderTaken })
}

/// `user`'s identities, oldest first.
pub async fn of_user<'e>(
    executor: impl Executor<'e, Database = sqlx::Any>,
    user: UserId,
) -> Result<Vec<Identity>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT provider, email, connected_at FROM provider_identities WHERE user_id = $1 ORDER BY connected_at, provider",
    )
    .bind(user)
    .fetch_all(executor)
    .await?)
}

/// Disconnects `user`'s identity at `provider`: false if there was none.
pub async fn disconnect(tx: &mut Tx<'_>, user: UserId, provider: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM provider_identities WHERE user_id = $1 AND provider = $2")
        .bind(user)
        .bind(provider)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Disconnects every identity of `user`; how many there were.
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM provider_identities WHERE user_id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
