//! A hall to simulate, read from TOML (docs/simulate.md): opening hours, visitors and their
//! spread over the day, queues with service times, windows with the queues they serve. Every
//! problem is reported with its line and field.

use banshi_domain::queue::QueuePolicy;
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use toml::Spanned;

/// Minutes in a day.
pub const DAY: f64 = 1440.0;

/// How long a visit takes at the window, in minutes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Service {
    Exponential { mean: f64 },
    /// Mean and coefficient of variation (standard deviation over mean).
    Lognormal { mean: f64, cv: f64 },
    /// Durations observed in the hall, drawn from with equal chance.
    Empirical { samples: Vec<f64> },
}

impl Service {
    pub fn mean(&self) -> f64 {
        match self {
            Service::Exponential { mean } | Service::Lognormal { mean, .. } => *mean,
            Service::Empirical { samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    pub id: String,
    /// The share of visitors who come for this queue.
    pub share: f64,
    pub service: Service,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpec {
    pub id: i32,
    /// Indexes into [`Scenario::queues`], most preferred first.
    pub serves: Vec<usize>,
    /// A green-channel window takes priority visitors first and others last.
    pub green_channel: bool,
    /// When the window is staffed: spans of minutes after midnight, in order (by default the
    /// hall's hours, one span). A window staffed at the hall's closing keeps serving those still
    /// waiting.
    pub shifts: Vec<(f64, f64)>,
}

impl WindowSpec {
    /// Whether the window takes visitors at `clock` minutes after midnight, in a hall that stops
    /// issuing tickets at `hall_close`.
    pub fn staffed(&self, clock: f64, hall_close: f64) -> bool {
        let in_shift = match self.shifts.as_slice() {
            // Most windows keep one span a day: no loop for them.
            [(from, to)] => (*from..*to).contains(&clock),
            shifts => shifts.iter().any(|(from, to)| (*from..*to).contains(&clock)),
        };
        in_shift || (clock >= hall_close && self.shifts.last().is_some_and(|(_, to)| *to >= hall_close))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub days: u32,
    /// Minutes after midnight: the doors open, and close to new visitors.
    pub open: f64,
    pub close: f64,
    pub seed: u64,
    pub visitors_per_day: f64,
    /// One weight per opening hour (the last may be part of an hour), relative.
    pub hourly_weights: Vec<f64>,
    /// Green-channel visitors (elderly, disabled …), called ahead of walk-ins.
    pub priority_share: f64,
    /// Appointment holders, called ahead of walk-ins like the green channel.
    pub appointment_share: f64,
    /// Visitors who are gone when called; the window loses `no_show_minutes` on each.
    pub no_show_share: f64,
    pub no_show_minutes: f64,
    /// The wait the service level counts against (15 minutes by default).
    pub target_minutes: f64,
    pub policy: QueuePolicy,
    pub queues: Vec<QueueSpec>,
    pub windows: Vec<WindowSpec>,
}

/// What is wrong with a scenario, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// 1-based; 0 when the problem has no place in the file.
    pub line: usize,
    pub field: String,
    /// In English, for `banshi simulate`.
    pub message: String,
    /// The same as a text key with its values, for the web layer to word (`sim_fault_no_queue`).
    pub key: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScenarioError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    days: Spanned<u32>,
    open: Spanned<String>,
    close: Spanned<String>,
    #[serde(default = "default_seed")]
    seed: u64,
    visitors_per_day: Spanned<f64>,
    hourly_weights: Spanned<Vec<f64>>,
    #[serde(default)]
    priority_share: Option<Spanned<f64>>,
    #[serde(default)]
    appointment_share: Option<Spanned<f64>>,
    #[serde(default)]
    no_show_share: Option<Spanned<f64>>,
    #[serde(default)]
    no_show_minutes: Option<Spanned<f64>>,
    #[serde(default)]
    target_minutes: Option<Spanned<f64>>,
    #[serde(default)]
    policy: QueuePolicy,
    #[serde(default)]
    queue: Vec<RawQueue>,
    #[serde(default)]
    window: Vec<RawWindow>,
}

fn default_seed() -> u64 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    id: Spanned<String>,
    share: Spanned<f64>,
    service: Spanned<Service>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    id: Spanned<i32>,
    serves: Spanned<Vec<String>>,
    #[serde(default)]
    green_channel: bool,
    #[serde(default)]
    open: Option<Spanned<String>>,
    #[serde(default)]
    close: Option<Spanned<String>>,
}

/// Collects problems with their lines.
struct Problems<'a> {
    text: &'a str,
    found: Vec<ScenarioError>,
}

impl Problems<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    fn add<T>(&mut self, at: &Spanned<T>, field: impl Into<String>, (key, values): (&'static str, Vec<(&'static str, String)>), message: impl Into<String>) {
        let line = self.line_of(at.span().start);
        self.found.push(ScenarioError { line, field: field.into(), message: message.into(), key, values });
    }
}

