//! Complaints and suggestions (投诉/建议, 意见箱): the public box online (`/feedback/new`), and the
//! staff desk (`/feedback`) where items received at the hall or by phone are recorded by whoever
//! is asked first, who then owns them (首问负责); online items are taken from the box. Each goes
//! 受理 → 调查 → 处置 → 反馈 → 归档 within its kind's limit in working days.

use crate::api::Body;
use crate::auth::Visitor;
use crate::error::{ApiError, AppError, PageError};
use crate::flash::{redirect_query, Flash};
use crate::pages::frame;
use crate::actions::mobile;
use crate::templates::render;
use crate::texts::text;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use banshi_domain::privacy::{mask_name, mask_phone};
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, Feedback, NewFeedback, Staff};
use chrono::{Duration, Local, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

/// Anyone on the staff may be asked first.
const STAFF_ROLES: &[Role] = &Role::ALL;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// `inquiry`, `help`, `suggestion` or `complaint`.
    pub kind: String,
    /// `hall` or `phone` when staff record it; the online box is always `online`.
    #[serde(default)]
    pub channel: Option<String>,
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Records an item: by a staff member (who owns it) or, with `staff` none, from the online box.
pub async fn record(state: &AppState, staff: Option<&Staff>, request: &FeedbackRequest) -> Result<Feedback, AppError> {
    let mut problems = Vec::new();
    let kind = FeedbackKind::parse(request.kind.trim());
    if kind.is_none() {
        problems.push(Problem { path: "kind".into(), message: "inquiry, help, suggestion or complaint".into() });
    }
    let channel = match (staff, request.channel.as_deref()) {
        (None, None | Some("online")) => "online",
        (None, Some(_)) => {
            problems.push(Problem { path: "channel".into(), message: "the online box takes online items only".into() });
            "online"
        }
        (Some(_), Some(channel @ ("hall" | "phone"))) => channel,
        (Some(_), _) => {
            problems.push(Problem { path: "channel".into(), message: "hall or phone".into() });
            "hall"
        }
    };
    let subject = request.subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        problems.push(Problem { path: "subject".into(), message: "required, at most 200 characters".into() });
    }
    if request.body.chars().count() > 4000 {
        problems.push(Problem { path: "body".into(), message: "at most 4000 characters".into() });
    }
    let name = request.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 40) {
        problems.push(Problem { path: "name".into(), message: "at most 40 characters".into() });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let centre = match staff {
        Some(staff) => staff.centre_code.clone(),
        None => state.cache.default_centre(state.store.as_ref()).await?.ok_or_else(|| AppError::NotFound("centre".into()))?,
    };
    let today = Local::now().date_naive();
    let calendar = state.cache.calendar(state.store.as_ref(), &centre).await?;
    let days = state.settings.feedback_limits.days(kind);
    let due_on = calendar.add_working_days(today, days);
    let new = NewFeedback {
        centre_code: centre,
        kind,
        channel: channel.to_string(),
        subject: subject.to_string(),
        body: request.body.trim().to_string(),
        person_name: name.map(str::to_string),
        contact_cipher: phone.map(|p| state.sealer.seal(&p)),
        received_at: Utc::now(),
        received_on: today,
        due_on,
    };
    let actor = staff.map_or_else(|| Actor::system("citizen (online)"), Actor::staff);
    Ok(state.store.create_feedback(&actor, &new).await?)
}

