//! The ticket queue (排队叫号): a ticket's life as events, and who is called next.
//!
//! A ticket's state is never set directly: every change is a [`TicketEvent`], and [`apply`] folds it
//! onto the current state or refuses it with an error that names the state and the action. The
//! store keeps the events and the folded state side by side, written in one transaction.
//!
//! # Who is called next ([`next_ticket`])
//!
//! Among the tickets waiting in the queues a window serves, and those handed to that window by
//! another (转窗 to a window: they wait for it alone, whatever their queue):
//! 1. a ticket that has waited [`QueuePolicy::max_wait_minutes`] or longer goes first, the longest
//!    waiting first — so nobody waits forever, whatever arrives after them;
//! 2. then tickets handed to this window, earliest arrival first: they have waited once already;
//! 3. then priority tickets (green channel: elderly, disabled, pregnant, military, urgent; and
//!    checked-in appointments), in the window's order of queue preference, then earliest arrival;
//! 4. then the other tickets, in the window's order of queue preference, then earliest arrival.
//!
//! A window that calls by arrival ([`CallOrder::Arrival`], a generalist window) treats its queues
//! as one: steps 3 and 4 go by arrival alone.
//!
//! Ties on arrival fall to the lower ticket id, so the choice is a function of its input alone.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A hall's queue rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueuePolicy {
    /// Visitors at or over this age are offered the green channel.
    pub green_channel_age: u32,
    /// A ticket waiting this long is called before any other, priority or not.
    pub max_wait_minutes: i64,
    /// Calls (the first and the recalls) after which an absent visitor is a no-show (过号).
    pub calls_before_no_show: u32,
}

impl Default for QueuePolicy {
    fn default() -> Self {
        QueuePolicy { green_channel_age: 65, max_wait_minutes: 60, calls_before_no_show: 3 }
    }
}

impl QueuePolicy {
    /// The green channel a visitor gets from the reason they chose and, when they gave their ID
    /// number, their age by it: with no reason chosen the age alone gives 老年人; 老年人 chosen by
    /// someone younger is refused (`Err`). The other reasons are seen at the window, not in a number.
    pub fn green_channel(&self, chosen: Option<PriorityReason>, age: Option<u32>) -> Result<Option<PriorityReason>, ()> {
        let elderly = age.map(|age| age >= self.green_channel_age);
        match (chosen, elderly) {
            (Some(PriorityReason::Elderly), Some(false)) => Err(()),
            (None, Some(true)) => Ok(Some(PriorityReason::Elderly)),
            (chosen, _) => Ok(chosen),
        }
    }
}

/// Why a ticket goes ahead of walk-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityReason {
    Elderly,
    Disabled,
    Pregnant,
    Military,
    Urgent,
    /// An appointment holder who checked in (签到).
    Appointment,
}

impl PriorityReason {
    pub const ALL: [PriorityReason; 6] = [
        PriorityReason::Elderly,
        PriorityReason::Disabled,
        PriorityReason::Pregnant,
        PriorityReason::Military,
        PriorityReason::Urgent,
        PriorityReason::Appointment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PriorityReason::Elderly => "elderly",
            PriorityReason::Disabled => "disabled",
            PriorityReason::Pregnant => "pregnant",
            PriorityReason::Military => "military",
            PriorityReason::Urgent => "urgent",
            PriorityReason::Appointment => "appointment",
        }
    }
}

/// A point in time as the call rule reads it: ordered, and able to say whether the waiting limit
/// has passed. The hall uses real instants; the simulator its own clock, which it counts faster.
pub trait Instant: Copy + Ord {
    /// Whether `minutes` or more have passed from `earlier` to `self`.
    fn at_least_minutes_after(self, earlier: Self, minutes: i64) -> bool;
}

impl Instant for DateTime<Utc> {
    fn at_least_minutes_after(self, earlier: Self, minutes: i64) -> bool {
        self - earlier >= Duration::minutes(minutes)
    }
}

/// A waiting ticket as the call rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting<'a, T = DateTime<Utc>> {
    pub id: i64,
    pub queue: &'a str,
    pub arrived_at: T,
    pub priority: bool,
    /// The window it was handed to, which alone calls it.
    pub for_window: Option<i32>,
}

/// How a window picks among the queues it serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOrder {
    /// Its queues in order of preference, each by arrival.
    #[default]
    Preference,
    /// The ticket that arrived first across all its queues, as a generalist window (综窗) calls.
    Arrival,
}