/// `HH:MM` as minutes after midnight; `24:00` is the end of the day.
fn clock_minutes(text: &str) -> Option<f64> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0))).then_some((hours * 60 + minutes) as f64)
}

impl Scenario {
    /// Per opening hour: its start and end (minutes after midnight; the last may be part of an
    /// hour) and its arrivals per minute, so that a day brings `visitors_per_day` on average,
    /// spread by the weights.
    pub fn hourly_rates(&self) -> Vec<(f64, f64, f64)> {
        let spans: Vec<(f64, f64)> = (0..self.hourly_weights.len()).map(|h| (self.open + 60.0 * h as f64, (self.open + 60.0 * (h + 1) as f64).min(self.close))).collect();
        let weighted: f64 = spans.iter().zip(&self.hourly_weights).map(|((from, to), w)| (to - from) * w).sum();
        spans.iter().zip(&self.hourly_weights).map(|(&(from, to), w)| (from, to, self.visitors_per_day * w / weighted)).collect()
    }

    /// Reads and checks a scenario; every problem found is returned, each with its line.
    pub fn parse(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
        let raw: RawScenario = toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(0, |span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let field = err.message().split('`').nth(1).unwrap_or("scenario").to_string();
            let fault = banshi_domain::Fault::syntax("", err.message());
            vec![ScenarioError { line, field, message: err.message().trim().to_string(), key: fault.key, values: fault.values }]
        })?;
        let mut problems = Problems { text, found: Vec::new() };
        if *raw.days.get_ref() == 0 {
            problems.add(&raw.days, "days", ("sim_fault_days_zero", vec![]), "at least one day");
        }
        let open = clock_minutes(raw.open.get_ref());
        let close = clock_minutes(raw.close.get_ref());
        if open.is_none() {
            problems.add(&raw.open, "open", ("sim_fault_time", vec![("value", raw.open.get_ref().clone())]), format!("\"{}\" is not a time like \"08:00\"", raw.open.get_ref()));
        }
        if close.is_none() {
            problems.add(&raw.close, "close", ("sim_fault_time", vec![("value", raw.close.get_ref().clone())]), format!("\"{}\" is not a time like \"16:00\"", raw.close.get_ref()));
        }
        let (open, close) = (open.unwrap_or(0.0), close.unwrap_or(DAY));
        if close <= open {
            problems.add(&raw.close, "close", ("sim_fault_close_after_open", vec![]), "the doors close after they open");
        }
        let hours = ((close - open) / 60.0).ceil().max(0.0) as usize;
        let weights = raw.hourly_weights.get_ref();
        if weights.len() != hours {
            problems.add(&raw.hourly_weights, "hourly_weights", ("sim_fault_weight_count", vec![("hours", hours.to_string()), ("given", weights.len().to_string())]), format!("one weight per opening hour: {hours} from {} to {}, not {}", raw.open.get_ref(), raw.close.get_ref(), weights.len()));
        }
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().sum::<f64>() <= 0.0 {
            problems.add(&raw.hourly_weights, "hourly_weights", ("sim_fault_weights_zero", vec![]), "weights are zero or more, and not all zero");
        }
        if !(raw.visitors_per_day.get_ref().is_finite() && *raw.visitors_per_day.get_ref() > 0.0) {
            problems.add(&raw.visitors_per_day, "visitors_per_day", ("sim_fault_visitors_zero", vec![]), "more than zero visitors a day");
        }
        let mut share = |value: &Option<Spanned<f64>>, field: &str| match value {
            Some(spanned) if !(0.0..=1.0).contains(spanned.get_ref()) => {
                problems.add(spanned, field, ("sim_fault_share", vec![]), "a share from 0 to 1");
                0.0
            }
            Some(spanned) => *spanned.get_ref(),
            None => 0.0,
        };
        let priority_share = share(&raw.priority_share, "priority_share");
        let appointment_share = share(&raw.appointment_share, "appointment_share");
        let no_show_share = share(&raw.no_show_share, "no_show_share");
        if priority_share + appointment_share > 1.0 {
            if let Some(at) = &raw.appointment_share {
                problems.add(at, "appointment_share", ("sim_fault_shares_at_most_one", vec![]), "with priority_share, at most 1");
            }
        }
        let no_show_minutes = match &raw.no_show_minutes {
            Some(minutes) if !(minutes.get_ref().is_finite() && *minutes.get_ref() >= 0.0) => {
                problems.add(minutes, "no_show_minutes", ("sim_fault_minutes_zero_or_more", vec![]), "zero minutes or more");
                1.0
            }
            Some(minutes) => *minutes.get_ref(),
            None => 1.0,
        };

