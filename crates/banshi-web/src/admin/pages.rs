//! The admin pages: staff accounts and the catalogue import (`/admin`), the calendar
//! (`/admin/calendar`), and the audit log (`/admin/audit`, also for auditors).

use super::calendar::{self, day_view, CentreDayInput};
use super::steps::{self, StaffInput};
use crate::shared::auth::Visitor;
use crate::shared::calendar::FIRST_YEAR;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::redirect_query;
use crate::shared::frame::frame;
use crate::shared::roles::{ADMINS, AUDIT_READERS};
use crate::shared::templates::render;
use crate::shared::texts::text;
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::calendar::{HolidaySchedule, WorkingCalendar};
use banshi_domain::Role;
use banshi_storage::Actor;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

type PageResult = Result<Response, PageError>;

/// The admin page, with the outcome of a form when there is one.
struct AdminNotice {
    message: Option<String>,
    problems_heading: &'static str,
    problems: Vec<String>,
}

async fn render_admin(state: &AppState, visitor: &Visitor, notice: AdminNotice) -> PageResult {
    let frame = frame(state, visitor).await?;
    let staff_list = state.store.list_staff().await?;
    let role_labels: std::collections::BTreeMap<&str, &str> = Role::ALL.iter().map(|r| (r.as_str(), text(&format!("role_{}", r.as_str())))).collect();
    let AdminNotice { message, problems_heading, problems } = notice;
    Ok(render("admin/admin.html", context! { staff_list, role_labels, message, problems_heading, problems, ..frame }))
}

pub async fn admin(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    visitor.require(ADMINS)?;
    render_admin(&state, &visitor, AdminNotice { message: None, problems_heading: "", problems: vec![] }).await
}

/// Answers a refused admin form on the admin page itself, with every problem listed.
async fn admin_outcome<T>(
    state: &AppState,
    visitor: &Visitor,
    outcome: Result<T, AppError>,
    problems_heading: &'static str,
    ok: impl FnOnce(T) -> String,
) -> PageResult {
    let (status, notice) = match outcome {
        Ok(value) => (StatusCode::OK, AdminNotice { message: Some(ok(value)), problems_heading, problems: vec![] }),
        Err(AppError::Invalid(problems)) => {
            let problems = problems.iter().map(ToString::to_string).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, AdminNotice { message: None, problems_heading, problems })
        }
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, AdminNotice { message: None, problems_heading, problems: vec![message] }),
        Err(other) => return Err(other.into()),
    };
    let mut response = render_admin(state, visitor, notice).await?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn create_staff(State(state): State<AppState>, visitor: Visitor, Form(input): Form<StaffInput>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let outcome = steps::create_staff(&state, admin, &input).await;
    admin_outcome(&state, &visitor, outcome, text("admin_staff_problems"), |staff| format!("{}{}（{}）", text("admin_staff_created"), staff.name, staff.username)).await
}

#[derive(Deserialize)]
pub struct CatalogForm {
    catalog: String,
}

pub async fn import_catalog(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CatalogForm>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let outcome = steps::import_catalog(&state, &Actor::staff(admin), &form.catalog).await;
    admin_outcome(&state, &visitor, outcome, text("admin_catalog_problems"), |count| format!("{}{count}", text("admin_catalog_imported"))).await
}

pub async fn audit_log(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    visitor.require(AUDIT_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let entries: Vec<Value> = state
        .store
        .audit_log(500)
        .await?
        .into_iter()
        .map(|e| {
            let change = serde_json::to_string_pretty(&serde_json::json!({ "before": e.before, "after": e.after })).unwrap_or_default();
            let at_local = e.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string();
            context! { at_local, actor => e.actor, action => e.action, entity => e.entity, entity_id => e.entity_id, change }
        })
        .collect();
    Ok(render("admin/audit.html", context! { entries, ..frame }))
}

#[derive(Deserialize)]
pub struct CalendarPageQuery {
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// One year on the admin page: where its schedule comes from.
#[derive(Serialize)]
struct YearRow {
    year: i32,
    /// `built_in`, `loaded` or `missing` (dates counted through it are provisional).
    source: &'static str,
}

/// `/admin/calendar`: the years and their schedules, the centre's own days, a date checked.
pub async fn calendar(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CalendarPageQuery>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let frame = frame(&state, &visitor).await?;
    let loaded: Vec<i32> = state.store.calendar_years().await?.iter().map(|s| s.year).collect();
    let built_in: Vec<i32> = WorkingCalendar::china().years().collect();
    let this_year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let last_shown = (this_year + 1).max(loaded.iter().copied().max().unwrap_or(0));
    let years: Vec<YearRow> = (FIRST_YEAR..=last_shown)
        .map(|year| YearRow { year, source: if loaded.contains(&year) { "loaded" } else if built_in.contains(&year) { "built_in" } else { "missing" } })
        .collect();
    let days = state.store.centre_days(&admin.centre_code).await?;
    let counted = state.cache.calendar(state.store.as_ref(), &admin.centre_code).await?;
    let checked = match query.check.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => Some(calendar::parse_date("check", text).map(|date| day_view(date, &counted.calendar.day(date)))?),
        None => None,
    };
    let context = context! { years, days, checked, message => query.message, error => query.error, ..frame };
    Ok(render("admin/calendar.html", context).into_response())
}

#[derive(Deserialize)]
pub struct CalendarForm {
    action: String,
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

/// The calendar page's forms: load a year (holiday-cn JSON), set or remove a centre's day.
pub async fn calendar_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CalendarForm>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let outcome: Result<String, AppError> = async {
        match form.action.as_str() {
            "load_year" => {
                let schedule: HolidaySchedule = serde_json::from_str(&form.schedule).map_err(|e| AppError::invalid("schedule", format!("not a schedule in holiday-cn's format: {e}")))?;
                calendar::load_year(&state, admin, &schedule).await?;
                Ok(format!("{} {}", schedule.year, text("calendar_year_loaded")))
            }
            "set_day" => {
                let input = CentreDayInput { date: form.date.clone(), kind: form.kind.clone(), reason: form.reason.clone() };
                let day = calendar::set_centre_day(&state, admin, &input).await?;
                Ok(format!("{} {}", day.date, text("calendar_day_saved")))
            }
            "remove_day" => Ok(format!("{} {}", calendar::remove_centre_day(&state, admin, &form.date).await?, text("calendar_day_removed"))),
            other => Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
        }
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/admin/calendar?{query}")).into_response())
}
