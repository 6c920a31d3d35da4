//! Time limits (限时办结) counted on the working-day calendar: a limit in working days from an
//! event, lengthened by approved extensions (延长审批), with the periods the clock stood still
//! (补正 waiting for materials; 听证、检验、鉴定、专家评审, 行政许可法 art. 45) left out.

use crate::calendar::{Counted, WorkingDayIndex};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A period in which the clock stands still: the working days after `from` up to and including
/// `until` do not count. `until` is `None` while it still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// What a deadline is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The day of the event (acceptance); the first counted day is the working day after it.
    pub started: NaiveDate,
    /// The limit in working days (statutory or promised).
    pub limit: u32,
    /// Working days added by approved extensions.
    pub extended: u32,
    pub suspensions: Vec<Suspension>,
}

/// When the yellow warning starts: at this many working days left, or this share of the limit
/// left, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarnPolicy {
    pub days_left: u32,
    pub percent_left: u32,
}

impl Default for WarnPolicy {
    fn default() -> Self {
        WarnPolicy { days_left: 2, percent_left: 20 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    /// Overdue.
    Red,
    /// The clock stands still.
    Suspended,
}

/// A deadline as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The last day of the limit; `None` while the clock stands still (it moves on when it restarts).
    pub due: Option<Counted>,
    /// Working days left after today up to the due day; negative when overdue. While the clock
    /// stands still: those left when it stopped.
    pub remaining: i64,
    pub light: Light,
}

/// Why a deadline cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("{0} lies outside the working-day calendar")]
    OutsideCalendar(NaiveDate),
}

/// The clock's deadline as of `today`.
pub fn deadline(clock: &Clock, today: NaiveDate, index: &WorkingDayIndex, warn: WarnPolicy) -> Result<Deadline, DeadlineError> {
    let outside = DeadlineError::OutsideCalendar;
    let total = clock.limit + clock.extended;
    let mut stood_still = 0;
    let mut standing_since = None;
    for suspension in &clock.suspensions {
        match suspension.until {
            Some(until) => stood_still += index.working_days_between(suspension.from, until).ok_or(outside(until))?,
            None => standing_since = Some(suspension.from),
        }
    }
    if let Some(from) = standing_since {
        // Counted up to the stop, less the days it stood still before.
        let used = index.working_days_between(clock.started, from).ok_or(outside(from))?.saturating_sub(stood_still);
        return Ok(Deadline { due: None, remaining: i64::from(total) - i64::from(used), light: Light::Suspended });
    }
    let due = index.add_working_days(clock.started, total + stood_still).ok_or(outside(clock.started))?;
    let remaining = if today <= due.date {
        i64::from(index.working_days_between(today, due.date).ok_or(outside(today))?)
    } else {
        -i64::from(index.working_days_between(due.date, today).ok_or(outside(today))?)
    };
    let warn_at = i64::from(warn.days_left.max((total * warn.percent_left).div_ceil(100)));
    let light = if today > due.date {
        Light::Red
    } else if remaining <= warn_at {
        Light::Yellow
    } else {
        Light::Green
    };
    Ok(Deadline { due: Some(due), remaining, light })
}
