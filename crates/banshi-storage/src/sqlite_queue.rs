//! SQLite's queue hot path, run directly through rusqlite (see `sqlite_direct` for why and how):
//! taking a ticket, calling the next, acting on a ticket, and the reads those pages need at once.
//! The rules are `queue_rules`, shared with the SQL the PostgreSQL store runs; only the reading
//! and writing is here. SQL parameters are SQLite's named `$1` … so the statements read like the
//! shared ones.

use crate::queue_rules::{self, TicketChange};
use crate::records::*;
use crate::rows::{self, TicketRow};
use crate::{to_json, StoreError, StoreResult};
use banshi_domain::queue::{QueuePolicy, TicketEvent, TicketState};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{named_params, Connection, OptionalExtension};

/// A time as sqlx stores it in SQLite (RFC 3339, `+00:00`), so both write the same text.
pub(crate) fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

pub(crate) fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt(format!("time \"{text}\": {e}")))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                tracing::warn!(detail = %err, "a write broke a rule of the data");
                StoreError::Rule { key: "store_breaks_a_rule", values: vec![("what", "thing_record".to_string()), ("id", String::new())] }
            }
            _ => StoreError::Direct(err.to_string()),
        }
    }
}

pub(crate) fn take_ticket(db: &Connection, ticket: &NewTicket) -> StoreResult<Ticket> {
    let queue_exists = db
        .prepare_cached("SELECT 1 FROM queues WHERE centre_code = $1 AND prefix = $2")?
        .query_row(named_params! { "$1": ticket.centre_code, "$2": ticket.queue }, |_| Ok(()))
        .optional()?;
    if queue_exists.is_none() {
        return Err(crate::not_found("thing_queue", &ticket.queue));
    }
    let day = ticket.arrived_at.with_timezone(&chrono::Local).date_naive().format("%F").to_string();
    if let Some(limit) = &ticket.phone_limit {
        let taken: i64 = db
            .prepare_cached("SELECT count(*) FROM tickets WHERE centre_code = $1 AND day = $2 AND phone_key = $3")?
            .query_row(named_params! { "$1": ticket.centre_code, "$2": day, "$3": limit.key }, |row| row.get(0))?;
        if taken >= i64::from(limit.per_day) {
            return Err(StoreError::Rule { key: "ticket_phone_limit", values: vec![("limit", limit.per_day.to_string())] });
        }
    }
    let sequence: i64 = db
        .prepare_cached(
            "INSERT INTO ticket_sequences (centre_code, prefix, day, last) VALUES ($1, $2, $3, 1)
             ON CONFLICT (centre_code, prefix, day) DO UPDATE SET last = ticket_sequences.last + 1
             RETURNING last",
        )?
        .query_row(named_params! { "$1": ticket.centre_code, "$2": ticket.queue, "$3": day }, |row| row.get(0))?;
    if let Some(quota) = ticket.daily_quota.filter(|quota| sequence > i64::from(*quota)) {
        return Err(StoreError::QuotaReached(quota));
    }
    let number = banshi_domain::queue::ticket_number(&ticket.queue, sequence as u32);
    let state = TicketState::Waiting;
    let sql = format!(
        "INSERT INTO tickets (centre_code, day, number, queue_prefix, arrived_at, priority_reason, items, phone_cipher, state, state_doc, token, phone_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {}",
        rows::TICKET_COLUMNS
    );
    let arrived_at = time_text(ticket.arrived_at);
    let items = to_json(&ticket.items).to_string();
    let state_doc = to_json(&state).to_string();
    let row = db
        .prepare_cached(&sql)?
        .query_row(
            named_params! {
                "$1": ticket.centre_code, "$2": day, "$3": number, "$4": ticket.queue, "$5": arrived_at,
                "$6": ticket.priority.map(|p| p.as_str()), "$7": items, "$8": ticket.phone_cipher,
                "$9": state.name(), "$10": state_doc, "$11": ticket.token,
                "$12": ticket.phone_limit.as_ref().map(|limit| &limit.key),
            },
            |row| Ok(TicketRow::from_sqlite(row)),
        )
        .map_err(|e| match StoreError::from(e) {
            StoreError::Rule { key: "store_breaks_a_rule", .. } => StoreError::Rule { key: "store_exists_already", values: vec![("what", "thing_ticket".to_string()), ("id", number.to_string())] },
            other => other,
        })??;
    let issued = row.into_ticket()?;
    let event = queue_rules::issued_event(ticket).to_string();
    db.prepare_cached("INSERT INTO ticket_events (ticket_id, at, actor_id, actor, event) VALUES ($1, $2, $3, $4, $5)")?.execute(
        named_params! { "$1": issued.id, "$2": arrived_at, "$3": ticket.issuer.staff_id, "$4": ticket.issuer.label, "$5": event },
    )?;
    Ok(issued)
}

