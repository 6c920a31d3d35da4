//! The working-day calendar at every edge of 2024–2026: each holiday, each make-up working day, the
//! year boundaries, counting across each long holiday, and the provisional flag beyond the last
//! schedule. The table below is the State Council's published schedules, typed in independently of
//! the embedded files.

use banshi_domain::calendar::{Counted, DayReason, WorkingCalendar};
use chrono::{Datelike, NaiveDate, Weekday};

/// (date, day off?, holiday) for every exception of 2024, 2025 and 2026.
const PUBLISHED: &[(&str, bool, &str)] = &[
    ("2024-01-01", true, "元旦"),
    ("2024-02-04", false, "春节"),
    ("2024-02-10", true, "春节"),
    ("2024-02-11", true, "春节"),
    ("2024-02-12", true, "春节"),
    ("2024-02-13", true, "春节"),
    ("2024-02-14", true, "春节"),
    ("2024-02-15", true, "春节"),
    ("2024-02-16", true, "春节"),
    ("2024-02-17", true, "春节"),
    ("2024-02-18", false, "春节"),
    ("2024-04-04", true, "清明节"),
    ("2024-04-05", true, "清明节"),
    ("2024-04-06", true, "清明节"),
    ("2024-04-07", false, "清明节"),
    ("2024-04-28", false, "劳动节"),
    ("2024-05-01", true, "劳动节"),
    ("2024-05-02", true, "劳动节"),
    ("2024-05-03", true, "劳动节"),
    ("2024-05-04", true, "劳动节"),
    ("2024-05-05", true, "劳动节"),
    ("2024-05-11", false, "劳动节"),
    ("2024-06-10", true, "端午节"),
    ("2024-09-14", false, "中秋节"),
    ("2024-09-15", true, "中秋节"),
    ("2024-09-16", true, "中秋节"),
    ("2024-09-17", true, "中秋节"),
    ("2024-09-29", false, "国庆节"),
    ("2024-10-01", true, "国庆节"),
    ("2024-10-02", true, "国庆节"),
    ("2024-10-03", true, "国庆节"),
    ("2024-10-04", true, "国庆节"),
    ("2024-10-05", true, "国庆节"),
    ("2024-10-06", true, "国庆节"),
    ("2024-10-07", true, "国庆节"),
    ("2024-10-12", false, "国庆节"),
    ("2025-01-01", true, "元旦"),
    ("2025-01-26", false, "春节"),
    ("2025-01-28", true, "春节"),
    ("2025-01-29", true, "春节"),
    ("2025-01-30", true, "春节"),
    ("2025-01-31", true, "春节"),
    ("2025-02-01", true, "春节"),
    ("2025-02-02", true, "春节"),
    ("2025-02-03", true, "春节"),
    ("2025-02-04", true, "春节"),
    ("2025-02-08", false, "春节"),
    ("2025-04-04", true, "清明节"),
    ("2025-04-05", true, "清明节"),
    ("2025-04-06", true, "清明节"),
    ("2025-04-27", false, "劳动节"),
    ("2025-05-01", true, "劳动节"),
    ("2025-05-02", true, "劳动节"),
    ("2025-05-03", true, "劳动节"),
    ("2025-05-04", true, "劳动节"),
    ("2025-05-05", true, "劳动节"),
    ("2025-05-31", true, "端午节"),
    ("2025-06-01", true, "端午节"),
    ("2025-06-02", true, "端午节"),
    ("2025-09-28", false, "国庆节、中秋节"),
    ("2025-10-01", true, "国庆节、中秋节"),
    ("2025-10-02", true, "国庆节、中秋节"),
    ("2025-10-03", true, "国庆节、中秋节"),
    ("2025-10-04", true, "国庆节、中秋节"),
    ("2025-10-05", true, "国庆节、中秋节"),
    ("2025-10-06", true, "国庆节、中秋节"),
    ("2025-10-07", true, "国庆节、中秋节"),
    ("2025-10-08", true, "国庆节、中秋节"),
    ("2025-10-11", false, "国庆节、中秋节"),
    ("2026-01-01", true, "元旦"),
    ("2026-01-02", true, "元旦"),
    ("2026-01-03", true, "元旦"),
    ("2026-01-04", false, "元旦"),
    ("2026-02-14", false, "春节"),
    ("2026-02-15", true, "春节"),
    ("2026-02-16", true, "春节"),
    ("2026-02-17", true, "春节"),
    ("2026-02-18", true, "春节"),
    ("2026-02-19", true, "春节"),
    ("2026-02-20", true, "春节"),
    ("2026-02-21", true, "春节"),
    ("2026-02-22", true, "春节"),
    ("2026-02-23", true, "春节"),
    ("2026-02-28", false, "春节"),
    ("2026-04-04", true, "清明节"),
    ("2026-04-05", true, "清明节"),
    ("2026-04-06", true, "清明节"),
    ("2026-05-01", true, "劳动节"),
    ("2026-05-02", true, "劳动节"),
    ("2026-05-03", true, "劳动节"),
    ("2026-05-04", true, "劳动节"),
    ("2026-05-05", true, "劳动节"),
    ("2026-05-09", false, "劳动节"),
    ("2026-06-19", true, "端午节"),
    ("2026-06-20", true, "端午节"),
    ("2026-06-21", true, "端午节"),
    ("2026-09-20", false, "国庆节"),
    ("2026-09-25", true, "中秋节"),
    ("2026-09-26", true, "中秋节"),
    ("2026-09-27", true, "中秋节"),
    ("2026-10-01", true, "国庆节"),
    ("2026-10-02", true, "国庆节"),
    ("2026-10-03", true, "国庆节"),
    ("2026-10-04", true, "国庆节"),
    ("2026-10-05", true, "国庆节"),
    ("2026-10-06", true, "国庆节"),
    ("2026-10-07", true, "国庆节"),
    ("2026-10-10", false, "国庆节"),
];

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn add(calendar: &WorkingCalendar, from: &str, n: u32) -> String {
    calendar.add_working_days(date(from), n).to_string()
}

