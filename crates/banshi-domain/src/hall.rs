//! The hall as data (docs/hall.md): its opening hours (with the lunch break between spans,
//! extended hours 延时服务, closures and extra days from the calendar), its queues (letter, name,
//! items, a daily quota 限号, the time ticket issue stops, their own hours) and its windows (the
//! queues each serves in order of preference, and how it calls: by that preference or by arrival
//! across them, as a generalist window 综窗 does). A hall is read from a file (TOML, or the same
//! shape as JSON), checked whole — every fault with its place and, in a file, its line — and only
//! then stored; and [`issue_decision`] says whether a queue issues tickets at a moment.

use crate::calendar::{Day, DayReason, WorkingCalendar};
use crate::queue::CallOrder;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Minutes since midnight, 0 to 1440 (24:00 ends a day).
pub type Minute = u16;

const DAY_END: Minute = 24 * 60;

/// A span of opening, from `start` (included) to `end` (excluded), within one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: Minute,
    pub end: Minute,
}

impl Span {
    pub fn contains(&self, minute: Minute) -> bool {
        self.start <= minute && minute < self.end
    }
}

/// `09:00`, `24:00` → minutes; anything else is none.
pub fn parse_minute(text: &str) -> Option<Minute> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let at = hours * 60 + minutes;
    (minutes < 60 && at <= DAY_END).then_some(at)
}

pub fn format_minute(minute: Minute) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Why spans do not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanFault {
    /// Not `HH:MM-HH:MM` (the text given).
    Unreadable(String),
    /// A span that ends before it starts (the span).
    Backwards(String),
    /// Two spans overlap (the second).
    Overlapping(String),
}

/// `09:00-12:00, 13:30-17:00` (commas, Chinese commas, semicolons or spaces between; an empty text
/// is closed) → spans in order.
pub fn parse_spans(text: &str) -> Result<Vec<Span>, SpanFault> {
    let mut spans = Vec::new();
    for part in text.split([',', '，', ';', '；', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) = part.split_once(['-', '–', '~']).ok_or_else(|| SpanFault::Unreadable(part.to_string()))?;
        let (Some(start), Some(end)) = (parse_minute(start), parse_minute(end)) else {
            return Err(SpanFault::Unreadable(part.to_string()));
        };
        if end <= start {
            return Err(SpanFault::Backwards(part.to_string()));
        }
        spans.push(Span { start, end });
    }
    spans.sort();
    for pair in spans.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(SpanFault::Overlapping(format_spans(&pair[1..])));
        }
    }
    Ok(spans)
}

pub fn format_spans(spans: &[Span]) -> String {
    spans.iter().map(|s| format!("{}-{}", format_minute(s.start), format_minute(s.end))).collect::<Vec<_>>().join(", ")
}

/// The weekdays by their names in the file, Monday first.
pub const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// When a hall (or a queue) is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// On every working day of the centre's calendar: weekdays, make-up working days (调休) and the
    /// centre's own extra days, but no public holiday and no closure. The gap between two spans
    /// is the lunch break.
    pub working_days: Vec<Span>,
    /// 延时服务, by weekday (Monday first): added on that weekday when it is a working day or an
    /// ordinary weekend day (Saturday mornings), never on a public holiday or a closure.
    pub extended: [Vec<Span>; 7],
    /// Every day whatever the calendar says (a self-service hall; the demo).
    pub every_day: Vec<Span>,
}

impl Hours {
    /// The spans open on a day the calendar describes as `day`, in order and without overlap.
    pub fn on(&self, date: NaiveDate, day: &Day) -> Vec<Span> {
        let closed = matches!(day.reason, DayReason::Holiday(_)) || (matches!(day.reason, DayReason::Local(_)) && !day.working);
        let mut spans = self.every_day.clone();
        if !closed {
            if day.working {
                spans.extend(&self.working_days);
            }
            spans.extend(&self.extended[date.weekday().num_days_from_monday() as usize]);
        }
        merged(spans)
    }

    /// Whether these hours say nothing: a hall that has not set them is not limited by them.
    pub fn is_unset(&self) -> bool {
        self.working_days.is_empty() && self.every_day.is_empty() && self.extended.iter().all(Vec::is_empty)
    }
}

