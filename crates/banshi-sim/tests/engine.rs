//! The simulator against queueing theory (M/M/1, M/M/c and Erlang C), reproducibility by seed,
//! conservation of visitors, and the shortcut of asking the call rule about each lane's oldest
//! ticket only.

use banshi_domain::erlang::erlang_c;
use banshi_domain::queue::{next_ticket, CallOrder, Caller, QueuePolicy, Waiting};
use banshi_sim::{simulate, Scenario};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

/// A hall open around the clock with one queue of exponential visits: M/M/c.
fn mmc(windows: u32, arrivals_per_minute: f64, mean_service: f64, days: u32, seed: u64) -> Scenario {
    let weights = vec!["1.0"; 24].join(", ");
    let mut text = format!(
        "days = {days}\nopen = \"00:00\"\nclose = \"24:00\"\nseed = {seed}\nvisitors_per_day = {}\nhourly_weights = [{weights}]\n\
         [[queue]]\nid = \"A\"\nshare = 1.0\nservice = {{ dist = \"exponential\", mean = {mean_service} }}\n",
        arrivals_per_minute * 1440.0
    );
    for id in 1..=windows {
        text.push_str(&format!("[[window]]\nid = {id}\nserves = [\"A\"]\n"));
    }
    Scenario::parse(&text).unwrap()
}

#[test]
fn m_m_1_waits_as_theory_says() {
    // λ = 0.5, μ = 1: Wq = ρ / (μ − λ) = 1 minute.
    let outcome = simulate(&mmc(1, 0.5, 1.0, 200, 7));
    assert!((outcome.wait.mean - 1.0).abs() < 0.05, "{}", outcome.wait.mean);
    let [low, high] = outcome.wait.mean_ci95.unwrap();
    assert!(low < 1.0 && 1.0 < high, "the theory's mean lies in the interval: {low}–{high}");
    assert!((outcome.windows[0].utilisation - 0.5).abs() < 0.01, "{}", outcome.windows[0].utilisation);
}

#[test]
fn m_m_c_waits_as_erlang_c_says() {
    let theory = erlang_c(5, 0.9, 0.2).unwrap().mean_wait;
    let outcome = simulate(&mmc(5, 0.9, 5.0, 300, 11));
    assert!((outcome.wait.mean - theory).abs() / theory < 0.06, "{} against {theory}", outcome.wait.mean);
    let waited = outcome.wait.p50 > 0.0;
    assert!(waited, "at 90% occupancy most visitors wait");
}

const HALL: &str = r#"
days = 20
open = "08:00"
close = "16:00"
seed = 3
visitors_per_day = 520
hourly_weights = [0.7, 1.4, 1.4, 0.9, 0.5, 0.7, 1.2, 1.2]
priority_share = 0.10
appointment_share = 0.05
no_show_share = 0.03
[[queue]]
id = "A"
share = 0.4
service = { dist = "lognormal", mean = 6.0, cv = 0.6 }
[[queue]]
id = "B"
share = 0.35
service = { dist = "exponential", mean = 7.0 }
[[queue]]
id = "C"
share = 0.25
service = { dist = "empirical", samples = [3.0, 5.0, 8.0, 12.0] }
[[window]]
id = 1
serves = ["A", "B"]
green_channel = true
[[window]]
id = 2
serves = ["A"]
[[window]]
id = 3
serves = ["B", "C"]
[[window]]
id = 4
serves = ["C", "A", "B"]
[[window]]
id = 5
serves = ["B"]
close = "12:00"
[[window]]
id = 6
serves = ["A", "B", "C"]
"#;

#[test]
fn one_seed_one_result_and_another_seed_another() {
    let scenario = Scenario::parse(HALL).unwrap();
    assert_eq!(simulate(&scenario), simulate(&scenario));
    let other = Scenario { seed: 4, ..scenario.clone() };
    assert_ne!(simulate(&scenario).wait, simulate(&other).wait);
}

#[test]
fn every_visitor_is_served_or_a_no_show() {
    let outcome = simulate(&Scenario::parse(HALL).unwrap());
    assert_eq!(outcome.unserved, 0);
    assert_eq!(outcome.visitors, outcome.served + outcome.no_shows);
    assert_eq!(outcome.queues.values().map(|q| q.visitors).sum::<u64>(), outcome.visitors);
    assert_eq!(outcome.queues.values().map(|q| q.wait.served).sum::<u64>(), outcome.served);
    assert_eq!(outcome.windows.iter().map(|w| w.served).sum::<u64>(), outcome.served);
    assert!((outcome.visitors as f64 / 20.0 - 520.0).abs() < 30.0, "about 520 a day: {}", outcome.visitors);
    assert!(outcome.no_shows > 0 && outcome.windows.iter().all(|w| w.utilisation > 0.0 && w.utilisation <= 1.0));
    let window_5 = outcome.windows.iter().find(|w| w.id == 5).unwrap();
    assert!(window_5.served > 0, "a window open in the morning only still serves");
}

fn minute(m: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(m)
}

proptest! {
    /// The engine asks the call rule about the oldest ticket of each lane (a queue's priority or
    /// walk-in tickets) only; the rule must choose the same ticket as it would from all of them.
    #[test]
    fn the_oldest_of_each_lane_is_enough_for_the_call_rule(
        tickets in proptest::collection::vec((0usize..3, any::<bool>(), 0i64..200), 1..60),
        preference in Just(vec!["A", "B", "C"]).prop_shuffle(),
        served in 1usize..=3,
        now in 0i64..300,
        max_wait in 5i64..90,
    ) {
        let names = ["A", "B", "C"];
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        let mut sorted = tickets.clone();
        sorted.sort_by_key(|t| t.2);
        let all: Vec<Waiting> = sorted.iter().enumerate().map(|(i, (q, p, at))| Waiting { id: i as i64, queue: names[*q], arrived_at: minute(*at), priority: *p, for_window: None }).collect();
        let heads: Vec<Waiting> = all.iter().filter(|t| !all.iter().any(|o| o.queue == t.queue && o.priority == t.priority && (o.arrived_at, o.id) < (t.arrived_at, t.id))).cloned().collect();
        let caller = Caller { window: 1, queues: &preference[..served], order: CallOrder::Preference };
        let from_all = next_ticket(caller, &all, minute(now), &policy).map(|i| all[i].id);
        let from_heads = next_ticket(caller, &heads, minute(now), &policy).map(|i| heads[i].id);
        prop_assert_eq!(from_all, from_heads);
    }
}
