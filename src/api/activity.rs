//! `GET /api/activity?before=<cursor>&limit=<n>`: the person's own security events,
//! newest first, a page at a time.

use crate::{
    server::{
        auth::bearer::Authenticated,
        ids::EventId,
        state::AppState,
        store::security_events::{self, Before, EventRow},
        time::UnixMillis,
    },
    shared::{
        device::describe_device,
        error::AppError,
        wire::{ActivityEvent, ActivityPage},
    },
};
use axum::{
    extract::{Query, State},
    Json,
};
use serde::Deserialize;

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

#[derive(Deserialize)]
pub struct Paging {
    before: Option<String>,
    limit: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<Paging>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ActivityPage>, AppError> {
    let Query(paging) = query.map_err(|_| AppError::invalid_input("The query string is malformed."))?;
    let limit = page_limit(paging.limit.as_deref())?;
    let before = paging.before.as_deref().map(parse_cursor).transpose()?;
    // One more than asked: whether there is a next page, without a second query.
    let mut rows = security_events::of_user(state.store.pool(), caller.user_id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more { rows.last().map(cursor) } else { None };
    let events = rows.into_iter().map(|row| shown(row, &caller)).collect::<Result<_, _>>()?;
    Ok(Json(ActivityPage { events, next }))
}

/// A page's `limit` query parameter: 1 to 100, 20 when absent. Every paged list of
/// the API reads it here.
pub fn page_limit(text: Option<&str>) -> Result<i64, AppError> {
    match text {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| AppError::invalid_input(format!("limit must be a whole number from 1 to {MAX_LIMIT}."))),
    }
}

/// An event as its person sees it.
pub fn shown(row: EventRow, caller: &Authenticated) -> Result<ActivityEvent, AppError> {
    Ok(ActivityEvent {
        id: row.id.to_string(),
        at: row.at.to_rfc3339()?,
        kind: row.kind,
        session_id: row.session_id.map(|s| s.to_string()),
        device: row.user_agent.as_deref().filter(|ua| !ua.is_empty()).map(describe_device),
        address: row.client_addr.filter(|a| a != "unknown"),
        current_session: row.session_id == Some(caller.session_id),
        reason: row.reason,
        // The contract: `method` on `signed_in` events only.
        method: row.method.filter(|_| row.kind == crate::shared::activity::EventKind::SignedIn),
    })
}

/// The cursor of the page after `row`: its instant and id, opaque to clients.
fn cursor(row: &EventRow) -> String {
    format!("{}.{}", row.at.0, row.id)
}

fn parse_cursor(text: &str) -> Result<Before, AppError> {
    let (at, id) = page_cursor::<EventId>(text)?;
    Ok(Before { at, id })
}

/// A page's `before` cursor as every paged list of the API writes it, `<millis>.<id>`:
/// the instant and id of the last row of the page before. Opaque to clients.
pub fn page_cursor<I: std::str::FromStr>(text: &str) -> Result<(UnixMillis, I), AppError> {
    let invalid = || AppError::invalid_input("before is not a cursor this server gave out.");
    let (at, id) = text.split_once('.').ok_or_else(invalid)?;
    Ok((UnixMillis(at.parse().map_err(|_| invalid())?), id.parse().map_err(|_| invalid())?))
}
