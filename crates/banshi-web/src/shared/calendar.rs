//! The working-day calendar deadlines are counted on: the State Council schedules built in, the
//! years admins load (a new year's schedule is published each November), and the days a centre
//! sets itself (a local closure, an extended-service Saturday).

use super::error::AppError;
use banshi_domain::calendar::{HolidaySchedule, WorkingCalendar, WorkingDayIndex};
use banshi_storage::Store;
use chrono::NaiveDate;

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
        return Err(AppError::invalid("year", crate::shared::texts::fill("calendar_year_out_of_range", &[("first", FIRST_YEAR.to_string()), ("last", LAST_YEAR.to_string())])));
    }
    if schedule.days.is_empty() {
        return Err(AppError::invalid("days", crate::shared::texts::text("calendar_schedule_empty")));
    }
    WorkingCalendar::default().load_year(schedule).map_err(|err| AppError::Invalid(super::texts::fault_problems(&[err.fault()])))
}
