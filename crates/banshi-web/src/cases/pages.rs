//! The case pages: the deadline board with the form to open a case (`/cases`), a case with its
//! history and the actions its state allows (`/cases/{number}`), the approver's inbox, the
//! printable acceptance receipt (受理回执) or refusal notice (不予受理通知书), and the citizen's
//! progress query (`/progress`).

use super::steps::{self, CaseRequest, CaseView, ProgressQuery};
use banshi_domain::case::ReviewStep;
use crate::ratings;
use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{CASE_ROLES, REVIEWERS, WINDOW_ROLES};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::http::HeaderMap;
use axum::Form;
use crate::shared::links::{public_link, qr_svg};
use banshi_domain::case::{CaseEvent, SpecialProcedure};
use banshi_domain::Role;
use banshi_storage::Actor;
use chrono::Local;
use minijinja::context;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// The deadline board: the centre's open cases, most urgent first, and the form to open one.
#[derive(Deserialize, Default)]
pub struct BoardQuery {
    /// The ticket a case is opened for, from the console.
    #[serde(default)]
    ticket: Option<String>,
    /// Only the cases of this department's items (the board per department).
    #[serde(default)]
    department: Option<String>,
    /// `1`: only the cases the signed-in officer opened (我的办件).
    #[serde(default)]
    mine: Option<String>,
}

pub async fn board(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>, Query(from): Query<BoardQuery>) -> PageResult {
    let staff = visitor.require(CASE_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let items = state.cache.catalog(state.store.as_ref(), &staff.centre_code).await?.items.clone();
    let department = from.department.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let mine = from.mine.is_some_and(|m| m == "1");
    let rows = steps::deadline_board(&state, staff, department, mine).await?;
    let mut departments: Vec<&str> = items.iter().map(|item| item.department.as_str()).collect();
    departments.sort_unstable();
    departments.dedup();
    // A case opened from the console names the visitor's ticket and the item they came for.
    let ticket = match from.ticket.as_deref() {
        Some(token) => state.store.ticket_by_token(token).await?.filter(|t| t.centre_code == staff.centre_code),
        None => None,
    };
    let can_open = WINDOW_ROLES.contains(&staff.role);
    let ticket_item = ticket.as_ref().and_then(|t| t.items.first().cloned());
    let context = context! { rows, items, departments, department, mine, can_open, ticket, ticket_item, message => flash.message, error => flash.error, ..frame };
    Ok(render("cases/cases.html", context))
}

/// The back-office inbox (审批待办): the cases in review assigned to the approver (by username
/// or name, or to their department), or, for the centre's manager, every case in review; the step's deadline first.
pub async fn inbox(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require(REVIEWERS)?;
    let frame = frame(&state, &visitor).await?;
    let rows: Vec<(CaseView, ReviewStep)> = steps::inbox(&state, staff).await?.into_iter().filter_map(|view| view.case.state.review().cloned().map(|review| (view, review))).collect();
    let all = staff.role == Role::Manager;
    Ok(render("cases/inbox.html", context! { rows, all, ..frame }))
}

#[derive(Deserialize)]
pub struct OpenForm {
    item: String,
    applicant_kind: String,
    applicant_name: String,
    id_number: String,
    #[serde(default)]
    agent_name: String,
    #[serde(default)]
    agent_id_number: String,
    #[serde(default)]
    authorisation: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    phone: String,
}

pub async fn open(State(state): State<AppState>, visitor: Visitor, Form(form): Form<OpenForm>) -> PageResult {
    let officer = visitor.require(WINDOW_ROLES)?;
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let request = CaseRequest {
        item: form.item,
        applicant_kind: form.applicant_kind,
        applicant_name: form.applicant_name,
        id_number: form.id_number,
        agent_name: some(&form.agent_name),
        agent_id_number: some(&form.agent_id_number),
        authorisation: some(&form.authorisation),
        ticket: some(&form.ticket),
        phone: some(&form.phone),
    };
    match steps::open_case(&state, officer, &request).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.number)).into_response()),
        Err(err) => Ok(Redirect::to(&format!("/cases?{}", redirect_query(Err(err))?)).into_response()),
    }
}

