//! Rows as both databases return them, and their conversion to records. Role names and JSON
//! documents are checked on the way in: a row that does not read is reported, never guessed at.

use crate::records::*;
use crate::{from_json, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: i64,
    username: String,
    name: String,
    badge_number: String,
    role: String,
    centre_code: String,
    password_hash: String,
    active: bool,
    must_change_password: bool,
    failed_sign_ins: i32,
    locked_until: Option<DateTime<Utc>>,
    totp_secret: Option<String>,
    department: String,
}

impl StaffRow {
    pub(crate) fn into_staff(self) -> StoreResult<Staff> {
        Ok(self.into_login()?.staff)
    }

    pub(crate) fn into_login(self) -> StoreResult<StaffLogin> {
        let role = self.role.parse().map_err(StoreError::Corrupt)?;
        Ok(StaffLogin {
            staff: Staff {
                id: self.id,
                username: self.username,
                name: self.name,
                badge_number: self.badge_number,
                role,
                centre_code: self.centre_code,
                active: self.active,
                must_change_password: self.must_change_password,
                locked_until: self.locked_until,
                second_factor: self.totp_secret.is_some(),
                department: self.department,
            },
            password_hash: self.password_hash,
            failed_sign_ins: self.failed_sign_ins.max(0) as u32,
            totp_secret: self.totp_secret,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    idle_until: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    staff: StaffRow,
}

impl SessionRow {
    pub(crate) fn into_pair(self) -> StoreResult<(Session, Staff)> {
        let staff = self.staff.into_staff()?;
        let session = Session { token_hash: self.token_hash, staff_id: staff.id, csrf_token: self.csrf_token, expires_at: self.expires_at, idle_until: self.idle_until.unwrap_or(self.expires_at) };
        Ok((session, staff))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoticeRow {
    number: String,
    centre_code: String,
    item_code: String,
    item_name: String,
    officer_id: i64,
    officer_name: String,
    officer_badge: String,
    applicant_name: Option<String>,
    assessment: Json<serde_json::Value>,
    issued_at: DateTime<Utc>,
    ticket_id: Option<i64>,
}

impl NoticeRow {
    pub(crate) fn into_notice(self) -> StoreResult<Notice> {
        Ok(Notice {
            assessment: from_json(&format!("notice {}", self.number), self.assessment.0)?,
            number: self.number,
            centre_code: self.centre_code,
            item_code: self.item_code,
            item_name: self.item_name,
            officer_id: self.officer_id,
            officer_name: self.officer_name,
            officer_badge: self.officer_badge,
            applicant_name: self.applicant_name,
            issued_at: self.issued_at,
            ticket_id: self.ticket_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<Json<serde_json::Value>>,
    after: Option<Json<serde_json::Value>>,
    centre_code: Option<String>,
}

/// An audit row with its place in the chain.
#[derive(sqlx::FromRow)]
pub(crate) struct ChainedAuditRow {
    #[sqlx(flatten)]
    row: AuditRow,
    prev_hash: Option<String>,
    row_hash: Option<String>,
}

impl ChainedAuditRow {
    pub(crate) fn into_parts(self) -> (AuditEntry, Option<String>, Option<String>) {
        (self.row.into_entry(), self.prev_hash, self.row_hash)
    }
}

impl AuditRow {
    pub(crate) fn into_entry(self) -> AuditEntry {
        AuditEntry {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: self.before.map(|j| j.0),
            after: self.after.map(|j| j.0),
            centre_code: self.centre_code,
        }
    }
}

pub(crate) const NOTICE_COUNTS_SQL: &str = "
    SELECT item_code, MAX(item_name) AS item_name, officer_id, MAX(officer_name) AS officer_name,
           MAX(officer_badge) AS officer_badge, COUNT(*) AS notices
    FROM notices WHERE centre_code = $1 GROUP BY item_code, officer_id ORDER BY item_code, officer_id";

#[derive(sqlx::FromRow)]
pub(crate) struct QueueRow {
    centre_code: String,
    prefix: String,
    name: String,
    item_codes: Json<Vec<String>>,
    position: i32,
}

impl QueueRow {
    pub(crate) fn into_queue(self) -> Queue {
        Queue { centre_code: self.centre_code, prefix: self.prefix, name: self.name, item_codes: self.item_codes.0, position: self.position }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct WindowLiveRow {
    number: i32,
    name: String,
    queues: Json<Vec<String>>,
    green_channel: bool,
    status: String,
    pause_reason: Option<String>,
    staff_id: Option<i64>,
    staff_name: Option<String>,
    staff_badge: Option<String>,
    call_order: String,
}

/// `preference` or `arrival` as the database keeps a window's call order.
pub(crate) fn call_order(text: &str) -> StoreResult<banshi_domain::queue::CallOrder> {
    match text {
        "preference" => Ok(banshi_domain::queue::CallOrder::Preference),
        "arrival" => Ok(banshi_domain::queue::CallOrder::Arrival),
        other => Err(StoreError::Corrupt(format!("window call order \"{other}\""))),
    }
}

impl WindowLiveRow {
    pub(crate) fn into_live(self) -> StoreResult<WindowLive> {
        let status = match self.status.as_str() {
            "open" => WindowStatus::Open,
            "paused" => WindowStatus::Paused,
            "closed" => WindowStatus::Closed,
            other => return Err(StoreError::Corrupt(format!("window status \"{other}\""))),
        };
        Ok(WindowLive {
            number: self.number,
            name: self.name,
            queues: self.queues.0,
            green_channel: self.green_channel,
            status,
            pause_reason: self.pause_reason,
            staff_id: self.staff_id,
            staff_name: self.staff_name,
            staff_badge: self.staff_badge,
            call_order: call_order(&self.call_order)?,
        })
    }
}

pub(crate) const WINDOWS_LIVE_SQL: &str = "
    SELECT w.number, w.name, w.queues, w.green_channel, w.status, w.pause_reason, w.staff_id,
           s.name AS staff_name, s.badge_number AS staff_badge, w.call_order
    FROM windows w LEFT JOIN staff s ON s.id = w.staff_id
    WHERE w.centre_code = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    id: i64,
    token: String,
    centre_code: String,
    number: String,
    queue_prefix: String,
    arrived_at: DateTime<Utc>,
    priority_reason: Option<String>,
    items: Json<Vec<String>>,
    phone_cipher: Option<String>,
    state_doc: Json<serde_json::Value>,
    called_at: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    for_window: Option<i32>,
}

impl TicketRow {
    pub(crate) fn into_ticket(self) -> StoreResult<Ticket> {
        let priority = match self.priority_reason {
            None => None,
            Some(reason) => Some(from_json(&format!("ticket {} priority", self.id), serde_json::Value::String(reason))?),
        };
        Ok(Ticket {
            state: from_json(&format!("ticket {} state", self.id), self.state_doc.0)?,
            id: self.id,
            token: self.token,
            centre_code: self.centre_code,
            number: self.number,
            queue: self.queue_prefix,
            arrived_at: self.arrived_at,
            priority,
            items: self.items.0,
            has_phone: self.phone_cipher.is_some(),
            called_at: self.called_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            for_window: self.for_window,
        })
    }
}

pub(crate) const TICKET_COLUMNS: &str = "id, token, centre_code, number, queue_prefix, arrived_at, priority_reason, items, phone_cipher, state_doc, called_at, started_at, finished_at, for_window";

#[derive(sqlx::FromRow)]
pub(crate) struct CallRow {
    pub(crate) ticket_id: i64,
    pub(crate) number: String,
    pub(crate) at: DateTime<Utc>,
    pub(crate) event: Json<serde_json::Value>,
    pub(crate) window_number: Option<i32>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    pub(crate) id: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) kind: String,
    pub(crate) recipient_cipher: String,
    pub(crate) message: String,
    pub(crate) ticket_id: Option<i64>,
    pub(crate) case_id: Option<i64>,
}

/// Today's waiting tickets of a centre ($1, $2 the day), as the call rule reads them.
pub(crate) const WAITING_SQL: &str = "
    SELECT id, queue_prefix AS queue, arrived_at, priority_reason IS NOT NULL AS priority, for_window
    FROM tickets WHERE centre_code = $1 AND state = 'waiting' AND day = $2";

impl TicketRow {
    /// A ticket row read directly from SQLite (`sqlite_queue`), columns in `TICKET_COLUMNS` order.
    pub(crate) fn from_sqlite(row: &rusqlite::Row<'_>) -> StoreResult<TicketRow> {
        use crate::sqlite_queue::{parse_json, parse_time};
        let optional_time = |index: usize| -> StoreResult<Option<DateTime<Utc>>> { row.get::<_, Option<String>>(index)?.map(|t| parse_time(&t)).transpose() };
        Ok(TicketRow {
            id: row.get(0)?,
            token: row.get(1)?,
            centre_code: row.get(2)?,
            number: row.get(3)?,
            queue_prefix: row.get(4)?,
            arrived_at: parse_time(&row.get::<_, String>(5)?)?,
            priority_reason: row.get(6)?,
            items: Json(parse_json("ticket items", &row.get::<_, String>(7)?)?),
            phone_cipher: row.get(8)?,
            state_doc: Json(parse_json("ticket state", &row.get::<_, String>(9)?)?),
            called_at: optional_time(10)?,
            started_at: optional_time(11)?,
            finished_at: optional_time(12)?,
            for_window: row.get(13)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    number: String,
    centre_code: String,
    item_code: String,
    item_name: String,
    limit_days: i32,
    applicant_kind: String,
    applicant_name: String,
    applicant_id_cipher: String,
    agent_name: Option<String>,
    agent_id_cipher: Option<String>,
    authorisation: Option<String>,
    ticket_id: Option<i64>,
    phone_cipher: Option<String>,
    query_code_cipher: Option<String>,
    state_doc: Json<serde_json::Value>,
    visits: i32,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    window_number: Option<i32>,
}

impl CaseRow {
    pub(crate) fn into_case(self) -> StoreResult<Case> {
        Ok(Case {
            state: from_json(&format!("case {} state", self.number), self.state_doc.0)?,
            id: self.id,
            number: self.number,
            centre_code: self.centre_code,
            item_code: self.item_code,
            item_name: self.item_name,
            limit_days: self.limit_days.max(0) as u32,
            applicant_kind: self.applicant_kind,
            applicant_name: self.applicant_name,
            applicant_id_cipher: self.applicant_id_cipher,
            agent_name: self.agent_name,
            agent_id_cipher: self.agent_id_cipher,
            authorisation: self.authorisation,
            ticket_id: self.ticket_id,
            phone_cipher: self.phone_cipher,
            query_code_cipher: self.query_code_cipher,
            visits: self.visits.max(0) as u32,
            created_by: self.created_by,
            window: self.window_number,
            created_at: self.created_at,
        })
    }
}

pub(crate) const CASE_COLUMNS: &str = "id, number, centre_code, item_code, item_name, limit_days, applicant_kind, applicant_name, applicant_id_cipher, agent_name, agent_id_cipher, authorisation, ticket_id, phone_cipher, query_code_cipher, state_doc, visits, created_by, created_at, window_number";

#[derive(sqlx::FromRow)]
pub(crate) struct CaseEventRow {
    pub(crate) case_id: i64,
    pub(crate) at: DateTime<Utc>,
    pub(crate) day: chrono::NaiveDate,
    pub(crate) actor: String,
    pub(crate) event: Json<serde_json::Value>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseHistoryRow {
    pub(crate) at: DateTime<Utc>,
    pub(crate) day: chrono::NaiveDate,
    pub(crate) actor: String,
    pub(crate) event: Json<serde_json::Value>,
}

/// Inquiries with their owner's name.
pub(crate) const INQUIRY_SQL: &str = "
    SELECT i.id, i.centre_code, i.channel, i.subject, i.asker, i.owner_id, s.name AS owner_name, i.first_owner_id,
           i.answer, i.created_at, i.handled_at
    FROM inquiries i JOIN staff s ON s.id = i.owner_id";
