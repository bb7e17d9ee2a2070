//! What an administrator (or the command line) does to an account (docs/API.md, "Roles
//! and administration"). Each action commits with its row in the administration log
//! (`store::admin_actions`) and an event in the account's own activity, which says
//! "an administrator", never who.

use super::credentials;
use crate::{
    server::{
        ids::UserId,
        mail::{self, letters::Letter},
        state::AppState,
        store::{
            admin_actions::{self, Action, Actor, Record},
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
            users::{self, UserRow},
            Tx,
        },
        time::UnixMillis,
    },
    shared::{
        error::AppError,
        roles::{self, Roles},
    },
};

/// The reason an administrator gives for a lock or a deletion: 1 to 500 characters
/// once trimmed, no control characters (it is shown in the person's activity and mail).
pub fn reason(text: &str) -> Result<&str, AppError> {
    let text = text.trim();
    let count = text.chars().count();
    if count == 0 || count > 500 {
        return Err(AppError::invalid_input("Give a reason of 1 to 500 characters."));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::invalid_input("The reason must be one line of plain text."));
    }
    Ok(text)
}

/// Gives the account `target` exactly `new`, as `actor`. An administrator cannot take
/// `admin` from the last administrator (409 `last_admin`); the command line can, as
/// the operator's way out. Returns the account's roles now.
pub async fn set_roles(state: &AppState, actor: &Actor, target: UserId, new: Roles) -> Result<Roles, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    // Two administrators demoting each other at once must not both pass the count.
    tx.lock("roles:admin").await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    if account.roles == new {
        return Ok(new);
    }
    let demoted = account.roles.has(roles::ADMIN) && !new.has(roles::ADMIN);
    if demoted && *actor != Actor::Cli && users::count_with_role(tx.conn(), roles::ADMIN, 2).await? <= 1 {
        return Err(AppError::LastAdmin);
    }
    users::set_roles(&mut tx, target, &new).await?;
    let done = Done { actor, action: Action::RolesChanged, kind: EventKind::AdminRolesChanged, reason: None };
    done.record(&mut tx, now, target, Some(&account.email)).await?;
    tx.commit().await?;
    state.store.forget(target);
    tracing::info!(user = %target, roles = %new.to_column(), actor = %actor.label(), "roles changed");
    Ok(new)
}

/// Ends every session of `target` at once, on every instance (the revocation path of
/// any sign-out); returns how many ended.
pub async fn sign_out(state: &AppState, actor: &Actor, target: UserId, reason: Option<&str>) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    let ended = sessions::revoke(&mut tx, Scope::AllOf(target), RevokeReason::Admin, now).await?;
    let done = Done { actor, action: Action::SignedOut, kind: EventKind::AdminSignedOut, reason };
    done.record(&mut tx, now, target, Some(&account.email)).await?;
    tx.commit().await?;
    tracing::info!(user = %target, sessions = ended.len(), actor = %actor.label(), "signed out by an administrator");
    Ok(ended.len() as u64)
}

/// Locks `target` with `reason`: its sessions end at once on every instance (as a
/// password change ends them: pending links, second steps and setups too), and every
/// way in answers `account_locked` until it is unlocked. The person is mailed. An
/// administrator cannot lock the last administrator (409 `last_admin`).
pub async fn lock(state: &AppState, actor: &Actor, target: UserId, reason: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    tx.lock("roles:admin").await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    if account.locked_at.is_some() {
        return Ok(());
    }
    if *actor != Actor::Cli && last_admin(&mut tx, &account).await? {
        return Err(AppError::LastAdmin);
    }
    users::set_locked(&mut tx, target, Some((reason, now))).await?;
    let ended = credentials::changed(&mut tx, target, Scope::AllOf(target), RevokeReason::Locked, now).await?;
    let done = Done { actor, action: Action::Locked, kind: EventKind::AdminLocked, reason: Some(reason) };
    done.record(&mut tx, now, target, Some(&account.email)).await?;
    let letter = Letter::AccountLocked { reason: reason.to_string() };
    mail::queue(&mut tx, target, &account.email, &letter, None, now).await?;
    tx.commit().await?;
    state.store.forget(target);
    tracing::info!(user = %target, sessions = ended.len(), actor = %actor.label(), "account locked");
    Ok(())
}

/// Unlocks `target`: it can sign in again; the sessions the lock ended stay ended.
pub async fn unlock(state: &AppState, actor: &Actor, target: UserId, reason: Option<&str>) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    if account.locked_at.is_none() {
        return Ok(());
    }
    users::set_locked(&mut tx, target, None).await?;
    let done = Done { actor, action: Action::Unlocked, kind: EventKind::AdminUnlocked, reason };
    done.record(&mut tx, now, target, Some(&account.email)).await?;
    tx.commit().await?;
    state.store.forget(target);
    tracing::info!(user = %target, actor = %actor.label(), "account unlocked");
    Ok(())
}

/// Deletes `target` as its owner's own deletion does (`account::delete`), recorded in
/// the administration log without its address, and mailed to the person with `reason`.
/// An administrator cannot delete the last administrator (409 `last_admin`).
pub async fn delete(state: &AppState, actor: &Actor, target: UserId, reason: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    tx.lock("roles:admin").await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    if *actor != Actor::Cli && last_admin(&mut tx, &account).await? {
        return Err(AppError::LastAdmin);
    }
    let ended = super::account::erase(&mut tx, &account, now).await?;
    let record = Record { action: Action::Deleted, actor, target, target_email: None, reason: Some(reason) };
    admin_actions::record(&mut tx, now, &record).await?;
    // The outbox outlives the account: this notice is the last mail it gets.
    let letter = Letter::AccountDeleted { reason: reason.to_string() };
    mail::queue(&mut tx, target, &account.email, &letter, None, now).await?;
    tx.commit().await?;
    state.store.forget(target);
    tracing::info!(user = %target, sessions = ended, actor = %actor.label(), "account deleted by an administrator");
    Ok(())
}

/// Whether `account` is the only administrator who can still act (unlocked): taking
/// that away would leave the service without one. Call with `roles:admin` held.
async fn last_admin(tx: &mut Tx<'_>, account: &UserRow) -> Result<bool, AppError> {
    let counted = account.roles.has(roles::ADMIN) && account.locked_at.is_none();
    Ok(counted && users::count_with_role(tx.conn(), roles::ADMIN, 2).await? <= 1)
}

/// An action done, as both records say it.
struct Done<'a> {
    actor: &'a Actor,
    action: Action,
    kind: EventKind,
    reason: Option<&'a str>,
}

impl Done<'_> {
    async fn record(
        &self,
        tx: &mut Tx<'_>,
        now: UnixMillis,
        target: UserId,
        email: Option<&str>,
    ) -> Result<(), AppError> {
        let record =
            Record { action: self.action, actor: self.actor, target, target_email: email, reason: self.reason };
        admin_actions::record(tx, now, &record).await?;
        let event = Event { user_id: Some(target), reason: self.reason, ..Event::new(self.kind) };
        security_events::record(tx, now, &event).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn a_reason_is_one_to_five_hundred_characters_of_one_line() {
        assert_eq!(reason("  spam  ").unwrap(), "spam");
        assert!(reason("   ").is_err());
        assert!(reason(&"가".repeat(500)).is_ok());
        assert!(reason(&"가".repeat(501)).is_err());
        assert!(reason("two\nlines").is_err());
    }
}
