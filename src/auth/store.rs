//! The store: every read and write of accounts, sessions, refresh tokens, keys and
//! audit events, in SQL that SQLite and PostgreSQL both run.
//!
//! Rotation lives here (`rotate`). It is one transaction whose first statement is a
//! conditional `UPDATE … WHERE used_at IS NULL`: the database decides which of several
//! concurrent presentations of a token wins, by the row count, with no read-then-write
//! window between checking a token and spending it (Keycloak's CVE-2026-1035 was that
//! window). On PostgreSQL under READ COMMITTED, a second `UPDATE` of the same row waits
//! for the first to commit and then re-checks its `WHERE` against the new row, so it
//! matches nothing; on SQLite the writer lock serialises them the same way.

use crate::{db::Backend, error::AppError};
use futures::future::BoxFuture;
use sqlx::{any::AnyRow, AnyPool, Executor, Row};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use super::keys::NewKey;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; a second one waits in SQLite's busy
    /// handler, which sleeps in growing steps and wrecks tail latency under load.
    /// Queueing this process's writers here, first come first served, keeps them
    /// off each other. (PostgreSQL has row locks and needs none.)
    writer: Option<Arc<Mutex<()>>>,
}

#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub created_at: i64,
}

/// A session about to be created (one sign-in on one device).
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    pub client_addr: String,
}

/// A refresh token as stored: everything needed to sign it, byte for byte, again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRow {
    pub jti: Uuid,
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub kid: String,
    pub iat: i64,
    pub exp: i64,
}

/// The token a rotation would make current.
pub struct Successor<'a> {
    pub jti: Uuid,
    /// The key it will be signed with.
    pub kid: &'a str,
    /// Its lifetime in seconds, before the session's absolute lifetime caps it.
    pub ttl_s: i64,
}

/// The user a rotation was for, for the token body.
#[derive(Clone, Debug)]
pub struct Owner {
    pub id: Uuid,
    pub email: String,
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// It was the family's current token: it is now spent and `next` is current.
    Rotated { next: RefreshRow, owner: Owner },
    /// It was the immediate predecessor, back within the grace window while the
    /// current token is unused: the current token, unchanged (the family never forks).
    Grace { current: RefreshRow, owner: Owner },
    /// An already rotated token came back: the family has just been revoked.
    ReuseDetected { user_id: Uuid },
    /// The family had been revoked earlier because of reuse.
    RevokedForReuse,
    /// The family was ended by a sign-out or a revocation.
    Revoked,
    /// The family passed its absolute lifetime.
    Expired,
    /// No such token (or not of the family it names).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: i64,
    pub last_used_at: i64,
    pub idle_expires_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Revoke {
    Revoked,
    AlreadyRevoked,
    NotFound,
}

pub struct KeyRow {
    pub kid: String,
    pub public_key: String,
    pub private_key: Option<String>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// A security audit event.
#[derive(Default)]
pub struct Audit<'a> {
    pub kind: &'a str,
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub email: Option<&'a str>,
    pub client_addr: Option<&'a str>,
    pub detail: Option<&'a str>,
}

fn uuid(row: &AnyRow, column: &str) -> Result<Uuid, AppError> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(AppError::internal)
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

impl Store {
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Store { pool, backend, writer }
    }

    /// This process's turn to write (SQLite only); hold it until the commit.
    async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    // ---- accounts -------------------------------------------------------------------

