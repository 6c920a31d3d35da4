//! The queue's pages: the kiosk (取号机), the printed ticket and its status page, the display
//! board (叫号屏), the window console (窗口工作台) and the duty leader's overview.

use super::steps::{self, TicketAction, TicketRequest};
use crate::ratings;
use crate::shared::auth::Visitor;
use crate::shared::centre::{figures_centre, resolve_centre, CentreQuery};
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{FIGURE_READERS, MANAGERS, WINDOW_ROLES};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::http::HeaderMap;
use axum::Form;
use crate::shared::links::{public_link, qr_svg};
use banshi_domain::queue::{Outcome, PriorityReason, TicketState};
use banshi_domain::Role;
use banshi_storage::WindowStatus;
use minijinja::context;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

fn priority_choices() -> Vec<(&'static str, &'static str)> {
    PriorityReason::ALL
        .iter()
        .filter(|r| **r != PriorityReason::Appointment)
        .map(|r| (r.as_str(), text(&format!("priority_{}", r.as_str()))))
        .collect()
}

/// The kiosk page. `?kiosk=1` is the hall's own ticket machine: no site header, the green
/// channel open above the queues, and after each ticket back to the start for the next person.
#[derive(Deserialize)]
pub struct KioskQuery {
    #[serde(default)]
    centre: Option<String>,
    #[serde(default)]
    kiosk: Option<String>,
}

fn unattended(flag: &Option<String>) -> bool {
    flag.as_deref() == Some("1")
}

pub async fn kiosk(State(state): State<AppState>, visitor: Visitor, Query(query): Query<KioskQuery>) -> PageResult {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let frame = frame(&state, &visitor).await?;
    let queues = steps::queues_now(&state, &centre).await?;
    let typed = KioskTyped::default();
    Ok(render("queue/kiosk.html", context! { queues, priorities => priority_choices(), centre_code => centre, problems => Vec::<String>::new(), typed, unattended => unattended(&query.kiosk), ..frame }))
}

/// What the visitor chose or typed, shown again when the ticket is refused.
#[derive(Default, serde::Serialize)]
struct KioskTyped {
    priority: String,
    id_number: String,
    phone: String,
}

#[derive(Deserialize)]
pub struct KioskForm {
    queue: String,
    #[serde(default)]
    centre: Option<String>,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    kiosk: Option<String>,
}