fn merged(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// A queue as the hall sets it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSetup {
    /// One or two capital letters, starting every ticket number of the queue (A012).
    pub prefix: String,
    pub name: String,
    /// The catalogue items it serves (实施编码).
    pub items: Vec<String>,
    /// 限号: at most this many tickets a day.
    pub daily_quota: Option<u32>,
    /// Ticket issue stops at this minute of the day, though the hall stays open to serve.
    pub issue_until: Option<Minute>,
    /// Its own hours, inside which it issues tickets; the hall's when none.
    pub hours: Option<Hours>,
}

/// A window as the hall sets it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSetup {
    pub number: i32,
    pub name: String,
    /// The queues it serves, most preferred first.
    pub queues: Vec<String>,
    pub call_order: CallOrder,
    /// A window kept for the green channel.
    pub green_channel: bool,
}

/// A whole hall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallSetup {
    pub hours: Hours,
    /// When the day closes (日结): tickets still waiting or called expire, windows are signed out.
    /// By default half an hour before midnight.
    pub day_close: Option<Minute>,
    /// Tickets are issued while no window serving the queue is staffed (a hall whose officers sign
    /// in after the doors open; the demo).
    pub issue_without_open_window: bool,
    pub queues: Vec<QueueSetup>,
    pub windows: Vec<WindowSetup>,
}

/// The day closes at this minute when the hall does not say.
pub const DEFAULT_DAY_CLOSE: Minute = 23 * 60 + 30;

impl HallSetup {
    pub fn day_close(&self) -> Minute {
        self.day_close.unwrap_or(DEFAULT_DAY_CLOSE)
    }

    pub fn queue(&self, prefix: &str) -> Option<&QueueSetup> {
        self.queues.iter().find(|q| q.prefix == prefix)
    }

    /// The hours a queue issues tickets in: its own, else the hall's.
    pub fn queue_hours<'a>(&'a self, queue: &'a QueueSetup) -> &'a Hours {
        queue.hours.as_ref().unwrap_or(&self.hours)
    }
}

/// Why a queue issues no ticket now, and when it does again (if within two weeks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoTicket {
    /// Outside the queue's hours (the lunch break included).
    Closed { opens: Option<NaiveDateTime> },
    /// Past the time ticket issue stops today.
    IssueStopped { opens: Option<NaiveDateTime> },
    /// 限号: the day's tickets are all taken.
    QuotaReached { quota: u32, opens: Option<NaiveDateTime> },
    /// No window serving the queue is staffed.
    NoWindowOpen,
}

impl NoTicket {
    /// A stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            NoTicket::Closed { .. } => "queue_closed",
            NoTicket::IssueStopped { .. } => "issue_stopped",
            NoTicket::QuotaReached { .. } => "quota_reached",
            NoTicket::NoWindowOpen => "no_window_open",
        }
    }

    pub fn opens(&self) -> Option<NaiveDateTime> {
        match self {
            NoTicket::Closed { opens } | NoTicket::IssueStopped { opens } | NoTicket::QuotaReached { opens, .. } => *opens,
            NoTicket::NoWindowOpen => None,
        }
    }
}

/// What a queue's ticket issue depends on at a moment, besides the hall.
pub struct IssueFacts {
    /// The centre's local time now.
    pub now: NaiveDateTime,
    /// Tickets the queue issued today.
    pub issued_today: u32,
    /// Windows serving the queue with an officer signed in (open or paused).
    pub staffed_windows: usize,
}

