//! The `email_links` table: the links mails carry (reset the password, verify the
//! address, confirm a new one). A link is single use: using it deletes it, in the
//! transaction of what it does. Its token is made when its mail is sent, and only the
//! token's SHA-256 is stored ([`LinkToken`]), so the database never holds a usable link.

use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{LinkId, UserId},
    time::UnixMillis,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};
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

/// A link's secret: 32 random bytes, base64url in the URL, SHA-256 in the database.
pub struct LinkToken(String);

impl LinkToken {
    pub fn generate() -> LinkToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        LinkToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it came back in a request; `None` if it cannot be one of ours
    /// (so nothing is looked up for it).
    pub fn parse(text: &str) -> Option<LinkToken> {
        // 32 bytes are 43 characters: anything longer is not decoded at all.
        let text = text.trim();
        if text.len() != 43 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        (bytes.len() == 32).then(|| LinkToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored and looked up.
    pub fn hash(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
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
pub async fn arm(tx: &mut Tx<'_>, id: LinkId, token: &LinkToken, now: UnixMillis) -> Result<bool, StoreError> {
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
    token: &LinkToken,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_32_random_bytes_and_parses_back_to_the_same_hash() {
        let token = LinkToken::generate();
        assert_eq!(token.as_str().len(), 43);
        assert_ne!(token.as_str(), LinkToken::generate().as_str());
        let parsed = LinkToken::parse(token.as_str()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_ne!(token.hash(), token.as_str());
    }

    #[test]
    fn anything_else_is_not_a_token() {
        for text in
            ["", "abc", "!!!!", &"A".repeat(44), &URL_SAFE_NO_PAD.encode([0u8; 31]), "a b", &"A".repeat(100_000)]
        {
            assert!(LinkToken::parse(text).is_none(), "{text:?}");
        }
    }
}
