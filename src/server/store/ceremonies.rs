//! The `webauthn_ceremonies` table: a passkey registration or sign-in between its
//! start and its finish. In the database rather than in memory, so any instance can
//! answer the finish; taken exactly once, so a challenge cannot be answered twice.

use super::tx::{StoreError, Tx};
use crate::server::{
    ids::{CeremonyId, UserId},
    time::UnixMillis,
};
use sqlx::AnyPool;

text_enum! {
    pub enum Purpose {
        /// Adding a passkey to a signed-in account.
        Register = "register",
        /// Signing in (or re-authenticating) with a discoverable passkey.
        SignIn = "sign_in",
    }
}

pub async fn insert(
    tx: &mut Tx<'_>,
    id: CeremonyId,
    purpose: Purpose,
    user: Option<UserId>,
    client_net: Option<&str>,
    state: &str,
    expires_at: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, purpose, user_id, client_net, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(purpose)
    .bind(user)
    .bind(client_net)
    .bind(state)
    .bind(expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Taken {
    pub user_id: Option<UserId>,
    pub state: String,
}

/// Takes the unexpired ceremony `id` of `purpose`: it is gone afterwards, whatever the
/// finish makes of it (a failed answer needs a new start).
pub async fn take(
    tx: &mut Tx<'_>,
    id: CeremonyId,
    purpose: Purpose,
    now: UnixMillis,
) -> Result<Option<Taken>, StoreError> {
    let taken: Option<(Option<UserId>, String, UnixMillis)> = sqlx::query_as(
        "DELETE FROM webauthn_ceremonies WHERE id = $1 AND purpose = $2 RETURNING user_id, state, expires_at",
    )
    .bind(id)
    .bind(purpose)
    .fetch_optional(tx.conn())
    .await?;
    Ok(unexpired(taken, now))
}

/// A taken ceremony, if it had not expired (an expired one is gone all the same).
fn unexpired(taken: Option<(Option<UserId>, String, UnixMillis)>, now: UnixMillis) -> Option<Taken> {
    taken.filter(|(_, _, expires_at)| *expires_at > now).map(|(user_id, state, _)| Taken { user_id, state })
}

/// The caller's unfinished registration, taken.
pub async fn take_registration(tx: &mut Tx<'_>, user: UserId, now: UnixMillis) -> Result<Option<Taken>, StoreError> {
    let taken: Option<(Option<UserId>, String, UnixMillis)> = sqlx::query_as(
        "DELETE FROM webauthn_ceremonies WHERE purpose = $1 AND user_id = $2 RETURNING user_id, state, expires_at",
    )
    .bind(Purpose::Register)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    Ok(unexpired(taken, now))
}

/// Ends the account's unfinished registration: only the newest start can finish.
pub async fn delete_registrations_of(tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE purpose = $1 AND user_id = $2")
        .bind(Purpose::Register)
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Sign-in ceremonies opened from `client_net` that are still open.
pub async fn open_sign_ins_of(pool: &AnyPool, client_net: &str, now: UnixMillis) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM webauthn_ceremonies WHERE client_net = $1 AND purpose = $2 AND expires_at > $3",
    )
    .bind(client_net)
    .bind(Purpose::SignIn)
    .bind(now)
    .fetch_one(pool)
    .await?;
    Ok(count)
}

pub async fn prune(tx: &mut Tx<'_>, now: UnixMillis, batch: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE id IN (SELECT id FROM webauthn_ceremonies WHERE expires_at < $1 LIMIT $2)",
    )
    .bind(now)
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected())
}
