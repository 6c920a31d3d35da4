//! The queue's JSON API: kiosks and apps take tickets and follow them, boards read the hall and
//! listen for calls, consoles call and serve.

use super::steps::{self, HallSnapshot, QueueNow, TicketAction, TicketRequest, TicketStatus, WindowHolding};
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::events;
use crate::shared::extract::{ApiResult, Body, Params};
use crate::shared::roles::{MANAGERS, WINDOW_ROLES};
use crate::shared::texts::words_or_code;
use chrono::{DateTime, Utc};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use banshi_storage::{Ticket, WindowLive, WindowStatus};
use serde::{Deserialize, Serialize};

/// The centre's queues in the kiosk's order, each with whether it issues tickets now, and if not
/// why and when it does again.
#[utoipa::path(get, path = "/api/v1/queues", tag = "queue", params(CentreQuery), responses((status = 200, description = "the queues now", body = Vec<QueueNow>)))]
pub async fn queues(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Vec<QueueNow>>> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(Json(steps::queues_now(&state, &centre).await?))
}

/// Take a ticket (the kiosk, an app); an officer's request is a desk's and may check an
/// appointment in. The answer's `ticket.token` opens the ticket's status. A queue that issues no
/// ticket now is refused with 409 and the code `queue_closed`, `issue_stopped`, `quota_reached` or
/// `no_window_open`, its message saying when it issues again.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "queue", params(CentreQuery), request_body = TicketRequest, responses((status = 201, description = "the ticket taken, with its place in the queue", body = TicketStatus)))]
pub async fn take_ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(query): Params<CentreQuery>,
    Body(request): Body<TicketRequest>,
) -> ApiResult<impl IntoResponse> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    // An officer's request is a desk's: it may check an appointment in.
    let desk = visitor.staff.as_ref().filter(|staff| WINDOW_ROLES.contains(&staff.role) && staff.centre_code == centre);
    let ticket = steps::take_ticket(&state, &centre, &request, desk).await?;
    let status = steps::ticket_status(&state, ticket).await?;
    Ok((StatusCode::CREATED, Json(status)))
}

/// A ticket's status for its holder, by the token printed on the ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{token}", tag = "queue", params(("token" = String, Path, description = "the ticket's token (on its QR code)")), responses((status = 200, description = "the ticket with the people ahead and the estimated wait", body = TicketStatus)))]
pub async fn ticket_status(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<TicketStatus>> {
    Ok(Json(steps::ticket_status_by_token(&state, &token).await?))
}

/// One step of a ticket's history, as its holder may read it (no officer, no reason).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketStep {
    pub at: DateTime<Utc>,
    /// `issued`, `called`, `recalled`, `started`, `finished`, `transferred`, `parked`, `resumed`,
    /// `returned`, `no_show`, `cancelled`, `expired`.
    pub event: String,
    /// The step in words: 取号, 叫号, 办结 …
    pub words: String,
    /// The window it happened at, when it names one.
    pub window: Option<i64>,
}