pub async fn show(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>, Query(flash): Query<Flash>) -> PageResult {
    let staff = visitor.require(CASE_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let case = state.store.case(&number).await?.filter(|c| c.centre_code == staff.centre_code);
    let case = case.ok_or_else(|| AppError::not_found("thing_case", &number))?;
    let view = steps::case_view(&state, case).await?;
    let steps: Vec<(String, String, String)> = view
        .history
        .iter()
        .map(|entry| (entry.at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(), steps::staff_step_text(&entry.event), crate::shared::actors::shown(&entry.actor)))
        .collect();
    let state_name = view.case.state.name();
    let state_key = view.case.state.key();
    let review = view.case.state.review().cloned();
    // Whom a case can be routed to: the centre's approvers and duty leaders, and their departments.
    let targets = steps::routing_targets(&state, &staff.centre_code).await?;
    let people: Vec<(String, String)> = targets.people.iter().map(|s| (s.username.clone(), format!("{}（{}）", s.name, text(&format!("role_{}", s.role.as_str()))))).collect();
    let departments = targets.departments;
    Ok(render("cases/case.html", context! { view, steps, state_name, state_key, review, people, departments, department_prefix => DEPARTMENT_PREFIX, message => flash.message, error => flash.error, ..frame }))
}

/// Marks a department among the routing choices (usernames never hold a colon).
const DEPARTMENT_PREFIX: &str = "department:";

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    working_days: Option<u32>,
    #[serde(default)]
    approved_by: String,
    #[serde(default)]
    procedure: Option<SpecialProcedure>,
    #[serde(default)]
    how: String,
    /// Routing: the step's limit in working days; empty for none of its own.
    #[serde(default)]
    limit_days: String,
}

/// Every button on a case's page posts here.
pub async fn act(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>, Form(form): Form<ActionForm>) -> PageResult {
    let staff = visitor.require(CASE_ROLES)?;
    let outcome: Result<String, AppError> = async {
        if form.action == "visit" {
            if state.store.case(&number).await?.filter(|c| c.centre_code == staff.centre_code).is_none() {
                return Err(AppError::not_found("thing_case", &number));
            }
            let case = state.store.record_visit(&Actor::staff(staff), &number).await?;
            return Ok(format!("{} {}", text("case_visits"), case.visits));
        }
        let event = match form.action.as_str() {
            "pre_accept" => CaseEvent::PreAccepted {},
            "accept" => CaseEvent::Accepted {},
            "refuse" => CaseEvent::Refused { reason: form.reason.clone(), legal_basis: form.legal_basis.clone() },
            "request_materials" => CaseEvent::MaterialsRequested { notice: form.notice.clone() },
            "materials_received" => CaseEvent::MaterialsReceived {},
            "route" => {
                let limit_days = match form.limit_days.trim() {
                    "" => None,
                    days => Some(days.parse().map_err(|_| AppError::invalid("limit_days", fill("case_limit_days_wrong", &[("value", days.to_string())])))?),
                };
                // The form's one choice names a person by username, or a department by the prefix.
                match form.assignee.strip_prefix(DEPARTMENT_PREFIX) {
                    Some(department) => CaseEvent::Routed { assignee: department.to_string(), department: true, limit_days },
                    None => CaseEvent::Routed { assignee: form.assignee.clone(), department: false, limit_days },
                }
            }
            "extend" => CaseEvent::Extended { working_days: form.working_days.unwrap_or(0), approved_by: form.approved_by.clone(), reason: form.reason.clone() },
            "special_start" => CaseEvent::SpecialProcedureStarted { procedure: form.procedure.ok_or_else(|| AppError::invalid("procedure", text("case_procedure_missing")))? },
            "special_end" => CaseEvent::SpecialProcedureEnded {},
            "approve" => CaseEvent::Decided { approved: true, reason: Some(form.reason.clone()).filter(|r| !r.trim().is_empty()) },
            "disapprove" => CaseEvent::Decided { approved: false, reason: Some(form.reason.clone()) },
            "deliver" => CaseEvent::Delivered { how: form.how.clone() },
            other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        };
        let case = steps::apply_event(&state, staff, &number, &event).await?;
        Ok(format!("{}：{}", text("case_now"), case.state.name()))
    }
    .await;
    Ok(Redirect::to(&format!("/cases/{number}?{}", redirect_query(outcome)?)).into_response())
}

/// A new query code, then the receipt to print again with it.
pub async fn replace_query_code(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>) -> PageResult {
    let staff = visitor.require(CASE_ROLES)?;
    steps::replace_query_code(&state, staff, &number).await?;
    // The number was found above: a case number, nothing to escape.
    Ok(Redirect::to(&format!("/cases/{number}/receipt")).into_response())
}

