//! Changing the working-day calendar deadlines are counted on: a year's schedule loaded for every
//! centre, or a centre's own day (a local closure, an extended-service Saturday); and a day as the
//! pages and the API show it.

use crate::shared::calendar::{check_schedule, FIRST_YEAR, LAST_YEAR};
use crate::shared::error::AppError;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::calendar::{Day, DayReason, HolidaySchedule, LocalDay};
use banshi_domain::Problem;
use banshi_storage::{Actor, Staff};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Loads a year's schedule for every centre.
pub async fn load_year(state: &AppState, admin: &Staff, schedule: &HolidaySchedule) -> Result<(), AppError> {
    check_schedule(schedule)?;
    state.store.save_calendar_year(&Actor::staff(admin), schedule).await?;
    state.cache.forget_calendars();
    Ok(())
}

/// A centre's own day, as a form or the API gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreDayInput {
    /// YYYY-MM-DD
    #[schema(example = "2026-12-07")]
    pub date: String,
    /// `working` (an extended-service day) or `off` (a closure).
    #[schema(example = "off")]
    pub kind: String,
    /// Why (停电检修, 延时服务 …): shown with every date it moves.
    #[serde(default)]
    pub reason: String,
}

pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    text.trim().parse().map_err(|_| AppError::invalid(field, fill("date_malformed", &[("value", text.to_string())])))
}

pub async fn set_centre_day(state: &AppState, admin: &Staff, input: &CentreDayInput) -> Result<LocalDay, AppError> {
    let mut problems = Vec::new();
    let date = input.date.trim().parse::<NaiveDate>().ok();
    if date.is_none() {
        problems.push(Problem { path: "date".into(), message: fill("date_malformed", &[("value", input.date.clone())]) });
    }
    let working = match input.kind.as_str() {
        "working" => Some(true),
        "off" => Some(false),
        other => {
            problems.push(Problem { path: "kind".into(), message: fill("calendar_day_kind_wrong", &[("value", other.to_string())]) });
            None
        }
    };
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(Problem { path: "reason".into(), message: text("calendar_day_reason_missing").into() });
    }
    if let Some(date) = date.filter(|d| !(FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(d))) {
        problems.push(Problem { path: "date".into(), message: fill("calendar_date_out_of_range", &[("date", date.to_string()), ("first", FIRST_YEAR.to_string()), ("last", LAST_YEAR.to_string())]) });
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayView {
    #[schema(example = "2026-10-01")]
    pub date: String,
    pub working: bool,
    /// The calendar's own words: `working weekday`, `off 春节`, `working make-up working day (春节)`.
    pub display: String,
    /// In Chinese, for the pages.
    pub label: String,
    /// In a year without a published schedule: it may change.
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