/// A ticket's history for its holder, by the token printed on the ticket: taken, called (at which
/// window), recalled, finished …
#[utoipa::path(get, path = "/api/v1/tickets/{token}/history", tag = "queue", params(("token" = String, Path, description = "the ticket's token (on its QR code)")), responses((status = 200, description = "the ticket's steps, oldest first", body = Vec<TicketStep>)))]
pub async fn ticket_history(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<Vec<TicketStep>>> {
    let ticket = steps::ticket_by_token(&state, &token).await?;
    let steps = state.store.ticket_history(ticket.id).await?;
    Ok(Json(
        steps
            .into_iter()
            .map(|(at, recorded)| {
                let event = recorded["event"].as_str().unwrap_or_default().to_string();
                TicketStep { at, words: words_or_code(&format!("ticket_event_{event}"), &event), window: recorded["window"].as_i64(), event }
            })
            .collect(),
    ))
}

/// The hall now: queues with their lengths and lights, windows, recent calls. Officers' names are
/// masked for anyone not signed in.
#[utoipa::path(get, path = "/api/v1/hall", tag = "queue", params(CentreQuery), responses((status = 200, description = "the hall now", body = HallSnapshot)))]
pub async fn hall_snapshot(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<HallSnapshot>> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let mut snapshot = steps::snapshot(&state, &centre).await?;
    // Officers' names for the centre's own staff only.
    if visitor.staff.as_ref().is_none_or(|staff| staff.centre_code != centre) {
        steps::mask_staff(&mut snapshot);
    }
    Ok(Json(snapshot))
}

/// The centre's live events (server-sent events): `event: call` with the call and the words to
/// speak, `event: counts` with the waiting counts per queue.
#[utoipa::path(get, path = "/api/v1/events", tag = "queue", params(CentreQuery), responses((status = 200, description = "an endless event stream", content_type = "text/event-stream", body = String)))]
pub async fn events(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<impl IntoResponse> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(events::stream(&state, centre))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowStatusRequest {
    status: WindowStatus,
    /// Why the window pauses (break, back-office work …); required for `paused`.
    #[serde(default)]
    #[schema(max_length = 60)]
    reason: Option<String>,
}

/// Sign in at a window (`open`), pause it with a reason, or close it.
#[utoipa::path(post, path = "/api/v1/windows/{window}/status", tag = "queue", params(("window" = i32, Path, description = "the window's number")), request_body = WindowStatusRequest, responses((status = 200, description = "the window now", body = WindowLive)), security(("session" = [], "csrf" = [])))]
pub async fn set_window(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<i32>,
    Body(request): Body<WindowStatusRequest>,
) -> ApiResult<Json<WindowLive>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    Ok(Json(steps::set_window(&state, staff, number, request.status, request.reason.as_deref()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForceCloseRequest {
    #[schema(max_length = 60)]
    reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ForceClosed {
    window: WindowLive,
    /// The tickets that went back to their queues.
    returned: Vec<Ticket>,
}

/// The duty leader closes a window whose officer has gone; its tickets go back to their queues.
#[utoipa::path(post, path = "/api/v1/windows/{window}/force-close", tag = "queue", params(("window" = i32, Path, description = "the window's number")), request_body = ForceCloseRequest, responses((status = 200, description = "the window closed and the tickets returned", body = ForceClosed)), security(("session" = [], "csrf" = [])))]
pub async fn force_close_window(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<i32>,
    Body(request): Body<ForceCloseRequest>,
) -> ApiResult<Json<ForceClosed>> {
    let manager = visitor.require(MANAGERS)?;
    let (window, returned) = steps::close_window_for(&state, manager, number, &request.reason).await?;
    Ok(Json(ForceClosed { window, returned }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalledTicket {
    /// None when nobody is waiting.
    ticket: Option<Ticket>,
}

/// What a window holds now: its state, the visitor at it, the parked ones, and the waiting tickets
/// in the order it will call them, with their ids.
#[utoipa::path(get, path = "/api/v1/windows/{window}", tag = "queue", params(("window" = i32, Path, description = "the window's number")), responses((status = 200, description = "the window's tickets", body = WindowHolding)), security(("session" = [])))]
pub async fn window_holding(State(state): State<AppState>, visitor: Visitor, Path(number): Path<i32>) -> ApiResult<Json<WindowHolding>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    Ok(Json(steps::window_holding(&state, &staff.centre_code, number).await?))
}

/// Call the next ticket by the call rule.
#[utoipa::path(post, path = "/api/v1/windows/{window}/call-next", tag = "queue", params(("window" = i32, Path, description = "the window's number")), responses((status = 200, description = "the ticket called, or none when nobody waits", body = CalledTicket)), security(("session" = [], "csrf" = [])))]
pub async fn call_next(State(state): State<AppState>, visitor: Visitor, Path(number): Path<i32>) -> ApiResult<Json<CalledTicket>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    Ok(Json(CalledTicket { ticket: steps::call_next(&state, staff, number).await? }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActedOn {
    ticket: Ticket,
}

/// An action on a ticket at the window: call out of order, recall, start, finish, transfer, park,
/// resume, return, no-show, cancel.
#[utoipa::path(post, path = "/api/v1/windows/{window}/tickets/{id}", tag = "queue", params(("window" = i32, Path, description = "the window's number"), ("id" = i64, Path, description = "the ticket's id")), request_body = TicketAction, responses((status = 200, description = "the ticket after the action", body = ActedOn)), security(("session" = [], "csrf" = [])))]
pub async fn act_on_ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((number, ticket_id)): Path<(i32, i64)>,
    Body(action): Body<TicketAction>,
) -> ApiResult<Json<ActedOn>> {
    let staff = visitor.require(WINDOW_ROLES)?;
    Ok(Json(ActedOn { ticket: steps::act_on_ticket(&state, staff, number, ticket_id, action).await? }))
}
