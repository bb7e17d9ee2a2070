//! The `email_codes` table: the sign-in code of an address (docs/API.md, "Sign in with
//! an email code"). One per address; a new one replaces it. The code and the link's
//! token are made when the mail is sent ([`arm`]) and only their hashes are kept: the
//! token's SHA-256 ([`SecretToken`]), the code's SHA-256 with the row's id. Six digits
//! are a million values, so the code is worth only its ten minutes and five tries:
//! someone who reads the database meanwhile can find it, as they could read the
//! authenticator secrets; the link's token they cannot.

use super::{
    secret_token::SecretToken,
    tx::{StoreError, Tx},
};
use crate::server::{ids::CodeId, time::UnixMillis};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// Wrong codes that kill a code.
pub const MAX_FAILURES: i64 = 5;

/// What is stored for `code` on the row `id`.
pub fn code_hash(id: CodeId, code: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{id}:{code}").as_bytes()))
}

/// A code about to be asked for.
pub struct NewCode<'a> {
    pub id: CodeId,
    pub email: &'a str,
    pub lang: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Creates the address' code, replacing its older one (whose unsent mail goes with it).
pub async fn replace(tx: &mut Tx<'_>, code: &NewCode<'_>) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM email_codes WHERE email = $1").bind(code.email).execute(tx.conn()).await?;
    sqlx::query("INSERT INTO email_codes (id, email, lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(code.id)
        .bind(code.email)
        .bind(code.lang)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Gives the code its code and token as its mail is being sent; false if it is gone
/// (replaced, used) or expired, and the mail is pointless.
pub async fn arm(
    tx: &mut Tx<'_>,
    id: CodeId,
    code: &str,
    token: &SecretToken,
    now: UnixMillis,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE email_codes SET code_hash = $1, token_hash = $2 WHERE id = $3 AND expires_at > $4")
        .bind(code_hash(id, code))
        .bind(token.hash())
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The language of the mail of the code `id` (the asker's), if it is still there.
pub async fn lang(pool: &AnyPool, id: CodeId) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT lang FROM email_codes WHERE id = $1").bind(id).fetch_optional(pool).await?)
}

/// A live code, armed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CodeRow {
    pub id: CodeId,
    pub email: String,
    pub code_hash: String,
    pub failures: i64,
}

const COLUMNS: &str = "id, email, code_hash, failures";

/// The live code of `email`, in `tx` (which holds the address' key).
pub async fn of_email(tx: &mut Tx<'_>, email: &str, now: UnixMillis) -> Result<Option<CodeRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM email_codes WHERE email = $1 AND expires_at > $2 AND code_hash IS NOT NULL \
         AND failures < $3"
    ))
    .bind(email)
    .bind(now)
    .bind(MAX_FAILURES)
    .fetch_optional(tx.conn())
    .await?)
}

/// Takes the live code whose link carries `token`: gone afterwards (an expired or dead
/// one too, which the link no longer opens).
pub async fn take_by_token(
    tx: &mut Tx<'_>,
    token: &SecretToken,
    now: UnixMillis,
) -> Result<Option<CodeRow>, StoreError> {
    let taken: Option<Taken> =
        sqlx::query_as(&format!("DELETE FROM email_codes WHERE token_hash = $1 RETURNING {COLUMNS}, expires_at"))
            .bind(token.hash())
            .fetch_optional(tx.conn())
            .await?;
    Ok(taken.filter(|taken| taken.expires_at > now && taken.row.failures < MAX_FAILURES).map(|taken| taken.row))
}

#[derive(sqlx::FromRow)]
struct Taken {
    #[sqlx(flatten)]
    row: CodeRow,
    expires_at: UnixMillis,
}

/// Uses the code up: false if another request used it first.
pub async fn spend(tx: &mut Tx<'_>, id: CodeId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM email_codes WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a wrong code; the fifth kills it. Whether it is dead now.
pub async fn failed(tx: &mut Tx<'_>, id: CodeId) -> Result<bool, StoreError> {
    let failures: Option<i64> =
        sqlx::query_scalar("UPDATE email_codes SET failures = failures + 1 WHERE id = $1 RETURNING failures")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    let dead = failures.is_none_or(|n| n >= MAX_FAILURES);
    if dead {
        spend(tx, id).await?;
    }
    Ok(dead)
}

/// Deletes up to `batch` codes that expired before `cutoff`.
pub async fn prune(tx: &mut Tx<'_>, cutoff: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM email_codes WHERE id IN (SELECT id FROM email_codes WHERE expires_at < $1 LIMIT $2)")
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
    fn a_code_hash_depends_on_its_row() {
        let (a, b) = (CodeId::generate(), CodeId::generate());
        assert_eq!(code_hash(a, "123456"), code_hash(a, "123456"));
        assert_ne!(code_hash(a, "123456"), code_hash(a, "123457"));
        assert_ne!(code_hash(a, "123456"), code_hash(b, "123456"));
    }
}