/// Whether `queue` issues a ticket now, on the centre's calendar.
pub fn issue_decision(hall: &HallSetup, queue: &QueueSetup, calendar: &WorkingCalendar, facts: &IssueFacts) -> Result<(), NoTicket> {
    let hours = hall.queue_hours(queue);
    let date = facts.now.date();
    let minute = (facts.now.hour() * 60 + facts.now.minute()) as Minute;
    let limited = !hours.is_unset();
    if limited && !hours.on(date, &calendar.day(date)).iter().any(|s| s.contains(minute)) {
        return Err(NoTicket::Closed { opens: next_issue(hall, queue, calendar, facts.now) });
    }
    if queue.issue_until.is_some_and(|until| minute >= until) {
        return Err(NoTicket::IssueStopped { opens: next_issue(hall, queue, calendar, start_of_next_day(date)) });
    }
    if let Some(quota) = queue.daily_quota.filter(|quota| facts.issued_today >= *quota) {
        return Err(NoTicket::QuotaReached { quota, opens: next_issue(hall, queue, calendar, start_of_next_day(date)) });
    }
    // A ticket no window serves would never be called, whatever the hall allows otherwise.
    let served = hall.windows.iter().any(|w| w.queues.contains(&queue.prefix));
    if !served || (!hall.issue_without_open_window && facts.staffed_windows == 0) {
        return Err(NoTicket::NoWindowOpen);
    }
    Ok(())
}

fn start_of_next_day(date: NaiveDate) -> NaiveDateTime {
    (date + Duration::days(1)).and_time(NaiveTime::MIN)
}

/// The first moment at or after `from` when the queue issues tickets again by its hours and its
/// issue time, looking two weeks ahead.
fn next_issue(hall: &HallSetup, queue: &QueueSetup, calendar: &WorkingCalendar, from: NaiveDateTime) -> Option<NaiveDateTime> {
    let hours = hall.queue_hours(queue);
    for ahead in 0..15 {
        let date = from.date() + Duration::days(ahead);
        let earliest = if ahead == 0 { (from.hour() * 60 + from.minute()) as Minute } else { 0 };
        let spans = if hours.is_unset() { vec![Span { start: 0, end: DAY_END }] } else { hours.on(date, &calendar.day(date)) };
        for span in spans {
            let start = span.start.max(earliest);
            let stop = queue.issue_until.map_or(span.end, |until| until.min(span.end));
            if start < stop {
                return Some(date.and_time(NaiveTime::from_hms_opt(u32::from(start / 60), u32::from(start % 60), 0)?));
            }
        }
    }
    None
}

/// A fault in a hall as given (`hours.extended.saturday`, `queue[2].prefix`), with its line in a file.
pub type HallFault = crate::validate::Fault;

/// A hall in the file's own shape (docs/hall.md), TOML or JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallFile {
    #[serde(default)]
    pub hours: HoursFile,
    #[serde(default, rename = "queue")]
    pub queues: Vec<QueueFile>,
    #[serde(default, rename = "window")]
    pub windows: Vec<WindowFile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursFile {
    /// Spans on every working day: `09:00-12:00, 13:30-17:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "09:00-12:00, 13:30-17:00")]
    pub working_days: Option<String>,
    /// 延时服务 by weekday name (`monday` … `sunday`): `{ "wednesday": "17:00-19:00", "saturday": "09:00-12:00" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extended: BTreeMap<String, String>,
    /// Spans on every day, whatever the calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_day: Option<String>,
    /// When the day closes (日结), `HH:MM`; 23:30 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "20:00")]
    pub day_close: Option<String>,
    /// Issue tickets while no window serving the queue is staffed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub issue_without_open_window: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueFile {
    #[schema(example = "A")]
    pub prefix: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u32>,
    /// `HH:MM`: ticket issue stops then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_until: Option<String>,
    /// The queue's own hours, in the shape of the hall's (no `day_close` of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub hours: Option<HoursFile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowFile {
    pub number: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Queue letters, most preferred first.
    pub queues: Vec<String>,
    /// `preference` (the default) or `arrival`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "arrival")]
    pub call_order: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub green_channel: bool,
}

/// Reads a hall file in TOML; every fault is reported, each with its line.
pub fn parse_hall_toml(text: &str, item_exists: impl Fn(&str) -> bool) -> Result<HallSetup, Vec<HallFault>> {
    let file: HallFile = toml::from_str(text).map_err(|err| {
        let line = err.span().map(|span| line_of(text, span.start));
        vec![HallFault { line, ..HallFault::syntax("", err.message()) }]
    })?;
    check_hall(&file, item_exists).map_err(|faults| faults.into_iter().map(|fault| HallFault { line: locate(text, &fault.path), ..fault }).collect())
}

