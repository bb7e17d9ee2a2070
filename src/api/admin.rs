//! The administration API (docs/API.md, "Roles and administration"): every route here
//! takes [`RequireRole<Admin>`], which reads the caller's roles from the database on
//! each request. [`ROUTES`] lists them, and `tests/http/admin.rs` asks each one as a
//! non-administrator, so a route added here without the guard fails a test.

use super::activity::{page_cursor, page_limit, shown as event_shown};
use crate::{
    server::{
        auth::{
            admin,
            bearer::Authenticated,
            roles::{Admin, RequireRole, Roles},
        },
        http::fields::Fields,
        ids::{AdminActionId, SessionId, UserId},
        state::AppState,
        store::{
            admin_actions::{self, ActionRow, Actor},
            security_events, sessions,
            users::{self, Cursor, Filter, Listed},
        },
        time::UnixMillis,
    },
    shared::{
        endpoints,
        error::AppError,
        wire::{AdminSession, AdminUser, AdminUserDetail, AdminUsers, AuditEvent, AuditPage, AuditParty, RolesBody},
    },
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{delete, get, post, put, MethodRouter},
    Json,
};
use serde::Deserialize;

/// Every administration route: (method, path, handler).
pub fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", endpoints::ADMIN_USERS, get(users_page)),
        ("GET", endpoints::ADMIN_USER, get(user)),
        ("PUT", endpoints::ADMIN_USER_ROLES, put(set_roles)),
        ("DELETE", endpoints::ADMIN_USER, delete(delete_user)),
        ("POST", endpoints::ADMIN_USER_LOCK, post(lock)),
        ("POST", endpoints::ADMIN_USER_UNLOCK, post(unlock)),
        ("POST", endpoints::ADMIN_USER_SIGN_OUT, post(sign_out)),
        ("GET", endpoints::ADMIN_AUDIT, get(audit)),
    ]
}

/// The administrator as the log names them.
async fn actor_of(state: &AppState, caller: &Authenticated) -> Result<Actor, AppError> {
    let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
    Ok(Actor::Admin { id: account.id, email: account.email.clone() })
}

