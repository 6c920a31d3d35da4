//! Deadlines on the working-day calendar: the limit, extensions, suspended periods, the warning
//! lights, the provisional flag; and the fast index agrees with walking the calendar day by day.

use banshi_domain::calendar::{Counted, WorkingCalendar};
use banshi_domain::deadline::{deadline, Clock, Light, Suspension, WarnPolicy};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn clock(started: &str, limit: u32) -> Clock {
    Clock { started: date(started), limit, extended: 0, suspensions: vec![] }
}

fn index() -> banshi_domain::calendar::WorkingDayIndex {
    WorkingCalendar::china().index(date("2018-01-01"), date("2035-12-31"))
}

#[test]
fn twenty_working_days_across_the_october_holidays() {
    let index = index();
    let due = |c: &Clock| deadline(c, date("2026-09-21"), &index, WarnPolicy::default()).unwrap().due.unwrap().date;
    assert_eq!(due(&clock("2026-09-21", 20)), date("2026-10-26"));
    let extended = Clock { extended: 10, ..clock("2026-09-21", 20) };
    assert_eq!(due(&extended), date("2026-11-09"), "延长审批 adds ten working days");
    // 补正 from the 23rd until the materials came on the 29th: the 24th, 28th and 29th do not count.
    let corrected = Clock { suspensions: vec![Suspension { from: date("2026-09-23"), until: Some(date("2026-09-29")) }], ..clock("2026-09-21", 20) };
    assert_eq!(due(&corrected), date("2026-10-29"));
}

#[test]
fn a_standing_clock_has_no_due_day_and_keeps_what_was_left() {
    let waiting = Clock { suspensions: vec![Suspension { from: date("2026-09-23"), until: None }], ..clock("2026-09-21", 20) };
    let seen = deadline(&waiting, date("2026-10-20"), &index(), WarnPolicy::default()).unwrap();
    assert_eq!((seen.due, seen.remaining, seen.light), (None, 18, Light::Suspended));
}

#[test]
fn green_then_yellow_then_red() {
    let index = index();
    let at = |today: &str| {
        let seen = deadline(&clock("2026-09-21", 20), date(today), &index, WarnPolicy::default()).unwrap();
        (seen.remaining, seen.light)
    };
    assert_eq!(at("2026-10-15"), (7, Light::Green));
    // 20% of 20 is 4 working days: yellow from there, before the 2 days of the other rule.
    assert_eq!(at("2026-10-20"), (4, Light::Yellow));
    assert_eq!(at("2026-10-26"), (0, Light::Yellow), "the due day itself is not yet overdue");
    assert_eq!(at("2026-10-27"), (-1, Light::Red));
    let short = deadline(&clock("2026-03-02", 5), date("2026-03-04"), &index, WarnPolicy::default()).unwrap();
    assert_eq!((short.remaining, short.light), (3, Light::Green), "for a short limit the 2-day rule comes first");
}

#[test]
fn a_deadline_in_a_year_without_a_schedule_is_provisional() {
    let seen = deadline(&clock("2026-12-15", 20), date("2026-12-15"), &index(), WarnPolicy::default()).unwrap();
    assert!(seen.due.unwrap().provisional);
    let before = deadline(&clock("2026-11-02", 20), date("2026-11-02"), &index(), WarnPolicy::default()).unwrap();
    assert!(!before.due.unwrap().provisional);
}

proptest! {
    #[test]
    fn the_index_counts_as_the_calendar_does(start in 0i64..3000, n in 0u32..300) {
        let calendar = WorkingCalendar::china();
        let index = calendar.index(date("2019-01-01"), date("2035-12-31"));
        let from = date("2019-01-01") + Duration::days(start);
        let walked: Counted = calendar.add_working_days(from, n);
        prop_assert_eq!(index.add_working_days(from, n), Some(walked));
        let (between, _) = calendar.working_days_between(from, walked.date);
        prop_assert_eq!(index.working_days_between(from, walked.date), Some(between));
    }
}
