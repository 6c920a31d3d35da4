//! The working-day calendar as a hall counts on it: the State Council schedules built in, the years
//! admins load (a new year's schedule is published each November), and the days a centre sets
//! itself (a local closure, an extended-service Saturday). Deadlines are counted on the centre's
//! calendar; the admin page and the API change it.

use crate::api::{Body, Params};
use crate::auth::Visitor;
use crate::error::{ApiError, AppError, PageError};
use crate::flash::redirect_query;
use crate::pages::frame;
use crate::templates::render;
use crate::texts::text;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use banshi_domain::calendar::{Day, DayReason, HolidaySchedule, LocalDay, WorkingCalendar, WorkingDayIndex};
use banshi_domain::Role;
use banshi_storage::{Actor, Staff, Store};
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

type PageResult = Result<Response, PageError>;

/// The years deadlines are counted in: every limit a hall sets ends well inside.
pub const FIRST_YEAR: i32 = 2019;
pub const LAST_YEAR: i32 = 2040;

/// A centre's calendar, and its working days numbered for counting many deadlines.
pub struct CentreCalendar {
    pub calendar: WorkingCalendar,
    pub index: WorkingDayIndex,
}

impl CentreCalendar {
    /// The date `n` working days after `day`: from the index, or counted on the calendar past its
    /// years.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        self.index.add_working_days(day, n).unwrap_or_else(|| self.calendar.add_working_days(day, n)).date
    }
}

/// The calendar with the loaded years and, for a centre, its own days.
pub async fn working_calendar(store: &dyn Store, centre: Option<&str>) -> Result<WorkingCalendar, AppError> {
    let mut calendar = WorkingCalendar::china();
    for schedule in store.calendar_years().await? {
        // Checked when loaded; a year that no longer loads is reported, not fatal to every page.
        if let Err(err) = calendar.load_year(&schedule) {
            tracing::error!(year = schedule.year, %err, "a stored holiday schedule does not load");
        }
    }
    Ok(match centre {
        Some(centre) => calendar.with_local_days(store.centre_days(centre).await?),
        None => calendar,
    })
}

pub fn numbered(calendar: WorkingCalendar) -> CentreCalendar {
    let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).expect("a valid date");
    let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).expect("a valid date");
    let index = calendar.index(first, last);
    CentreCalendar { calendar, index }
}

/// Checks a schedule before it is stored: a year deadlines are counted in, its days consistent.
pub fn check_schedule(schedule: &HolidaySchedule) -> Result<(), AppError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&schedule.year) {
        return Err(AppError::invalid("year", format!("deadlines are counted from {FIRST_YEAR} to {LAST_YEAR}")));
    }
    if schedule.days.is_empty() {
        return Err(AppError::invalid("days", "a year's schedule lists its holidays and make-up working days"));
    }
    WorkingCalendar::default().load_year(schedule).map_err(|err| AppError::invalid("days", err.to_string()))
}

/// Loads a year's schedule for every centre.
pub async fn load_year(state: &AppState, admin: &Staff, schedule: &HolidaySchedule) -> Result<(), AppError> {
    check_schedule(schedule)?;
    state.store.save_calendar_year(&Actor::staff(admin), schedule).await?;
    state.cache.forget_calendars();
    Ok(())
}

/// A centre's own day, as a form or the API gives it.
#[derive(Debug, Deserialize)]
pub struct CentreDayInput {
    pub date: String,
    /// `working` (an extended-service day) or `off` (a closure).
    pub kind: String,
    #[serde(default)]
    pub reason: String,
}

fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    text.trim().parse().map_err(|_| AppError::invalid(field, format!("\"{text}\" is not a date like 2026-12-07")))
}

pub async fn set_centre_day(state: &AppState, admin: &Staff, input: &CentreDayInput) -> Result<LocalDay, AppError> {
    let mut problems = Vec::new();
    let date = input.date.trim().parse::<NaiveDate>().ok();
    if date.is_none() {
        problems.push(banshi_domain::Problem { path: "date".into(), message: format!("\"{}\" is not a date like 2026-12-07", input.date) });
    }
    let working = match input.kind.as_str() {
        "working" => Some(true),
        "off" => Some(false),
        other => {
            problems.push(banshi_domain::Problem { path: "kind".into(), message: format!("\"{other}\": a day is \"working\" (extended service) or \"off\" (closure)") });
            None
        }
    };
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(banshi_domain::Problem { path: "reason".into(), message: "say why (停电检修, 延时服务 …): the reason is shown with every date it moves".into() });
    }
    if let Some(date) = date.filter(|d| !(FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(d))) {
        problems.push(banshi_domain::Problem { path: "date".into(), message: format!("{date}: deadlines are counted from {FIRST_YEAR} to {LAST_YEAR}") });
    }
    let (Some(date), Some(working), true) = (date, working, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let day = LocalDay { date, working, reason: reason.to_string() };
    state.store.save_centre_day(&Actor::staff(admin), &admin.centre_code, &day).await?;
    state.cache.forget_calendars();
    Ok(day)
}

pub async fn remove_centre_day(state: &AppState, admin: &Staff, date: &str) -> Result<NaiveDate, AppError> {
    let date = parse_date("date", date)?;
    state.store.remove_centre_day(&Actor::staff(admin), &admin.centre_code, date).await?;
    state.cache.forget_calendars();
    Ok(date)
}

