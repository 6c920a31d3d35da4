//! The arrivals forecast (`/manage/forecast`): arrivals per queue and half hour for the next 14
//! days from the centre's own history (augurs, via `banshi_sim::forecast`), each queue's backtest
//! error beside it, today's forecast against the arrivals so far, and the windows Erlang C asks
//! for each half hour of a forecast day.
//!
//! The history is the last twelve weeks' working days on the centre's calendar from the first day
//! anyone came, one value per half hour between the earliest and the latest half hour anyone
//! arrived in. A day off is forecast as closed unless the hall's hours open it (a Saturday of
//! 延时服务): then as the mean of the same weekday's past openings.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::erlang::{staffing_plan, ServiceTarget};
use banshi_sim::forecast::{backtest_mape, days_needed, forecast, ForecastError};
use chrono::{Datelike, Duration, Local, NaiveDate, Timelike};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const HISTORY_DAYS: i64 = 84;
const HORIZON_DAYS: i64 = 14;
/// Working days held out for the backtest.
const BACKTEST_DAYS: usize = 5;
/// Expected arrivals in a half hour below this show as 0.0 and ask for no window: a forecast
/// never falls to exactly zero, and Erlang C staffs one window for any arrivals at all.
const NEGLIGIBLE_ARRIVALS: f64 = 0.05;

#[derive(Deserialize, Default)]
pub struct ForecastQuery {
    /// The forecast day whose staffing plan is shown (by default the first).
    #[serde(default)]
    pub day: Option<NaiveDate>,
}

#[derive(Serialize)]
struct QueueForecast {
    prefix: String,
    name: String,
    /// Backtest error in percent, when there was history enough.
    mape: Option<f64>,
    /// Per forecast day, the expected arrivals.
    day_totals: Vec<f64>,
}

#[derive(Serialize)]
struct PlanRow {
    slot: String,
    arrivals: Vec<f64>,
    windows: Vec<u32>,
    total: u32,
}

/// Today per half hour: forecast and arrivals so far, as SVG bars 600 × 200.
#[derive(Serialize)]
struct TodayBar {
    slot: String,
    x: f64,
    forecast: f64,
    actual: u64,
    forecast_height: f64,
    actual_height: f64,
}