pub async fn kiosk_take(State(state): State<AppState>, visitor: Visitor, Form(form): Form<KioskForm>) -> PageResult {
    let centre = resolve_centre(&state, &visitor, form.centre.clone()).await?;
    let priority = match form.priority.as_str() {
        "" => None,
        other => PriorityReason::ALL.into_iter().find(|r| r.as_str() == other),
    };
    let request = TicketRequest {
        queue: form.queue.clone(),
        priority,
        id_number: Some(form.id_number.clone()),
        phone: Some(form.phone.clone()),
        items: vec![],
        booking: None,
    };
    match steps::take_ticket(&state, &centre, &request, None).await {
        Ok(ticket) => {
            let mode = if unattended(&form.kiosk) { "?kiosk=1" } else { "" };
            Ok(Redirect::to(&format!("/tickets/{}/print{mode}", ticket.token)).into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Unavailable { .. })) => {
            let frame = frame(&state, &visitor).await?;
            let queues = steps::queues_now(&state, &centre).await?;
            let status = err.status();
            let problems: Vec<String> = match err {
                AppError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
                other => vec![other.message()],
            };
            let typed = KioskTyped { priority: form.priority.clone(), id_number: form.id_number.clone(), phone: form.phone.clone() };
            let mut response = render("queue/kiosk.html", context! { queues, priorities => priority_choices(), centre_code => centre, problems, typed, unattended => unattended(&form.kiosk), ..frame });
            *response.status_mut() = status;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

async fn ticket_context(state: &AppState, visitor: &Visitor, headers: &HeaderMap, token: &str) -> Result<minijinja::Value, AppError> {
    let status = steps::ticket_status_by_token(state, token).await?;
    let frame = frame(state, visitor).await?;
    let arrived = status.ticket.arrived_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
    let status_path = public_link(state, headers, &format!("/tickets/{token}"));
    let qr_svg = qr_svg(&status_path, 140);
    let state_label = text(&format!("ticket_state_{}", status.ticket.state.name()));
    let done = matches!(status.ticket.state, TicketState::Done { .. });
    let rating = ratings::ticket_rating(state, status.ticket.id, done).await?;
    let rating_hidden = context! { ticket => token };
    Ok(context! { status, arrived, qr_svg, state_label, status_path, rating, rating_hidden, ..frame })
}

/// The 80 mm ticket the kiosk prints, with a QR code of the status page.
pub async fn ticket_print(State(state): State<AppState>, visitor: Visitor, headers: HeaderMap, Path(token): Path<String>, Query(query): Query<KioskQuery>) -> PageResult {
    let page = ticket_context(&state, &visitor, &headers, &token).await?;
    Ok(render("queue/ticket_print.html", context! { unattended => unattended(&query.kiosk), ..page }))
}

/// The ticket holder's page: people ahead, estimated wait; refreshes itself on hall events.
pub async fn ticket_page(State(state): State<AppState>, visitor: Visitor, headers: HeaderMap, Path(token): Path<String>, Query(flash): Query<Flash>) -> PageResult {
    let page = ticket_context(&state, &visitor, &headers, &token).await?;
    Ok(render("queue/ticket.html", context! { message => flash.message, error => flash.error, ..page }))
}

pub async fn board(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> PageResult {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let frame = frame(&state, &visitor).await?;
    let mut snapshot = steps::snapshot(&state, &centre).await?;
    steps::mask_staff(&mut snapshot);
    // The public figures, on the board between calls (评价公开).
    let results = ratings::results(&state, &centre).await?;
    Ok(render("queue/board.html", context! { snapshot, results, centre_code => centre, ..frame }))
}

pub async fn console_home(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require(WINDOW_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let windows = state.store.windows_live(&staff.centre_code).await?;
    let mine = windows.iter().find(|w| w.staff_id == Some(staff.id) && w.status != WindowStatus::Closed).map(|w| w.number);
    if let Some(number) = mine {
        return Ok(Redirect::to(&format!("/console/{number}")).into_response());
    }
    Ok(render("queue/console_home.html", context! { windows, ..frame }))
}

pub async fn console(State(state): State<AppState>, visitor: Visitor, Path(number): Path<i32>, Query(flash): Query<Flash>) -> PageResult {
    let staff = visitor.require(WINDOW_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    // The visitor called or served now; parked ones wait aside (the window serves others
    // meanwhile); the waiting ones in the order this window calls them.
    let steps::WindowHolding { window, current, parked, waiting } = steps::window_holding(&state, &staff.centre_code, number).await?;
    let windows = state.store.windows_live(&staff.centre_code).await?;
    // Windows a visitor can be handed to: the others that someone can still work.
    let handover_windows: Vec<_> = windows.into_iter().filter(|w| w.number != number && w.status != WindowStatus::Closed).collect();
    let queues = state.cache.queues(state.store.as_ref(), &staff.centre_code).await?;
    let outcomes = ["done", "notice_issued", "handed_over"].map(|o| (o, text(&format!("outcome_{o}"))));
    let current_state = current.as_ref().map(|t| t.state.name());
    // 多事一次办: the items the visitor came for, by name, so the officer sees the whole visit.
    let mut current_items = Vec::new();
    for code in current.iter().flat_map(|t| t.items.iter()) {
        let name = state.cache.item(state.store.as_ref(), &staff.centre_code, code).await?.map_or_else(|| code.clone(), |item| item.name);
        current_items.push((code.clone(), name));
    }
    // The notices already issued for this visit, to print again rather than issue twice.
    let current_notices: Vec<String> = match &current {
        Some(ticket) => state.store.notices_for_ticket(ticket.id).await?.into_iter().map(|n| n.number).collect(),
        None => vec![],
    };
    let signed_in_here = window.staff_id == Some(staff.id) && window.status != WindowStatus::Closed;
    let context = context! {
        window, current, current_state, current_items, current_notices, parked, waiting, queues, handover_windows, outcomes, signed_in_here,
        message => flash.message, error => flash.error,
        ..frame
    };
    Ok(render("queue/console.html", context))
}

#[derive(Deserialize)]
pub struct ConsoleForm {
    action: String,
    #[serde(default)]
    ticket: Option<i64>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    outcome: Option<Outcome>,
    #[serde(default)]
    queue: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    booking: String,
    /// Transfer: the window the ticket is handed to; empty for none.
    #[serde(default)]
    to_window: String,
    /// A returning applicant's case number (续办): the visit is counted on it.
    #[serde(default)]
    case: String,
}

/// "A012 已办结": the ticket and what was just done to it.
fn done(number: String, action: &str) -> String {
    format!("{number} {}", text(&format!("console_done_{action}")))
}

/// Every console button posts here; the page comes back with what happened or why not.
pub async fn console_action(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>, Form(form): Form<ConsoleForm>) -> PageResult {
    let staff = visitor.require(WINDOW_ROLES)?;
    let outcome: Result<String, AppError> = async {
        let ticket_id = || form.ticket.ok_or_else(|| AppError::invalid("ticket", text("ticket_which")));
        let act = |action: TicketAction| async { steps::act_on_ticket(&state, staff, window, ticket_id()?, action).await };
        Ok(match form.action.as_str() {
            "open" => {
                steps::set_window(&state, staff, window, WindowStatus::Open, None).await?;
                text("console_opened").to_string()
            }
            "pause" => {
                steps::set_window(&state, staff, window, WindowStatus::Paused, Some(&form.reason)).await?;
                text("console_paused").to_string()
            }
            "close" => {
                steps::set_window(&state, staff, window, WindowStatus::Closed, None).await?;
                return Ok(String::new());
            }
            "call_next" => match steps::call_next(&state, staff, window).await? {
                Some(ticket) => banshi_domain::queue::call_announcement(&ticket.number, window),
                None => text("console_nobody_waiting").to_string(),
            },
            "call_number" => {
                let number = form.number.trim().to_ascii_uppercase();
                let tickets = state.store.active_tickets(&staff.centre_code).await?;
                let ticket = tickets
                    .iter()
                    .find(|t| t.number == number && t.state == TicketState::Waiting)
                    .ok_or_else(|| AppError::invalid("number", fill("ticket_not_waiting", &[("number", number.clone())])))?;
                let reason = form.reason.clone();
                steps::act_on_ticket(&state, staff, window, ticket.id, TicketAction::Call { reason }).await?;
                banshi_domain::queue::call_announcement(&number, window)
            }
            "check_in" => {
                let request = TicketRequest {
                    queue: form.queue.clone(),
                    priority: Some(PriorityReason::Appointment),
                    booking: Some(form.booking.clone()),
                    ..TicketRequest::default()
                };
                let ticket = steps::take_ticket(&state, &staff.centre_code, &request, Some(staff)).await?;
                format!("{} {}", text("console_checked_in"), ticket.number)
            }
            "case_visit" => {
                // The applicant is back for a case already opened (补正材料, 领取): another trip.
                let number = form.case.trim();
                if state.store.case(number).await?.filter(|c| c.centre_code == staff.centre_code).is_none() {
                    return Err(AppError::invalid("case", fill("case_not_here", &[("number", number.to_string())])));
                }
                let case = state.store.record_visit(&banshi_storage::Actor::staff(staff), number).await?;
                format!("{} {}：{} {}", text("console_case_visit_done"), case.number, text("case_visits"), case.visits)
            }
            "recall" => done(act(TicketAction::Recall {}).await?.number, "recall"),
            "start" => done(act(TicketAction::Start {}).await?.number, "start"),
            "finish" => {
                let outcome = form.outcome.ok_or_else(|| AppError::invalid("outcome", text("ticket_outcome_missing")))?;
                done(act(TicketAction::Finish { outcome }).await?.number, "finish")
            }
            "transfer" => {
                let window = match form.to_window.trim() {
                    "" => None,
                    number => Some(number.parse().map_err(|_| AppError::invalid("to_window", fill("window_number_wrong", &[("value", number.to_string())])))?),
                };
                done(act(TicketAction::Transfer { queue: Some(form.queue.clone()), window }).await?.number, "transfer")
            }
            "park" => done(act(TicketAction::Park {}).await?.number, "park"),
            "resume" => done(act(TicketAction::Resume {}).await?.number, "resume"),
            "return" => done(act(TicketAction::Return {}).await?.number, "return"),
            "no_show" => done(act(TicketAction::NoShow {}).await?.number, "no_show"),
            other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        })
    }
    .await;
    if form.action == "close" && outcome.as_ref().is_ok_and(String::is_empty) {
        return Ok(Redirect::to("/console").into_response());
    }
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/console/{window}?{query}")).into_response())
}

pub async fn overview(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>, Query(query): Query<CentreQuery>) -> PageResult {
    let staff = visitor.require(FIGURE_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    let snapshot = steps::snapshot(&state, &centre).await?;
    let can_close = staff.role == Role::Manager && centre == staff.centre_code;
    let context = context! { snapshot, can_close, settings => state.settings.as_ref(), message => flash.message, error => flash.error, ..frame };
    Ok(render("queue/hall.html", context))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

/// The duty leader closes a window whose officer has gone (its tickets go back to their queues).
pub async fn overview_close_window(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>, Form(form): Form<CloseForm>) -> PageResult {
    let manager = visitor.require(MANAGERS)?;
    let outcome = steps::close_window_for(&state, manager, window, &form.reason).await.map(|(_, returned)| {
        let numbers: Vec<&str> = returned.iter().map(|t| t.number.as_str()).collect();
        let returned = if numbers.is_empty() { String::new() } else { format!("：{} {}", numbers.join("、"), text("hall_tickets_returned")) };
        format!("{window}{}{returned}", text("hall_window_closed"))
    });
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/manage/hall?{query}")).into_response())
}