/// A day as pages and the API show it.
#[derive(Debug, Serialize)]
pub struct DayView {
    pub date: String,
    pub working: bool,
    /// The calendar's own words: `working weekday`, `off 春节`, `working make-up working day (春节)`.
    pub display: String,
    /// In Chinese, for the pages.
    pub label: String,
    pub provisional: bool,
}

pub fn day_view(date: NaiveDate, day: &Day) -> DayView {
    let reason = match &day.reason {
        DayReason::Weekday => text("calendar_weekday").to_string(),
        DayReason::Weekend => text("calendar_weekend").to_string(),
        DayReason::Holiday(name) => name.clone(),
        DayReason::MakeUpDay(name) => format!("{}（{name}）", text("calendar_make_up")),
        DayReason::Local(reason) if day.working => format!("{}（{reason}）", text("calendar_extended")),
        DayReason::Local(reason) => format!("{}（{reason}）", text("calendar_closure")),
    };
    let mut label = format!("{}：{reason}", text(if day.working { "calendar_working" } else { "calendar_off" }));
    if day.provisional {
        label.push_str(text("calendar_provisional"));
    }
    DayView { date: date.format("%F").to_string(), working: day.working, display: day.to_string(), label, provisional: day.provisional }
}

#[derive(Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    pub centre: Option<String>,
}

/// `GET /api/v1/calendar/{date}`: working or off, and why, on the centre's calendar.
pub async fn api_day(State(state): State<AppState>, visitor: Visitor, Path(date): Path<String>, Params(query): Params<DayQuery>) -> Result<Json<DayView>, ApiError> {
    let date = parse_date("date", &date)?;
    let centre = crate::hall_api::resolve_centre(&state, &visitor, query.centre).await?;
    let calendar = state.cache.calendar(state.store.as_ref(), &centre).await?;
    Ok(Json(day_view(date, &calendar.calendar.day(date))))
}

pub async fn api_load_year(State(state): State<AppState>, visitor: Visitor, Body(schedule): Body<HolidaySchedule>) -> Result<Response, ApiError> {
    let admin = visitor.require(&[Role::Admin])?;
    load_year(&state, admin, &schedule).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "year": schedule.year, "days": schedule.days.len() }))).into_response())
}

pub async fn api_set_centre_day(State(state): State<AppState>, visitor: Visitor, Body(input): Body<CentreDayInput>) -> Result<Json<LocalDay>, ApiError> {
    let admin = visitor.require(&[Role::Admin])?;
    Ok(Json(set_centre_day(&state, admin, &input).await?))
}

pub async fn api_remove_centre_day(State(state): State<AppState>, visitor: Visitor, Path(date): Path<String>) -> Result<StatusCode, ApiError> {
    let admin = visitor.require(&[Role::Admin])?;
    remove_centre_day(&state, admin, &date).await?;
    Ok(StatusCode::NO_CONTENT)
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
pub async fn page(State(state): State<AppState>, visitor: Visitor, axum::extract::Query(query): axum::extract::Query<CalendarPageQuery>) -> PageResult {
    let admin = visitor.require(&[Role::Admin])?;
    let frame = frame(&state, &visitor).await?;
    let loaded: Vec<i32> = state.store.calendar_years().await?.iter().map(|s| s.year).collect();
    let built_in: Vec<i32> = WorkingCalendar::china().years().collect();
    let this_year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let last_shown = (this_year + 1).max(loaded.iter().copied().max().unwrap_or(0));
    let years: Vec<YearRow> = (FIRST_YEAR..=last_shown)
        .map(|year| YearRow { year, source: if loaded.contains(&year) { "loaded" } else if built_in.contains(&year) { "built_in" } else { "missing" } })
        .collect();
    let days = state.store.centre_days(&admin.centre_code).await?;
    let calendar = state.cache.calendar(state.store.as_ref(), &admin.centre_code).await?;
    let checked = match query.check.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => Some(parse_date("check", text).map(|date| day_view(date, &calendar.calendar.day(date)))?),
        None => None,
    };
    let context = context! { years, days, checked, message => query.message, error => query.error, ..frame };
    Ok(render("calendar.html", context).into_response())
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

/// The admin page's forms: load a year (holiday-cn JSON), set or remove a centre's day.
pub async fn page_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CalendarForm>) -> PageResult {
    let admin = visitor.require(&[Role::Admin])?;
    let outcome: Result<String, AppError> = async {
        match form.action.as_str() {
            "load_year" => {
                let schedule: HolidaySchedule = serde_json::from_str(&form.schedule).map_err(|e| AppError::invalid("schedule", format!("not a schedule in holiday-cn's format: {e}")))?;
                load_year(&state, admin, &schedule).await?;
                Ok(format!("{} {}", schedule.year, text("calendar_year_loaded")))
            }
            "set_day" => {
                let input = CentreDayInput { date: form.date.clone(), kind: form.kind.clone(), reason: form.reason.clone() };
                let day = set_centre_day(&state, admin, &input).await?;
                Ok(format!("{} {}", day.date, text("calendar_day_saved")))
            }
            "remove_day" => Ok(format!("{} {}", remove_centre_day(&state, admin, &form.date).await?, text("calendar_day_removed"))),
            other => Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
        }
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/admin/calendar?{query}")).into_response())
}
