//! The queue's JSON API: kiosks and apps take tickets and follow them, boards read the hall and
//! listen for calls, consoles call and serve.

use crate::api::{Body, Params};
use crate::auth::Visitor;
use crate::error::{ApiError, AppError};
use crate::hall::{self, TicketAction, TicketRequest};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use banshi_domain::Role;
use banshi_storage::{Queue, WindowStatus};
use serde::Deserialize;
use serde_json::{json, Value};

type ApiResult<T> = Result<T, ApiError>;

/// Who works the windows: the window staff, and the duty leader stepping in.
pub const WINDOW_ROLES: &[Role] = &[Role::WindowStaff, Role::Manager];

#[derive(Deserialize)]
pub struct CentreQuery {
    #[serde(default)]
    pub centre: Option<String>,
}

/// The centre a request is about: the one named, the staff member's own, or the hall's.
pub async fn resolve_centre(state: &AppState, visitor: &Visitor, named: Option<String>) -> Result<String, AppError> {
    if let Some(code) = named.filter(|c| !c.is_empty()) {
        return match state.store.centre(&code).await? {
            Some(centre) => Ok(centre.code),
            None => Err(AppError::NotFound(format!("centre {code}"))),
        };
    }
    if let Some(staff) = &visitor.staff {
        return Ok(staff.centre_code.clone());
    }
    state.cache.default_centre(state.store.as_ref()).await?.ok_or_else(|| AppError::NotFound("centre".into()))
}

pub async fn queues(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Vec<Queue>>> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(Json(state.cache.queues(state.store.as_ref(), &centre).await?))
}

pub async fn take_ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(query): Params<CentreQuery>,
    Body(request): Body<TicketRequest>,
) -> ApiResult<impl IntoResponse> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    // An officer's request is a desk's: it may check an appointment in.
    let desk = visitor.staff.as_ref().filter(|staff| WINDOW_ROLES.contains(&staff.role));
    let ticket = hall::take_ticket(&state, &centre, &request, desk).await?;
    let status = hall::ticket_status(&state, ticket).await?;
    Ok((StatusCode::CREATED, Json(status)))
}

/// A ticket's status for its holder, by the token printed on the ticket.
pub async fn ticket_status(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<hall::TicketStatus>> {
    Ok(Json(hall::ticket_status_by_token(&state, &token).await?))
}

/// The hall now: queues with their lengths and lights, windows, recent calls. Officers' names are
/// masked for anyone not signed in.
pub async fn hall_snapshot(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<hall::HallSnapshot>> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let mut snapshot = hall::snapshot(&state, &centre).await?;
    if visitor.staff.is_none() {
        hall::mask_staff(&mut snapshot);
    }
    Ok(Json(snapshot))
}

pub async fn events(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<impl IntoResponse> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(crate::events::stream(&state, centre))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowStatusRequest {
    status: WindowStatus,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn set_window(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<i32>,
    Body(request): Body<WindowStatusRequest>,
) -> ApiResult<Json<Value>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    let live = hall::set_window(&state, staff, number, request.status, request.reason.as_deref()).await?;
    Ok(Json(json!(live)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceCloseRequest {
    reason: String,
}

/// The duty leader closes a window whose officer has gone; its tickets go back to their queues.
pub async fn force_close_window(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<i32>,
    Body(request): Body<ForceCloseRequest>,
) -> ApiResult<Json<Value>> {
    let manager = visitor.require(&[Role::Manager])?;
    let (window, returned) = hall::close_window_for(&state, manager, number, &request.reason).await?;
    Ok(Json(json!({ "window": window, "returned": returned })))
}

pub async fn call_next(State(state): State<AppState>, visitor: Visitor, Path(number): Path<i32>) -> ApiResult<Json<Value>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    let called = hall::call_next(&state, staff, number).await?;
    Ok(Json(json!({ "ticket": called })))
}

pub async fn act_on_ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((number, ticket_id)): Path<(i32, i64)>,
    Body(action): Body<TicketAction>,
) -> ApiResult<Json<Value>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    let ticket = hall::act_on_ticket(&state, staff, number, ticket_id, action).await?;
    Ok(Json(json!({ "ticket": ticket })))
}
