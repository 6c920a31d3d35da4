//! Administration through the API: the catalogue exported and imported, staff accounts, the audit
//! log, the calendar's years and the centre's own days, and a day checked.

use super::calendar::{self, CentreDayInput, DayView};
use super::steps::{self, StaffEdit, StaffInput};
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::error::AppError;
use crate::shared::extract::{ApiResult, Body, Params};
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
pub async fn import_catalog(State(state): State<AppState>, visitor: Visitor, body: String) -> ApiResult<Json<Imported>> {
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
    /// How many entries, newest first: 1 to 1000.
    #[serde(default = "default_audit_limit")]
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: i64,
}

fn default_audit_limit() -> i64 {
    100
}

/// The entries a reader sees: the centre's own; the installation's admin, all of them.
pub fn audit_scope(reader: &Staff) -> Option<&str> {
    (!INSTALLATION_ADMINS.contains(&reader.role)).then_some(reader.centre_code.as_str())
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, description = "the audit entries, newest first", body = Vec<AuditEntry>)), security(("session" = [])))]
pub async fn audit_log(State(state): State<AppState>, visitor: Visitor, Params(query): Params<AuditQuery>) -> ApiResult<Json<Vec<AuditEntry>>> {
    let reader = visitor.require(AUDIT_READERS)?;
    if !(1..=1000).contains(&query.limit) {
        return Err(AppError::invalid("limit", "between 1 and 1000").into());
    }
    Ok(Json(state.store.audit_log(audit_scope(reader), query.limit).await?))
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
