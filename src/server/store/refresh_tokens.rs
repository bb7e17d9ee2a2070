//! The `refresh_tokens` table, and rotation.
//!
//! Rotation is two steps in one transaction. [`claim`] is a conditional
//! `UPDATE … WHERE used_at IS NULL`: the database decides which of several concurrent
//! presentations of a token wins, by the row count, with no read-then-write window
//! between checking a token and spending it (Keycloak's CVE-2026-1035 was that
//! window). On PostgreSQL under READ COMMITTED, a second `UPDATE` of the same row
//! waits for the first to commit and then re-checks its `WHERE` against the new row,
//! so it matches nothing; on SQLite the writer lock serialises them the same way.
//! When nothing was claimed, [`why_not_claimed`] explains it from the rows as they
//! now are.

use super::{
    sessions::RevokeReason,
    tx::{StoreError, Tx},
};
use crate::server::{
    ids::{SessionId, TokenId, UserId},
    time::{UnixMillis, UnixSecs},
};
use std::{sync::LazyLock, time::Duration};

/// A refresh token as stored: everything needed to sign it, byte for byte, again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRow {
    pub jti: TokenId,
    pub session_id: SessionId,
    pub user_id: UserId,
    /// The key it is signed with.
    pub kid: String,
    pub iat: UnixSecs,
    pub exp: UnixSecs,
    /// When its session last proved who it is (`sessions.authenticated_at`): the
    /// `auth_time` of the access token issued beside it. Not a claim of the token.
    pub authenticated_at: UnixMillis,
}

/// The token a rotation would make current.
#[derive(Debug)]
pub struct Successor {
    pub jti: TokenId,
    pub kid: String,
    /// Its lifetime, before the session's absolute lifetime caps it.
    pub ttl: Duration,
}

/// How often a session may rotate: `max` times per `per` (`BATON_REFRESH_LIMIT`), so
/// one session cannot monopolise the database's writer.
#[derive(Clone, Copy, Debug)]
pub struct RefreshLimit {
    pub max: u32,
    pub per: Duration,
}

/// Why a presented token was not claimed.
#[derive(Debug)]
pub enum NotClaimed {
    /// It was the immediate predecessor, back within the grace window while the
    /// current token is unused: the current token, unchanged (the family never forks).
    Grace { current: RefreshRow },
    /// An already rotated token came back, outside the grace: the session must end.
    Reused { user_id: UserId },
    /// The session had been ended earlier because of reuse.
    RevokedForReuse,
    /// The session was ended by a sign-out or a revocation.
    Revoked,
    /// The session passed its absolute lifetime.
    Expired,
    /// The session has rotated its limit in the current window; nothing was spent.
    RateLimited { until: UnixMillis },
    /// No such token (or not of the session it names).
    Unknown,
}

pub async fn insert(tx: &mut Tx<'_>, token: &RefreshRow, parent: Option<TokenId>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, session_id, parent_jti, kid, iat, exp) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.jti)
    .bind(token.session_id)
    .bind(parent)
    .bind(&token.kid)
    .bind(token.iat)
    .bind(token.exp)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// What a claim reads back from the session it rotated.
#[derive(sqlx::FromRow)]
pub(super) struct Claimed {
    pub user_id: UserId,
    pub expires_at: UnixMillis,
    pub authenticated_at: UnixMillis,
}

/// The parts of a rotation's statements, written once: the three ways a rotation is
/// committed ([`claim`] one at a time, [`claim_at_once`] on PostgreSQL, and SQLite's
/// batch, `rotation::claim_many`) put them together with their own placeholders, so
/// they decide and keep the books alike.
pub(super) mod sql {
    /// Whether the session of a presented token may rotate now: live, before its
    /// absolute end at `now`, and within its refresh limit (fewer than `max` refreshes
    /// in a window still open after `window_open_since`). `s` is the session's alias.
    pub fn session_may_rotate(s: &str, now: &str, window_open_since: &str, max: &str) -> String {
        format!(
            "{s}.revoked_at IS NULL AND {s}.expires_at > {now} \
             AND ({s}.refresh_window_start <= {window_open_since} OR {s}.refreshes_in_window < {max})"
        )
    }

    /// The session's bookkeeping of a rotation at `now`, as `UPDATE sessions SET …`:
    /// stamped used, idle until the successor expires (`wanted`, never past the
    /// absolute end), and the refresh counted in its window (a new window when the last
    /// one is over). Every right-hand side reads the row as it was.
    pub fn bookkeeping(now: &str, wanted: &str, window_open_since: &str) -> String {
        format!(
            "last_used_at = {now}, \
             idle_expires_at = CASE WHEN {wanted} < sessions.expires_at THEN {wanted} \
                               ELSE (sessions.expires_at / 1000) * 1000 END, \
             refreshes_in_window = CASE WHEN sessions.refresh_window_start <= {window_open_since} THEN 1 \
                                   ELSE sessions.refreshes_in_window + 1 END, \
             refresh_window_start = CASE WHEN sessions.refresh_window_start <= {window_open_since} THEN {now} \
                                    ELSE sessions.refresh_window_start END"
        )
    }
}

/// [`claim`]'s decision: spend `$2` of session `$3` at `$1` if it is unused and its
/// session may rotate (`$5` refreshes since `$4`).
static SPEND: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE refresh_tokens SET used_at = $1 \
         WHERE jti = $2 AND session_id = $3 AND used_at IS NULL \
           AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = refresh_tokens.session_id AND {})",
        sql::session_may_rotate("s", "$1", "$4", "$5")
    )
});

