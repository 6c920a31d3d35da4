//! The JSON API under the pages (`/api/v1`), documented in `openapi.json` (served at
//! `/api/openapi.json`). Errors are `{"error": {"code", "message", "problems"}}` with a stable code.

use crate::actions::{self, StaffInput};
use crate::auth::{self, Visitor};
use crate::error::{ApiError, AppError};
use crate::pages::NOTICE_ISSUERS;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use banshi_domain::{assess, unanswered_questions, Answers, Catalog, Item, Role};
use banshi_storage::{Actor, AuditEntry, Notice, NoticeCount, Staff};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;

type ApiResult<T> = Result<T, ApiError>;

pub const OPENAPI: &str = include_str!("../openapi.json");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// A JSON body, refused with a clear error (not axum's plain-text one) when it does not read.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("body", rejection_message(&rejection)))),
        }
    }
}

fn rejection_message(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::JsonDataError(e) => std::error::Error::source(e).map_or_else(|| e.body_text(), |s| s.to_string()),
        other => other.body_text(),
    }
}

/// Query parameters, refused as a JSON error naming the parameter when they do not read.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("query", rejection.body_text()))),
        }
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn list_items(State(state): State<AppState>, Params(search): Params<SearchQuery>) -> ApiResult<Json<Value>> {
    let catalog = state.store.catalog().await?;
    let items: Vec<Value> = catalog
        .items
        .iter()
        .filter(|i| i.matches(&search.q))
        .map(|i| json!({ "code": i.code, "name": i.name, "category": i.category, "department": i.department }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn item_or_404(state: &AppState, code: &str) -> Result<Item, AppError> {
    state.store.item(code).await?.ok_or_else(|| AppError::NotFound(format!("item {code}")))
}

pub async fn get_item(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Item>> {
    Ok(Json(item_or_404(&state, &code).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[serde(default)]
    answers: Answers,
    #[serde(default)]
    present: BTreeSet<String>,
}

/// The self-check: which questions remain, and once all are answered, the assessment.
pub async fn check_item(State(state): State<AppState>, Path(code): Path<String>, Body(request): Body<CheckRequest>) -> ApiResult<Json<Value>> {
    let item = item_or_404(&state, &code).await?;
    let unanswered: Vec<Value> = unanswered_questions(&item, &request.answers)
        .iter()
        .map(|q| json!({ "id": q.id, "text": q.text, "options": q.options }))
        .collect();
    if !unanswered.is_empty() {
        return Ok(Json(json!({ "complete": false, "unanswered": unanswered })));
    }
    let assessment = assess(&item, &request.answers, &request.present).map_err(AppError::Invalid)?;
    Ok(Json(json!({ "complete": true, "verdict": assessment.verdict(), "assessment": assessment })))
}

pub async fn export_catalog(State(state): State<AppState>) -> ApiResult<Json<Catalog>> {
    Ok(Json(state.store.catalog().await?))
}

/// Replaces the catalogue. The body is read as text so that every problem, syntax included, comes
/// back with its place, exactly as `banshi catalog validate` reports it.
pub async fn import_catalog(State(state): State<AppState>, visitor: Visitor, body: String) -> ApiResult<Json<Value>> {
    let admin = visitor.require(&[Role::Admin])?;
    let items = actions::import_catalog(&state, &Actor::staff(admin), &body).await?;
    Ok(Json(json!({ "imported_items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
}

pub async fn sign_in(State(state): State<AppState>, jar: CookieJar, Body(request): Body<SignIn>) -> ApiResult<Response> {
    match auth::sign_in(&state, &request.username, &request.password).await? {
        Some((staff, token, csrf_token)) => {
            let body = Json(json!({ "staff": staff, "csrf_token": csrf_token }));
            Ok((jar.add(auth::session_cookie(token)), body).into_response())
        }
        None => Err(AppError::Unauthenticated.into()),
    }
}

pub async fn sign_out(State(state): State<AppState>, visitor: Visitor, jar: CookieJar) -> ApiResult<Response> {
    visitor.require_staff()?;
    auth::sign_out(&state, &visitor).await?;
    Ok((jar.add(auth::removal_cookie()), StatusCode::NO_CONTENT).into_response())
}

pub async fn whoami(visitor: Visitor) -> ApiResult<Json<Staff>> {
    Ok(Json(visitor.require_staff()?.clone()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    item_code: String,
    #[serde(default)]
    answers: Answers,
    #[serde(default)]
    present: BTreeSet<String>,
    #[serde(default)]
    applicant_name: Option<String>,
}

pub async fn issue_notice(State(state): State<AppState>, visitor: Visitor, Body(request): Body<NoticeRequest>) -> ApiResult<(StatusCode, Json<Notice>)> {
    let officer = visitor.require(NOTICE_ISSUERS)?;
    let notice = actions::issue_notice(&state, officer, &request.item_code, &request.answers, &request.present, request.applicant_name.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(notice)))
}

pub async fn get_notice(State(state): State<AppState>, visitor: Visitor, Path(number): Path<String>) -> ApiResult<Json<Notice>> {
    let staff = visitor.require_staff()?;
    // Only the staff member's own centre, and the applicant's name masked as on screen.
    let notice = state.store.notice(&number).await?.filter(|n| n.centre_code == staff.centre_code);
    let mut notice = notice.ok_or_else(|| AppError::NotFound(format!("notice {number}")))?;
    notice.applicant_name = notice.applicant_name.as_deref().map(banshi_domain::privacy::mask_name);
    Ok(Json(notice))
}

pub async fn notice_counts(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<NoticeCount>>> {
    visitor.require(&[Role::Admin, Role::Manager, Role::Auditor])?;
    Ok(Json(state.store.notice_counts().await?))
}

pub async fn list_staff(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<Staff>>> {
    visitor.require(&[Role::Admin])?;
    Ok(Json(state.store.list_staff().await?))
}

pub async fn create_staff(State(state): State<AppState>, visitor: Visitor, Body(input): Body<StaffInput>) -> ApiResult<(StatusCode, Json<Staff>)> {
    let admin = visitor.require(&[Role::Admin])?;
    Ok((StatusCode::CREATED, Json(actions::create_staff(&state, admin, &input).await?)))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default = "default_audit_limit")]
    limit: i64,
}

fn default_audit_limit() -> i64 {
    100
}

pub async fn audit_log(State(state): State<AppState>, visitor: Visitor, Params(query): Params<AuditQuery>) -> ApiResult<Json<Vec<AuditEntry>>> {
    visitor.require(&[Role::Admin, Role::Auditor])?;
    if !(1..=1000).contains(&query.limit) {
        return Err(AppError::invalid("limit", "between 1 and 1000").into());
    }
    Ok(Json(state.store.audit_log(query.limit).await?))
}