impl CallOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOrder::Preference => "preference",
            CallOrder::Arrival => "arrival",
        }
    }
}

/// The window calling: its number, its queues (most preferred first) and how it picks among them.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub window: i32,
    pub queues: &'a [&'a str],
    pub order: CallOrder,
}

/// The index in `waiting` of the ticket a window calls next, or `None` when nothing waits for it.
pub fn next_ticket<T: Instant>(caller: Caller<'_>, waiting: &[Waiting<'_, T>], now: T, policy: &QueuePolicy) -> Option<usize> {
    waiting
        .iter()
        .enumerate()
        .filter_map(|(i, t)| preference_at(caller, t).map(|preference| (i, call_rank(t, preference, now, policy))))
        .min_by_key(|(_, rank)| *rank)
        .map(|(i, _)| i)
}

/// The place of a ticket's queue in the window's list, for the call rule; `None` when the window
/// does not call it (another window's, or a queue it does not serve).
fn preference_at<T: Instant>(caller: Caller<'_>, t: &Waiting<'_, T>) -> Option<usize> {
    match t.for_window {
        Some(window) if window == caller.window => Some(0),
        Some(_) => None,
        None => caller.queues.iter().position(|q| *q == t.queue).map(|at| match caller.order {
            CallOrder::Preference => at,
            CallOrder::Arrival => 0,
        }),
    }
}

/// How many of `waiting` the window `caller` calls before the ticket `id` — tickets of any of its
/// queues, and others handed to it — or `None` when the window does not call that ticket. For a
/// ticket handed to a window (转窗), whose place depends on everything that window serves.
pub fn ahead_at_window<T: Instant>(caller: Caller<'_>, waiting: &[Waiting<'_, T>], id: i64, now: T, policy: &QueuePolicy) -> Option<usize> {
    let rank_of = |t: &Waiting<'_, T>| preference_at(caller, t).map(|preference| call_rank(t, preference, now, policy));
    let rank = rank_of(waiting.iter().find(|t| t.id == id)?)?;
    Some(waiting.iter().filter_map(rank_of).filter(|other| *other < rank).count())
}

/// How many of `waiting` are called before the ticket `id` (its holder's "people ahead") by a
/// window serving only the ticket's queue — or, for a ticket handed to a window, by that window
/// serving nothing else — or `None` when it is not among them. One pass: the same order as [`next_ticket`] applied again
/// and again, without doing so.
pub fn ahead_in_queue<T: Instant>(waiting: &[Waiting<'_, T>], id: i64, now: T, policy: &QueuePolicy) -> Option<usize> {
    let ticket = waiting.iter().find(|t| t.id == id)?;
    let rank = call_rank(ticket, 0, now, policy);
    let same_line = |t: &&Waiting<'_, T>| match ticket.for_window {
        Some(window) => t.for_window == Some(window),
        None => t.for_window.is_none() && t.queue == ticket.queue,
    };
    Some(waiting.iter().filter(same_line).filter(|t| call_rank(t, 0, now, policy) < rank).count())
}

/// The order of the call rule: lower is called first. `preference` is the ticket's queue's place in
/// the window's list.
fn call_rank<T: Instant>(t: &Waiting<'_, T>, preference: usize, now: T, policy: &QueuePolicy) -> (u8, usize, T, i64) {
    if now.at_least_minutes_after(t.arrived_at, policy.max_wait_minutes) {
        // Rank 0, then longest waiting; preference does not matter past the limit.
        (0, 0, t.arrived_at, t.id)
    } else if t.for_window.is_some() {
        (1, 0, t.arrived_at, t.id)
    } else {
        (if t.priority { 2 } else { 3 }, preference, t.arrived_at, t.id)
    }
}

/// How a visit at the window ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 办结 or accepted: the business was done.
    Done,
    /// Materials were missing; a one-time notice was issued.
    NoticeIssued,
    /// Handed to another officer or the duty leader (避免僵局).
    HandedOver,
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called { window: i32, calls: u32 },
    Serving { window: i32 },
    /// Set aside at a window (the visitor fetches a material nearby), to be resumed.
    Parked { window: i32 },
    Done { outcome: Outcome },
    NoShow,
    Cancelled,
    /// 过期: still waiting, called or at a window when the day closed (日结).
    Expired,
}

