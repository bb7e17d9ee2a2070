//! What an administrator (or the command line) does to an account (docs/API.md, "Roles
//! and administration"). Each action commits with its row in the administration log
//! (`store::admin_actions`) and an event in the account's own activity, which says
//! "an administrator", never who.

use crate::{
    server::{
        ids::UserId,
        state::AppState,
        store::{
            admin_actions::{self, Action, Actor, Record},
            security_events::{self, Event, EventKind},
            sessions::{self, RevokeReason, Scope},
            users, Tx,
        },
        time::UnixMillis,
    },
    shared::{
        error::AppError,
        roles::{self, Roles},
    },
};

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
    done.record(&mut tx, now, target, &account.email).await?;
    tx.commit().await?;
    state.store.forget(target);
    tracing::info!(user = %target, roles = %new.to_column(), actor = %actor.label(), "roles changed");
    Ok(new)
}

/// Ends every session of `target` at once, on every instance (the revocation path of
/// any sign-out); returns how many ended.
pub async fn sign_out(state: &AppState, actor: &Actor, target: UserId) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let account = users::by_id_in(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    let ended = sessions::revoke(&mut tx, Scope::AllOf(target), RevokeReason::Admin, now).await?;
    let done = Done { actor, action: Action::SignedOut, kind: EventKind::AdminSignedOut, reason: None };
    done.record(&mut tx, now, target, &account.email).await?;
    tx.commit().await?;
    tracing::info!(user = %target, sessions = ended.len(), actor = %actor.label(), "signed out by an administrator");
    Ok(ended.len() as u64)
}

/// An action done, as both records say it.
struct Done<'a> {
    actor: &'a Actor,
    action: Action,
    kind: EventKind,
    reason: Option<&'a str>,
}

impl Done<'_> {
    async fn record(&self, tx: &mut Tx<'_>, now: UnixMillis, target: UserId, email: &str) -> Result<(), AppError> {
        let record =
            Record { action: self.action, actor: self.actor, target, target_email: email, reason: self.reason };
        admin_actions::record(tx, now, &record).await?;
        let event = Event { user_id: Some(target), ..Event::new(self.kind) };
        security_events::record(tx, now, &event).await?;
        Ok(())
    }
}
