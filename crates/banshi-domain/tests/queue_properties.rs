//! Properties of the call rule over random halls: every waiting ticket is called, none twice, the
//! order rules hold at every call, and a flood of priority tickets starves nobody.

use banshi_domain::queue::*;
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

const QUEUES: [&str; 3] = ["A", "B", "C"];

fn minute(m: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(m)
}

#[derive(Debug, Clone)]
struct Arrival {
    minute: i64,
    queue: usize,
    priority: bool,
}

fn arrivals() -> impl Strategy<Value = Vec<Arrival>> {
    proptest::collection::vec((0i64..120, 0usize..3, proptest::bool::weighted(0.2)), 1..80).prop_map(|raw| {
        let mut list: Vec<Arrival> = raw.into_iter().map(|(minute, queue, priority)| Arrival { minute, queue, priority }).collect();
        list.sort_by_key(|a| a.minute);
        list
    })
}

/// Windows as lists of queue indexes, most preferred first; every queue is served by some window.
fn windows() -> impl Strategy<Value = Vec<Vec<usize>>> {
    proptest::collection::vec(Just(vec![0usize, 1, 2]).prop_shuffle().prop_flat_map(|q| (1usize..=3).prop_map(move |n| q[..n].to_vec())), 1..5)
        .prop_map(|mut windows| {
            windows.push(vec![2, 1, 0]);
            windows
        })
}

proptest! {
    #[test]
    fn every_ticket_is_called_once_and_by_the_rules(arrivals in arrivals(), windows in windows(), max_wait in 5i64..90) {
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        let mut waiting: Vec<(i64, &str, DateTime<Utc>, bool)> = Vec::new();
        let mut called = Vec::new();
        let mut next_arrival = 0;
        // Each window calls once every 3 minutes; run until everyone has arrived and been called.
        for now_minute in 0..2000 {
            while next_arrival < arrivals.len() && arrivals[next_arrival].minute <= now_minute {
                let a = &arrivals[next_arrival];
                waiting.push((next_arrival as i64, QUEUES[a.queue], minute(a.minute), a.priority));
                next_arrival += 1;
            }
            if now_minute % 3 != 0 {
                continue;
            }
            for window in &windows {
                let queues: Vec<&str> = window.iter().map(|q| QUEUES[*q]).collect();
                let view: Vec<Waiting> = waiting.iter().map(|(id, queue, arrived_at, priority)| Waiting { id: *id, queue, arrived_at: *arrived_at, priority: *priority }).collect();
                let now = minute(now_minute);
                let Some(chosen) = next_ticket(&queues, &view, now, &policy) else { continue };
                let pick = &view[chosen];
                prop_assert!(queues.contains(&pick.queue), "called from a queue the window does not serve");
                let overdue = |t: &Waiting| now - t.arrived_at >= Duration::minutes(max_wait);
                let candidates: Vec<&Waiting> = view.iter().filter(|t| queues.contains(&t.queue)).collect();
                if overdue(pick) {
                    prop_assert!(candidates.iter().filter(|t| overdue(t)).all(|t| t.arrived_at >= pick.arrived_at), "the longest overdue first");
                } else {
                    prop_assert!(!candidates.iter().any(|t| overdue(t)), "an overdue ticket was passed over");
                    if !pick.priority {
                        prop_assert!(!candidates.iter().any(|t| t.priority), "a priority ticket was passed over");
                    }
                    let rank = |t: &Waiting| queues.iter().position(|q| *q == t.queue).unwrap();
                    for other in candidates.iter().filter(|t| t.priority == pick.priority) {
                        prop_assert!((rank(pick), pick.arrived_at) <= (rank(other), other.arrived_at), "preference, then arrival");
                    }
                }
                called.push(pick.id);
                waiting.remove(chosen);
            }
            if next_arrival == arrivals.len() && waiting.is_empty() {
                break;
            }
        }
        prop_assert!(waiting.is_empty(), "tickets never called: {waiting:?}");
        let mut unique = called.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), called.len(), "a ticket was called twice");
        prop_assert_eq!(called.len(), arrivals.len());
    }

    #[test]
    fn a_flood_of_priority_tickets_starves_no_walk_in(max_wait in 5i64..60, flood in 2usize..5) {
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        // One walk-in at minute 0; then `flood` green-channel tickets every minute, one window
        // calling one ticket a minute: the queue only grows, yet the walk-in is called by the limit.
        let mut waiting = vec![(0i64, minute(0), false)];
        let mut next_id = 1;
        for now_minute in 0..=max_wait {
            for _ in 0..flood {
                waiting.push((next_id, minute(now_minute), true));
                next_id += 1;
            }
            let view: Vec<Waiting> = waiting.iter().map(|(id, at, p)| Waiting { id: *id, queue: "A", arrived_at: *at, priority: *p }).collect();
            let chosen = next_ticket(&["A"], &view, minute(now_minute), &policy).unwrap();
            if view[chosen].id == 0 {
                prop_assert_eq!(now_minute, max_wait, "called exactly when the limit is reached");
                return Ok(());
            }
            waiting.remove(chosen);
        }
        prop_assert!(false, "the walk-in was never called");
    }

    #[test]
    fn people_ahead_is_the_number_a_window_calls_first(arrivals in arrivals(), max_wait in 5i64..90, now in 0i64..200) {
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        let view: Vec<Waiting> = arrivals
            .iter()
            .enumerate()
            .map(|(i, a)| Waiting { id: i as i64, queue: QUEUES[a.queue], arrived_at: minute(a.minute), priority: a.priority })
            .collect();
        let now = minute(now);
        for ticket in &view {
            // Call the ticket's queue one by one until the ticket comes up.
            let mut rest: Vec<Waiting> = view.iter().filter(|t| t.queue == ticket.queue).cloned().collect();
            let mut called_before = 0;
            loop {
                let next = next_ticket(&[ticket.queue], &rest, now, &policy).unwrap();
                if rest[next].id == ticket.id {
                    break;
                }
                rest.remove(next);
                called_before += 1;
            }
            prop_assert_eq!(ahead_in_queue(&view, ticket.id, now, &policy), Some(called_before));
        }
        prop_assert_eq!(ahead_in_queue(&view, -1, now, &policy), None);
    }
}
