//! China's working-day calendar, on which statutory and promised time limits are counted.
//!
//! A day is off or working by, in this order: a centre's own days (a local closure, an
//! extended-service Saturday), the State Council's schedule for its year (holidays off, make-up
//! working days 调休 on), and otherwise the weekday (Saturday and Sunday off). A year with no
//! schedule loaded still answers by the weekday, but the answer is *provisional*: a holiday may
//! fall there once the schedule is published, so every date computed through such a year says so.
//!
//! A period counted in days starts the day after its event (民法典 art. 201): the first working day
//! after the event is day 1.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// One year's schedule in the State Council's (holiday-cn) format: only the exceptions are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HolidaySchedule {
    pub year: i32,
    pub days: Vec<ScheduleDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScheduleDay {
    /// The holiday the day belongs to: 春节, 国庆节 …
    pub name: String,
    pub date: NaiveDate,
    /// `true`: a day off; `false`: a make-up working day (调休), usually a weekend day.
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

/// A day a centre sets itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocalDay {
    pub date: NaiveDate,
    /// `true` for an extended-service day (a Saturday open), `false` for a closure.
    pub working: bool,
    pub reason: String,
}

/// Why a day is working or off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayReason {
    Weekday,
    Weekend,
    /// A public holiday, by name.
    Holiday(String),
    /// A make-up working day for the named holiday.
    MakeUpDay(String),
    /// A centre's closure or extended-service day, with its reason.
    Local(String),
}

/// A day as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub working: bool,
    pub reason: DayReason,
    /// No schedule is loaded for the day's year: it may yet turn out to be a holiday.
    pub provisional: bool,
}

impl fmt::Display for Day {
    /// `working` or `off`, then why: `off 春节`, `working make-up working day (春节)`, `off weekend`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.working { "working" } else { "off" })?;
        match &self.reason {
            DayReason::Weekday => f.write_str(" weekday")?,
            DayReason::Weekend => f.write_str(" weekend")?,
            DayReason::Holiday(name) => write!(f, " {name}")?,
            DayReason::MakeUpDay(name) => write!(f, " make-up working day ({name})")?,
            DayReason::Local(reason) => write!(f, " {} ({reason})", if self.working { "extended-service day" } else { "local closure" })?,
        }
        if self.provisional {
            f.write_str(" provisional (no holiday schedule loaded for this year)")?;
        }
        Ok(())
    }
}

/// A date reached by counting working days, flagged when a year without a schedule was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub date: NaiveDate,
    pub provisional: bool,
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date.format("%F"))?;
        if self.provisional {
            f.write_str(" provisional")?;
        }
        Ok(())
    }
}

/// A schedule that cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{date} is listed in the schedule for {year}")]
    WrongYear { date: NaiveDate, year: i32 },
    #[error("{date} is listed twice in the schedule for {year}")]
    Duplicate { date: NaiveDate, year: i32 },
    #[error("{date}: a holiday needs its name")]
    Unnamed { date: NaiveDate },
}

impl CalendarError {
    /// What is wrong, as a fault at `days` for the web layer to word.
    pub fn fault(&self) -> crate::Fault {
        match self {
            CalendarError::WrongYear { date, year } => crate::Fault::new("days", "calendar_fault_wrong_year", vec![("date", date.to_string()), ("year", year.to_string())]),
            CalendarError::Duplicate { date, year } => crate::Fault::new("days", "calendar_fault_twice", vec![("date", date.to_string()), ("year", year.to_string())]),
            CalendarError::Unnamed { date } => crate::Fault::new("days", "calendar_fault_unnamed", vec![("date", date.to_string())]),
        }
    }
}

/// The built-in schedules (State Council, 2019–2026), embedded from `calendar/`.
const BUILT_IN: [&str; 8] = [
    include_str!("../calendar/2019.json"),
    include_str!("../calendar/2020.json"),
    include_str!("../calendar/2021.json"),
    include_str!("../calendar/2022.json"),
    include_str!("../calendar/2023.json"),
    include_str!("../calendar/2024.json"),
    include_str!("../calendar/2025.json"),
    include_str!("../calendar/2026.json"),
];

#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    /// The years with a schedule loaded.
    years: BTreeSet<i32>,
    /// The schedules' exceptions: date → (off, holiday name, the schedule's year). A schedule may
    /// list a day of the year before (2019's lists the make-up Saturday 2018-12-29).
    exceptions: HashMap<NaiveDate, (bool, String, i32)>,
    local: HashMap<NaiveDate, LocalDay>,
}

