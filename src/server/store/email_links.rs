//! The `email_links` table: the links mails carry (reset the password, verify the
//! address, confirm a new one, "this wasn't me"). A link is single use: using it
//! deletes it, in the transaction of what it does. Its token is made when its mail is sent, and only the
//! token's SHA-256 is stored ([`SecretToken`]), so the database never holds a usable link.

pub use super::secret_token::SecretToken;
use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{LinkId, SessionId, UserId},
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
        /// "This wasn't me", in a new-device mail: ends that sign-in's session and
        /// every later one.
        NotMeSignIn = "not_me_sign_in",
        /// "This wasn't me", in the mail to the old address after a change: also puts
        /// that address (the link's own) back.
        NotMeEmailChange = "not_me_email_change",
    }
}

impl Purpose {
    /// How many links of this purpose an account may have live at once; a new one
    /// beyond that replaces the oldest. Three reset links, so that a stranger asking
    /// for resets of someone's address cannot kill the link the owner is about to
    /// use; every "this wasn't me" link, since each is about its own sign-in.
    pub fn live_at_once(self) -> Option<i64> {
        match self {
            Purpose::ResetPassword => Some(3),
            Purpose::VerifyEmail | Purpose::ChangeEmail => Some(1),
            Purpose::NotMeSignIn | Purpose::NotMeEmailChange => None,
        }
    }

    /// Whether the link works only while it was sent to the account's current
    /// address (a link to an address the account has left proves nothing about it).
    /// A new address's link and the old address's "this wasn't me" are meant for an
    /// address the account does not have.
    pub fn needs_current_address(self) -> bool {
        matches!(self, Purpose::ResetPassword | Purpose::VerifyEmail)
    }
}

/// A link about to be created.
pub struct NewLink<'a> {
    pub id: LinkId,
    pub user_id: UserId,
    pub purpose: Purpose,
    pub email: &'a str,
    /// The session the link is about, if any.
    pub session_id: Option<SessionId>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Creates `link`; beyond [`Purpose::live_at_once`] links of its purpose, the
/// account's oldest ones go (with their unsent mails).
pub async fn replace(tx: &mut Tx<'_>, link: &NewLink<'_>) -> Result<(), StoreError> {
    if let Some(live) = link.purpose.live_at_once() {
        sqlx::query(
            "DELETE FROM email_links WHERE user_id = $1 AND purpose = $2 AND id NOT IN \
             (SELECT id FROM email_links WHERE user_id = $1 AND purpose = $2 ORDER BY created_at DESC, id DESC LIMIT $3)",
        )
        .bind(link.user_id)
        .bind(link.purpose)
        .bind(live - 1)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query(
        "INSERT INTO email_links (id, user_id, purpose, email, session_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(link.id)
    .bind(link.user_id)
    .bind(link.purpose)
    .bind(link.email)
    .bind(link.session_id)
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
    pub session_id: Option<SessionId>,
    pub created_at: UnixMillis,
}

/// The unexpired link of `token` with one of `purposes`, if there is one.
pub async fn find(
    pool: &AnyPool,
    token: &SecretToken,
    purposes: &[Purpose],
    now: UnixMillis,
) -> Result<Option<LinkRow>, StoreError> {
    let found: Option<LinkRow> = sqlx::query_as(
        "SELECT id, user_id, purpose, email, session_id, created_at FROM email_links \
             WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token.hash())
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(found.filter(|link| purposes.contains(&link.purpose)))
}

/// The address of the account's newest live link of `purpose` (a change of address
/// waiting for its link), if there is one.
pub async fn pending_of(
    pool: &AnyPool,
    user: UserId,
    purpose: Purpose,
    now: UnixMillis,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT email FROM email_links WHERE user_id = $1 AND purpose = $2 AND expires_at > $3 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user)
    .bind(purpose)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// Uses the link up: false if another request used it first.
pub async fn spend(tx: &mut Tx<'_>, id: LinkId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM email_links WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the account's links of `purpose` (a reset ends every pending reset link);
/// how many there were.
pub async fn delete_of(tx: &mut Tx<'_>, user: UserId, purpose: Purpose) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM email_links WHERE user_id = $1 AND purpose = $2")
        .bind(user)
        .bind(purpose)
        .execute(tx.conn())
        .await?
        .rows_affected())
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
