//! Cases through the API: open one, read one, apply an event; and the citizen's progress query.

use super::steps::{self, CaseRequest, CaseView, PhoneCodeRequest, Progress, ProgressQuery};
use crate::shared::auth::Visitor;
use crate::shared::error::AppError;
use crate::shared::extract::{ApiResult, Body, Params};
use crate::shared::roles::{CASE_ROLES, WINDOW_ROLES};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use banshi_domain::case::CaseEvent;

/// The deadline board's filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BoardFilter {
    /// Only the cases of this department's items.
    #[serde(default)]
    pub department: Option<String>,
    /// Only the cases the signed-in officer opened (我的办件).
    #[serde(default)]
    pub mine: bool,
}

/// The deadline board (办件时限看板): the centre's open cases, overdue first, then the fewest
/// working days left.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(BoardFilter), responses((status = 200, description = "the open cases, most urgent first", body = Vec<CaseView>)), security(("session" = [])))]
pub async fn deadline_board(State(state): State<AppState>, visitor: Visitor, Params(filter): Params<BoardFilter>) -> ApiResult<Json<Vec<CaseView>>> {
    let staff = visitor.require(CASE_ROLES)?;
    let department = filter.department.as_deref().map(str::trim).filter(|d| !d.is_empty());
    Ok(Json(steps::deadline_board(&state, staff, department, filter.mine).await?))
}

/// The back-office inbox (审批待办): the cases in review with the approver or their department
/// (for the duty leader, every case in review), the step's deadline first.
#[utoipa::path(get, path = "/api/v1/cases/inbox", tag = "cases", responses((status = 200, description = "the cases in review, most urgent first", body = Vec<CaseView>)), security(("session" = [])))]
pub async fn inbox(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<CaseView>>> {
    let staff = visitor.require(crate::shared::roles::REVIEWERS)?;
    Ok(Json(steps::inbox(&state, staff).await?))
}

/// Open a case for an applicant (a person by ID number, an enterprise by its credit code); the ID
/// number is sealed before it is stored.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseRequest, responses((status = 201, description = "the case opened", body = CaseView)), security(("session" = [], "csrf" = [])))]
pub async fn open_case(State(state): State<AppState>, visitor: Visitor, Body(request): Body<CaseRequest>) -> ApiResult<Response> {
    let officer = visitor.require(WINDOW_ROLES)?;
    let case = steps::open_case(&state, officer, &request).await?;
    Ok((StatusCode::CREATED, Json(steps::case_view(&state, case).await?)).into_response())
}

/// A case of the staff member's centre, with its history and deadlines.
#[utoipa::path(get, path = "/api/v1/cases/{number}", tag = "cases", params(("number" = String, Path, description = "the case number")), responses((status = 200, description = "the case with its history and deadlines", body = CaseView)), security(("session" = [])))]
pub async fn case(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>) -> ApiResult<Json<CaseView>> {
    let staff = visitor.require(CASE_ROLES)?;
    let case = state.store.case(&number).await?.filter(|c| c.centre_code == staff.centre_code);
    let case = case.ok_or_else(|| AppError::not_found("thing_case", &number))?;
    Ok(Json(steps::case_view(&state, case).await?))
}

/// Move a case by an event its state allows; a refused event names both.
#[utoipa::path(post, path = "/api/v1/cases/{number}/events", tag = "cases", params(("number" = String, Path, description = "the case number")), request_body = CaseEvent, responses((status = 200, description = "the case with its history and deadlines", body = CaseView)), security(("session" = [], "csrf" = [])))]
pub async fn case_event(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>, Body(event): Body<CaseEvent>) -> ApiResult<Json<CaseView>> {
    let staff = visitor.require(CASE_ROLES)?;
    let case = steps::apply_event(&state, staff, &number, &event).await?;
    Ok(Json(steps::case_view(&state, case).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct QueryCode {
    /// `xxxx-xxxx`, for a new receipt; the case's code before it stops working.
    pub query_code: String,
}

/// A new query code (查询码) for a case: a lost receipt, a code others saw, a case older than
/// query codes.
#[utoipa::path(post, path = "/api/v1/cases/{number}/query-code", tag = "cases", params(("number" = String, Path, description = "the case number")), responses((status = 200, description = "the new code", body = QueryCode)), security(("session" = [], "csrf" = [])))]
pub async fn replace_query_code(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>) -> ApiResult<Json<QueryCode>> {
    let staff = visitor.require(CASE_ROLES)?;
    Ok(Json(QueryCode { query_code: steps::replace_query_code(&state, staff, &number).await? }))
}

/// 进度查询: a case by its number and its query code (查询码), or its number, the applicant's ID
/// tail and a one-time code from `POST /api/v1/progress/phone-code`; after five failures in a row each
/// try from the same address, or for the same case, waits longer than the last (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/progress", tag = "cases", request_body = ProgressQuery, responses((status = 200, description = "the case as its applicant sees it", body = Progress)))]
pub async fn progress(State(state): State<AppState>, source: crate::shared::auth::Source, Body(query): Body<ProgressQuery>) -> ApiResult<Json<Progress>> {
    Ok(Json(steps::progress(&state, source.address.as_deref(), &query).await?))
}

/// Sends a one-time code for the progress query to the mobile number a case was opened with, for
/// an applicant without the receipt; the same answer whether or not the case and the ID tail match
/// (nothing to learn by trying). A case gets a new code a minute after the last at the soonest.
#[utoipa::path(post, path = "/api/v1/progress/phone-code", tag = "cases", request_body = PhoneCodeRequest, responses((status = 202, description = "if the case and the ID tail match, a code was sent", body = PhoneCodeSent), (status = 429, description = "wait before asking again")))]
pub async fn progress_phone_code(State(state): State<AppState>, source: crate::shared::auth::Source, Body(request): Body<PhoneCodeRequest>) -> ApiResult<(axum::http::StatusCode, Json<PhoneCodeSent>)> {
    steps::send_phone_code(&state, source.address.as_deref(), &request).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(PhoneCodeSent { message: crate::shared::texts::text("progress_phone_code_sent").to_string() })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneCodeSent {
    pub message: String,
}