/// An item as the desk shows it: names and numbers masked, the deadline's state.
#[derive(Serialize)]
pub struct DeskRow {
    #[serde(flatten)]
    item: Feedback,
    kind_name: &'static str,
    stage_name: &'static str,
    next: Option<(FeedbackStage, &'static str)>,
    overdue: bool,
    person: Option<String>,
    contact: Option<String>,
}

fn desk_row(state: &AppState, item: Feedback) -> DeskRow {
    let today = Local::now().date_naive();
    let overdue = !item.stage.answered() && today > item.due_on;
    let contact = item.contact_cipher.as_deref().and_then(|c| state.sealer.open(c).ok()).map(|p| mask_phone(&p));
    DeskRow {
        kind_name: item.kind.name(),
        stage_name: item.stage.name(),
        next: item.stage.next().map(|s| (s, s.name())),
        person: item.person_name.as_deref().map(mask_name),
        overdue,
        contact,
        item,
    }
}

/// Items not answered by their deadline: escalated to the manager's workspace.
pub async fn overdue_count(state: &AppState, centre: &str) -> Result<usize, AppError> {
    let today = Local::now().date_naive();
    Ok(state.store.feedback_list(centre, today).await?.iter().filter(|f| !f.stage.answered() && today > f.due_on).count())
}

pub async fn api_record(State(state): State<AppState>, visitor: Visitor, Body(request): Body<FeedbackRequest>) -> Result<Response, ApiError> {
    let item = record(&state, visitor.staff.as_ref(), &request).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": item.id, "kind": item.kind, "stage": item.stage, "due_on": item.due_on }))).into_response())
}

pub async fn api_list(State(state): State<AppState>, visitor: Visitor) -> Result<Json<Vec<DeskRow>>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let items = state.store.feedback_list(&staff.centre_code, Local::now().date_naive() - Duration::days(30)).await?;
    Ok(Json(items.into_iter().map(|i| desk_row(&state, i)).collect()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// `investigating`, `handled`, `answered` or `archived`: the next step.
    pub stage: FeedbackStage,
    pub note: String,
}

async fn in_centre(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    match state.store.feedback(id).await? {
        Some(item) if item.centre_code == staff.centre_code => Ok(()),
        _ => Err(AppError::NotFound(format!("feedback {id}"))),
    }
}

/// Takes an item from the online box; the manager may also take one over from its owner (who is
/// away, or has left), so nothing stays stuck.
pub async fn take(state: &AppState, staff: &Staff, id: i64) -> Result<Feedback, AppError> {
    in_centre(state, staff, id).await?;
    Ok(state.store.take_feedback(&Actor::staff(staff), id, staff.role == Role::Manager).await?)
}

pub async fn step(state: &AppState, staff: &Staff, id: i64, request: &StepRequest) -> Result<Feedback, AppError> {
    in_centre(state, staff, id).await?;
    if request.note.trim().chars().count() > 2000 {
        return Err(AppError::invalid("note", "at most 2000 characters"));
    }
    Ok(state.store.advance_feedback(&Actor::staff(staff), id, request.stage, &request.note, Utc::now(), Local::now().date_naive()).await?)
}

pub async fn api_take(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> Result<Json<DeskRow>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(desk_row(&state, take(&state, staff, id).await?)))
}

pub async fn api_step(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<StepRequest>) -> Result<Json<DeskRow>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(desk_row(&state, step(&state, staff, id, &request).await?)))
}

/// The kinds as the forms offer them, each with its limit.
fn kind_choices(state: &AppState) -> Vec<minijinja::Value> {
    FeedbackKind::ALL.iter().map(|k| context! { value => serde_json::to_value(k).ok(), name => k.name(), days => state.settings.feedback_limits.days(*k) }).collect()
}

/// 投诉建议台: open items by deadline, overdue first, and the form for one received now.
pub async fn desk(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let items = state.store.feedback_list(&staff.centre_code, Local::now().date_naive() - Duration::days(30)).await?;
    let mut rows: Vec<DeskRow> = items.into_iter().map(|i| desk_row(&state, i)).collect();
    rows.sort_by_key(|r| (r.item.stage == FeedbackStage::Archived, !r.overdue, r.item.due_on));
    let kinds = kind_choices(&state);
    Ok(render("feedback_desk.html", context! { rows, kinds, me => staff.id, can_take_over => staff.role == Role::Manager, message => flash.message, error => flash.error, ..frame }))
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
    stage: Option<FeedbackStage>,
    #[serde(default)]
    note: String,
}

pub async fn desk_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<DeskForm>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", "which item?"));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "record" => {
                let request = FeedbackRequest { kind: form.kind.clone(), channel: form.channel.clone(), subject: form.subject.clone(), body: form.body.clone(), name: form.name.clone(), phone: form.phone.clone() };
                let item = record(&state, Some(staff), &request).await?;
                format!("{} #{}（{} {}）", text("feedback_recorded"), item.id, text("feedback_due"), item.due_on)
            }
            "take" => format!("{} #{}", text("feedback_taken"), take(&state, staff, id()?).await?.id),
            "step" => {
                let stage = form.stage.ok_or_else(|| AppError::invalid("stage", "which step?"))?;
                let item = step(&state, staff, id()?, &StepRequest { stage, note: form.note.clone() }).await?;
                format!("#{} {}", item.id, item.stage.name())
            }
            other => return Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
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
    Ok(render("feedback_box.html", context! { kinds, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
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
}

pub async fn box_submit(State(state): State<AppState>, Form(form): Form<BoxForm>) -> Result<Response, PageError> {
    let request = FeedbackRequest { kind: form.kind, channel: None, subject: form.subject, body: form.body, name: form.name, phone: form.phone };
    let outcome = record(&state, None, &request).await.map(|item| format!("{} #{}（{} {}）", text("feedback_received"), item.id, text("feedback_due"), item.due_on));
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/feedback/new?{query}")).into_response())
}
