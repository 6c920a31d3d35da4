//! The checks and the bookkeeping of a ticket change that every backend's queue writes share, so
//! the SQL of each (the shared `sql_store` one, SQLite's direct hot path) only reads and writes.

use crate::records::{Actor, AtWindow, Ticket, WindowLive, WindowStatus};
use crate::{to_json, StoreError, StoreResult};
use banshi_domain::queue::{QueuePolicy, TicketEvent, TicketState};
use chrono::{DateTime, Utc};

/// A ticket event worked out before it is written.
pub(crate) struct TicketChange {
    pub next: TicketState,
    pub queue: String,
    pub called_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The window a transfer handed it to; cleared by any other change.
    pub for_window: Option<i32>,
    /// The event as the ticket's history keeps it.
    pub recorded: serde_json::Value,
}

/// The change `event` makes to `ticket` by the domain's rules, or why it may not.
pub(crate) fn ticket_change(ticket: &Ticket, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<TicketChange> {
    // Told in the hall's words: the state and the action name texts of their own.
    let next = banshi_domain::queue::apply(&ticket.state, event, policy).map_err(|e| StoreError::Rule {
        key: "ticket_not_now",
        values: vec![("number", ticket.number.clone()), ("state", format!("ticket_state_{}", e.state)), ("action", format!("ticket_action_{}", e.action))],
    })?;
    let (queue, for_window) = match event {
        TicketEvent::Transferred { to_queue, to_window } => (to_queue.clone().unwrap_or_else(|| ticket.queue.clone()), *to_window),
        _ => (ticket.queue.clone(), None),
    };
    let entered = |name: &str| (next.name() == name && ticket.state.name() != name).then_some(now);
    let mut recorded = to_json(event);
    // A change that takes the ticket away from a window names the window in its history: the
    // recall of an absent visitor, and the finished visit its rating is of.
    if let (Some(window), None) = (ticket.state.window(), next.window()) {
        recorded["window"] = window.into();
    }
    Ok(TicketChange {
        called_at: entered("called"),
        started_at: entered("serving"),
        finished_at: next.is_final().then_some(now),
        next,
        queue,
        for_window,
        recorded,
    })
}

/// The first event of a ticket's history: what was asked for, and the booking checked in for.
pub(crate) fn issued_event(request: &crate::records::NewTicket) -> serde_json::Value {
    let mut event = serde_json::json!({ "event": "issued", "queue": request.queue, "priority": request.priority, "items": request.items });
    if let Some(booking) = &request.booking {
        event["booking"] = booking.clone().into();
    }
    event
}

/// Window actions are for the officer signed in at that window, and only while it is not closed.
pub(crate) fn require_signed_in(window: &WindowLive, actor: &Actor) -> StoreResult<()> {
    if window.status == WindowStatus::Closed || window.staff_id.is_none() || window.staff_id != actor.staff_id {
        return Err(StoreError::Rule { key: "window_sign_in_first", values: vec![("window", window.number.to_string())] });
    }
    Ok(())
}

/// A window calls only while open.
pub(crate) fn require_open(window: &WindowLive) -> StoreResult<()> {
    if window.status != WindowStatus::Open {
        return Err(StoreError::Rule { key: "window_not_open", values: vec![("window", window.number.to_string()), ("status", format!("window_status_{}", window.status.as_str()))] });
    }
    Ok(())
}

/// The refusal when a window still has someone called or served (`number`).
pub(crate) fn window_busy(window: i32, number: &str) -> StoreError {
    StoreError::Rule { key: "window_still_has", values: vec![("window", window.to_string()), ("number", number.to_string())] }
}

/// The refusal when a parked ticket is resumed while the window serves someone else.
pub(crate) fn resume_busy(window: i32, number: &str) -> StoreError {
    StoreError::Rule { key: "window_busy_with", values: vec![("window", window.to_string()), ("number", number.to_string())] }
}

/// A ticket is handed to another window that someone can still work: open or paused, not closed.
pub(crate) fn require_handover_target(from: i32, target: &WindowLive) -> StoreResult<()> {
    if target.number == from {
        return Err(StoreError::Rule { key: "handover_to_itself", values: vec![("window", from.to_string())] });
    }
    if target.status == WindowStatus::Closed {
        return Err(StoreError::Rule { key: "handover_target_closed", values: vec![("window", target.number.to_string())] });
    }
    Ok(())
}

/// A ticket of another centre is not found there.
pub(crate) fn require_same_centre(at: AtWindow<'_>, ticket: &Ticket) -> StoreResult<()> {
    if ticket.centre_code != at.centre_code {
        return Err(crate::not_found("thing_ticket", ticket.id));
    }
    Ok(())
}

/// Whether the ticket is this window's to act on: held there, or waiting in one of its queues; and
/// a call is to the window that makes it.
pub(crate) fn require_window_may_act(live: &WindowLive, at: AtWindow<'_>, ticket: &Ticket, event: &TicketEvent) -> StoreResult<()> {
    match (ticket.state.window(), ticket.for_window) {
        (Some(held_at), _) if held_at != at.window => return Err(StoreError::Rule { key: "ticket_at_window", values: vec![("number", ticket.number.clone()), ("window", held_at.to_string())] }),
        (None, Some(handed_to)) if ticket.state == TicketState::Waiting && handed_to != at.window => {
            return Err(StoreError::Rule { key: "ticket_handed_elsewhere", values: vec![("number", ticket.number.clone()), ("window", handed_to.to_string())] });
        }
        (None, None) if ticket.state == TicketState::Waiting && !live.queues.contains(&ticket.queue) => {
            return Err(StoreError::Rule { key: "window_not_serving", values: vec![("window", at.window.to_string()), ("queue", ticket.queue.clone())] });
        }
        _ => {}
    }
    if let TicketEvent::Called { window, .. } = event {
        if *window != at.window {
            return Err(StoreError::Rule { key: "ticket_called_elsewhere", values: vec![("window", at.window.to_string())] });
        }
    }
    Ok(())
}
