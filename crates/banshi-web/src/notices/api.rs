//! One-time notices through the API: issue one, read one, count them per item and officer.

use super::steps;
use crate::shared::auth::Visitor;
use crate::shared::error::AppError;
use crate::shared::centre::{figures_centre, CentreQuery};
use crate::shared::extract::{ApiResult, Body, Params};
use crate::shared::roles::{FIGURE_READERS, NOTICE_ISSUERS};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use banshi_domain::Answers;
use banshi_storage::{Notice, NoticeCount};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// The item's 实施编码.
    item_code: String,
    /// Question id → option id; every question asked in the situation must be answered.
    #[serde(default)]
    #[schema(inline)]
    answers: Answers,
    /// The ids of the materials the applicant brought.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    present: BTreeSet<String>,
    /// Printed on the notice, masked on screen.
    #[serde(default)]
    #[schema(max_length = 40)]
    applicant_name: Option<String>,
    /// The ticket of the visit it is issued for (`GET /api/v1/windows/{number}/holding`): the
    /// console and the case opened from that ticket list it.
    #[serde(default)]
    ticket_id: Option<i64>,
}

/// Issue a one-time notice for what is missing; refused when nothing is.
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeRequest, responses((status = 201, description = "the notice issued", body = Notice)), security(("session" = [], "csrf" = [])))]
pub async fn issue_notice(State(state): State<AppState>, visitor: Visitor, Body(request): Body<NoticeRequest>) -> ApiResult<(StatusCode, Json<Notice>)> {
    let officer = visitor.require(NOTICE_ISSUERS)?;
    let notice = steps::issue_notice(&state, officer, &request.item_code, &request.answers, &request.present, request.applicant_name.as_deref(), request.ticket_id).await?;
    Ok((StatusCode::CREATED, Json(notice)))
}

/// A notice of the staff member's centre, the applicant's name masked.
#[utoipa::path(get, path = "/api/v1/notices/{number}", tag = "notices", params(("number" = String, Path, description = "the notice's number")), responses((status = 200, description = "the notice", body = Notice)), security(("session" = [])))]
pub async fn get_notice(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>) -> ApiResult<Json<Notice>> {
    let staff = visitor.require_staff()?;
    // Only the staff member's own centre, and the applicant's name masked as on screen.
    let notice = state.store.notice(&number).await?.filter(|n| n.centre_code == staff.centre_code);
    let mut notice = notice.ok_or_else(|| AppError::not_found("thing_notice", number))?;
    notice.applicant_name = notice.applicant_name.as_deref().map(banshi_domain::privacy::mask_name);
    Ok(Json(notice))
}

/// Notices issued per item and officer.
#[utoipa::path(get, path = "/api/v1/notices/counts", tag = "notices", params(CentreQuery), responses((status = 200, description = "the counts per item and officer", body = Vec<NoticeCount>)), security(("session" = [])))]
pub async fn notice_counts(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Vec<NoticeCount>>> {
    let staff = visitor.require(FIGURE_READERS)?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    Ok(Json(state.store.notice_counts(&centre).await?))
}