/// The `{id}` of a path: not a UUID is no account.
fn target(id: &str) -> Result<UserId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// One account as listed, or 404.
async fn listed(state: &AppState, id: UserId) -> Result<Listed, AppError> {
    let now = state.clock.now();
    users::list(state.store.pool(), state.store.backend(), Filter::Id(id), None, 1, now)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// `GET /api/admin/users/{id}`: the account, its live sessions, its 20 newest events.
pub async fn user(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
) -> Result<Json<AdminUserDetail>, AppError> {
    let id = target(&id)?;
    let user = shown(listed(&state, id).await?)?;
    let pool = state.store.pool();
    let live_sessions = sessions::live_of(pool, id, state.clock.now())
        .await?
        .into_iter()
        .map(|s| {
            Ok(AdminSession {
                id: s.id.to_string(),
                created_at: s.created_at.to_rfc3339()?,
                last_used_at: s.last_used_at.to_rfc3339()?,
                expires_at: s.idle_expires_at.min(s.expires_at).to_rfc3339()?,
                user_agent: s.user_agent,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    // Seen by an administrator, no event is about "the current session".
    let nobody = Authenticated { session_id: SessionId::generate(), ..admin.caller };
    let events = security_events::of_user(pool, id, None, 20)
        .await?
        .into_iter()
        .map(|row| event_shown(row, &nobody))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(AdminUserDetail { user, live_sessions, events }))
}

/// `PUT /api/admin/users/{id}/roles` JSON `{"roles": [...]}`: sensitive.
pub async fn set_roles(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
    body: Result<Json<RolesBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AdminUser>, AppError> {
    let caller = admin.recent(&state)?;
    let id = target(&id)?;
    let Json(body) = body.map_err(|_| AppError::invalid_input("Send JSON: {\"roles\": [\"…\"]}."))?;
    let roles = Roles::parse(&body.roles)?;
    let actor = actor_of(&state, &caller).await?;
    admin::set_roles(&state, &actor, id, roles).await?;
    Ok(Json(shown(listed(&state, id).await?)?))
}

/// `POST /api/admin/users/{id}/sign_out`, optional field `reason`: every session ends;
/// sensitive.
pub async fn sign_out(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
    Fields(fields): Fields<OptionalReason>,
) -> Result<StatusCode, AppError> {
    let caller = admin.recent(&state)?;
    let id = target(&id)?;
    let reason = fields.checked()?;
    let actor = actor_of(&state, &caller).await?;
    admin::sign_out(&state, &actor, id, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The field `reason` of a lock or a deletion.
#[derive(Deserialize)]
pub struct ReasonField {
    reason: String,
}

/// The field `reason`, optional: an unlock or a sign-out may say why.
#[derive(Deserialize)]
pub struct OptionalReason {
    reason: Option<String>,
}

impl OptionalReason {
    fn checked(&self) -> Result<Option<&str>, AppError> {
        match self.reason.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => admin::reason(text).map(Some),
        }
    }
}

/// `POST /api/admin/users/{id}/lock` field `reason`: every session ends, every way in
/// answers `account_locked`; sensitive.
pub async fn lock(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
    Fields(fields): Fields<ReasonField>,
) -> Result<StatusCode, AppError> {
    let caller = admin.recent(&state)?;
    let id = target(&id)?;
    let reason = admin::reason(&fields.reason)?;
    let actor = actor_of(&state, &caller).await?;
    admin::lock(&state, &actor, id, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/users/{id}/unlock`, optional field `reason`; sensitive.
pub async fn unlock(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
    Fields(fields): Fields<OptionalReason>,
) -> Result<StatusCode, AppError> {
    let caller = admin.recent(&state)?;
    let id = target(&id)?;
    let reason = fields.checked()?;
    let actor = actor_of(&state, &caller).await?;
    admin::unlock(&state, &actor, id, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/admin/users/{id}` field `reason`: as the person's own deletion; sensitive.
pub async fn delete_user(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<String>,
    Fields(fields): Fields<ReasonField>,
) -> Result<StatusCode, AppError> {
    let caller = admin.recent(&state)?;
    let id = target(&id)?;
    let reason = admin::reason(&fields.reason)?;
    let actor = actor_of(&state, &caller).await?;
    admin::delete(&state, &actor, id, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What `GET /api/admin/audit` reads from its query string.
#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<String>,
    limit: Option<String>,
}

/// `GET /api/admin/audit?before=&limit=`: administrators' actions, newest first.
pub async fn audit(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, AppError> {
    let Query(query) = query.map_err(|_| AppError::invalid_input("The query string is malformed."))?;
    let limit = page_limit(query.limit.as_deref())?;
    let before = query.before.as_deref().map(parse_audit_cursor).transpose()?;
    let mut rows = admin_actions::page(state.store.pool(), before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more { rows.last().map(|row| format!("{}.{}", row.at.0, row.id)) } else { None };
    let events = rows.into_iter().map(audit_shown).collect::<Result<_, _>>()?;
    Ok(Json(AuditPage { events, next }))
}

fn audit_shown(row: ActionRow) -> Result<AuditEvent, AppError> {
    Ok(AuditEvent {
        id: row.id.to_string(),
        at: row.at.to_rfc3339()?,
        actor: AuditParty { id: row.actor_id.map(|id| id.to_string()), email: row.actor_email },
        action: row.action,
        target: AuditParty { id: Some(row.target_id.to_string()), email: row.target_email },
        reason: row.reason,
    })
}

fn parse_audit_cursor(text: &str) -> Result<admin_actions::Before, AppError> {
    let (at, id) = page_cursor::<AdminActionId>(text)?;
    Ok(admin_actions::Before { at, id })
}

/// What `GET /api/admin/users` reads from its query string.
#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

/// `GET /api/admin/users?q=&before=&limit=`: accounts newest first; `q` matches an
/// email by prefix or an id exactly.
pub async fn users_page(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    query: Result<Query<UsersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AdminUsers>, AppError> {
    let Query(query) = query.map_err(|_| AppError::invalid_input("The query string is malformed."))?;
    let limit = page_limit(query.limit.as_deref())?;
    let before = query.before.as_deref().map(parse_cursor).transpose()?;
    // (The store lower-cases it, for the command line's search too.)
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.len() > 320) {
        return Err(AppError::invalid_input("q is longer than any email address."));
    }
    let now = state.clock.now();
    // One more than asked: whether there is a next page, without a second query.
    let mut rows =
        users::list(state.store.pool(), state.store.backend(), Filter::search(q), before, limit + 1, now).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more { rows.last().map(cursor) } else { None };
    let users = rows.into_iter().map(shown).collect::<Result<_, _>>()?;
    Ok(Json(AdminUsers { users, next }))
}

/// An account as the administration sees it.
fn shown(row: Listed) -> Result<AdminUser, AppError> {
    Ok(AdminUser {
        id: row.id.to_string(),
        email: row.email,
        email_verified: row.email_verified_at.is_some(),
        created_at: row.created_at.to_rfc3339()?,
        last_sign_in_at: row.last_sign_in_at.map(UnixMillis::to_rfc3339).transpose()?,
        locked: row.locked_at.is_some(),
        roles: row.roles.names().to_vec(),
        two_step: row.two_step > 0,
        passkeys: u64::try_from(row.passkeys).unwrap_or(0),
        sessions: u64::try_from(row.sessions).unwrap_or(0),
    })
}

/// The cursor of the page after `row`: its creation instant and id, opaque to clients.
fn cursor(row: &Listed) -> String {
    format!("{}.{}", row.created_at.0, row.id)
}

fn parse_cursor(text: &str) -> Result<Cursor, AppError> {
    let (created_at, id) = page_cursor::<UserId>(text)?;
    Ok(Cursor { created_at, id })
}
