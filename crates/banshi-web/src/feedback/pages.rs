//! The complaints pages: the staff desk (`/feedback`) and the public box (`/feedback/new`).

use super::steps::{self, DeskRow, FeedbackRequest, StepRequest};
use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{FRONT_LINE, STAFF};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use banshi_domain::Role;
use minijinja::context;
use serde::Deserialize;

/// The kinds as the forms offer them, each with its limit.
fn kind_choices(state: &AppState) -> Vec<minijinja::Value> {
    FeedbackKind::ALL.iter().map(|k| context! { value => serde_json::to_value(k).ok(), name => k.name(), days => state.settings.feedback_limits.days(*k) }).collect()
}

/// 投诉建议台: open items by deadline, overdue first, and the form for one received now.
pub async fn desk(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF)?;
    let frame = frame(&state, &visitor).await?;
    let mut rows: Vec<DeskRow> = steps::recent(&state, staff).await?;
    rows.sort_by_key(|r| (r.item.stage == FeedbackStage::Archived, !r.overdue, r.item.due_on));
    let kinds = kind_choices(&state);
    Ok(render("feedback/desk.html", context! { rows, kinds, me => staff.id, can_take_over => staff.role == Role::Manager, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct DeskForm {
    action: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    about_badge: Option<String>,
    #[serde(default)]
    stage: Option<FeedbackStage>,
    #[serde(default)]
    note: String,
}

pub async fn desk_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<DeskForm>) -> Result<Response, PageError> {
    let staff = visitor.require(FRONT_LINE)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", text("feedback_which")));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "record" => {
                let request = FeedbackRequest { kind: form.kind.clone(), channel: form.channel.clone(), subject: form.subject.clone(), body: form.body.clone(), name: form.name.clone(), phone: form.phone.clone(), about_badge: form.about_badge.clone() };
                let item = steps::record(&state, Some(staff), &request).await?;
                format!("{} #{}（{} {}）", text("feedback_recorded"), item.id, text("feedback_due"), item.due_on)
            }
            "take" => format!("{} #{}", text("feedback_taken"), steps::take(&state, staff, id()?).await?.id),
            "step" => {
                let stage = form.stage.ok_or_else(|| AppError::invalid("stage", text("feedback_stage_missing")))?;
                let item = steps::step(&state, staff, id()?, &StepRequest { stage, note: form.note.clone() }).await?;
                format!("#{} {}", item.id, item.stage.name())
            }
            other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        })
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/feedback?{query}")).into_response())
}

/// 意见箱: the public form.
pub async fn box_page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let frame = frame(&state, &visitor).await?;
    let kinds = kind_choices(&state);
    Ok(render("feedback/box.html", context! { kinds, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize, serde::Serialize, Clone)]
pub struct BoxForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    about_badge: Option<String>,
}

/// A refused message comes back with everything the citizen wrote, and what to mend.
pub async fn box_submit(State(state): State<AppState>, visitor: Visitor, Form(form): Form<BoxForm>) -> Result<Response, PageError> {
    let typed = form.clone();
    let request = FeedbackRequest { kind: form.kind, channel: None, subject: form.subject, body: form.body, name: form.name, phone: form.phone, about_badge: form.about_badge };
    match steps::record(&state, None, &request).await {
        Ok(item) => {
            let message = format!("{} #{}（{} {}）", text("feedback_received"), item.id, text("feedback_due"), item.due_on);
            let query = redirect_query(Ok(message))?;
            Ok(Redirect::to(&format!("/feedback/new?{query}")).into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let frame = frame(&state, &visitor).await?;
            let kinds = kind_choices(&state);
            let mut response = render("feedback/box.html", context! { kinds, typed, error => err.lines().join("；"), ..frame });
            *response.status_mut() = err.status();
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}