/// Reads a hall in the file's shape as JSON (the API); faults name their place.
pub fn parse_hall_json(text: &str, item_exists: impl Fn(&str) -> bool) -> Result<HallSetup, Vec<HallFault>> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: HallFile = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        vec![HallFault::syntax(if path == "." { String::new() } else { path }, &err.into_inner().to_string())]
    })?;
    check_hall(&file, item_exists)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of a fault's place in a TOML file: the `index`-th `[[queue]]` or `[[window]]` table,
/// then its key; or the key in `[hours]`.
fn locate(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let (table, rest) = match path.split_once('.') {
        Some((table, rest)) => (table, rest),
        None => (path, ""),
    };
    let (header, index) = match table.split_once('[') {
        Some((name, index)) => (format!("[[{name}]]"), index.trim_end_matches(']').parse::<usize>().ok()?),
        None => (format!("[{table}]"), 0),
    };
    let start = lines.iter().enumerate().filter(|(_, l)| l.trim() == header).map(|(i, _)| i).nth(index)?;
    let key = rest.split(['.', '[']).next().unwrap_or("");
    if key.is_empty() {
        return Some(start + 1);
    }
    let found = lines[start + 1..].iter().take_while(|l| !l.trim_start().starts_with('[')).position(|l| l.trim_start().split(['=', ' ']).next() == Some(key));
    Some(found.map_or(start, |at| start + 1 + at) + 1)
}

fn fault(path: impl Into<String>, key: &'static str, values: Vec<(&'static str, String)>) -> HallFault {
    HallFault { path: path.into(), line: None, key, values }
}

fn span_fault(path: &str, err: SpanFault) -> HallFault {
    match err {
        SpanFault::Unreadable(value) => fault(path, "hall_fault_spans", vec![("value", value)]),
        SpanFault::Backwards(value) => fault(path, "hall_fault_span_backwards", vec![("value", value)]),
        SpanFault::Overlapping(value) => fault(path, "hall_fault_span_overlap", vec![("value", value)]),
    }
}

fn hours_of(path: &str, file: &HoursFile, faults: &mut Vec<HallFault>) -> Hours {
    fn spans(at: String, text: Option<&String>, faults: &mut Vec<HallFault>) -> Vec<Span> {
        match text.map(|t| parse_spans(t)) {
            Some(Ok(spans)) => spans,
            Some(Err(err)) => {
                faults.push(span_fault(&at, err));
                Vec::new()
            }
            None => Vec::new(),
        }
    }
    let mut hours = Hours {
        working_days: spans(format!("{path}.working_days"), file.working_days.as_ref(), faults),
        every_day: spans(format!("{path}.every_day"), file.every_day.as_ref(), faults),
        ..Hours::default()
    };
    for (name, text) in &file.extended {
        let at = format!("{path}.extended.{name}");
        match WEEKDAYS.iter().position(|d| d == name) {
            Some(day) => hours.extended[day] = spans(at, Some(text), faults),
            None => faults.push(fault(at, "hall_fault_weekday", vec![("value", name.clone())])),
        }
    }
    hours
}

fn minute_of(path: &str, text: Option<&String>, faults: &mut Vec<HallFault>) -> Option<Minute> {
    let text = text?;
    let minute = parse_minute(text);
    if minute.is_none() {
        faults.push(fault(path, "hall_fault_time", vec![("value", text.clone())]));
    }
    minute
}

/// What a hall still lacks to take tickets (no queue; a queue no window serves). A file or the API
/// must give a whole hall; the page, built one queue or window at a time, saves a hall with gaps
/// and shows them until they are filled.
const GAPS: [&str; 2] = ["hall_fault_no_queue", "hall_fault_queue_unserved"];

/// Checks a hall in the file's shape whole; the setup, or every fault.
pub fn check_hall(file: &HallFile, item_exists: impl Fn(&str) -> bool) -> Result<HallSetup, Vec<HallFault>> {
    let (setup, faults) = checked(file, item_exists);
    if faults.is_empty() {
        Ok(setup)
    } else {
        Err(faults)
    }
}