impl WorkingCalendar {
    /// The State Council's schedules 2019–2026; later years are loaded with [`Self::load_year`].
    pub fn china() -> Self {
        let mut calendar = WorkingCalendar::default();
        for text in BUILT_IN {
            let schedule: HolidaySchedule = serde_json::from_str(text).expect("the built-in schedules are valid JSON");
            calendar.load_year(&schedule).expect("the built-in schedules are consistent");
        }
        calendar
    }

    /// Loads (or replaces) one year's schedule after checking it: its days lie in its year or the
    /// years next to it, each once, each holiday named.
    pub fn load_year(&mut self, schedule: &HolidaySchedule) -> Result<(), CalendarError> {
        let mut days = HashMap::new();
        // A year's schedule holds its own days, and the last days of December before it only for a
        // holiday that runs on into the year (元旦 from 2018-12-30 in 2019's): a 2027 file never changes 2026.
        let runs_into_the_year = |day: &ScheduleDay| {
            day.date.year() == schedule.year - 1 && day.date.month() == 12 && schedule.days.iter().any(|other| other.name == day.name && other.date.year() == schedule.year)
        };
        for day in &schedule.days {
            if day.date.year() != schedule.year && !runs_into_the_year(day) {
                return Err(CalendarError::WrongYear { date: day.date, year: schedule.year });
            }
            if day.name.trim().is_empty() {
                return Err(CalendarError::Unnamed { date: day.date });
            }
            if days.insert(day.date, (day.is_off_day, day.name.clone(), schedule.year)).is_some() {
                return Err(CalendarError::Duplicate { date: day.date, year: schedule.year });
            }
        }
        self.exceptions.retain(|_, (_, _, source)| *source != schedule.year);
        self.exceptions.extend(days);
        self.years.insert(schedule.year);
        Ok(())
    }

    /// The years with a schedule loaded.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Adds a centre's own days; they override the national schedule.
    pub fn with_local_days(mut self, days: impl IntoIterator<Item = LocalDay>) -> Self {
        self.local.extend(days.into_iter().map(|day| (day.date, day)));
        self
    }

    pub fn day(&self, date: NaiveDate) -> Day {
        if let Some(local) = self.local.get(&date) {
            return Day { working: local.working, reason: DayReason::Local(local.reason.clone()), provisional: false };
        }
        if let Some((off, name, _)) = self.exceptions.get(&date) {
            let reason = if *off { DayReason::Holiday(name.clone()) } else { DayReason::MakeUpDay(name.clone()) };
            return Day { working: !off, reason, provisional: false };
        }
        let provisional = !self.years.contains(&date.year());
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        Day { working: !weekend, reason: if weekend { DayReason::Weekend } else { DayReason::Weekday }, provisional }
    }

    /// The date `n` working days after `event` (the event's day itself never counts). With `n` = 0,
    /// the event's date.
    pub fn add_working_days(&self, event: NaiveDate, n: u32) -> Counted {
        let mut date = event;
        let mut counted = 0;
        let mut provisional = false;
        while counted < n {
            date += Duration::days(1);
            let day = self.day(date);
            provisional |= day.provisional;
            if day.working {
                counted += 1;
            }
        }
        Counted { date, provisional }
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> (u32, bool) {
        let mut count = 0;
        let mut provisional = false;
        let mut date = from;
        while date < to {
            date += Duration::days(1);
            let day = self.day(date);
            provisional |= day.provisional;
            if day.working {
                count += 1;
            }
        }
        (count, provisional)
    }
}

impl WorkingCalendar {
    /// Numbers the working days from `first` to `last` (inclusive) for fast counting; see
    /// [`WorkingDayIndex`].
    pub fn index(&self, first: NaiveDate, last: NaiveDate) -> WorkingDayIndex {
        let span = (last - first).num_days().max(0) as usize + 1;
        let mut through = Vec::with_capacity(span);
        let mut provisional_through = Vec::with_capacity(span);
        let mut nth = Vec::new();
        let (mut working, mut provisional) = (0u32, 0u32);
        for offset in 0..span {
            let day = self.day(first + Duration::days(offset as i64));
            if day.working {
                working += 1;
                nth.push(offset as u32);
            }
            provisional += u32::from(day.provisional);
            through.push(working);
            provisional_through.push(provisional);
        }
        WorkingDayIndex { first, through, provisional_through, nth }
    }
}

/// The working days of a span of dates, numbered: counting n working days after a date is a lookup
/// and an addition instead of a walk over the days, for recomputing many deadlines at once.
#[derive(Debug, Clone)]
pub struct WorkingDayIndex {
    first: NaiveDate,
    /// Per date from `first`: working days from `first` up to and including it.
    through: Vec<u32>,
    /// Per date from `first`: days of years without a schedule, likewise.
    provisional_through: Vec<u32>,
    /// The k-th working day (from 0) as days after `first`.
    nth: Vec<u32>,
}

impl WorkingDayIndex {
    fn offset(&self, date: NaiveDate) -> Option<usize> {
        let offset = (date - self.first).num_days();
        (0..self.through.len() as i64).contains(&offset).then_some(offset as usize)
    }