pub(crate) fn call_next(db: &Connection, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
    let live = window_live(db, centre_code, window)?;
    queue_rules::require_signed_in(&live, actor)?;
    require_free_to_call(db, &live, centre_code, None)?;
    let today = now.with_timezone(&chrono::Local).date_naive().format("%F").to_string();
    let candidates = waiting_tickets(db, centre_code, &today, None)?;
    let view: Vec<banshi_domain::queue::Waiting> = candidates.iter().map(WaitingTicket::view).collect();
    let preference: Vec<&str> = live.queues.iter().map(String::as_str).collect();
    let Some(chosen) = banshi_domain::queue::next_ticket(banshi_domain::queue::Caller { window, queues: &preference, order: live.call_order }, &view, now, policy) else {
        return Ok(None);
    };
    let ticket = load_ticket(db, candidates[chosen].id)?;
    let event = TicketEvent::Called { window, out_of_order_reason: None };
    apply_ticket_event(db, actor, ticket, &event, policy, now).map(Some)
}

pub(crate) fn update_ticket(db: &Connection, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
    // Another centre's ticket is not found, whatever the window's state.
    let ticket = load_ticket(db, ticket_id)?;
    queue_rules::require_same_centre(at, &ticket)?;
    let live = window_live(db, at.centre_code, at.window)?;
    queue_rules::require_signed_in(&live, actor)?;
    queue_rules::require_window_may_act(&live, at, &ticket, event)?;
    match event {
        TicketEvent::Called { .. } => require_free_to_call(db, &live, at.centre_code, Some(ticket_id))?,
        TicketEvent::Resumed => {
            if let Some(other) = held_at_window(db, at.centre_code, at.window, Some(ticket_id), &["called", "serving"])? {
                return Err(queue_rules::resume_busy(at.window, &other));
            }
        }
        TicketEvent::Transferred { to_queue, to_window } => {
            if let Some(to_queue) = to_queue {
                let exists = db
                    .prepare_cached("SELECT 1 FROM queues WHERE centre_code = $1 AND prefix = $2")?
                    .query_row(named_params! { "$1": at.centre_code, "$2": to_queue }, |_| Ok(()))
                    .optional()?;
                if exists.is_none() {
                    return Err(crate::not_found("thing_queue", to_queue));
                }
            }
            if let Some(to_window) = to_window {
                queue_rules::require_handover_target(at.window, &window_live(db, at.centre_code, *to_window)?)?;
            }
        }
        _ => {}
    }
    apply_ticket_event(db, actor, ticket, event, policy, now)
}

fn window_live(db: &Connection, centre_code: &str, number: i32) -> StoreResult<WindowLive> {
    let sql = format!("{} AND w.number = $2", rows::WINDOWS_LIVE_SQL);
    let live = db.prepare_cached(&sql)?.query_row(named_params! { "$1": centre_code, "$2": number }, window_row).optional()?;
    live.ok_or_else(|| crate::not_found("thing_window", number))?
}

/// The centre's windows with who is signed in at each.
pub(crate) fn windows_live(db: &Connection, centre_code: &str) -> StoreResult<Vec<WindowLive>> {
    let sql = format!("{} ORDER BY w.number", rows::WINDOWS_LIVE_SQL);
    let mut statement = db.prepare_cached(&sql)?;
    let rows = statement.query_map(named_params! { "$1": centre_code }, window_row)?;
    rows.map(|row| row?).collect()
}

/// A `WINDOWS_LIVE_SQL` row.
fn window_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoreResult<WindowLive>> {
    let status: String = row.get(4)?;
    let queues: String = row.get(2)?;
    let status = match status.as_str() {
        "open" => WindowStatus::Open,
        "paused" => WindowStatus::Paused,
        "closed" => WindowStatus::Closed,
        other => return Ok(Err(StoreError::Corrupt(format!("window status \"{other}\"")))),
    };
    let queues = match parse_json("window queues", &queues) {
        Ok(queues) => queues,
        Err(err) => return Ok(Err(err)),
    };
    let call_order = match rows::call_order(&row.get::<_, String>(9)?) {
        Ok(order) => order,
        Err(err) => return Ok(Err(err)),
    };
    Ok(Ok(WindowLive {
        number: row.get(0)?,
        name: row.get(1)?,
        queues,
        green_channel: row.get(3)?,
        status,
        pause_reason: row.get(5)?,
        staff_id: row.get(6)?,
        staff_name: row.get(7)?,
        staff_badge: row.get(8)?,
        call_order,
    }))
}