/// [`claim`]'s bookkeeping of session `$3` at `$1`, its successor wanted until `$2`.
static BOOKKEEPING: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE sessions SET {} WHERE id = $3 RETURNING user_id, expires_at, authenticated_at",
        sql::bookkeeping("$1", "$2", "$4")
    )
});

/// [`claim_at_once`]: the decision, the bookkeeping and the successor in one statement.
static AT_ONCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH spent AS ({spend} RETURNING session_id), \
         session AS ( \
           UPDATE sessions SET {bookkeeping} FROM spent WHERE sessions.id = spent.session_id \
           RETURNING sessions.user_id, sessions.expires_at, sessions.authenticated_at), \
         successor AS ( \
           INSERT INTO refresh_tokens (jti, session_id, parent_jti, kid, iat, exp) \
           SELECT $7, $3, $2, $8, $9, LEAST($10, session.expires_at / 1000) FROM session \
           RETURNING jti) \
         SELECT session.user_id, session.expires_at, session.authenticated_at FROM session, successor",
        spend = *SPEND,
        bookkeeping = sql::bookkeeping("$1", "$6", "$4"),
    )
});

impl Successor {
    /// Its row, issued at `iat` in session `sid` of the claimed session: it expires
    /// after its lifetime, but never after the session's absolute end, in whole
    /// seconds, as the JWT's `exp`.
    pub(super) fn row(&self, sid: SessionId, session: &Claimed, iat: UnixSecs) -> RefreshRow {
        RefreshRow {
            jti: self.jti,
            session_id: sid,
            user_id: session.user_id,
            kid: self.kid.clone(),
            iat,
            exp: iat.plus(self.ttl).min(session.expires_at.as_secs()),
            authenticated_at: session.authenticated_at,
        }
    }
}

/// Spends the presented token `jti` of session `sid` and makes `next` the session's
/// current token, if `jti` is its current, unused token and the session is live and
/// within its refresh limit. `None` when it was not (ask [`why_not_claimed`]).
/// Three statements: the decision, the session's bookkeeping, the successor.
pub async fn claim(
    tx: &mut Tx<'_>,
    jti: TokenId,
    sid: SessionId,
    next: &Successor,
    limit: RefreshLimit,
    now: UnixMillis,
) -> Result<Option<RefreshRow>, StoreError> {
    // The decision. Nothing is read before it, so two presentations of one token
    // cannot both see it unused; the limit is part of it, so a refused refresh spends
    // nothing.
    let window_open_since = now.minus(limit.per);
    let spent = sqlx::query(&SPEND)
        .bind(now)
        .bind(jti)
        .bind(sid)
        .bind(window_open_since)
        .bind(i64::from(limit.max))
        .execute(tx.conn())
        .await?
        .rows_affected();
    if spent == 0 {
        return Ok(None);
    }

    // The session's books (`sql::bookkeeping`), then the successor.
    let iat = now.as_secs();
    let wanted = iat.plus(next.ttl).as_millis();
    let claimed: Claimed = sqlx::query_as(&BOOKKEEPING)
        .bind(now)
        .bind(wanted)
        .bind(sid)
        .bind(window_open_since)
        .fetch_one(tx.conn())
        .await?;
    let next = next.row(sid, &claimed, iat);
    insert(tx, &next, Some(jti)).await?;
    Ok(Some(next))
}

