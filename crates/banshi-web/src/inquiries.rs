//! Inquiries (咨询) under first-inquiry responsibility (首问负责制): whoever is asked first records
//! the inquiry and owns it until it is answered or handed to a named colleague. The API and the
//! staff page (`/inquiries`: my open inquiries, record one, hand over, answer) share these steps.

use crate::api::Body;
use crate::auth::Visitor;
use crate::error::{ApiError, AppError, PageError};
use crate::flash::{redirect_query, Flash};
use crate::pages::frame;
use crate::templates::render;
use crate::texts::text;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, Inquiry, NewInquiry, Staff};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;
use serde_json::{json, Value};

/// Anyone on the staff may be asked first.
const STAFF_ROLES: &[Role] = &Role::ALL;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// `window`, `phone` or `online`.
    pub channel: String,
    pub subject: String,
    /// Who asked, as they gave it.
    pub asker: String,
}

fn required(problems: &mut Vec<Problem>, path: &str, value: &str, most: usize) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > most {
        problems.push(Problem { path: path.into(), message: format!("required, at most {most} characters") });
    }
    value.to_string()
}

pub async fn record(state: &AppState, staff: &Staff, request: &InquiryRequest) -> Result<Inquiry, AppError> {
    let mut problems = Vec::new();
    if !["window", "phone", "online"].contains(&request.channel.as_str()) {
        problems.push(Problem { path: "channel".into(), message: "window, phone or online".into() });
    }
    let subject = required(&mut problems, "subject", &request.subject, 500);
    let asker = required(&mut problems, "asker", &request.asker, 60);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let new = NewInquiry { centre_code: staff.centre_code.clone(), channel: request.channel.clone(), subject, asker, created_at: Utc::now() };
    Ok(state.store.create_inquiry(&Actor::staff(staff), &new).await?)
}

/// Hands the inquiry to the colleague with this username.
pub async fn hand_over(state: &AppState, staff: &Staff, id: i64, to_username: &str, reason: &str) -> Result<Inquiry, AppError> {
    let mut problems = Vec::new();
    let reason = required(&mut problems, "reason", reason, 200);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let colleague = state.store.staff_by_username(to_username.trim()).await?.ok_or_else(|| AppError::invalid("to", format!("no colleague \"{}\"", to_username.trim())))?;
    Ok(state.store.hand_over_inquiry(&Actor::staff(staff), id, colleague.staff.id, &reason, Utc::now()).await?)
}

pub async fn answer(state: &AppState, staff: &Staff, id: i64, answer: &str) -> Result<Inquiry, AppError> {
    let mut problems = Vec::new();
    let answer = required(&mut problems, "answer", answer, 2000);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(state.store.handle_inquiry(&Actor::staff(staff), id, &answer, Utc::now()).await?)
}

pub async fn api_record(State(state): State<AppState>, visitor: Visitor, Body(request): Body<InquiryRequest>) -> Result<Response, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok((StatusCode::CREATED, Json(record(&state, staff, &request).await?)).into_response())
}

pub async fn api_mine(State(state): State<AppState>, visitor: Visitor) -> Result<Json<Value>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(json!({ "inquiries": state.store.open_inquiries(staff.id).await? })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The colleague's username.
    pub to: String,
    pub reason: String,
}

pub async fn api_hand_over(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<HandoverRequest>) -> Result<Json<Value>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let inquiry = hand_over(&state, staff, id, &request.to, &request.reason).await?;
    let handovers = state.store.inquiry_handovers(id).await?;
    Ok(Json(json!({ "inquiry": inquiry, "handovers": handovers })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub answer: String,
}

pub async fn api_answer(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<AnswerRequest>) -> Result<Json<Inquiry>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(answer(&state, staff, id, &request.answer).await?))
}

/// My open inquiries with their handovers, the colleagues to hand to, and the form for a new one.
pub async fn page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let mut rows = Vec::new();
    for inquiry in state.store.open_inquiries(staff.id).await? {
        let handovers = state.store.inquiry_handovers(inquiry.id).await?;
        rows.push(context! { inquiry, handovers });
    }
    let colleagues: Vec<_> = state.store.list_staff().await?.into_iter().filter(|s| s.centre_code == staff.centre_code && s.id != staff.id && s.active).collect();
    Ok(render("inquiries.html", context! { rows, colleagues, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct PageForm {
    action: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    asker: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    answer: String,
}

pub async fn page_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<PageForm>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", "which inquiry?"));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "record" => {
                let request = InquiryRequest { channel: form.channel.clone(), subject: form.subject.clone(), asker: form.asker.clone() };
                format!("{} #{}", text("inquiry_recorded"), record(&state, staff, &request).await?.id)
            }
            "hand_over" => format!("{} {}", text("inquiry_handed_over"), hand_over(&state, staff, id()?, &form.to, &form.reason).await?.owner_name),
            "answer" => format!("{} #{}", text("inquiry_answered"), answer(&state, staff, id()?, &form.answer).await?.id),
            other => return Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
        })
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/inquiries?{query}")).into_response())
}
