//! Administration through the API: the catalogue exported and imported, staff accounts, the audit
//! log, the calendar's years and the centre's own days, and a day checked.

use super::calendar::{self, CentreDayInput, DayView};
use super::steps::{self, StaffEdit, StaffInput};
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::error::AppError;
use crate::shared::extract::{ApiResult, Body, JsonText, Params};
use crate::shared::roles::{ADMINS, AUDIT_READERS, INSTALLATION_ADMINS};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_domain::calendar::{HolidaySchedule, LocalDay};
use banshi_domain::{Catalog, LocalItem};
use banshi_storage::{Actor, AuditEntry, Staff};
use serde::{Deserialize, Serialize};

/// Export the whole catalogue (docs/catalog.md).
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalogue", responses((status = 200, description = "the catalogue file", body = Catalog)))]
pub async fn export_catalog(State(state): State<AppState>) -> ApiResult<Json<Catalog>> {
    Ok(Json(state.store.catalog().await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Imported {
    imported_items: usize,
}

/// Import the shared base catalogue (事项基本目录), replacing it; nothing is imported when any
/// problem is found. The installation's admin only.
/// The body is read as text so that every problem, syntax included, comes back with its place,
/// exactly as `banshi catalog validate` reports it.
#[utoipa::path(put, path = "/api/v1/catalog", tag = "catalogue", request_body(content = Catalog, content_type = "application/json"), responses((status = 200, description = "the catalogue replaced", body = Imported)), security(("session" = [], "csrf" = [])))]
pub async fn import_catalog(State(state): State<AppState>, visitor: Visitor, JsonText(body): JsonText) -> ApiResult<Json<Imported>> {
    let admin = visitor.require(INSTALLATION_ADMINS)?;
    let imported_items = steps::import_catalog(&state, &Actor::staff(admin), &body).await?;
    Ok(Json(Imported { imported_items }))
}

/// The staff accounts of the admin's centre.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", responses((status = 200, description = "the accounts", body = Vec<Staff>)), security(("session" = [])))]
pub async fn list_staff(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<Staff>>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(state.store.list_staff(Some(&admin.centre_code)).await?))
}

/// Change an account of the admin's centre: name, badge, role, or the centre it belongs to (a
/// new role or centre ends its sessions).
#[utoipa::path(post, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path, description = "the account's id")), request_body = StaffEdit, responses((status = 200, description = "the account changed", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn edit_staff(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(edit): Body<StaffEdit>) -> ApiResult<Json<Staff>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(steps::edit_staff(&state, admin, id, &edit).await?))
}

/// Disable an account: its sessions end at once (on every instance within 5 seconds).
#[utoipa::path(post, path = "/api/v1/staff/{id}/disable", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "the account disabled", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn disable_staff(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<Staff>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(steps::set_active(&state, admin, id, false).await?))
}

/// Enable a disabled account.
#[utoipa::path(post, path = "/api/v1/staff/{id}/enable", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "the account enabled", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn enable_staff(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<Staff>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(steps::set_active(&state, admin, id, true).await?))
}

/// Lift the lock after failed sign-ins.
#[utoipa::path(post, path = "/api/v1/staff/{id}/unlock", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "the account unlocked", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn unlock_staff(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<Staff>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(steps::unlock(&state, admin, id).await?))
}

/// Remove an account's second factor (its phone is lost); its sessions end and it enrols again at
/// its next sign-in.
#[utoipa::path(delete, path = "/api/v1/staff/{id}/totp", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "removed", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn remove_second_factor(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<Staff>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(steps::remove_second_factor(&state, admin, id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    staff: Staff,
    /// Shown once: the account signs in with it and must change it at once.
    one_time_password: String,
}