/// Checks a hall being built step by step: the setup with what it still lacks (its gaps), or
/// every fault that is not a gap.
pub fn check_hall_step(file: &HallFile, item_exists: impl Fn(&str) -> bool) -> Result<(HallSetup, Vec<HallFault>), Vec<HallFault>> {
    let (setup, faults) = checked(file, item_exists);
    let (gaps, faults): (Vec<_>, Vec<_>) = faults.into_iter().partition(|fault| GAPS.contains(&fault.key));
    if faults.is_empty() {
        Ok((setup, gaps))
    } else {
        Err(faults)
    }
}

/// The setup a hall file describes, with every fault found in it.
fn checked(file: &HallFile, item_exists: impl Fn(&str) -> bool) -> (HallSetup, Vec<HallFault>) {
    let mut faults = Vec::new();
    let hours = hours_of("hours", &file.hours, &mut faults);
    let day_close = minute_of("hours.day_close", file.hours.day_close.as_ref(), &mut faults);
    if day_close == Some(DAY_END) {
        faults.push(fault("hours.day_close", "hall_fault_day_close_midnight", vec![]));
    }
    if file.queues.is_empty() {
        faults.push(fault("queue", "hall_fault_no_queue", vec![]));
    }
    let mut prefixes = BTreeSet::new();
    let mut queues = Vec::new();
    for (i, queue) in file.queues.iter().enumerate() {
        let at = format!("queue[{i}]");
        let prefix = queue.prefix.trim().to_string();
        if prefix.is_empty() || prefix.len() > 2 || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            faults.push(fault(format!("{at}.prefix"), "hall_fault_prefix", vec![("value", queue.prefix.clone())]));
        } else if !prefixes.insert(prefix.clone()) {
            faults.push(fault(format!("{at}.prefix"), "hall_fault_duplicate_prefix", vec![("value", prefix.clone())]));
        }
        let name = queue.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 20 {
            faults.push(fault(format!("{at}.name"), "hall_fault_queue_name", vec![]));
        }
        for (j, code) in queue.items.iter().enumerate() {
            if !item_exists(code) {
                faults.push(fault(format!("{at}.items[{j}]"), "hall_fault_unknown_item", vec![("value", code.clone())]));
            }
        }
        if queue.daily_quota.is_some_and(|q| !(1..=10_000).contains(&q)) {
            faults.push(fault(format!("{at}.daily_quota"), "hall_fault_quota", vec![]));
        }
        let issue_until = minute_of(&format!("{at}.issue_until"), queue.issue_until.as_ref(), &mut faults);
        if queue.hours.as_ref().is_some_and(|h| h.day_close.is_some()) {
            faults.push(fault(format!("{at}.hours.day_close"), "hall_fault_queue_day_close", vec![]));
        }
        let hours = queue.hours.as_ref().map(|h| hours_of(&format!("{at}.hours"), h, &mut faults));
        queues.push(QueueSetup { prefix, name, items: queue.items.clone(), daily_quota: queue.daily_quota, issue_until, hours });
    }
    let mut numbers = BTreeSet::new();
    let mut windows = Vec::new();
    let mut served = BTreeSet::new();
    for (i, window) in file.windows.iter().enumerate() {
        let at = format!("window[{i}]");
        if !(1..=999).contains(&window.number) {
            faults.push(fault(format!("{at}.number"), "hall_fault_window_number", vec![]));
        } else if !numbers.insert(window.number) {
            faults.push(fault(format!("{at}.number"), "hall_fault_duplicate_window", vec![("value", window.number.to_string())]));
        }
        let name = window.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map_or_else(|| format!("{}号窗口", window.number), str::to_string);
        if name.chars().count() > 20 {
            faults.push(fault(format!("{at}.name"), "hall_fault_window_name", vec![]));
        }
        if window.queues.is_empty() {
            faults.push(fault(format!("{at}.queues"), "hall_fault_window_no_queue", vec![]));
        }
        let mut seen = BTreeSet::new();
        for (j, prefix) in window.queues.iter().enumerate() {
            if !prefixes.contains(prefix.trim()) {
                faults.push(fault(format!("{at}.queues[{j}]"), "hall_fault_window_queue", vec![("value", prefix.clone())]));
            } else if !seen.insert(prefix.trim()) {
                faults.push(fault(format!("{at}.queues[{j}]"), "hall_fault_window_queue_twice", vec![("value", prefix.clone())]));
            }
            served.insert(prefix.trim().to_string());
        }
        let call_order = match window.call_order.as_deref().map(str::trim) {
            None | Some("preference") => CallOrder::Preference,
            Some("arrival") => CallOrder::Arrival,
            Some(other) => {
                faults.push(fault(format!("{at}.call_order"), "hall_fault_call_order", vec![("value", other.to_string())]));
                CallOrder::Preference
            }
        };
        windows.push(WindowSetup { number: window.number, name, queues: window.queues.iter().map(|q| q.trim().to_string()).collect(), call_order, green_channel: window.green_channel });
    }
    for (i, queue) in queues.iter().enumerate() {
        if prefixes.contains(&queue.prefix) && !served.contains(&queue.prefix) {
            faults.push(fault(format!("queue[{i}].prefix"), "hall_fault_queue_unserved", vec![("value", queue.prefix.clone())]));
        }
    }
    (HallSetup { hours, day_close, issue_without_open_window: file.hours.issue_without_open_window, queues, windows }, faults)
}