#[test]
fn every_holiday_and_make_up_working_day_of_2024_to_2026() {
    let calendar = WorkingCalendar::china();
    for (day, off, name) in PUBLISHED {
        let seen = calendar.day(date(day));
        assert_eq!(seen.working, !off, "{day}");
        assert!(!seen.provisional, "{day}");
        let expected = if *off { DayReason::Holiday(name.to_string()) } else { DayReason::MakeUpDay(name.to_string()) };
        assert_eq!(seen.reason, expected, "{day}");
        if !off {
            assert!(matches!(date(day).weekday(), Weekday::Sat | Weekday::Sun), "{day}: make-up days fall on weekends");
        }
    }
    // Every other day of those years is a weekday or a weekend, by the weekday alone.
    let mut day = date("2024-01-01");
    while day.year() <= 2026 {
        if !PUBLISHED.iter().any(|(d, _, _)| date(d) == day) {
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            assert_eq!(calendar.day(day).working, !weekend, "{day}");
        }
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn the_words_of_calendar_check() {
    let calendar = WorkingCalendar::china();
    assert_eq!(calendar.day(date("2026-10-01")).to_string(), "off 国庆节");
    assert_eq!(calendar.day(date("2026-02-14")).to_string(), "working make-up working day (春节)");
    assert_eq!(calendar.day(date("2026-03-07")).to_string(), "off weekend");
    assert_eq!(calendar.day(date("2026-03-09")).to_string(), "working weekday");
    assert_eq!(calendar.day(date("2027-01-01")).to_string(), "working weekday provisional (no holiday schedule loaded for this year)");
}

#[test]
fn counting_starts_the_day_after_and_skips_each_long_holiday() {
    let calendar = WorkingCalendar::china();
    assert_eq!(add(&calendar, "2026-03-03", 0), "2026-03-03");
    assert_eq!(add(&calendar, "2026-03-03", 1), "2026-03-04", "the event's day never counts");
    // 春节
    assert_eq!(add(&calendar, "2024-02-08", 2), "2024-02-18");
    assert_eq!(add(&calendar, "2025-01-24", 1), "2025-01-26");
    assert_eq!(add(&calendar, "2025-01-24", 3), "2025-02-05");
    assert_eq!(add(&calendar, "2026-02-13", 1), "2026-02-14");
    assert_eq!(add(&calendar, "2026-02-13", 2), "2026-02-24");
    // 清明, 劳动节, 端午
    assert_eq!(add(&calendar, "2024-04-03", 1), "2024-04-07");
    assert_eq!(add(&calendar, "2025-04-30", 1), "2025-05-06");
    assert_eq!(add(&calendar, "2026-06-18", 1), "2026-06-22");
    // 国庆 (and 中秋 with it in 2025)
    assert_eq!(add(&calendar, "2024-09-30", 1), "2024-10-08");
    assert_eq!(add(&calendar, "2025-09-30", 1), "2025-10-09");
    assert_eq!(add(&calendar, "2025-09-30", 3), "2025-10-11");
    assert_eq!(add(&calendar, "2026-09-30", 3), "2026-10-10");
    assert_eq!(add(&calendar, "2026-10-03", 1), "2026-10-08", "an event on a holiday counts from the next working day");
    // 行政许可法 art. 42: 20 working days across 中秋 and 国庆 2026.
    assert_eq!(add(&calendar, "2026-09-21", 20), "2026-10-26");
}

#[test]
fn the_year_boundaries() {
    let calendar = WorkingCalendar::china();
    assert_eq!(add(&calendar, "2023-12-29", 1), "2024-01-02");
    assert_eq!(add(&calendar, "2024-12-31", 1), "2025-01-02");
    assert_eq!(add(&calendar, "2025-12-31", 1), "2026-01-04", "a Sunday made a working day");
    assert_eq!(add(&calendar, "2026-12-30", 1), "2026-12-31");
}

#[test]
fn a_count_into_a_year_without_a_schedule_is_provisional() {
    let calendar = WorkingCalendar::china();
    let counted = calendar.add_working_days(date("2026-12-30"), 3);
    assert_eq!(counted, Counted { date: date("2027-01-04"), provisional: true });
    assert_eq!(counted.to_string(), "2027-01-04 provisional");
    assert!(calendar.day(date("2018-12-03")).provisional, "before the first schedule too");
    assert_eq!(calendar.day(date("2018-12-29")).to_string(), "working make-up working day (元旦)", "2019's schedule knows this 2018 Saturday");
    assert!(!calendar.add_working_days(date("2026-12-30"), 1).provisional);
    assert_eq!(calendar.working_days_between(date("2026-12-30"), date("2027-01-04")), (3, true));
    assert_eq!(calendar.working_days_between(date("2026-02-13"), date("2026-02-24")), (2, false));
}