impl TicketState {
    pub fn name(&self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called { .. } => "called",
            TicketState::Serving { .. } => "serving",
            TicketState::Parked { .. } => "parked",
            TicketState::Done { .. } => "done",
            TicketState::NoShow => "no_show",
            TicketState::Cancelled => "cancelled",
            TicketState::Expired => "expired",
        }
    }

    pub fn window(&self) -> Option<i32> {
        match self {
            TicketState::Called { window, .. } | TicketState::Serving { window } | TicketState::Parked { window } => Some(*window),
            _ => None,
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(self, TicketState::Done { .. } | TicketState::NoShow | TicketState::Cancelled | TicketState::Expired)
    }
}

/// A change to a ticket. Issuing is not an event on a state: it creates the ticket as `Waiting`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TicketEvent {
    /// Called to a window, by the call rule or out of order (with a reason).
    Called { window: i32, out_of_order_reason: Option<String> },
    /// Called again (重呼); past the policy's number of calls it becomes a no-show.
    Recalled,
    /// The visitor is at the window.
    Started,
    Finished { outcome: Outcome },
    /// 转窗: back to waiting, keeping the original arrival time: in another queue, or for another
    /// window (handed to the officer there), or both. Neither named: the ticket's own queue.
    Transferred {
        #[serde(default)]
        to_queue: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_window: Option<i32>,
    },
    Parked,
    Resumed,
    /// The window gives a called ticket back to the queue (called by mistake).
    Returned,
    NoShow,
    Cancelled,
    /// The day closed (日结) with the ticket not finished.
    Expired,
}

impl TicketEvent {
    pub fn name(&self) -> &'static str {
        match self {
            TicketEvent::Called { .. } => "call",
            TicketEvent::Recalled => "recall",
            TicketEvent::Started => "start",
            TicketEvent::Finished { .. } => "finish",
            TicketEvent::Transferred { .. } => "transfer",
            TicketEvent::Parked => "park",
            TicketEvent::Resumed => "resume",
            TicketEvent::Returned => "return",
            TicketEvent::NoShow => "no_show",
            TicketEvent::Cancelled => "cancel",
            TicketEvent::Expired => "expire",
        }
    }
}

/// An action that the ticket's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub state: &'static str,
    pub action: &'static str,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a ticket that is {} cannot be given the action \"{}\"", self.state, self.action)
    }
}

impl std::error::Error for TransitionError {}

/// The state after `event`, or why the event is not allowed now. `policy` decides when recalls
/// turn into a no-show.
pub fn apply(state: &TicketState, event: &TicketEvent, policy: &QueuePolicy) -> Result<TicketState, TransitionError> {
    use TicketEvent as E;
    use TicketState as S;
    let refused = || TransitionError { state: state.name(), action: event.name() };
    match (state, event) {
        (S::Waiting, E::Called { window, .. }) => Ok(S::Called { window: *window, calls: 1 }),
        (S::Called { window, calls }, E::Recalled) => {
            if calls + 1 > policy.calls_before_no_show {
                Ok(S::NoShow)
            } else {
                Ok(S::Called { window: *window, calls: calls + 1 })
            }
        }
        (S::Called { window, .. }, E::Started) => Ok(S::Serving { window: *window }),
        (S::Called { .. }, E::NoShow) => Ok(S::NoShow),
        (S::Called { .. }, E::Returned) => Ok(S::Waiting),
        (S::Serving { .. }, E::Finished { outcome }) => Ok(S::Done { outcome: *outcome }),
        (S::Serving { window }, E::Parked) => Ok(S::Parked { window: *window }),
        (S::Parked { window }, E::Resumed) => Ok(S::Serving { window: *window }),
        (S::Waiting | S::Called { .. } | S::Serving { .. } | S::Parked { .. }, E::Transferred { .. }) => Ok(S::Waiting),
        (S::Waiting | S::Called { .. } | S::Parked { .. }, E::Cancelled) => Ok(S::Cancelled),
        (S::Waiting | S::Called { .. } | S::Serving { .. } | S::Parked { .. }, E::Expired) => Ok(S::Expired),
        _ => Err(refused()),
    }
}

/// A ticket's display number: the queue's letter and the day's sequence, `A012`.
pub fn ticket_number(prefix: &str, sequence: u32) -> String {
    format!("{prefix}{sequence:03}")
}

/// What the display board says and speaks: 「请A012号到3号窗口办理」.
pub fn call_announcement(number: &str, window: i32) -> String {
    format!("请{number}号到{window}号窗口办理")
}

