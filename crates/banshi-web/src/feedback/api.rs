//! Complaints, suggestions, requests for help and inquiries through the API.

use super::steps::{self, DeskRow, FeedbackRequest, StepRequest};
use crate::shared::auth::Visitor;
use crate::shared::extract::{ApiResult, Body};
use crate::shared::roles::{FRONT_LINE, STAFF};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use chrono::NaiveDate;
use serde::Serialize;

/// What the sender learns of a recorded item: its number and when it is answered by.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Received {
    id: i64,
    kind: FeedbackKind,
    stage: FeedbackStage,
    due_on: NaiveDate,
}

/// Record an item: anonymously it goes to the online box; staff record what they are told at the
/// hall or by phone, and own it (首问负责).
#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback", request_body = FeedbackRequest, responses((status = 201, description = "the item recorded", body = Received)))]
pub async fn record(State(state): State<AppState>, visitor: Visitor, Body(request): Body<FeedbackRequest>) -> ApiResult<Response> {
    let item = steps::record(&state, visitor.staff.as_ref(), &request).await?;
    Ok((StatusCode::CREATED, Json(Received { id: item.id, kind: item.kind, stage: item.stage, due_on: item.due_on })).into_response())
}

/// The centre's items of the last 30 days, names and phones masked.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", responses((status = 200, description = "the items, newest first", body = Vec<DeskRow>)), security(("session" = [])))]
pub async fn list(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<DeskRow>>> {
    let staff = visitor.require(STAFF)?;
    Ok(Json(steps::recent(&state, staff).await?))
}

/// Take an item from the online box (the manager may take one over from its owner).
#[utoipa::path(post, path = "/api/v1/feedback/{id}/take", tag = "feedback", params(("id" = i64, Path, description = "the item's number")), responses((status = 200, description = "the item as the desk shows it", body = DeskRow)), security(("session" = [], "csrf" = [])))]
pub async fn take(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<DeskRow>> {
    let staff = visitor.require(FRONT_LINE)?;
    Ok(Json(steps::desk_row(&state, steps::take(&state, staff, id).await?)))
}

/// The next step, 受理 → 调查 → 处置 → 反馈 → 归档, each with a note, by the owner only.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/steps", tag = "feedback", params(("id" = i64, Path, description = "the item's number")), request_body = StepRequest, responses((status = 200, description = "the item as the desk shows it", body = DeskRow)), security(("session" = [], "csrf" = [])))]
pub async fn step(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<StepRequest>) -> ApiResult<Json<DeskRow>> {
    let staff = visitor.require(FRONT_LINE)?;
    Ok(Json(steps::desk_row(&state, steps::step(&state, staff, id, &request).await?)))
}
