//! Inquiries through the API.

use super::steps::{self, InquiryRequest};
use crate::shared::auth::Visitor;
use crate::shared::extract::{ApiResult, Body};
use crate::shared::roles::{FRONT_LINE, STAFF};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_storage::{Handover, Inquiry};
use serde::{Deserialize, Serialize};

/// Record an inquiry; the recorder owns it (首问负责).
#[utoipa::path(post, path = "/api/v1/inquiries", tag = "inquiries", request_body = InquiryRequest, responses((status = 201, description = "the inquiry recorded", body = Inquiry)), security(("session" = [], "csrf" = [])))]
pub async fn record(State(state): State<AppState>, visitor: Visitor, Body(request): Body<InquiryRequest>) -> ApiResult<Response> {
    let staff = visitor.require(FRONT_LINE)?;
    Ok((StatusCode::CREATED, Json(steps::record(&state, staff, &request).await?)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MyInquiries {
    inquiries: Vec<Inquiry>,
}

/// My open inquiries: those I hold, and those I was first asked and handed on (首问负责: `owner_id` says who holds each).
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "inquiries", responses((status = 200, description = "my open inquiries, held or followed", body = MyInquiries)), security(("session" = [])))]
pub async fn mine(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<MyInquiries>> {
    let staff = visitor.require(STAFF)?;
    Ok(Json(MyInquiries { inquiries: state.store.open_inquiries(staff.id).await? }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The colleague's username.
    pub to: String,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HandedOver {
    inquiry: Inquiry,
    handovers: Vec<Handover>,
}

/// Hand an inquiry to a named colleague, with the reason; they own it now.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/handover", tag = "inquiries", params(("id" = i64, Path, description = "the inquiry's id")), request_body = HandoverRequest, responses((status = 200, description = "the inquiry with its handovers", body = HandedOver)), security(("session" = [], "csrf" = [])))]
pub async fn hand_over(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<HandoverRequest>) -> ApiResult<Json<HandedOver>> {
    let staff = visitor.require(FRONT_LINE)?;
    let inquiry = steps::hand_over(&state, staff, id, &request.to, &request.reason).await?;
    let handovers = state.store.inquiry_handovers(id).await?;
    Ok(Json(HandedOver { inquiry, handovers }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub answer: String,
}

/// Answer an inquiry: it is handled.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/answer", tag = "inquiries", params(("id" = i64, Path, description = "the inquiry's id")), request_body = AnswerRequest, responses((status = 200, description = "the answered inquiry", body = Inquiry)), security(("session" = [], "csrf" = [])))]
pub async fn answer(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<AnswerRequest>) -> ApiResult<Json<Inquiry>> {
    let staff = visitor.require(FRONT_LINE)?;
    Ok(Json(steps::answer(&state, staff, id, &request.answer).await?))
}