fn hours_file(hours: &Hours) -> HoursFile {
    let text = |spans: &[Span]| (!spans.is_empty()).then(|| format_spans(spans));
    HoursFile {
        working_days: text(&hours.working_days),
        extended: WEEKDAYS.iter().zip(&hours.extended).filter(|(_, spans)| !spans.is_empty()).map(|(day, spans)| (day.to_string(), format_spans(spans))).collect(),
        every_day: text(&hours.every_day),
        day_close: None,
        issue_without_open_window: false,
    }
}

/// A stored hall in the file's shape, for export and for the forms.
pub fn hall_file(hall: &HallSetup) -> HallFile {
    HallFile {
        hours: HoursFile { day_close: hall.day_close.map(format_minute), issue_without_open_window: hall.issue_without_open_window, ..hours_file(&hall.hours) },
        queues: hall
            .queues
            .iter()
            .map(|q| QueueFile {
                prefix: q.prefix.clone(),
                name: q.name.clone(),
                items: q.items.clone(),
                daily_quota: q.daily_quota,
                issue_until: q.issue_until.map(format_minute),
                hours: q.hours.as_ref().map(hours_file),
            })
            .collect(),
        windows: hall
            .windows
            .iter()
            .map(|w| WindowFile {
                number: w.number,
                name: Some(w.name.clone()),
                queues: w.queues.clone(),
                call_order: Some(w.call_order.as_str().to_string()),
                green_channel: w.green_channel,
            })
            .collect(),
    }
}

