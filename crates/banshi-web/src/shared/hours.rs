//! Hours and moments in the hall's words: the opening hours on the home page and the kiosk, and
//! when a queue issues tickets again.

use super::texts::{fill, text};
use banshi_domain::hall::{format_spans, Hours, Span};
use chrono::{Datelike, Duration, NaiveDateTime};

fn spans_text(spans: &[Span]) -> String {
    format_spans(spans).replace(", ", "、")
}

/// 「工作日 09:00-12:00、13:30-17:00；周三 延时 17:00-19:00；周六 09:00-12:00」, or none when the
/// hall has not set its hours.
pub fn hours_text(hours: &Hours) -> Option<String> {
    if hours.is_unset() {
        return None;
    }
    let mut parts = Vec::new();
    if !hours.every_day.is_empty() {
        parts.push(format!("{} {}", text("hours_every_day"), spans_text(&hours.every_day)));
    }
    if !hours.working_days.is_empty() {
        parts.push(format!("{} {}", text("hours_working_days"), spans_text(&hours.working_days)));
    }
    for (day, spans) in hours.extended.iter().enumerate().filter(|(_, spans)| !spans.is_empty()) {
        parts.push(fill("hours_extended_on", &[("day", weekday(day as u32).to_string()), ("spans", spans_text(spans))]));
    }
    Some(parts.join("；"))
}

fn weekday(from_monday: u32) -> &'static str {
    text(["weekday_0", "weekday_1", "weekday_2", "weekday_3", "weekday_4", "weekday_5", "weekday_6"][from_monday as usize % 7])
}

/// 「今天 13:30」, 「明天 09:00」, 「12月5日（周六）09:00」.
pub fn when_text(at: NaiveDateTime, now: NaiveDateTime) -> String {
    let time = at.format("%H:%M");
    if at.date() == now.date() {
        format!("{}{time}", text("when_today"))
    } else if at.date() == now.date() + Duration::days(1) {
        format!("{}{time}", text("when_tomorrow"))
    } else {
        let weekday = weekday(at.weekday().num_days_from_monday()).to_string();
        fill("when_date", &[("month", at.month().to_string()), ("day", at.day().to_string()), ("weekday", weekday), ("time", time.to_string())])
    }
}
