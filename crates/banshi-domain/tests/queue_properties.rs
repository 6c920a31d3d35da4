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
    /// Handed to this window (a number that may exceed the hall's windows: then it is the last
    /// window's, so every ticket has a window that calls it).
    handed_to: Option<usize>,
}

fn arrivals() -> impl Strategy<Value = Vec<Arrival>> {
    let handed = proptest::option::weighted(0.1, 0usize..6);
    proptest::collection::vec((0i64..120, 0usize..3, proptest::bool::weighted(0.2), handed), 1..80).prop_map(|raw| {
        let mut list: Vec<Arrival> = raw.into_iter().map(|(minute, queue, priority, handed_to)| Arrival { minute, queue, priority, handed_to }).collect();
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

/// A waiting ticket in the simulation: id, queue, arrival, priority, the window it was handed to.
type Held<'a> = (i64, &'a str, DateTime<Utc>, bool, Option<i32>);

proptest! {
    #[test]
    fn every_ticket_is_called_once_and_by_the_rules(arrivals in arrivals(), windows in windows(), max_wait in 5i64..90) {
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        let mut waiting: Vec<Held> = Vec::new();
        let mut called = Vec::new();
        let mut next_arrival = 0;
        // Each window calls once every 3 minutes; run until everyone has arrived and been called.
        for now_minute in 0..2000 {
            while next_arrival < arrivals.len() && arrivals[next_arrival].minute <= now_minute {
                let a = &arrivals[next_arrival];
                let handed_to = a.handed_to.map(|w| w.min(windows.len() - 1) as i32);
                waiting.push((next_arrival as i64, QUEUES[a.queue], minute(a.minute), a.priority, handed_to));
                next_arrival += 1;
            }
            if now_minute % 3 != 0 {
                continue;
            }
            for (number, window) in windows.iter().enumerate() {
                let number = number as i32;
                let queues: Vec<&str> = window.iter().map(|q| QUEUES[*q]).collect();
                let view: Vec<Waiting> = waiting
                    .iter()
                    .map(|(id, queue, arrived_at, priority, for_window)| Waiting { id: *id, queue, arrived_at: *arrived_at, priority: *priority, for_window: *for_window })
                    .collect();
                let now = minute(now_minute);
                let Some(chosen) = next_ticket(Caller { window: number, queues: &queues, order: CallOrder::Preference }, &view, now, &policy) else { continue };
                let pick = &view[chosen];
                let handed_here = |t: &Waiting| t.for_window == Some(number);
                let candidates: Vec<&Waiting> = view.iter().filter(|t| handed_here(t) || (t.for_window.is_none() && queues.contains(&t.queue))).collect();
                prop_assert!(candidates.iter().any(|t| t.id == pick.id), "called a ticket of another window or queue");
                let overdue = |t: &Waiting| now - t.arrived_at >= Duration::minutes(max_wait);
                if overdue(pick) {
                    prop_assert!(candidates.iter().filter(|t| overdue(t)).all(|t| t.arrived_at >= pick.arrived_at), "the longest overdue first");
                } else if handed_here(pick) {
                    prop_assert!(!candidates.iter().any(|t| overdue(t)), "an overdue ticket was passed over");
                    prop_assert!(candidates.iter().filter(|t| handed_here(t)).all(|t| t.arrived_at >= pick.arrived_at), "handed tickets by arrival");
                } else {
                    prop_assert!(!candidates.iter().any(|t| overdue(t) || handed_here(t)), "an overdue or handed ticket was passed over");
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
            let view: Vec<Waiting> = waiting.iter().map(|(id, at, p)| Waiting { id: *id, queue: "A", arrived_at: *at, priority: *p, for_window: None }).collect();
            let chosen = next_ticket(Caller { window: 1, queues: &["A"], order: CallOrder::Preference }, &view, minute(now_minute), &policy).unwrap();
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
            .map(|(i, a)| Waiting { id: i as i64, queue: QUEUES[a.queue], arrived_at: minute(a.minute), priority: a.priority, for_window: a.handed_to.map(|w| w as i32) })
            .collect();
        let now = minute(now);
        for ticket in &view {
            // A window serving only the ticket's queue — or, for a ticket handed to a window, that
            // window serving nothing else — calls one by one until the ticket comes up.
            let only_its_queue = [ticket.queue];
            let caller = match ticket.for_window {
                Some(window) => Caller { window, queues: &[], order: CallOrder::Preference },
                None => Caller { window: -1, queues: &only_its_queue, order: CallOrder::Preference },
            };
            let mut rest: Vec<Waiting> = view.clone();
            let mut called_before = 0;
            loop {
                let next = next_ticket(caller, &rest, now, &policy).unwrap();
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

proptest! {
    /// The people ahead of a ticket at a window are exactly the calls that window makes before it,
    /// counted over everything it serves and everything handed to it (a ticket handed from another
    /// queue included); before, a handed ticket counted only its own queue's.
    #[test]
    fn the_people_ahead_at_a_window_are_the_calls_it_makes_first(arrivals in arrivals(), queues in Just(vec![0usize, 1, 2]).prop_shuffle().prop_flat_map(|q| (1usize..=3).prop_map(move |n| q[..n].to_vec())), order in prop_oneof![Just(CallOrder::Preference), Just(CallOrder::Arrival)], max_wait in 5i64..90) {
        let policy = QueuePolicy { max_wait_minutes: max_wait, ..QueuePolicy::default() };
        let names: Vec<&str> = queues.iter().map(|q| QUEUES[*q]).collect();
        let caller = Caller { window: 0, queues: &names, order };
        let held: Vec<Held> = arrivals.iter().enumerate().map(|(id, a)| (id as i64, QUEUES[a.queue], minute(a.minute), a.priority, a.handed_to.map(|w| (w % 2) as i32))).collect();
        let view = |held: &[Held]| -> Vec<Waiting<'static>> { held.iter().map(|(id, queue, arrived_at, priority, for_window)| Waiting { id: *id, queue: QUEUES.iter().find(|q| *q == queue).unwrap(), arrived_at: *arrived_at, priority: *priority, for_window: *for_window }).collect() };
        let now = minute(150);
        for (id, ..) in &held {
            let expected = ahead_at_window(caller, &view(&held), *id, now, &policy);
            // Call and remove, again and again, until the ticket is called (or the window stops).
            let mut left = held.clone();
            let mut calls = 0;
            let called_at = loop {
                let waiting = view(&left);
                let Some(chosen) = next_ticket(caller, &waiting, now, &policy) else { break None };
                if waiting[chosen].id == *id {
                    break Some(calls);
                }
                left.remove(chosen);
                calls += 1;
            };
            prop_assert_eq!(expected, called_at, "ticket {}", id);
        }
    }
}