/// Reset an account's password to a one-time one; its sessions end.
#[utoipa::path(post, path = "/api/v1/staff/{id}/reset-password", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "the one-time password", body = PasswordReset)), security(("session" = [], "csrf" = [])))]
pub async fn reset_password(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<PasswordReset>> {
    let admin = visitor.require(ADMINS)?;
    let (staff, one_time_password) = steps::reset_password(&state, admin, id).await?;
    Ok(Json(PasswordReset { staff, one_time_password }))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalItems {
    /// The base items the centre offers, in its order, with its own facts; empty for the whole
    /// base list.
    items: Vec<LocalItem>,
}

/// The admin's centre's list of items (实施清单).
#[utoipa::path(get, path = "/api/v1/centre/items", tag = "catalogue", responses((status = 200, description = "the centre's list", body = LocalItems)), security(("session" = [])))]
pub async fn local_items(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<LocalItems>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(LocalItems { items: state.store.local_items(&admin.centre_code).await? }))
}

/// Replace the admin's centre's list of items, checked whole against the base catalogue.
#[utoipa::path(put, path = "/api/v1/centre/items", tag = "catalogue", request_body = LocalItems, responses((status = 200, description = "the list saved", body = LocalItems)), security(("session" = [], "csrf" = [])))]
pub async fn save_local_items(State(state): State<AppState>, visitor: Visitor, Body(list): Body<LocalItems>) -> ApiResult<Json<LocalItems>> {
    let admin = visitor.require(ADMINS)?;
    steps::save_local_items(&state, admin, &list.items).await?;
    Ok(Json(list))
}

/// A new staff account in the admin's centre; every problem is reported at once.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = StaffInput, responses((status = 201, description = "the account created", body = Staff)), security(("session" = [], "csrf" = [])))]
pub async fn create_staff(State(state): State<AppState>, visitor: Visitor, Body(input): Body<StaffInput>) -> ApiResult<(StatusCode, Json<Staff>)> {
    let admin = visitor.require(ADMINS)?;
    Ok((StatusCode::CREATED, Json(steps::create_staff(&state, admin, &input).await?)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many entries, newest first: 1 to 1000 a page.
    #[serde(default = "default_audit_limit")]
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: i64,
    /// The next page: the entries older than this entry's id (the last one of the page before).
    before: Option<i64>,
    /// Part of the actor's name.
    actor: Option<String>,
    /// The action (`sign_in`, `sign_in_refused`, `update`, …).
    action: Option<String>,
    /// What it concerns (`staff`, `case`, `hall`, …), and which one.
    entity: Option<String>,
    entity_id: Option<String>,
    /// From this day, `YYYY-MM-DD`, in the hall's time.
    from: Option<String>,
    /// To this day, `YYYY-MM-DD`, inclusive.
    to: Option<String>,
    /// One centre's entries, for the installation's admin (a centre's readers read their own).
    centre: Option<String>,
    /// `csv` for a file the auditor keeps (UTF-8 with a byte-order mark, for spreadsheets).
    format: Option<String>,
}

fn default_audit_limit() -> i64 {
    100
}

/// The entries a reader sees: the centre's own; the installation's admin, all of them.
pub fn audit_scope(reader: &Staff) -> Option<&str> {
    (!INSTALLATION_ADMINS.contains(&reader.role)).then_some(reader.centre_code.as_str())
}

/// A day's start in the hall's time, or which field is wrong.
fn day_start(field: &str, value: &Option<String>, days_after: u64) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| AppError::invalid(field, crate::shared::texts::text("audit_day_wrong")))?;
    let start = (day + chrono::Days::new(days_after)).and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(chrono::Local).earliest());
    Ok(start.map(|t| t.with_timezone(&chrono::Utc)))
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The audit log, newest first, a page at a time, narrowed by actor, action, object, centre and
/// days; as JSON or as a CSV file.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, description = "the audit entries, newest first (with `format=csv`, a CSV file of them)", body = Vec<AuditEntry>)), security(("session" = [])))]
pub async fn audit_log(State(state): State<AppState>, visitor: Visitor, Params(query): Params<AuditQuery>) -> ApiResult<Response> {
    let reader = visitor.require(AUDIT_READERS)?;
    if !(1..=1000).contains(&query.limit) {
        return Err(AppError::invalid("limit", crate::shared::texts::text("audit_limit_wrong")).into());
    }
    let centre_code = match (audit_scope(reader), blank_to_none(&query.centre)) {
        (Some(own), Some(asked)) if asked != own => return Err(AppError::invalid("centre", crate::shared::texts::text("audit_centre_not_yours")).into()),
        (Some(own), _) => Some(own.to_string()),
        (None, asked) => asked,
    };
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::invalid("format", crate::shared::texts::text("audit_format_wrong")).into()),
    };
    let filter = banshi_storage::AuditFilter {
        centre_code,
        actor: blank_to_none(&query.actor),
        action: blank_to_none(&query.action),
        entity: blank_to_none(&query.entity),
        entity_id: blank_to_none(&query.entity_id),
        from: day_start("from", &query.from, 0)?,
        until: day_start("to", &query.to, 1)?,
        before_id: query.before,
        limit: query.limit,
    };
    let entries = state.store.audit_search(&filter).await?;
    if !csv {
        return Ok(Json(entries).into_response());
    }
    // A file of the log leaves the system: that it did, and who took it, is itself kept.
    let access = banshi_storage::Access { centre: filter.centre_code.as_deref(), action: "export", entity: "audit_log", entity_id: filter.centre_code.as_deref().unwrap_or("*"), detail: serde_json::json!({ "entries": entries.len() }) };
    state.store.audit_access(&banshi_storage::Actor::staff(reader), &access).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"), (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")], audit_csv(&entries)).into_response())
}