/// A stored hall as a TOML file that imports back to the same hall.
pub fn hall_toml(hall: &HallSetup) -> String {
    toml::to_string_pretty(&hall_file(hall)).expect("a hall file always writes as TOML")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    const FILE: &str = r#"
[hours]
working_days = "09:00-12:00, 13:30-17:00"
day_close = "20:00"

[hours.extended]
wednesday = "17:00-19:00"
saturday = "09:00-12:00"

[[queue]]
prefix = "A"
name = "户籍办理"
items = ["known"]
daily_quota = 2
issue_until = "16:30"

[[queue]]
prefix = "B"
name = "社保医保"

[queue.hours]
working_days = "09:00-12:00"

[[window]]
number = 1
queues = ["A", "B"]
call_order = "arrival"

[[window]]
number = 2
name = "绿色通道"
queues = ["B"]
green_channel = true
"#;

    fn hall() -> HallSetup {
        parse_hall_toml(FILE, |code| code == "known").unwrap()
    }

    #[test]
    fn a_hall_built_step_by_step_has_gaps_the_whole_check_refuses() {
        let empty = HallFile::default();
        assert_eq!(check_hall(&empty, |_| true).unwrap_err()[0].key, "hall_fault_no_queue");
        let (setup, gaps) = check_hall_step(&empty, |_| true).unwrap();
        assert!(setup.queues.is_empty() && gaps[0].key == "hall_fault_no_queue", "an empty hall may get its hours first");
        let one_queue: HallFile = toml::from_str("[[queue]]\nprefix = \"A\"\nname = \"户籍\"\n").unwrap();
        let (_, gaps) = check_hall_step(&one_queue, |_| true).unwrap();
        assert_eq!(gaps.iter().map(|g| g.key).collect::<Vec<_>>(), ["hall_fault_queue_unserved"], "a queue before its window");
        let wrong: HallFile = toml::from_str("[[queue]]\nprefix = \"a1\"\nname = \"户籍\"\n").unwrap();
        assert_eq!(check_hall_step(&wrong, |_| true).unwrap_err().iter().map(|f| f.key).collect::<Vec<_>>(), ["hall_fault_prefix"], "a fault is no gap");
    }

    #[test]
    fn spans_read_in_any_order_and_refuse_what_is_not_a_span() {
        assert_eq!(parse_spans("13:30-17:00，09:00-12:00").unwrap(), vec![Span { start: 540, end: 720 }, Span { start: 810, end: 1020 }]);
        assert_eq!(parse_spans("00:00-24:00").unwrap(), vec![Span { start: 0, end: 1440 }]);
        assert_eq!(parse_spans("").unwrap(), vec![]);
        assert!(matches!(parse_spans("9点到12点"), Err(SpanFault::Unreadable(_))));
        assert!(matches!(parse_spans("12:00-09:00"), Err(SpanFault::Backwards(_))));
        assert!(matches!(parse_spans("09:00-12:00, 11:00-13:00"), Err(SpanFault::Overlapping(_))));
        assert!(parse_spans("09:60-10:00").is_err() && parse_spans("24:01-24:30").is_err());
        assert_eq!(format_spans(&parse_spans("09:00-12:00, 13:30-17:00").unwrap()), "09:00-12:00, 13:30-17:00");
    }

    #[test]
    fn the_calendar_decides_the_day_and_the_hours_its_spans() {
        let calendar = WorkingCalendar::china();
        let hours = hall().hours;
        let on = |d: &str| format_spans(&hours.on(date(d), &calendar.day(date(d))));
        assert_eq!(on("2026-12-01"), "09:00-12:00, 13:30-17:00", "a Tuesday");
        assert_eq!(on("2026-12-02"), "09:00-12:00, 13:30-19:00", "Wednesday's extended evening joins the afternoon");
        assert_eq!(on("2026-12-05"), "09:00-12:00", "a Saturday morning (延时服务)");
        assert_eq!(on("2026-12-06"), "", "Sunday closed");
        assert_eq!(on("2026-10-01"), "", "National Day, though a Thursday");
        assert_eq!(on("2026-10-03"), "", "a holiday Saturday: no extended hours either");
        assert_eq!(on("2026-02-14"), "09:00-12:00, 13:30-17:00", "the make-up working Saturday (调休) opens as a working day");
        let closed = calendar.clone().with_local_days([crate::calendar::LocalDay { date: date("2026-12-01"), working: false, reason: "停电".into() }]);
        assert_eq!(format_spans(&hours.on(date("2026-12-01"), &closed.day(date("2026-12-01")))), "", "the centre's own closure");
        let always = Hours { every_day: parse_spans("00:00-24:00").unwrap(), ..Hours::default() };
        assert_eq!(format_spans(&always.on(date("2026-10-01"), &calendar.day(date("2026-10-01")))), "00:00-24:00", "every day means every day");
    }

    #[test]
    fn a_queue_issues_within_its_hours_until_its_time_and_quota_with_a_window_staffed() {
        let calendar = WorkingCalendar::china();
        let hall = hall();
        let (a, b) = (hall.queue("A").unwrap(), hall.queue("B").unwrap());
        let facts = |now: &str, issued_today, staffed_windows| IssueFacts { now: at(now), issued_today, staffed_windows };
        assert_eq!(issue_decision(&hall, a, &calendar, &facts("2026-12-01 09:00", 0, 1)), Ok(()));
        let lunch = issue_decision(&hall, a, &calendar, &facts("2026-12-01 12:15", 0, 1)).unwrap_err();
        assert_eq!(lunch, NoTicket::Closed { opens: Some(at("2026-12-01 13:30")) }, "the lunch break, and when issue opens again");
        assert_eq!(issue_decision(&hall, a, &calendar, &facts("2026-12-01 16:45", 0, 1)).unwrap_err(), NoTicket::IssueStopped { opens: Some(at("2026-12-02 09:00")) });
        assert_eq!(issue_decision(&hall, a, &calendar, &facts("2026-12-01 10:00", 2, 1)).unwrap_err().code(), "quota_reached");
        assert_eq!(issue_decision(&hall, a, &calendar, &facts("2026-12-01 10:00", 0, 0)).unwrap_err(), NoTicket::NoWindowOpen);
        assert_eq!(issue_decision(&hall, b, &calendar, &facts("2026-12-01 14:00", 0, 1)).unwrap_err(), NoTicket::Closed { opens: Some(at("2026-12-02 09:00")) }, "the queue's own hours");
        let friday_evening = issue_decision(&hall, a, &calendar, &facts("2026-12-04 18:00", 0, 1)).unwrap_err();
        assert_eq!(friday_evening.opens(), Some(at("2026-12-05 09:00")), "Saturday's extended morning is next");
        let national_day = issue_decision(&hall, a, &calendar, &facts("2026-09-30 18:00", 0, 1)).unwrap_err();
        assert_eq!(national_day.opens(), Some(at("2026-10-08 09:00")), "after the holiday week");
        let unserved = HallSetup { issue_without_open_window: true, windows: hall.windows.iter().filter(|w| !w.queues.contains(&"A".to_string())).cloned().collect(), ..hall.clone() };
        assert_eq!(issue_decision(&unserved, a, &calendar, &facts("2026-12-01 09:00", 0, 0)).unwrap_err(), NoTicket::NoWindowOpen, "no ticket that no window would call");
    }

    #[test]
    fn a_file_is_checked_whole_and_every_fault_names_its_line() {
        let broken = r#"
[hours]
working_days = "9点-12点"

[[queue]]
prefix = "a1"
name = ""

[[queue]]
prefix = "B"
name = "社保"
items = ["nothing"]
issue_until = "25:00"

[[window]]
number = 1
queues = ["C"]
call_order = "random"
"#;
        let faults = parse_hall_toml(broken, |_| false).unwrap_err();
        let found: Vec<(&str, Option<usize>, &str)> = faults.iter().map(|f| (f.path.as_str(), f.line, f.key)).collect();
        assert_eq!(
            found,
            [
                ("hours.working_days", Some(3), "hall_fault_spans"),
                ("queue[0].prefix", Some(6), "hall_fault_prefix"),
                ("queue[0].name", Some(7), "hall_fault_queue_name"),
                ("queue[1].items[0]", Some(12), "hall_fault_unknown_item"),
                ("queue[1].issue_until", Some(13), "hall_fault_time"),
                ("window[0].queues[0]", Some(17), "hall_fault_window_queue"),
                ("window[0].call_order", Some(18), "hall_fault_call_order"),
                ("queue[1].prefix", Some(10), "hall_fault_queue_unserved"),
            ]
        );
        let syntax = parse_hall_toml("[hours]\nworking_days = \n", |_| true).unwrap_err();
        assert_eq!((syntax[0].key, syntax[0].line), ("syntax_unreadable", Some(2)));
        let typo = parse_hall_toml("[hours]\nworkingdays = \"09:00-17:00\"\n", |_| true).unwrap_err();
        assert_eq!((typo[0].key, &typo[0].values[..]), ("syntax_unknown_field", &[("field", "workingdays".to_string())][..]), "unknown keys are refused");
    }

    #[test]
    fn an_exported_hall_imports_back_to_the_same_hall() {
        let hall = hall();
        assert_eq!(hall.windows[0].call_order, CallOrder::Arrival);
        assert_eq!(hall.windows[1].name, "绿色通道");
        assert_eq!(hall.windows[0].name, "1号窗口", "a window without a name is called by its number");
        let text = hall_toml(&hall);
        assert_eq!(parse_hall_toml(&text, |code| code == "known").unwrap(), hall);
        let json = serde_json::to_string(&hall_file(&hall)).unwrap();
        assert_eq!(parse_hall_json(&json, |code| code == "known").unwrap(), hall);
    }
}