    /// As [`WorkingCalendar::add_working_days`], or `None` when the answer lies outside the span.
    pub fn add_working_days(&self, event: NaiveDate, n: u32) -> Option<Counted> {
        let start = self.offset(event)?;
        if n == 0 {
            return Some(Counted { date: event, provisional: false });
        }
        let target = *self.nth.get((self.through[start] + n - 1) as usize)? as usize;
        let provisional = self.provisional_through[target] > self.provisional_through[start];
        Some(Counted { date: self.first + Duration::days(target as i64), provisional })
    }

    /// Working days after `from` up to and including `to`, or `None` outside the span.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Option<u32> {
        if to <= from {
            return Some(0);
        }
        Some(self.through[self.offset(to)?] - self.through[self.offset(from)?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn local_days_override_the_national_schedule() {
        let closure = LocalDay { date: date("2026-03-04"), working: false, reason: "停电检修".into() };
        let saturday = LocalDay { date: date("2026-03-07"), working: true, reason: "延时服务".into() };
        let calendar = WorkingCalendar::china().with_local_days([closure, saturday]);
        assert_eq!(calendar.day(date("2026-03-04")).to_string(), "off local closure (停电检修)");
        assert_eq!(calendar.day(date("2026-03-07")).to_string(), "working extended-service day (延时服务)");
        // From Tuesday 3 March: Thu 5, Fri 6, Sat 7 (open), Mon 9.
        assert_eq!(calendar.add_working_days(date("2026-03-03"), 4).to_string(), "2026-03-09");
    }

    #[test]
    fn a_schedule_for_the_wrong_year_or_with_a_date_twice_is_refused() {
        let day = |d: &str| ScheduleDay { name: "元旦".into(), date: date(d), is_off_day: true };
        let mut calendar = WorkingCalendar::default();
        let wrong = HolidaySchedule { year: 2027, days: vec![day("2025-01-01")] };
        assert_eq!(calendar.load_year(&wrong).unwrap_err().to_string(), "2025-01-01 is listed in the schedule for 2027");
        // The year before only in a holiday that runs on into the year: 2026-01-01 in 2027's is refused.
        let last_year = HolidaySchedule { year: 2027, days: vec![day("2026-01-01"), day("2027-01-01")] };
        assert!(matches!(calendar.load_year(&last_year), Err(CalendarError::WrongYear { .. })));
        let spanning = HolidaySchedule { year: 2027, days: vec![day("2026-12-31"), day("2027-01-01")] };
        assert!(WorkingCalendar::default().load_year(&spanning).is_ok(), "元旦 from 2026-12-31 belongs to 2027's");
        let lone = HolidaySchedule { year: 2027, days: vec![ScheduleDay { name: "加班".into(), date: date("2026-12-31"), is_off_day: true }, day("2027-01-01")] };
        assert!(WorkingCalendar::default().load_year(&lone).is_err(), "a December day of no holiday of the year");
        let next_year = HolidaySchedule { year: 2027, days: vec![day("2028-01-01")] };
        assert!(WorkingCalendar::default().load_year(&next_year).is_err());
        let twice = HolidaySchedule { year: 2027, days: vec![day("2027-01-01"), day("2027-01-01")] };
        assert!(matches!(calendar.load_year(&twice), Err(CalendarError::Duplicate { .. })));
        assert_eq!(calendar.years().count(), 0, "nothing half-loaded");
        // A year loaded again replaces its days.
        calendar.load_year(&HolidaySchedule { year: 2027, days: vec![day("2027-01-01")] }).unwrap();
        calendar.load_year(&HolidaySchedule { year: 2027, days: vec![day("2027-02-01")] }).unwrap();
        assert!(calendar.day(date("2027-01-01")).working && !calendar.day(date("2027-02-01")).working);
        assert!(!calendar.day(date("2027-03-01")).provisional, "2027 has a schedule now");
    }
}