    /// Creates the account and its first session in one transaction: a failure leaves
    /// neither behind.
    pub async fn register(
        &self,
        user: &UserRow,
        session: &NewSession,
        first: &RefreshRow,
        audit: Audit<'_>,
    ) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user.id.to_string())
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(user.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_unique_violation(&e) { AppError::EmailTaken } else { e.into() })?;
        insert_session(&mut tx, session, first).await?;
        insert_audit(&mut tx, session.created_at, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, AppError> {
        let row = sqlx::query("SELECT id, email, password_hash, created_at FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_row(&r)).transpose()
    }

    pub async fn user_by_id(&self, id: Uuid) -> Result<Option<UserRow>, AppError> {
        let row = sqlx::query("SELECT id, email, password_hash, created_at FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_row(&r)).transpose()
    }

    // ---- sessions and rotation --------------------------------------------------------

    /// A new session (sign-in) with its first refresh token.
    pub async fn start_session(
        &self,
        session: &NewSession,
        first: &RefreshRow,
        audit: Audit<'_>,
    ) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        insert_session(&mut tx, session, first).await?;
        insert_audit(&mut tx, session.created_at, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Spends the presented refresh token `jti` of family `sid` and makes `next.jti`
    /// the family's current token, or says why not. `now` is in milliseconds; the new
    /// token is signed by `next.kid`, issued now and lives `next.ttl_s`, capped by the
    /// session's absolute lifetime.
    pub async fn rotate(
        &self,
        jti: Uuid,
        sid: Uuid,
        next: Successor<'_>,
        grace_ms: i64,
        now: i64,
    ) -> Result<Rotation, AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        // The decision. Nothing is read before it, so two presentations of one token
        // cannot both see it unused.
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1 \
             WHERE jti = $2 AND session_id = $3 AND used_at IS NULL \
               AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = refresh_tokens.session_id \
                           AND s.revoked_at IS NULL AND s.expires_at > $1)",
        )
        .bind(now)
        .bind(jti.to_string())
        .bind(sid.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();

        if spent == 1 {
            let iat = now / 1000;
            let row = sqlx::query(
                "SELECT s.user_id, s.expires_at, u.email FROM sessions s \
                 JOIN users u ON u.id = s.user_id WHERE s.id = $1",
            )
            .bind(sid.to_string())
            .fetch_one(&mut *tx)
            .await?;
            let owner = Owner { id: uuid(&row, "user_id")?, email: row.try_get("email")? };
            let absolute_end: i64 = row.try_get("expires_at")?;
            let next = RefreshRow {
                jti: next.jti,
                session_id: sid,
                user_id: owner.id,
                kid: next.kid.to_string(),
                iat,
                exp: (iat + next.ttl_s).min(absolute_end / 1000),
            };
            insert_refresh(&mut tx, &next, Some(jti)).await?;
            sqlx::query("UPDATE sessions SET last_used_at = $1, idle_expires_at = $2 WHERE id = $3")
                .bind(now)
                .bind(next.exp * 1000)
                .bind(sid.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Rotation::Rotated { next, owner });
        }

        // Not spent: find out why, inside the same transaction.
        let Some(row) = sqlx::query(
            "SELECT t.session_id, t.used_at, s.user_id, s.revoked_at, s.revoke_reason, s.expires_at, u.email \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id \
             WHERE t.jti = $1",
        )
        .bind(jti.to_string())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(Rotation::Unknown);
        };
        if uuid(&row, "session_id")? != sid {
            return Ok(Rotation::Unknown);
        }
        let user_id = uuid(&row, "user_id")?;
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            let reason: Option<String> = row.try_get("revoke_reason")?;
            return Ok(if reason.as_deref() == Some("reuse") { Rotation::RevokedForReuse } else { Rotation::Revoked });
        }
        if row.try_get::<i64, _>("expires_at")? <= now {
            return Ok(Rotation::Expired);
        }
        let Some(used_at) = row.try_get::<Option<i64>, _>("used_at")? else {
            // Unused and live, yet not spent: nothing explains it, so refuse it.
            return Ok(Rotation::Unknown);
        };

        // Spent before. Only the immediate predecessor of an unused current token,
        // back within the grace window, is forgiven; two generations back has a spent
        // child, so it is reuse however recent (django-oauth-toolkit#1617).
        // `now` was read before this transaction waited for the row, so the winner may
        // have spent the token at a later `used_at` than our `now`: count that as no
        // time at all, never as a negative age, or a grace of zero would forgive it.
        let since_spent = (now - used_at).max(0);
        let child = sqlx::query("SELECT jti, kid, iat, exp, used_at FROM refresh_tokens WHERE parent_jti = $1")
            .bind(jti.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(child) = child {
            let child_unused = child.try_get::<Option<i64>, _>("used_at")?.is_none();
            if child_unused && since_spent < grace_ms {
                let current = RefreshRow {
                    jti: uuid(&child, "jti")?,
                    session_id: sid,
                    user_id,
                    kid: child.try_get("kid")?,
                    iat: child.try_get("iat")?,
                    exp: child.try_get("exp")?,
                };
                let owner = Owner { id: user_id, email: row.try_get("email")? };
                tx.commit().await?;
                return Ok(Rotation::Grace { current, owner });
            }
        }

        // Reuse: whoever holds this token and whoever holds the current one cannot be
        // told apart, so the whole family ends (RFC 9700 §4.14.2). Only this family:
        // the user's other sessions are untouched.
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1, revoke_reason = 'reuse' WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(sid.to_string())
        .execute(&mut *tx)
        .await?;
        self.announce_revoked(&mut tx, &[sid], now).await?;
        insert_audit(
            &mut tx,
            now,
            &Audit {
                kind: "refresh_reuse",
                user_id: Some(user_id),
                session_id: Some(sid),
                detail: Some(&format!("jti {jti} presented again")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Rotation::ReuseDetected { user_id })
    }

    /// The absolute end of a session, to tell an expired refresh token from an ended
    /// session.
    pub async fn session_end(&self, sid: Uuid) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = $1")
            .bind(sid.to_string())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Ends one session, whoever owns it (sign-out with its refresh cookie).
    pub async fn revoke_session(&self, sid: Uuid, reason: &str, now: i64, audit: Audit<'_>) -> Result<bool, AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
                .bind(now)
                .bind(reason)
                .bind(sid.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if done {
            self.announce_revoked(&mut tx, &[sid], now).await?;
            insert_audit(&mut tx, now, &audit).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Ends a session of `user_id` (the sessions page); another user's id is not found.
    pub async fn revoke_user_session(
        &self,
        user_id: Uuid,
        sid: Uuid,
        now: i64,
        audit: Audit<'_>,
    ) -> Result<Revoke, AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1, revoke_reason = 'revoked' \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(sid.to_string())
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let outcome = if done == 1 {
            self.announce_revoked(&mut tx, &[sid], now).await?;
            insert_audit(&mut tx, now, &audit).await?;
            Revoke::Revoked
        } else {
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(sid.to_string())
                .bind(user_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                Revoke::AlreadyRevoked
            } else {
                Revoke::NotFound
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Ends every live session of a user; returns their ids.
    pub async fn revoke_all(&self, user_id: Uuid, now: i64, audit: Audit<'_>) -> Result<Vec<Uuid>, AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "UPDATE sessions SET revoked_at = $1, revoke_reason = 'logout_all' \
             WHERE user_id = $2 AND revoked_at IS NULL RETURNING id",
        )
        .bind(now)
        .bind(user_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let ids = rows.iter().map(|r| uuid(r, "id")).collect::<Result<Vec<_>, _>>()?;
        self.announce_revoked(&mut tx, &ids, now).await?;
        insert_audit(&mut tx, now, &audit).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The user's live sessions, newest first.
    pub async fn live_sessions(&self, user_id: Uuid, now: i64) -> Result<Vec<SessionRow>, AppError> {
        let rows = sqlx::query(
            "SELECT id, created_at, last_used_at, idle_expires_at, expires_at, user_agent FROM sessions \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND idle_expires_at > $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(user_id.to_string())
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionRow {
                    id: uuid(r, "id")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    idle_expires_at: r.try_get("idle_expires_at")?,
                    expires_at: r.try_get("expires_at")?,
                    user_agent: r.try_get("user_agent")?,
                })
            })
            .collect()
    }

    /// Sessions revoked at or after `since` (ms), for the in-memory revocation set.
    pub async fn revoked_since(&self, since: i64) -> Result<Vec<(Uuid, i64)>, AppError> {
        let rows = sqlx::query("SELECT id, revoked_at FROM sessions WHERE revoked_at >= $1")
            .bind(since)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((uuid(r, "id")?, r.try_get("revoked_at")?))).collect()
    }

    // ---- retention --------------------------------------------------------------------

    /// Deletes sessions that ended (revoked, idle past their refresh token, or past
    /// their absolute lifetime) before `cutoff`, their refresh tokens with them (the
    /// foreign key cascades), and audit events older than `cutoff`. Nothing a request
    /// can still use is touched: a token of an ended session is refused either way.
    /// Works in batches, each its own short transaction, so refreshes are never held
    /// up for long. Returns how many sessions and events went.
    pub async fn prune(&self, cutoff: i64) -> Result<(u64, u64), AppError> {
        const BATCH: i64 = 500;
        let mut deleted = (0, 0);
        for (count, sql) in [
            (
                &mut deleted.0,
                "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
                 WHERE revoked_at < $1 OR idle_expires_at < $1 OR expires_at < $1 LIMIT $2)",
            ),
            (
                &mut deleted.1,
                "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT $2)",
            ),
        ] {
            loop {
                let _turn = self.write_turn().await;
                let n = sqlx::query(sql).bind(cutoff).bind(BATCH).execute(&self.pool).await?.rows_affected();
                *count += n;
                if n < BATCH as u64 {
                    break;
                }
            }
        }
        Ok(deleted)
    }

    // ---- failed sign-in limits ----------------------------------------------------------

    /// If `column` (email or client address) = `value` has `max` or more failed
    /// sign-ins since `since`, the instant (ms) the oldest of the last `max` leaves the
    /// window starting at `since`, i.e. when one more attempt will be allowed.
    pub async fn failures_block(
        &self,
        by_client: bool,
        value: &str,
        since: i64,
        max: u32,
    ) -> Result<Option<i64>, AppError> {
        let sql = if by_client {
            "SELECT at FROM audit_events WHERE kind = 'login_failed' AND client_addr = $1 AND at > $2 \
             ORDER BY at DESC LIMIT 1 OFFSET $3"
        } else {
            "SELECT at FROM audit_events WHERE kind = 'login_failed' AND email = $1 AND at > $2 \
             ORDER BY at DESC LIMIT 1 OFFSET $3"
        };
        Ok(sqlx::query_scalar(sql).bind(value).bind(since).bind(i64::from(max) - 1).fetch_optional(&self.pool).await?)
    }

    pub async fn audit(&self, now: i64, audit: Audit<'_>) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, now, &audit).await
    }

    // ---- signing keys -------------------------------------------------------------------

    /// Keys not retired, or retired after `retired_after` (ms).
    pub async fn signing_keys(&self, retired_after: i64) -> Result<Vec<KeyRow>, AppError> {
        let rows = sqlx::query(
            "SELECT kid, public_key, private_key, created_at, retired_at FROM signing_keys \
             WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at",
        )
        .bind(retired_after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeyRow {
                    kid: r.try_get("kid")?,
                    public_key: r.try_get("public_key")?,
                    private_key: r.try_get("private_key")?,
                    created_at: r.try_get("created_at")?,
                    retired_at: r.try_get("retired_at")?,
                })
            })
            .collect()
    }

    pub async fn insert_key(&self, key: &NewKey, now: i64) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        let mut conn = self.pool.acquire().await?;
        insert_key(&mut conn, key, now).await
    }

    /// Records the public half of a key kept in a PEM file, once.
    pub async fn insert_public_key(&self, kid: &str, public_x: &str, now: i64) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO signing_keys (kid, public_key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (kid) DO UPDATE SET retired_at = NULL",
        )
        .bind(kid)
        .bind(public_x)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Adds `key` as the active key and retires every other.
    pub async fn rotate_keys(&self, key: &NewKey, now: i64) -> Result<(), AppError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_key(&mut tx, key, now).await?;
        if self.backend == Backend::Postgres {
            let notify = format!("NOTIFY {KEYS_CHANNEL}");
            tx.execute(notify.as_str()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Tells the other instances about revoked sessions. PostgreSQL delivers a
    /// `NOTIFY` at commit, so never for a revocation that rolled back; a missed one is
    /// caught up by `crate::sync`'s periodic query. SQLite has one instance: no-op.
    fn announce_revoked<'a>(
        &self,
        conn: &'a mut sqlx::AnyConnection,
        sids: &'a [Uuid],
        now: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        let backend = self.backend;
        Box::pin(async move {
            if backend != Backend::Postgres || sids.is_empty() {
                return Ok(());
            }
            // The payload is digits, hex and punctuation we format ourselves, so it can be
            // inlined (NOTIFY takes no bind parameters). Past PostgreSQL's 8000-byte limit
            // an empty payload asks listeners to catch up from the table instead.
            let list: Vec<String> = sids.iter().map(Uuid::to_string).collect();
            let payload = if list.len() <= 100 { format!("{now}:{}", list.join(",")) } else { String::new() };
            let notify = format!("NOTIFY {REVOKED_CHANNEL}, '{payload}'");
            conn.execute(notify.as_str()).await?;
            Ok(())
        })
    }
}

/// PostgreSQL notification channels (see `crate::sync`).
pub const REVOKED_CHANNEL: &str = "baton_revoked";
pub const KEYS_CHANNEL: &str = "baton_keys";

fn user_row(r: &AnyRow) -> Result<UserRow, AppError> {
    Ok(UserRow {
        id: uuid(r, "id")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        created_at: r.try_get("created_at")?,
    })
}

// The helpers below take a connection (a transaction's, usually) and return boxed
// futures: as plain `async fn`s over `&mut AnyConnection`, rustc cannot prove the
// server functions' futures `Send` (rust-lang/rust#100013).

fn insert_session<'a>(
    conn: &'a mut sqlx::AnyConnection,
    session: &'a NewSession,
    first: &'a RefreshRow,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_used_at, idle_expires_at, expires_at, user_agent, client_addr) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(session.id.to_string())
    .bind(session.user_id.to_string())
    .bind(session.created_at)
    .bind(first.exp * 1000)
    .bind(session.expires_at)
    .bind(&session.user_agent)
    .bind(&session.client_addr)
    .execute(&mut *conn)
    .await?;
        insert_refresh(conn, first, None).await
    })
}

