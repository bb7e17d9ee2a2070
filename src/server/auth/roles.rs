//! Guarding by role (docs/API.md, "Roles and administration").
//!
//! A Bearer route that needs a role takes [`RequireRole<R>`] as its extractor: it is
//! [`Authenticated`] plus the role, read from the database on every request (not from
//! the token's `roles` claim, which can be up to `BATON_ACCESS_TTL` old), so a removed
//! role stops at once. [`Admin`] is Baton's; an application adds its own with a type
//! and an `impl Role` (docs/EXTENDING.md).

use super::bearer::{is_recent, Authenticated};
use crate::{
    server::{state::AppState, store::users},
    shared::{error::AppError, roles},
};
use axum::{extract::FromRequestParts, http::request::Parts};
use std::marker::PhantomData;

pub use crate::shared::roles::Roles;

/// A role a route can require.
pub trait Role: Send + Sync + 'static {
    /// The role's name, as accounts hold it.
    const NAME: &'static str;
}

/// Baton's administrators.
pub struct Admin;

impl Role for Admin {
    const NAME: &'static str = roles::ADMIN;
}

/// A caller who holds role `R` now: 401 without a valid token, 403 `forbidden` without
/// the role.
pub struct RequireRole<R: Role> {
    pub caller: Authenticated,
    role: PhantomData<R>,
}

impl<R: Role> RequireRole<R> {
    /// The caller, who must also have proved who they are within
    /// `BATON_REAUTH_WINDOW`: what every change made with the role needs (403
    /// `reauth_required` otherwise).
    pub fn recent(&self, state: &AppState) -> Result<Authenticated, AppError> {
        if is_recent(self.caller.auth_time, state.settings.tokens.reauth_window, state.clock.now()) {
            Ok(self.caller)
        } else {
            Err(AppError::ReauthRequired)
        }
    }
}

impl<R: Role> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Authenticated::from_request_parts(parts, state).await?;
        let roles = users::roles_of(state.store.pool(), caller.user_id).await?.ok_or(AppError::InvalidToken)?;
        if !roles.has(R::NAME) {
            return Err(AppError::Forbidden);
        }
        Ok(RequireRole { caller, role: PhantomData })
    }
}
