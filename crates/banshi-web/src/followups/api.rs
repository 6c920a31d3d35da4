//! Follow-up through the API: my tasks, a contact recorded, a task completed, a resident's facts
//! saved, the eligibility rules loaded.

use super::eligibility::load_rules;
use super::steps::{self, ContactRequest, ResidentRequest, TaskRow};
use crate::shared::auth::Visitor;
use crate::shared::extract::{ApiResult, Body};
use crate::shared::roles::{CASE_ROLES, PLANNERS};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_storage::{Contact, FollowUp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// My tasks (and the unassigned; the manager's: all), with their contact logs.
#[utoipa::path(get, path = "/api/v1/follow-ups", tag = "follow-ups", responses((status = 200, description = "the tasks", body = Vec<TaskRow>)), security(("session" = [])))]
pub async fn list(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<TaskRow>>> {
    let staff = visitor.require(CASE_ROLES)?;
    Ok(Json(steps::tasks(&state, staff).await?))
}

/// Record a contact about a task (and its resident).
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/contacts", tag = "follow-ups", params(("id" = i64, Path, description = "the task's id")), request_body = ContactRequest, responses((status = 201, description = "the contact recorded", body = Contact)), security(("session" = [], "csrf" = [])))]
pub async fn contact(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<ContactRequest>) -> ApiResult<Response> {
    let staff = visitor.require(CASE_ROLES)?;
    Ok((StatusCode::CREATED, Json(steps::contact(&state, staff, id, &request).await?)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    #[schema(min_length = 1, max_length = 1000)]
    pub outcome: String,
}

/// Complete a task with its outcome.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/complete", tag = "follow-ups", params(("id" = i64, Path, description = "the task's id")), request_body = CompleteRequest, responses((status = 200, description = "the completed task", body = FollowUp)), security(("session" = [], "csrf" = [])))]
pub async fn complete(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<CompleteRequest>) -> ApiResult<Json<FollowUp>> {
    let staff = visitor.require(CASE_ROLES)?;
    Ok(Json(steps::complete(&state, staff, id, &request.outcome).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResidentSaved {
    id: i64,
    #[schema(value_type = Object)]
    facts: Map<String, Value>,
    /// Follow-up tasks the rules made for the resident now.
    tasks_made: usize,
}

/// Save a resident's facts (new, or by `id`); the rules run for them at once.
#[utoipa::path(post, path = "/api/v1/residents", tag = "follow-ups", request_body = ResidentRequest, responses((status = 201, description = "the resident saved", body = ResidentSaved)), security(("session" = [], "csrf" = [])))]
pub async fn save_resident(State(state): State<AppState>, visitor: Visitor, Body(request): Body<ResidentRequest>) -> ApiResult<Response> {
    let staff = visitor.require(CASE_ROLES)?;
    let (resident, tasks_made) = steps::save_resident(&state, staff, &request).await?;
    Ok((StatusCode::CREATED, Json(ResidentSaved { id: resident.id, facts: resident.facts, tasks_made })).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesRequest {
    /// The rules file (TOML, docs/eligibility.md).
    pub rules: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RulesLoaded {
    /// Follow-up tasks the new rules made for the centre's residents.
    tasks_made: usize,
}

/// Load the centre's eligibility rules, checked whole first; they run for its residents at once.
#[utoipa::path(put, path = "/api/v1/eligibility/rules", tag = "follow-ups", request_body = RulesRequest, responses((status = 200, description = "the rules loaded and run", body = RulesLoaded)), security(("session" = [], "csrf" = [])))]
pub async fn load_eligibility_rules(State(state): State<AppState>, visitor: Visitor, Body(request): Body<RulesRequest>) -> ApiResult<Json<RulesLoaded>> {
    let staff = visitor.require(PLANNERS)?;
    Ok(Json(RulesLoaded { tasks_made: load_rules(&state, staff, &request.rules).await? }))
}