        let target_minutes = match &raw.target_minutes {
            Some(minutes) if !(minutes.get_ref().is_finite() && *minutes.get_ref() > 0.0) => {
                problems.add(minutes, "target_minutes", ("sim_fault_minutes_more_than_zero", vec![]), "more than zero minutes");
                15.0
            }
            Some(minutes) => *minutes.get_ref(),
            None => 15.0,
        };
        let mut queues = Vec::new();
        let mut ids = HashSet::new();
        if raw.queue.is_empty() {
            problems.found.push(ScenarioError { line: 0, field: "queue".into(), message: "at least one [[queue]]".into(), key: "sim_fault_no_queue", values: vec![] });
        }
        for (i, queue) in raw.queue.iter().enumerate() {
            let field = |name: &str| format!("queue[{i}].{name}");
            let id = queue.id.get_ref().trim().to_string();
            if id.is_empty() || !ids.insert(id.clone()) {
                problems.add(&queue.id, field("id"), ("sim_fault_queue_id", vec![("id", id.clone())]), format!("\"{id}\": each queue has its own id"));
            }
            if !(0.0..=1.0).contains(queue.share.get_ref()) {
                problems.add(&queue.share, field("share"), ("sim_fault_share", vec![]), "a share from 0 to 1");
            }
            let service = queue.service.get_ref().clone();
            let fine = match &service {
                Service::Exponential { mean } => *mean > 0.0 && mean.is_finite(),
                Service::Lognormal { mean, cv } => *mean > 0.0 && mean.is_finite() && *cv >= 0.0 && cv.is_finite(),
                Service::Empirical { samples } => !samples.is_empty() && samples.iter().all(|s| s.is_finite() && *s >= 0.0) && samples.iter().sum::<f64>() > 0.0,
            };
            if !fine {
                problems.add(&queue.service, field("service"), ("sim_fault_service", vec![]), "a mean of more than zero minutes (cv zero or more; samples zero or more, not all zero)");
            }
            queues.push(QueueSpec { id, share: *queue.share.get_ref(), service });
        }
        let total: f64 = queues.iter().map(|q| q.share).sum();
        if !queues.is_empty() && (total - 1.0).abs() > 1e-6 {
            problems.add(&raw.queue[0].share, "queue.share", ("sim_fault_shares_sum", vec![("total", total.to_string())]), format!("the queues' shares add up to 1, not {total}"));
        }

