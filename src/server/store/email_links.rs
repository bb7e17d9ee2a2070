//! The `email_links` table: the links mails carry (reset the password, verify the
//! address, confirm a new one). A link is single use: using it deletes it, in the
//! transaction of what it does. Its token is made when its mail is sent, and only the
//! token's SHA-256 is stored ([`SecretToken`]), so the database never holds a usable link.

pub use super::secret_token::SecretToken;
use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{LinkId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

text_enum! {
    /// What a link does.
    pub enum Purpose {
        ResetPassword = "reset_password",
        /// Proves the account's current address.
        VerifyEmail = "verify_email",
        /// Proves a new address; using it makes it the account's.
        ChangeEmail = "change_email",
    }
}

/// A link about to be created.
pub struct NewLink<'a> {
    pub id: LinkId,
    pub user_id: UserId,
    pub purpose: Purpose,
    pub email: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Creates `link` and deletes the account's older links of its purpose (with their
/// unsent mails): only the newest link works.
pub async fn replace(tx: &mut Tx<'_>, link: &NewLink<'_>) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM email_links WHERE user_id = $1 AND purpose = $2")
        .bind(link.user_id)
        .bind(link.purpose)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO email_links (id, user_id, purpose, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.id)
    .bind(link.user_id)
    .bind(link.purpose)
    .bind(link.email)
    .bind(link.created_at)
    .bind(link.expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Gives the link its token, as its mail is being sent; false if the link is gone
/// (replaced, used, its account deleted) or expired, and the mail is pointless.
pub async fn arm(tx: &mut Tx<'_>, id: LinkId, token: &SecretToken, now: UnixMillis) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE email_links SET token_hash = $1 WHERE id = $2 AND expires_at > $3")
        .bind(token.hash())
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A live link, as found by its token.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LinkRow {
    pub id: LinkId,
    pub user_id: UserId,
    pub purpose: Purpose,
    pub email: String,
}

/// The unexpired link of `token` with one of `purposes`, if there is one.
pub async fn find(
    pool: &AnyPool,
    token: &SecretToken,
    purposes: &[Purpose],
    now: UnixMillis,
) -> Result<Option<LinkRow>, StoreError> {
    let found: Option<LinkRow> =
        sqlx::query_as("SELECT id, user_id, purpose, email FROM email_links WHERE token_hash = $1 AND expires_at > $2")
            .bind(token.hash())
            .bind(now)
            .fetch_optional(pool)
            .await?;
    Ok(found.filter(|link| purposes.contains(&link.purpose)))
}

/// Uses the link up: false if another request used it first.
pub async fn spend(tx: &mut Tx<'_>, id: LinkId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM email_links WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the account's links of `purpose` (a reset ends every pending reset link).
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId, purpose: Purpose) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM email_links WHERE user_id = $1 AND purpose = $2")
        .bind(user)
        .bind(purpose)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes up to `batch` links that expired before `cutoff`.
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM email_links WHERE id IN (SELECT id FROM email_links WHERE expires_at < $1 LIMIT $2)")
        .bind(cutoff)
        .bind(batch)
        .execute(tx.conn())
        .await?
        .rows_affected())
}
