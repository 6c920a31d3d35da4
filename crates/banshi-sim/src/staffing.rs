//! A staffing plan checked by simulation. Erlang C counts windows per queue as if each served one
//! queue; a hall's windows serve several, so the plan's windows per half hour are staffed from the
//! hall's own windows (the first ones listed, with their skills) and the day is simulated; a half
//! hour whose visitors fall short of the target gets one window more, and the day runs again.

use crate::engine::simulate;
use crate::scenario::Scenario;
use banshi_domain::erlang::ServiceTarget;
use serde::Serialize;

/// One half hour of a checked plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HalfHour {
    /// Minutes after midnight it starts.
    pub start: f64,
    pub windows: u32,
    /// The share of its visitors served within the target; none when nobody came.
    pub service_level: Option<f64>,
}

/// Checks `plan` (windows per half hour from the hall's opening) by simulating `scenario` with
/// that many of its windows staffed, adding a window where the target is missed, for at most
/// `rounds` runs. The scenario's `target_minutes` is set from `target`.
pub fn check_staffing(scenario: &Scenario, plan: &[u32], target: ServiceTarget, rounds: usize) -> Vec<HalfHour> {
    let most = scenario.windows.len() as u32;
    let mut plan: Vec<u32> = plan.iter().map(|n| (*n).clamp(1, most.max(1))).collect();
    let start = |h: usize| scenario.open + 30.0 * h as f64;
    let mut levels = Vec::new();
    for round in 1..=rounds.max(1) {
        let staffed = Scenario { windows: staffed_windows(scenario, &plan), target_minutes: target.minutes, ..scenario.clone() };
        let outcome = simulate(&staffed);
        levels = (0..plan.len()).map(|h| outcome.service_level_by_half_hour.get((start(h) / 30.0) as usize).copied().flatten()).collect();
        // The last run's levels are those of the plan returned.
        if round == rounds.max(1) {
            break;
        }
        let mut changed = false;
        for (windows, level) in plan.iter_mut().zip(&levels) {
            if level.is_some_and(|l| l < target.share) && *windows < most {
                *windows += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    plan.iter().zip(levels).enumerate().map(|(h, (windows, service_level))| HalfHour { start: start(h), windows: *windows, service_level }).collect()
}

/// The hall's windows with shifts by the plan: the k-th window is staffed in the half hours that
/// need more than k windows.
fn staffed_windows(scenario: &Scenario, plan: &[u32]) -> Vec<crate::scenario::WindowSpec> {
    let mut windows = Vec::new();
    for (k, window) in scenario.windows.iter().enumerate() {
        let mut shifts: Vec<(f64, f64)> = Vec::new();
        for (h, needed) in plan.iter().enumerate() {
            if *needed as usize > k {
                let from = scenario.open + 30.0 * h as f64;
                let to = (from + 30.0).min(scenario.close);
                match shifts.last_mut() {
                    Some(last) if last.1 == from => last.1 = to,
                    _ => shifts.push((from, to)),
                }
            }
        }
        if !shifts.is_empty() {
            windows.push(crate::scenario::WindowSpec { shifts, ..window.clone() });
        }
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_windows_get_more_until_the_target_is_met() {
        let text = "days = 20\nopen = \"09:00\"\nclose = \"11:00\"\nvisitors_per_day = 60\nhourly_weights = [1, 3]\n\
                    [[queue]]\nid = \"A\"\nshare = 0.6\nservice = { dist = \"exponential\", mean = 6 }\n\
                    [[queue]]\nid = \"B\"\nshare = 0.4\nservice = { dist = \"exponential\", mean = 8 }\n";
        let mut text = text.to_string();
        for id in 1..=8 {
            text.push_str(&format!("[[window]]\nid = {id}\nserves = [\"A\", \"B\"]\n"));
        }
        let scenario = Scenario::parse(&text).unwrap();
        let checked = check_staffing(&scenario, &[1, 1, 1, 1], ServiceTarget::default(), 8);
        assert_eq!(checked.len(), 4);
        assert_eq!(checked[0].start, 540.0);
        assert!(checked.iter().all(|h| h.service_level.is_some_and(|l| l >= 0.8)), "{checked:?}");
        assert!(checked[3].windows > checked[0].windows, "the busier hour needs more windows: {checked:?}");
    }
}