        let mut windows = Vec::new();
        let mut window_ids = HashSet::new();
        if raw.window.is_empty() {
            problems.found.push(ScenarioError { line: 0, field: "window".into(), message: "at least one [[window]]".into(), key: "sim_fault_no_window", values: vec![] });
        }
        for (i, window) in raw.window.iter().enumerate() {
            let field = |name: &str| format!("window[{i}].{name}");
            if !window_ids.insert(*window.id.get_ref()) {
                problems.add(&window.id, field("id"), ("sim_fault_window_twice", vec![("window", window.id.get_ref().to_string())]), format!("window {} is listed twice", window.id.get_ref()));
            }
            let mut serves = Vec::new();
            for name in window.serves.get_ref() {
                match queues.iter().position(|q| q.id == *name) {
                    Some(index) if !serves.contains(&index) => serves.push(index),
                    Some(_) => problems.add(&window.serves, field("serves"), ("sim_fault_queue_twice", vec![("queue", name.clone())]), format!("queue \"{name}\" is listed twice")),
                    None => problems.add(&window.serves, field("serves"), ("sim_fault_unknown_queue", vec![("queue", name.clone())]), format!("no queue \"{name}\"")),
                }
            }
            if window.serves.get_ref().is_empty() {
                problems.add(&window.serves, field("serves"), ("sim_fault_window_no_queue", vec![]), "a window serves at least one queue");
            }
            let mut hours = |value: &Option<Spanned<String>>, name: &str, default: f64| match value {
                Some(text) => clock_minutes(text.get_ref()).unwrap_or_else(|| {
                    problems.add(text, field(name), ("sim_fault_time", vec![("value", text.get_ref().clone())]), format!("\"{}\" is not a time like \"08:00\"", text.get_ref()));
                    default
                }),
                None => default,
            };
            let (window_open, window_close) = (hours(&window.open, "open", open), hours(&window.close, "close", close));
            if window_close <= window_open {
                problems.add(&window.id, field("close"), ("sim_fault_window_close_after_open", vec![]), "a window closes after it opens");
            }
            windows.push(WindowSpec { id: *window.id.get_ref(), serves, green_channel: window.green_channel, shifts: vec![(window_open, window_close)] });
        }
        for (index, queue) in queues.iter().enumerate() {
            if queue.share > 0.0 && !windows.iter().any(|w| w.serves.contains(&index)) {
                let at = &raw.queue[index].id;
                problems.add(at, format!("queue[{index}].id"), ("sim_fault_queue_unserved", vec![("queue", queue.id.clone())]), format!("no window serves queue \"{}\"", queue.id));
            }
        }
        if !problems.found.is_empty() {
            return Err(problems.found);
        }
        Ok(Scenario {
            days: *raw.days.get_ref(),
            open,
            close,
            seed: raw.seed,
            visitors_per_day: *raw.visitors_per_day.get_ref(),
            hourly_weights: weights.clone(),
            priority_share,
            appointment_share,
            no_show_share,
            no_show_minutes,
            target_minutes,
            policy: raw.policy,
            queues,
            windows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
days = 250
open = "08:00"
close = "16:00"
seed = 1
visitors_per_day = 520
hourly_weights = [0.7, 1.4, 1.4, 0.9, 0.5, 0.7, 1.2, 1.2]   # one per opening hour, relative
priority_share = 0.10
[[queue]]
id = "A"
share = 0.5
service = { dist = "lognormal", mean = 4.0, cv = 0.6 }   # minutes; "exponential" takes only mean
[[queue]]
id = "B"
share = 0.5
service = { dist = "exponential", mean = 6.0 }
[[window]]
id = 1
serves = ["A"]
green_channel = false
[[window]]
id = 2
serves = ["B", "A"]
"#;

    #[test]
    fn the_issues_example_reads() {
        let scenario = Scenario::parse(GOOD).unwrap();
        assert_eq!((scenario.days, scenario.open, scenario.close, scenario.queues.len()), (250, 480.0, 960.0, 2));
        assert_eq!(scenario.windows[1].serves, vec![1, 0]);
        assert_eq!(scenario.queues[0].service, Service::Lognormal { mean: 4.0, cv: 0.6 });
    }

    fn first_error(text: &str) -> String {
        Scenario::parse(text).unwrap_err()[0].to_string()
    }

    #[test]
    fn problems_name_their_line_and_field() {
        assert_eq!(first_error(&GOOD.replace("hourly_weights = [0.7, 1.4, ", "hourly_weights = [")), "line 7: hourly_weights: one weight per opening hour: 8 from 08:00 to 16:00, not 6");
        assert_eq!(first_error(&GOOD.replace("serves = [\"B\", \"A\"]", "serves = [\"B\", \"Z\"]")), "line 23: window[1].serves: no queue \"Z\"");
        assert_eq!(first_error(&GOOD.replace("share = 0.5\nservice = { dist = \"exponential\"", "share = 0.4\nservice = { dist = \"exponential\"")), "line 11: queue.share: the queues' shares add up to 1, not 0.9");
        let exponential_cv = first_error(&GOOD.replace("{ dist = \"exponential\", mean = 6.0 }", "{ dist = \"exponential\", mean = 6.0, cv = 1.0 }"));
        assert!(exponential_cv.starts_with("line 16: cv: unknown field `cv`, expected `mean`"), "{exponential_cv}");
        let unknown = first_error(&GOOD.replace("seed = 1", "sead = 1"));
        assert!(unknown.starts_with("line 5: sead: unknown field `sead`"), "{unknown}");
        assert_eq!(first_error(&GOOD.replace("close = \"16:00\"", "close = \"4pm\"")), "line 4: close: \"4pm\" is not a time like \"16:00\"");
        let only_b = GOOD.replace("serves = [\"A\"]\ngreen", "serves = [\"B\"]\ngreen").replace("serves = [\"B\", \"A\"]", "serves = [\"B\"]");
        assert_eq!(first_error(&only_b), "line 10: queue[0].id: no window serves queue \"A\"");
    }
}