/// The forecast page's figures for the centre, as the template's context.
pub async fn view(state: &AppState, centre: &str, query: &ForecastQuery) -> Result<Value, AppError> {
    let queues = state.cache.queues(state.store.as_ref(), centre).await?;
    let calendar = state.cache.calendar(state.store.as_ref(), centre).await?;
    let hall = state.cache.hall(state.store.as_ref(), centre).await?;
    let today = Local::now().date_naive();
    // The model's weekly season is five working days; a day the hall opens beyond them (a Saturday
    // morning of 延时服务) is forecast from the same weekday's past openings.
    let working = |d: &NaiveDate| calendar.calendar.day(*d).working;
    let open_beyond = |d: &NaiveDate| !working(d) && !hall.hours.is_unset() && !hall.hours.on(*d, &calendar.calendar.day(*d)).is_empty();
    let history_days: Vec<NaiveDate> = (1..=HISTORY_DAYS).rev().map(|back| today - Duration::days(back)).filter(working).collect();
    let extra_history: Vec<NaiveDate> = (1..=HISTORY_DAYS).rev().map(|back| today - Duration::days(back)).filter(open_beyond).collect();
    let horizon: Vec<NaiveDate> = (0..HORIZON_DAYS).map(|ahead| today + Duration::days(ahead)).collect();
    let forecast_days: Vec<NaiveDate> = horizon.iter().copied().filter(|d| working(d) || open_beyond(d)).collect();
    let model_days = horizon.iter().filter(|d| working(d)).count();
    let arrivals = state.store.arrivals(centre, today - Duration::days(HISTORY_DAYS)).await?;

    // Half hours of the day, by local time, between the first and the last anyone arrived in.
    let slot_of = |at: &chrono::DateTime<chrono::Utc>| {
        let local = at.with_timezone(&Local);
        (local.date_naive(), (local.hour() * 2 + local.minute() / 30) as usize)
    };
    let observed: Vec<(String, NaiveDate, usize)> = arrivals.iter().map(|(queue, at)| { let (day, slot) = slot_of(at); (queue.clone(), day, slot) }).collect();
    let first_slot = observed.iter().map(|o| o.2).min().unwrap_or(18);
    let last_slot = observed.iter().map(|o| o.2).max().unwrap_or(33);
    let slots = last_slot - first_slot + 1;
    let mut counts: HashMap<(&str, NaiveDate, usize), f64> = HashMap::new();
    for (queue, day, slot) in &observed {
        *counts.entry((queue.as_str(), *day, *slot)).or_default() += 1.0;
    }
    let label = |slot: usize| format!("{:02}:{:02}", slot / 2, (slot % 2) * 30);
    // The history starts on the first day anyone came: a hall new to banshi has no empty weeks.
    let first_day = observed.iter().map(|o| o.1).min();
    let history_days: Vec<NaiveDate> = history_days.into_iter().filter(|d| first_day.is_some_and(|first| *d >= first)).collect();
    let extra_history: Vec<NaiveDate> = extra_history.into_iter().filter(|d| first_day.is_some_and(|first| *d >= first)).collect();

    // A day beyond the working week, per half hour: the mean of the same weekday's past openings.
    let beyond = |queue: &str, day: NaiveDate| -> Vec<f64> {
        let like: Vec<&NaiveDate> = extra_history.iter().filter(|d| d.weekday() == day.weekday()).collect();
        (first_slot..=last_slot).map(|slot| if like.is_empty() { 0.0 } else { like.iter().map(|d| counts.get(&(queue, **d, slot)).copied().unwrap_or(0.0)).sum::<f64>() / like.len() as f64 }).collect()
    };
    let mut rows = Vec::new();
    // Per queue, the forecast days' half hours one after another, as the model gives them.
    let mut per_queue_point: Vec<Vec<f64>> = Vec::new();
    let mut problem = (history_days.len() < days_needed()).then(|| ForecastError::TooShort { needed: days_needed(), have: history_days.len() }.to_string());
    for queue in queues.iter().filter(|_| problem.is_none()) {
        let series: Vec<f64> = history_days
            .iter()
            .flat_map(|day| (first_slot..=last_slot).map(|slot| counts.get(&(queue.prefix.as_str(), *day, slot)).copied().unwrap_or(0.0)).collect::<Vec<_>>())
            .collect();
        let result = tokio::task::spawn_blocking({
            let series = series.clone();
            move || (forecast(&series, slots, model_days), backtest_mape(&series, slots, BACKTEST_DAYS).ok())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        match result {
            (Ok(found), mape) => {
                let mut model = found.point.chunks(slots);
                let point: Vec<f64> = forecast_days.iter().flat_map(|day| if working(day) { model.next().map(<[f64]>::to_vec).unwrap_or_default() } else { beyond(&queue.prefix, *day) }).collect();
                let day_totals = point.chunks(slots).map(|day| day.iter().sum::<f64>()).collect();
                rows.push(QueueForecast { prefix: queue.prefix.clone(), name: queue.name.clone(), mape, day_totals });
                per_queue_point.push(point);
            }
            (Err(err @ ForecastError::TooShort { .. }), _) => {
                problem = Some(err.to_string());
                break;
            }
            (Err(err), _) => return Err(AppError::Internal(err.to_string())),
        }
    }

    // The staffing plan of one forecast day.
    let chosen = query.day.filter(|d| forecast_days.contains(d)).or_else(|| forecast_days.first().copied());
    let mut plan = Vec::new();
    if let (Some(day), None) = (chosen, &problem) {
        let index = forecast_days.iter().position(|d| *d == day).unwrap_or(0);
        let mut services = Vec::new();
        for queue in &queues {
            services.push(state.cache.service_minutes(state.store.as_ref(), centre, &queue.prefix).await?.unwrap_or(state.settings.default_service_minutes));
        }
        // Nobody is expected while the hall is closed (when it has set its hours), nor in a half
        // hour whose forecast rounds to nothing.
        let open = hall.hours.on(day, &calendar.calendar.day(day));
        let is_open = |slot: usize| hall.hours.is_unset() || open.iter().any(|span| span.contains((slot * 30) as u16) || span.contains((slot * 30 + 29) as u16));
        let expected = |slot: usize, value: f64| if is_open(first_slot + slot) && value >= NEGLIGIBLE_ARRIVALS { value } else { 0.0 };
        let arrivals: Vec<Vec<f64>> = (0..slots).map(|slot| per_queue_point.iter().map(|point| expected(slot, point[index * slots + slot])).collect()).collect();
        let per_minute: Vec<Vec<f64>> = arrivals.iter().map(|row| row.iter().map(|n| n / 30.0).collect()).collect();
        let windows = staffing_plan(&per_minute, &services, ServiceTarget::default());
        plan = arrivals
            .into_iter()
            .zip(windows)
            .enumerate()
            .map(|(slot, (arrivals, windows))| PlanRow { slot: label(first_slot + slot), total: windows.iter().sum(), arrivals, windows })
            .collect();
    }

    // Today: the forecast against the arrivals so far.
    let mut today_bars = Vec::new();
    if forecast_days.first() == Some(&today) && problem.is_none() {
        let forecast_today: Vec<f64> = (0..slots).map(|slot| per_queue_point.iter().map(|point| point[slot]).sum()).collect();
        let actual: Vec<u64> = (first_slot..=last_slot).map(|slot| observed.iter().filter(|o| o.1 == today && o.2 == slot).count() as u64).collect();
        let highest = forecast_today.iter().copied().fold(1.0, f64::max).max(actual.iter().copied().max().unwrap_or(0) as f64);
        let width = 600.0 / slots as f64;
        today_bars = (0..slots)
            .map(|i| TodayBar {
                slot: label(first_slot + i),
                x: i as f64 * width,
                forecast: forecast_today[i],
                actual: actual[i],
                forecast_height: 200.0 * forecast_today[i] / highest,
                actual_height: 200.0 * actual[i] as f64 / highest,
            })
            .collect();
    }

    let days: Vec<String> = forecast_days.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let day_values: Vec<String> = forecast_days.iter().map(|d| d.to_string()).collect();
    Ok(context! { rows, days, day_values, chosen => chosen.map(|d| d.to_string()), plan, today_bars, problem, history_days => history_days.len(), queues })
}
