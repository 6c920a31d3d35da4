//! The what-if (`/manage/simulate`): the centre's own queues and windows filled in,
//! the manager changes the visitors, the service times, the windows and their skills, and sees
//! the waits the simulator gives (a chart of the wait distribution, per queue, per window) and the
//! windows Erlang C asks for each half hour. The form is a GET, so a result can be linked.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::erlang::{staffing_plan, ServiceTarget};
use banshi_sim::engine::WAIT_CHART_MINUTES;
use banshi_sim::staffing::check_staffing;
use banshi_sim::{simulate, Outcome, Scenario};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A what-if runs in well under a second at these sizes (the staffing check runs it up to
/// `CHECK_ROUNDS` times more).
const MAX_DAYS: u32 = 60;
const MAX_VISITORS_PER_DAY: f64 = 5_000.0;
const MAX_WINDOWS: usize = 200;
/// Simulations the staffing check may run, each adding windows where the target was missed.
const CHECK_ROUNDS: usize = 6;
/// The shares of the queues are prefilled from the arrivals of these last days, once there were
/// `SHARE_SAMPLE_LEAST` of them; equal shares before.
const SHARE_DAYS: i64 = 28;
const SHARE_SAMPLE_LEAST: usize = 100;

/// The form: hall-wide fields by name, per queue `share_A`, `service_A` …
#[derive(Deserialize, Default)]
pub struct WhatIf {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

impl WhatIf {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// One queue's row of the form.
#[derive(Serialize)]
struct QueueInput {
    prefix: String,
    name: String,
    share: String,
    service: String,
}

/// One bar of the wait chart, in SVG units.
#[derive(Serialize)]
struct Bar {
    x: f64,
    height: f64,
    minute: usize,
    count: u64,
}

/// The what-if page's form and, once run, its results for the centre, as the template's context.
pub async fn view(state: &AppState, centre: &str, form: &WhatIf) -> Result<Value, AppError> {
    let queues = state.cache.queues(state.store.as_ref(), centre).await?;
    let windows = state.store.windows_live(centre).await?;

    // The form as sent, or the centre as it is: its queues' shares of the recent arrivals, recent
    // service times, the windows' skills one per line ("3 A B": window 3 serves A, then B).
    let since = chrono::Local::now().date_naive() - chrono::Duration::days(SHARE_DAYS);
    let arrived = if shares_given(form) { Vec::new() } else { state.store.arrivals(centre, since).await? };
    let share_of = |prefix: &str| {
        if arrived.len() < SHARE_SAMPLE_LEAST {
            return 1.0 / queues.len() as f64;
        }
        arrived.iter().filter(|(queue, _)| queue == prefix).count() as f64 / arrived.len() as f64
    };
    let mut rows = Vec::new();
    for queue in &queues {
        let recent = state.cache.service_minutes(state.store.as_ref(), centre, &queue.prefix).await?.unwrap_or(state.settings.default_service_minutes);
        rows.push(QueueInput {
            share: form.get(&format!("share_{}", queue.prefix)).map_or_else(|| format!("{:.2}", share_of(&queue.prefix)), str::to_string),
            service: form.get(&format!("service_{}", queue.prefix)).map_or_else(|| format!("{recent:.1}"), str::to_string),
            prefix: queue.prefix.clone(),
            name: queue.name.clone(),
        });
    }
    let window_lines = form.get("windows").map_or_else(
        || windows.iter().filter(|w| !w.queues.is_empty()).map(|w| format!("{} {}", w.number, w.queues.join(" "))).collect::<Vec<_>>().join("\n"),
        str::to_string,
    );
    let value = |name: &str, default: &str| form.get(name).unwrap_or(default).to_string();
    let inputs = context! {
        days => value("days", "20"),
        visitors => value("visitors", "300"),
        open => value("open", "09:00"),
        close => value("close", "17:00"),
        weights => value("weights", "0.8, 1.3, 1.3, 0.9, 0.6, 1.0, 1.2, 0.9"),
        priority => value("priority", "0.10"),
        windows => window_lines.clone(),
        queues => rows,
    };

    let ran = form.get("run").is_some();
    let (outcome, problems, bars, plan) = if ran {
        match scenario(form, &queues.iter().map(|q| q.prefix.clone()).collect::<Vec<_>>(), &window_lines) {
            Ok(scenario) => {
                let erlang = half_hour_plan(&scenario);
                let totals: Vec<u32> = erlang.iter().map(|(_, _, total)| *total).collect();
                let (outcome, checked) = tokio::task::spawn_blocking(move || (simulate(&scenario), check_staffing(&scenario, &totals, ServiceTarget::default(), CHECK_ROUNDS)))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let bars = chart(&outcome);
                let plan: Vec<PlanRow> = erlang
                    .into_iter()
                    .zip(checked)
                    .map(|((slot, per_queue, total), checked)| PlanRow { slot, per_queue, total, checked: checked.windows, level: checked.service_level.map(|l| l * 100.0) })
                    .collect();
                (Some(outcome), Vec::new(), bars, plan)
            }
            Err(problems) => (None, problems, Vec::new(), Vec::new()),
        }
    } else {
        (None, Vec::new(), Vec::new(), Vec::new())
    };
    let queue_ids: Vec<String> = queues.iter().map(|q| q.prefix.clone()).collect();
    Ok(context! { inputs, ran, outcome, problems, bars, plan, queue_ids, chart_minutes => WAIT_CHART_MINUTES })
}

/// Whether the form was sent with the queues' shares: then the arrivals need not be read.
fn shares_given(form: &WhatIf) -> bool {
    form.fields.keys().any(|k| k.starts_with("share_"))
}

/// The scenario the form describes, written as the TOML `banshi simulate` reads, so the page and
/// the command check it alike; its problems by field.
fn scenario(form: &WhatIf, queues: &[String], window_lines: &str) -> Result<Scenario, Vec<String>> {
    let mut problems = Vec::new();
    let number = |name: &str, problems: &mut Vec<String>| -> f64 {
        match form.get(name).map(str::parse::<f64>) {
            Some(Ok(value)) if value.is_finite() => value,
            _ => {
                problems.push(format!("{name}: {}", crate::shared::texts::text("sim_fault_number")));
                0.0
            }
        }
    };
    let days = number("days", &mut problems);
    if !(1.0..=MAX_DAYS as f64).contains(&days) {
        problems.push(format!("days: {}", crate::shared::texts::fill("sim_fault_days", &[("most", MAX_DAYS.to_string())])));
    }
    let visitors = number("visitors", &mut problems);
    if !(1.0..=MAX_VISITORS_PER_DAY).contains(&visitors) {
        problems.push(format!("visitors: {}", crate::shared::texts::fill("sim_fault_visitors", &[("most", MAX_VISITORS_PER_DAY.to_string())])));
    }
    let priority = number("priority", &mut problems);
    let weights: Vec<String> = form.get("weights").unwrap_or("").split([',', ' ', '，']).filter(|w| !w.is_empty()).map(str::to_string).collect();
    if weights.iter().any(|w| w.parse::<f64>().is_err()) {
        problems.push(format!("weights: {}", crate::shared::texts::text("sim_fault_weights")));
    }
    let quoted = |name: &str| format!("{:?}", form.get(name).unwrap_or(""));
    let mut text = format!(
        "days = {}\nopen = {}\nclose = {}\nseed = 1\nvisitors_per_day = {visitors}\nhourly_weights = [{}]\npriority_share = {priority}\n",
        days as u32,
        quoted("open"),
        quoted("close"),
        weights.join(", ")
    );
    for prefix in queues {
        let share = number(&format!("share_{prefix}"), &mut problems);
        let service = number(&format!("service_{prefix}"), &mut problems);
        text.push_str(&format!("[[queue]]\nid = {prefix:?}\nshare = {share}\nservice = {{ dist = \"lognormal\", mean = {service}, cv = 0.6 }}\n"));
    }
    if window_lines.lines().filter(|l| !l.trim().is_empty()).count() > MAX_WINDOWS {
        problems.push(format!("windows: {}", crate::shared::texts::fill("sim_fault_windows", &[("most", MAX_WINDOWS.to_string())])));
    }
    for (line, entry) in window_lines.lines().map(str::trim).filter(|l| !l.is_empty()).take(MAX_WINDOWS).enumerate() {
        let mut parts = entry.split_whitespace();
        match parts.next().map(str::parse::<i32>) {
            Some(Ok(id)) => {
                let serves: Vec<String> = parts.map(|q| format!("{q:?}")).collect();
                text.push_str(&format!("[[window]]\nid = {id}\nserves = [{}]\n", serves.join(", ")));
            }
            _ => problems.push(format!("windows: {}", crate::shared::texts::fill("sim_fault_window_line", &[("line", (line + 1).to_string())]))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Scenario::parse(&text).map_err(|errors| errors.iter().map(|e| format!("{}: {}", e.field, crate::shared::texts::fill(e.key, &e.values))).collect())
}

/// A half hour of the plan: Erlang C's windows per queue and in all, and the windows the
/// simulation of the hall's own (multi-queue) windows settled on, with the share it served within
/// 15 minutes.
#[derive(Serialize)]
struct PlanRow {
    slot: String,
    per_queue: Vec<u32>,
    total: u32,
    checked: u32,
    level: Option<f64>,
}

/// Windows per half hour and queue by Erlang C (80% within 15 minutes), from the scenario's rates.
fn half_hour_plan(scenario: &Scenario) -> Vec<(String, Vec<u32>, u32)> {
    let hours = scenario.hourly_rates();
    let mut periods = Vec::new();
    let mut labels = Vec::new();
    let mut start = scenario.open;
    while start < scenario.close {
        let hour = ((start - scenario.open) / 60.0) as usize;
        let rate = hours.get(hour).map_or(0.0, |(_, _, rate)| *rate);
        periods.push(scenario.queues.iter().map(|q| rate * q.share).collect::<Vec<f64>>());
        labels.push(format!("{:02}:{:02}", (start / 60.0) as u32, (start % 60.0) as u32));
        start += 30.0;
    }
    let services: Vec<f64> = scenario.queues.iter().map(|q| q.service.mean()).collect();
    let plan = staffing_plan(&periods, &services, ServiceTarget::default());
    labels.into_iter().zip(plan).map(|(label, row)| { let total = row.iter().sum(); (label, row, total) }).collect()
}

/// The wait distribution as bars of an SVG 600 × 200.
fn chart(outcome: &Outcome) -> Vec<Bar> {
    let highest = outcome.wait_by_minute.iter().copied().max().unwrap_or(0).max(1) as f64;
    let width = 600.0 / outcome.wait_by_minute.len() as f64;
    outcome.wait_by_minute.iter().enumerate().map(|(minute, count)| Bar { x: minute as f64 * width, height: 200.0 * *count as f64 / highest, minute, count: *count }).collect()
}