/// The printable 受理回执 (accepted and later) or 不予受理通知书.
pub async fn receipt(State(state): State<AppState>, visitor: Visitor, headers: HeaderMap, Path(number): Path<String>) -> PageResult {
    let staff = visitor.require(CASE_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let case = state.store.case(&number).await?.filter(|c| c.centre_code == staff.centre_code);
    let case = case.ok_or_else(|| AppError::not_found("thing_case", &number))?;
    let view = steps::case_view(&state, case).await?;
    let state_key = view.case.state.key();
    let printed = Local::now().format("%Y-%m-%d %H:%M").to_string();
    let applicant = banshi_domain::privacy::mask_name(&view.case.applicant_name);
    // The progress page, where the applicant follows the case and rates it once it is finished.
    let progress_path = public_link(&state, &headers, &format!("/progress?case={}", view.case.number));
    let qr_svg = qr_svg(&progress_path, 120);
    Ok(render("cases/receipt.html", context! { view, state_key, printed, applicant, progress_path, qr_svg, ..frame }))
}

#[derive(Deserialize)]
pub struct ProgressLink {
    /// The case number, from the receipt's QR code or after a rating: the form is filled with it.
    #[serde(default)]
    case: String,
}

/// 进度查询: the form (its case number filled in from the link), and a rating's outcome.
pub async fn progress_form(State(state): State<AppState>, visitor: Visitor, Query(link): Query<ProgressLink>, Query(flash): Query<Flash>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    Ok(render("cases/progress.html", context! { message => flash.message, rating_error => flash.error, query_case => link.case.trim(), ..frame }))
}

#[derive(Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    case: String,
    #[serde(default)]
    query_code: String,
    #[serde(default)]
    id_tail: String,
    #[serde(default)]
    sms_code: String,
}

impl ProgressForm {
    /// What was typed, to be shown again; the one-time code is not (it is used or wrong).
    fn typed(&self) -> minijinja::Value {
        let via_phone = self.query_code.trim().is_empty() && (!self.id_tail.trim().is_empty() || !self.sms_code.trim().is_empty());
        context! { query_case => self.case.trim(), query_code => self.query_code.trim(), id_tail => self.id_tail.trim(), via_phone }
    }
}

/// The progress page for a query that was refused: each malformed field named beside it, or the
/// reason above, with what was typed.
fn refused_progress(err: AppError, typed: minijinja::Value, frame: minijinja::Value) -> PageResult {
    let errors: std::collections::BTreeMap<String, String> = match &err {
        AppError::Invalid(problems) => problems.iter().map(|p| (p.path.clone(), p.message.clone())).collect(),
        _ => Default::default(),
    };
    let error = (!matches!(err, AppError::Invalid(_))).then(|| err.message());
    let mut page = render("cases/progress.html", context! { error, errors, ..minijinja::value::merge_maps([typed, frame]) });
    *page.status_mut() = err.status();
    if let AppError::RateLimited { retry_after } = err {
        page.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
    }
    Ok(page)
}

/// The case's steps once found; a wrong or malformed field is named beside it, with what was typed.
pub async fn progress(State(state): State<AppState>, visitor: Visitor, source: crate::shared::auth::Source, Form(form): Form<ProgressForm>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let query = ProgressQuery { case: form.case.clone(), query_code: form.query_code.clone(), id_tail: form.id_tail.clone(), sms_code: form.sms_code.clone() };
    match steps::progress(&state, source.address.as_deref(), &query).await {
        Ok(found) => {
            // Found by ID tail and one-time code, the case's query code rates it (and is shown).
            let query_code = found.query_code.clone().unwrap_or_else(|| form.query_code.trim().to_string());
            let rating_hidden = context! { case => found.number.clone(), query_code };
            Ok(render("cases/progress.html", context! { progress => found, rating_hidden, choices => ratings::choices(), ..minijinja::value::merge_maps([form.typed(), frame]) }))
        }
        Err(err @ (AppError::Invalid(_) | AppError::NotFound { .. } | AppError::RateLimited { .. })) => refused_progress(err, form.typed(), frame),
        Err(other) => Err(other.into()),
    }
}

/// Sends the one-time code, then the same page, ready for it.
pub async fn progress_phone_code(State(state): State<AppState>, visitor: Visitor, source: crate::shared::auth::Source, Form(form): Form<ProgressForm>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let request = steps::PhoneCodeRequest { case: form.case.clone(), id_tail: form.id_tail.clone() };
    let typed = context! { via_phone => true, ..form.typed() };
    match steps::send_phone_code(&state, source.address.as_deref(), &request).await {
        Ok(()) => Ok(render("cases/progress.html", context! { phone_code_sent => text("progress_phone_code_sent"), ..minijinja::value::merge_maps([typed, frame]) })),
        Err(err @ (AppError::Invalid(_) | AppError::RateLimited { .. })) => refused_progress(err, typed, frame),
        Err(other) => Err(other.into()),
    }
}