/// [`claim`] in one statement on its own, committed as it runs: PostgreSQL only (its
/// `WITH` may hold `UPDATE`s and an `INSERT`). One round trip and one commit instead
/// of five round trips; the decision, its row lock and what follows are [`claim`]'s,
/// in the same order (the token's row, then its session's). `None` when nothing was
/// claimed: nothing was written, and the caller asks [`why_not_claimed`].
pub async fn claim_at_once(
    pool: &sqlx::AnyPool,
    jti: TokenId,
    sid: SessionId,
    next: &Successor,
    limit: RefreshLimit,
    now: UnixMillis,
) -> Result<Option<RefreshRow>, StoreError> {
    let iat = now.as_secs();
    let claimed: Option<Claimed> = sqlx::query_as(&AT_ONCE)
        .bind(now)
        .bind(jti)
        .bind(sid)
        .bind(now.minus(limit.per))
        .bind(i64::from(limit.max))
        .bind(iat.plus(next.ttl).as_millis())
        .bind(next.jti)
        .bind(&next.kid)
        .bind(iat)
        .bind(iat.plus(next.ttl))
        .fetch_optional(pool)
        .await?;
    Ok(claimed.map(|claimed| next.row(sid, &claimed, iat)))
}

#[derive(sqlx::FromRow)]
struct Presented {
    session_id: SessionId,
    used_at: Option<UnixMillis>,
    user_id: UserId,
    revoked_at: Option<UnixMillis>,
    revoke_reason: Option<RevokeReason>,
    expires_at: UnixMillis,
    refresh_window_start: UnixMillis,
    refreshes_in_window: i64,
    authenticated_at: UnixMillis,
}

#[derive(sqlx::FromRow)]
struct Child {
    jti: TokenId,
    kid: String,
    iat: UnixSecs,
    exp: UnixSecs,
    used_at: Option<UnixMillis>,
}