/// Today's waiting tickets of the centre, or of one of its queues: what the call rule reads.
pub(crate) fn waiting_tickets(db: &Connection, centre_code: &str, today: &str, queue: Option<&str>) -> StoreResult<Vec<WaitingTicket>> {
    let in_queue = format!("{} AND queue_prefix = $3", rows::WAITING_SQL);
    let mut statement = match queue {
        Some(_) => db.prepare_cached(&in_queue)?,
        None => db.prepare_cached(rows::WAITING_SQL)?,
    };
    let rows = match queue {
        Some(queue) => statement.query(named_params! { "$1": centre_code, "$2": today, "$3": queue })?,
        None => statement.query(named_params! { "$1": centre_code, "$2": today })?,
    };
    rows.mapped(|row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, bool>(3)?, row.get::<_, Option<i32>>(4)?)))
        .map(|row| {
            let (id, queue, arrived_at, priority, for_window) = row?;
            Ok(WaitingTicket { id, queue, arrived_at: parse_time(&arrived_at)?, priority, for_window })
        })
        .collect()
}

/// Whether a waiting ticket has a phone that has not had its "almost your turn" message.
pub(crate) fn has_unnotified_phones(db: &Connection, centre_code: &str) -> StoreResult<bool> {
    let found = db
        .prepare_cached("SELECT 1 FROM tickets WHERE centre_code = $1 AND state = 'waiting' AND phone_cipher IS NOT NULL AND NOT notified LIMIT 1")?
        .query_row(named_params! { "$1": centre_code }, |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

fn held_at_window(db: &Connection, centre_code: &str, window: i32, except: Option<i64>, states: &[&str]) -> StoreResult<Option<String>> {
    let mut statement = db.prepare_cached(
        "SELECT number, state FROM tickets WHERE centre_code = $1 AND window_number = $2 AND id <> $3
         AND state IN ('called', 'serving', 'parked')",
    )?;
    let held = statement.query_map(named_params! { "$1": centre_code, "$2": window, "$3": except.unwrap_or(0) }, |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in held {
        let (number, state) = row?;
        if states.contains(&state.as_str()) {
            return Ok(Some(number));
        }
    }
    Ok(None)
}

fn require_free_to_call(db: &Connection, window: &WindowLive, centre_code: &str, except: Option<i64>) -> StoreResult<()> {
    queue_rules::require_open(window)?;
    if let Some(number) = held_at_window(db, centre_code, window.number, except, &["called", "serving"])? {
        return Err(queue_rules::window_busy(window.number, &number));
    }
    Ok(())
}

fn load_ticket(db: &Connection, ticket_id: i64) -> StoreResult<Ticket> {
    let sql = format!("SELECT {} FROM tickets WHERE id = $1", rows::TICKET_COLUMNS);
    let row = db.prepare_cached(&sql)?.query_row(named_params! { "$1": ticket_id }, |row| Ok(TicketRow::from_sqlite(row))).optional()?;
    row.ok_or_else(|| crate::not_found("thing_ticket", ticket_id))??.into_ticket()
}

fn apply_ticket_event(db: &Connection, actor: &Actor, ticket: Ticket, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
    let TicketChange { next, queue, called_at, started_at, finished_at, for_window, recorded } = queue_rules::ticket_change(&ticket, event, policy, now)?;
    db.prepare_cached(
        "UPDATE tickets SET state = $2, state_doc = $3, window_number = $4, queue_prefix = $5,
             called_at = COALESCE($6, called_at), started_at = COALESCE($7, started_at), finished_at = COALESCE($8, finished_at),
             for_window = $9
         WHERE id = $1",
    )?
    .execute(named_params! {
        "$1": ticket.id, "$2": next.name(), "$3": to_json(&next).to_string(), "$4": next.window(), "$5": queue,
        "$6": called_at.map(time_text), "$7": started_at.map(time_text), "$8": finished_at.map(time_text), "$9": for_window,
    })?;
    db.prepare_cached("INSERT INTO ticket_events (ticket_id, at, actor_id, actor, event) VALUES ($1, $2, $3, $4, $5)")?
        .execute(named_params! { "$1": ticket.id, "$2": time_text(now), "$3": actor.staff_id, "$4": actor.label, "$5": recorded.to_string() })?;
    Ok(Ticket { state: next, queue, for_window, ..ticket })
}