fn insert_refresh<'a>(
    conn: &'a mut sqlx::AnyConnection,
    token: &'a RefreshRow,
    parent: Option<Uuid>,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        sqlx::query(
            "INSERT INTO refresh_tokens (jti, session_id, parent_jti, kid, iat, exp) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.jti.to_string())
        .bind(token.session_id.to_string())
        .bind(parent.map(|p| p.to_string()))
        .bind(&token.kid)
        .bind(token.iat)
        .bind(token.exp)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

fn insert_key<'a>(conn: &'a mut sqlx::AnyConnection, key: &'a NewKey, now: i64) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        sqlx::query("INSERT INTO signing_keys (kid, public_key, private_key, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&key.kid)
            .bind(&key.public_x)
            .bind(&key.private_pkcs8)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

fn insert_audit<'a>(
    conn: &'a mut sqlx::AnyConnection,
    now: i64,
    audit: &'a Audit<'_>,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        sqlx::query(
            "INSERT INTO audit_events (id, at, kind, user_id, session_id, email, client_addr, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(now)
        .bind(audit.kind)
        .bind(audit.user_id.map(|u| u.to_string()))
        .bind(audit.session_id.map(|u| u.to_string()))
        .bind(audit.email)
        .bind(audit.client_addr)
        .bind(audit.detail)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db;

    /// A store on a fresh SQLite file, with one session whose first token is returned.
    async fn store_with_session(dir: &tempfile::TempDir, now: i64) -> (Store, RefreshRow) {
        let pool = db::connect(&format!("sqlite://{}/store.db", dir.path().display())).await.unwrap();
        let store = Store::new(pool, Backend::Sqlite);
        let user =
            UserRow { id: Uuid::new_v4(), email: "a@example.com".into(), password_hash: "x".into(), created_at: now };
        let session = NewSession {
            id: Uuid::new_v4(),
            user_id: user.id,
            created_at: now,
            expires_at: now + 86_400_000,
            user_agent: "test".into(),
            client_addr: "127.0.0.1".into(),
        };
        let first = RefreshRow {
            jti: Uuid::new_v4(),
            session_id: session.id,
            user_id: user.id,
            kid: "k".into(),
            iat: now / 1000,
            exp: now / 1000 + 3600,
        };
        store.register(&user, &session, &first, Audit { kind: "register", ..Default::default() }).await.unwrap();
        (store, first)
    }

    fn successor() -> Successor<'static> {
        Successor { jti: Uuid::new_v4(), kid: "k", ttl_s: 3600 }
    }

    /// Two presentations race: the loser read its clock first, then waited for the
    /// winner, which spent the token a few milliseconds "later". With no grace that
    /// is reuse, not a second success (this once gave two 200s across instances).
    #[tokio::test]
    async fn a_loser_whose_clock_reads_before_the_winners_spend_is_still_reuse_without_grace() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_800_000_000_000;
        let (store, first) = store_with_session(&dir, now).await;
        let won = store.rotate(first.jti, first.session_id, successor(), 0, now + 5).await.unwrap();
        assert!(matches!(won, Rotation::Rotated { .. }), "{won:?}");
        let lost = store.rotate(first.jti, first.session_id, successor(), 0, now + 2).await.unwrap();
        assert!(matches!(lost, Rotation::ReuseDetected { .. }), "{lost:?}");
    }

    /// The same race with a grace window is the grace case: the current token again.
    #[tokio::test]
    async fn the_same_race_within_a_grace_window_gets_the_current_token() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_800_000_000_000;
        let (store, first) = store_with_session(&dir, now).await;
        let Rotation::Rotated { next, .. } =
            store.rotate(first.jti, first.session_id, successor(), 5000, now + 5).await.unwrap()
        else {
            panic!("the first presentation must rotate");
        };
        let again = store.rotate(first.jti, first.session_id, successor(), 5000, now + 2).await.unwrap();
        assert!(matches!(&again, Rotation::Grace { current, .. } if *current == next), "{again:?}");
    }
}