/// The entries as CSV: a header row, then one row each; every field quoted, and one a spreadsheet
/// would take for a formula (`=`, `+`, `-`, `@`) marked as text.
fn audit_csv(entries: &[AuditEntry]) -> String {
    let quote = |field: &str| {
        let text = if field.starts_with(['=', '+', '-', '@']) { format!("'{field}") } else { field.to_string() };
        format!("\"{}\"", text.replace('"', "\"\""))
    };
    let mut csv = String::from("\u{feff}id,at,centre,actor,action,entity,entity_id,before,after\r\n");
    for e in entries {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let fields = [e.id.to_string(), e.at.to_rfc3339(), e.centre_code.clone().unwrap_or_default(), e.actor.clone(), e.action.clone(), e.entity.clone(), e.entity_id.clone(), json(&e.before), json(&e.after)];
        csv.push_str(&fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    csv
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct YearLoaded {
    year: i32,
    days: usize,
}

/// Load a year's holiday schedule (holiday-cn's format) for every centre: the installation's admin.
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar", request_body = HolidaySchedule, responses((status = 201, description = "the year loaded", body = YearLoaded)), security(("session" = [], "csrf" = [])))]
pub async fn load_calendar_year(State(state): State<AppState>, visitor: Visitor, Body(schedule): Body<HolidaySchedule>) -> ApiResult<Response> {
    let admin = visitor.require(INSTALLATION_ADMINS)?;
    calendar::load_year(&state, admin, &schedule).await?;
    Ok((StatusCode::CREATED, Json(YearLoaded { year: schedule.year, days: schedule.days.len() })).into_response())
}

/// Set a day of the admin's centre: a closure or an extended-service day.
#[utoipa::path(post, path = "/api/v1/calendar/centre-days", tag = "calendar", request_body = CentreDayInput, responses((status = 200, description = "the day saved", body = LocalDay)), security(("session" = [], "csrf" = [])))]
pub async fn set_centre_day(State(state): State<AppState>, visitor: Visitor, Body(input): Body<CentreDayInput>) -> ApiResult<Json<LocalDay>> {
    let admin = visitor.require(ADMINS)?;
    Ok(Json(calendar::set_centre_day(&state, admin, &input).await?))
}

/// Remove a day the admin's centre set.
#[utoipa::path(delete, path = "/api/v1/calendar/centre-days/{date}", tag = "calendar", params(("date" = String, Path, description = "YYYY-MM-DD")), responses((status = 204, description = "removed")), security(("session" = [], "csrf" = [])))]
pub async fn remove_centre_day(State(state): State<AppState>, visitor: Visitor, Path(date): Path<String>) -> ApiResult<StatusCode> {
    let admin = visitor.require(ADMINS)?;
    calendar::remove_centre_day(&state, admin, &date).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Working or off, and why, on the centre's calendar.
#[utoipa::path(get, path = "/api/v1/calendar/{date}", tag = "calendar", params(("date" = String, Path, description = "YYYY-MM-DD"), CentreQuery), responses((status = 200, description = "the day on the centre's calendar", body = DayView)))]
pub async fn calendar_day(State(state): State<AppState>, visitor: Visitor, Path(date): Path<String>, Params(query): Params<CentreQuery>) -> ApiResult<Json<DayView>> {
    let date = calendar::parse_date("date", &date)?;
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let counted = state.cache.calendar(state.store.as_ref(), &centre).await?;
    Ok(Json(calendar::day_view(date, &counted.calendar.day(date))))
}