/// Why [`claim`] spent nothing for `jti` of `sid`, read inside the same transaction.
/// `grace` is how long the predecessor of an unused current token is forgiven.
pub async fn why_not_claimed(
    tx: &mut Tx<'_>,
    jti: TokenId,
    sid: SessionId,
    grace: Duration,
    limit: RefreshLimit,
    now: UnixMillis,
) -> Result<NotClaimed, StoreError> {
    let presented: Option<Presented> = sqlx::query_as(
        "SELECT t.session_id, t.used_at, s.user_id, s.revoked_at, s.revoke_reason, s.expires_at, \
                s.refresh_window_start, s.refreshes_in_window, s.authenticated_at \
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
         WHERE t.jti = $1",
    )
    .bind(jti)
    .fetch_optional(tx.conn())
    .await?;
    let Some(presented) = presented.filter(|p| p.session_id == sid) else {
        return Ok(NotClaimed::Unknown);
    };
    if presented.revoked_at.is_some() {
        return Ok(match presented.revoke_reason {
            Some(RevokeReason::Reuse) => NotClaimed::RevokedForReuse,
            _ => NotClaimed::Revoked,
        });
    }
    if presented.expires_at <= now {
        return Ok(NotClaimed::Expired);
    }
    let Some(used_at) = presented.used_at else {
        // Unused and live, yet not spent: the session is over its refresh limit, or
        // nothing explains it, so refuse it.
        let window_end = presented.refresh_window_start.plus(limit.per);
        let over = presented.refreshes_in_window >= i64::from(limit.max) && window_end > now;
        return Ok(if over { NotClaimed::RateLimited { until: window_end } } else { NotClaimed::Unknown });
    };

    // Spent before. Only the immediate predecessor of an unused current token, back
    // within the grace window, is forgiven; two generations back has a spent child,
    // so it is reuse however recent (django-oauth-toolkit#1617). `now` was read
    // before this transaction waited for the row, so the winner may have spent the
    // token at a later `used_at` than our `now`: `since` counts that as no time at
    // all, never as a negative age, or a grace of zero would forgive it.
    let since_spent = now.since(used_at);
    let child: Option<Child> =
        sqlx::query_as("SELECT jti, kid, iat, exp, used_at FROM refresh_tokens WHERE parent_jti = $1")
            .bind(jti)
            .fetch_optional(tx.conn())
            .await?;
    match child {
        Some(child) if child.used_at.is_none() && since_spent < grace => Ok(NotClaimed::Grace {
            current: RefreshRow {
                jti: child.jti,
                session_id: sid,
                user_id: presented.user_id,
                kid: child.kid,
                iat: child.iat,
                exp: child.exp,
                authenticated_at: presented.authenticated_at,
            },
        }),
        _ => Ok(NotClaimed::Reused { user_id: presented.user_id }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{
        db,
        store::{
            revoked::RevokedSessions,
            sessions::{self, NewSession},
            users::{self, UserRow},
            Store,
        },
    };

    const NOW: UnixMillis = UnixMillis(1_800_000_000_000);

    /// A store on a fresh SQLite file, with one session whose first token is returned.
    async fn store_with_session(dir: &tempfile::TempDir) -> (Store, RefreshRow) {
        let url = format!("sqlite://{}/store.db", dir.path().display());
        let pool = db::connect(&url).await.unwrap();
        let store = Store::new(pool, &url, RevokedSessions::new(Duration::from_secs(60)));
        let user = UserRow {
            id: UserId::generate(),
            email: "a@example.com".into(),
            password_hash: "x".into(),
            created_at: NOW,
            email_verified_at: None,
            credential_epoch: 0,
            roles: Default::default(),
            locked_at: None,
        };
        let session = NewSession {
            id: SessionId::generate(),
            user_id: user.id,
            created_at: NOW,
            expires_at: NOW.plus(Duration::from_secs(86_400)),
            user_agent: "test".into(),
            client_addr: "127.0.0.1".into(),
        };
        let first = RefreshRow {
            jti: TokenId::generate(),
            session_id: session.id,
            user_id: user.id,
            kid: "k".into(),
            iat: NOW.as_secs(),
            exp: NOW.as_secs().plus(Duration::from_secs(3600)),
            authenticated_at: NOW,
        };
        let mut tx = store.begin().await.unwrap();
        users::insert(&mut tx, &user).await.unwrap();
        sessions::insert(&mut tx, &session, first.exp.as_millis()).await.unwrap();
        insert(&mut tx, &first, None).await.unwrap();
        tx.commit().await.unwrap();
        (store, first)
    }

    const NO_LIMIT: RefreshLimit = RefreshLimit { max: u32::MAX, per: Duration::from_secs(60) };

    fn successor() -> Successor {
        Successor { jti: TokenId::generate(), kid: "k".into(), ttl: Duration::from_secs(3600) }
    }

    /// Claims `token`, or explains why not, in one transaction (as a refresh does).
    async fn present(
        store: &Store,
        token: &RefreshRow,
        grace: Duration,
        now: UnixMillis,
    ) -> Result<RefreshRow, NotClaimed> {
        present_limited(store, token, grace, NO_LIMIT, now).await
    }

    async fn present_limited(
        store: &Store,
        token: &RefreshRow,
        grace: Duration,
        limit: RefreshLimit,
        now: UnixMillis,
    ) -> Result<RefreshRow, NotClaimed> {
        let mut tx = store.begin().await.unwrap();
        let outcome = match claim(&mut tx, token.jti, token.session_id, &successor(), limit, now).await.unwrap() {
            Some(next) => Ok(next),
            None => Err(why_not_claimed(&mut tx, token.jti, token.session_id, grace, limit, now).await.unwrap()),
        };
        tx.commit().await.unwrap();
        outcome
    }

    /// Two presentations race: the loser read its clock first, then waited for the
    /// winner, which spent the token a few milliseconds "later". With no grace that
    /// is reuse, not a second success (this once gave two 200s across instances).
    #[tokio::test]
    async fn a_loser_whose_clock_reads_before_the_winners_spend_is_still_reuse_without_grace() {
        let dir = tempfile::tempdir().unwrap();
        let (store, first) = store_with_session(&dir).await;
        let won = present(&store, &first, Duration::ZERO, NOW.plus(Duration::from_millis(5))).await;
        assert!(won.is_ok(), "{won:?}");
        let lost = present(&store, &first, Duration::ZERO, NOW.plus(Duration::from_millis(2))).await;
        assert!(matches!(lost, Err(NotClaimed::Reused { .. })), "{lost:?}");
    }

    /// The same race with a grace window is the grace case: the current token again.
    #[tokio::test]
    async fn the_same_race_within_a_grace_window_gets_the_current_token() {
        let dir = tempfile::tempdir().unwrap();
        let (store, first) = store_with_session(&dir).await;
        let grace = Duration::from_secs(5);
        let next = present(&store, &first, grace, NOW.plus(Duration::from_millis(5))).await.unwrap();
        let again = present(&store, &first, grace, NOW.plus(Duration::from_millis(2))).await;
        assert!(matches!(&again, Err(NotClaimed::Grace { current }) if *current == next), "{again:?}");
    }

    /// The window counts rotations: the third within a minute is refused and spends
    /// nothing; once the window is over the same token rotates.
    #[tokio::test]
    async fn a_session_over_its_refresh_limit_is_refused_until_its_window_ends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, first) = store_with_session(&dir).await;
        let limit = RefreshLimit { max: 2, per: Duration::from_secs(60) };
        let second = present_limited(&store, &first, Duration::ZERO, limit, NOW).await.unwrap();
        let later = NOW.plus(Duration::from_secs(10));
        let third = present_limited(&store, &second, Duration::ZERO, limit, later).await.unwrap();
        let refused = present_limited(&store, &third, Duration::ZERO, limit, later).await;
        let window_end = NOW.plus(Duration::from_secs(60));
        assert!(matches!(refused, Err(NotClaimed::RateLimited { until }) if until == window_end), "{refused:?}");
        let next_window = NOW.plus(Duration::from_secs(61));
        assert!(present_limited(&store, &third, Duration::ZERO, limit, next_window).await.is_ok());
    }
}