/// The estimated wait in minutes for a ticket with `ahead` tickets before it: the recent mean
/// service time spread over the windows open for its queue (as ZMS and Qmatic estimate it).
pub fn estimated_wait_minutes(ahead: usize, mean_service_minutes: f64, open_windows: usize) -> Option<f64> {
    (open_windows > 0 && mean_service_minutes.is_finite()).then(|| ahead as f64 * mean_service_minutes / open_windows as f64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_green_channel_for_the_elderly_holds_to_the_id_numbers_age() {
        let policy = QueuePolicy::default();
        assert_eq!(policy.green_channel(Some(PriorityReason::Elderly), Some(36)), Err(()), "born in 1990 is not 老年人");
        assert_eq!(policy.green_channel(Some(PriorityReason::Elderly), Some(76)), Ok(Some(PriorityReason::Elderly)));
        assert_eq!(policy.green_channel(Some(PriorityReason::Elderly), None), Ok(Some(PriorityReason::Elderly)), "without a number the window checks");
        assert_eq!(policy.green_channel(None, Some(65)), Ok(Some(PriorityReason::Elderly)), "the age alone gives it");
        assert_eq!(policy.green_channel(None, Some(64)), Ok(None));
        assert_eq!(policy.green_channel(Some(PriorityReason::Pregnant), Some(30)), Ok(Some(PriorityReason::Pregnant)));
    }

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minute)
    }

    fn ticket(id: i64, queue: &'static str, minute: i64, priority: bool) -> Waiting<'static> {
        Waiting { id, queue, arrived_at: at(minute), priority, for_window: None }
    }

    fn window<'a>(queues: &'a [&'a str]) -> Caller<'a> {
        Caller { window: 1, queues, order: CallOrder::Preference }
    }

    #[test]
    fn priority_then_preference_then_arrival() {
        let policy = QueuePolicy::default();
        let waiting = [ticket(1, "A", 0, false), ticket(2, "B", 1, false), ticket(3, "B", 5, true), ticket(4, "A", 2, false)];
        let called = |queues: &[&str]| next_ticket(window(queues), &waiting, at(10), &policy).map(|i| waiting[i].id);
        assert_eq!(called(&["A", "B"]), Some(3), "a green-channel ticket goes first");
        assert_eq!(called(&["A"]), Some(1), "a window sees only its queues");
        assert_eq!(called(&["C"]), None);
        let walk_ins = [ticket(1, "A", 3, false), ticket(2, "B", 0, false)];
        assert_eq!(next_ticket(window(&["A", "B"]), &walk_ins, at(10), &policy), Some(0), "preferred queue first");
        assert_eq!(next_ticket(window(&["B", "A"]), &walk_ins, at(10), &policy), Some(1));
    }

    #[test]
    fn a_generalist_window_calls_by_arrival_across_its_queues() {
        let policy = QueuePolicy::default();
        let waiting = [ticket(1, "A", 3, false), ticket(2, "B", 0, false), ticket(3, "A", 5, true), ticket(4, "B", 4, true)];
        let generalist = Caller { window: 1, queues: &["A", "B"], order: CallOrder::Arrival };
        assert_eq!(next_ticket(generalist, &waiting, at(10), &policy), Some(3), "priority still first, then by arrival across queues");
        let walk_ins = &waiting[..2];
        assert_eq!(next_ticket(generalist, walk_ins, at(10), &policy), Some(1), "the oldest ticket, whatever its queue");
        assert_eq!(next_ticket(window(&["A", "B"]), walk_ins, at(10), &policy), Some(0), "a window by preference takes its first queue");
    }

    #[test]
    fn the_day_close_expires_what_is_not_finished() {
        let policy = QueuePolicy::default();
        for state in [TicketState::Waiting, TicketState::Called { window: 1, calls: 1 }, TicketState::Serving { window: 1 }, TicketState::Parked { window: 1 }] {
            assert_eq!(apply(&state, &TicketEvent::Expired, &policy), Ok(TicketState::Expired));
        }
        assert!(TicketState::Expired.is_final());
        assert!(apply(&TicketState::NoShow, &TicketEvent::Expired, &policy).is_err(), "a finished ticket stays as it ended");
    }

    #[test]
    fn past_the_waiting_limit_a_ticket_goes_before_everyone() {
        let policy = QueuePolicy { max_wait_minutes: 30, ..QueuePolicy::default() };
        let waiting = [ticket(1, "B", 0, false), ticket(2, "A", 20, true), ticket(3, "A", 25, false)];
        assert_eq!(next_ticket(window(&["A", "B"]), &waiting, at(29), &policy), Some(1), "not yet overdue: priority first");
        assert_eq!(next_ticket(window(&["A", "B"]), &waiting, at(30), &policy), Some(0), "overdue walk-in in a less preferred queue");
    }

    #[test]
    fn a_ticket_handed_to_a_window_waits_for_that_window_alone_and_goes_first_there() {
        let policy = QueuePolicy::default();
        let handed = Waiting { for_window: Some(2), ..ticket(1, "C", 5, false) };
        let waiting = [ticket(2, "A", 0, true), handed, ticket(3, "A", 1, false)];
        assert_eq!(next_ticket(Caller { window: 2, queues: &["A"], order: CallOrder::Preference }, &waiting, at(10), &policy), Some(1), "before priority, and outside the window's queues");
        assert_eq!(next_ticket(Caller { window: 1, queues: &["A", "C"], order: CallOrder::Preference }, &waiting, at(10), &policy), Some(0), "another window never calls it");
        assert_eq!(next_ticket(Caller { window: 1, queues: &["C"], order: CallOrder::Preference }, &waiting, at(10), &policy), None);
        assert_eq!(ahead_in_queue(&waiting, 1, at(10), &policy), Some(0), "its line is the window's, not queue C's");
        assert_eq!(ahead_in_queue(&waiting, 3, at(10), &policy), Some(1), "and it is not in queue A's line");
        // Two tickets of two queues handed to one window: the second waits for the first.
        let handed_two = [Waiting { for_window: Some(12), ..ticket(6, "A", 1, false) }, Waiting { for_window: Some(12), ..ticket(7, "C", 2, false) }, ticket(8, "C", 0, false)];
        let window_12 = Caller { window: 12, queues: &["B"], order: CallOrder::Preference };
        assert_eq!((ahead_at_window(window_12, &handed_two, 6, at(10), &policy), ahead_at_window(window_12, &handed_two, 7, at(10), &policy)), (Some(0), Some(1)));
        assert_eq!(ahead_at_window(window_12, &handed_two, 8, at(10), &policy), None, "window 12 does not call queue C");
        let overdue = [ticket(4, "A", 0, false), Waiting { for_window: Some(2), ..ticket(5, "A", 50, false) }];
        assert_eq!(next_ticket(Caller { window: 2, queues: &["A"], order: CallOrder::Preference }, &overdue, at(60), &policy), Some(0), "the waiting limit still comes first");
    }

    #[test]
    fn transitions_follow_the_ticket_life() {
        let policy = QueuePolicy { calls_before_no_show: 2, ..QueuePolicy::default() };
        let called = apply(&TicketState::Waiting, &TicketEvent::Called { window: 3, out_of_order_reason: None }, &policy).unwrap();
        assert_eq!(called, TicketState::Called { window: 3, calls: 1 });
        let recalled = apply(&called, &TicketEvent::Recalled, &policy).unwrap();
        assert_eq!(recalled, TicketState::Called { window: 3, calls: 2 });
        assert_eq!(apply(&recalled, &TicketEvent::Recalled, &policy).unwrap(), TicketState::NoShow);
        let serving = apply(&called, &TicketEvent::Started, &policy).unwrap();
        let parked = apply(&serving, &TicketEvent::Parked, &policy).unwrap();
        assert_eq!(apply(&parked, &TicketEvent::Resumed, &policy).unwrap(), serving);
        assert_eq!(apply(&serving, &TicketEvent::Transferred { to_queue: Some("B".into()), to_window: None }, &policy).unwrap(), TicketState::Waiting);
        let done = apply(&serving, &TicketEvent::Finished { outcome: Outcome::NoticeIssued }, &policy).unwrap();
        assert!(done.is_final());
        let err = apply(&done, &TicketEvent::Recalled, &policy).unwrap_err();
        assert_eq!(err.to_string(), "a ticket that is done cannot be given the action \"recall\"");
        assert!(apply(&TicketState::Waiting, &TicketEvent::Started, &policy).is_err(), "a ticket must be called before it is served");
        assert!(apply(&serving, &TicketEvent::Cancelled, &policy).is_err(), "a visit under way is finished, not cancelled");
    }

    #[test]
    fn announcements_and_numbers() {
        assert_eq!(ticket_number("A", 12), "A012");
        assert_eq!(call_announcement("A012", 3), "请A012号到3号窗口办理");
        assert_eq!(estimated_wait_minutes(6, 4.0, 2), Some(12.0));
        assert_eq!(estimated_wait_minutes(6, 4.0, 0), None);
    }
}
