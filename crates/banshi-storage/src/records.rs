//! The records the store reads and writes, beside the domain's own types.

use banshi_domain::{Assessment, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who makes a write: a signed-in staff member, or the system itself (the command line, the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn system(label: &str) -> Self {
        Actor { staff_id: None, label: label.to_string() }
    }

    pub fn staff(staff: &Staff) -> Self {
        Actor { staff_id: Some(staff.id), label: format!("{} ({})", staff.username, staff.name) }
    }
}

/// A service hall (政务服务中心 or 派出所户籍室).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Centre {
    /// Short code, used in notice numbers: letters and digits.
    pub code: String,
    pub name: String,
    pub address: String,
    pub hours: String,
    pub consult_phone: String,
    pub supervision_phone: String,
    /// The district (区) and city (市) it belongs to, whose managers and auditors read its figures.
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Window {
    pub centre_code: String,
    pub number: i32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub name: String,
    /// 警号 or 工号, shown on every notice (四公开).
    pub badge_number: String,
    pub role: Role,
    pub centre_code: String,
    pub active: bool,
    /// Signed in with a one-time password: it must be changed before anything else.
    pub must_change_password: bool,
    /// Locked after repeated failed sign-ins until then.
    pub locked_until: Option<DateTime<Utc>>,
    /// Enrolled in a TOTP second factor: a sign-in needs its code beside the password.
    #[serde(default)]
    pub second_factor: bool,
    /// An approver's department (科室), or empty: cases routed to it are this account's to decide.
    #[serde(default)]
    pub department: String,
}

/// A staff member with the password hash, for signing in only.
#[derive(Debug, Clone)]
pub struct StaffLogin {
    pub staff: Staff,
    pub password_hash: String,
    /// Failed sign-ins in a row.
    pub failed_sign_ins: u32,
    /// The TOTP secret, sealed by the web layer (the store never sees it open).
    pub totp_secret: Option<String>,
}

/// A change to a staff account: name, badge, role, and the centre it belongs to.
#[derive(Debug, Clone)]
pub struct StaffChange {
    pub name: String,
    pub badge_number: String,
    pub role: Role,
    pub centre_code: String,
    pub department: String,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub name: String,
    pub badge_number: String,
    pub role: Role,
    pub centre_code: String,
    pub password_hash: String,
    /// An approver's department, or empty.
    pub department: String,
}

/// A confirmed TOTP enrolment, as [`crate::Store::enrol_second_factor`] keeps it.
#[derive(Debug, Clone)]
pub struct SecondFactorEnrolment<'a> {
    pub sealed_secret: &'a str,
    pub first_step: i64,
    pub recovery_code_hashes: &'a [String],
    /// The session enrolling, which stays signed in.
    pub keep_session: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie's token: a stolen database does not yield live sessions.
    pub token_hash: String,
    pub staff_id: i64,
    /// The staff member's centre, for the sign-in's audit entry.
    pub centre_code: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// It ends sooner if unused till then; each use moves this on.
    pub idle_until: DateTime<Utc>,
    /// Where the sign-in came from (address, browser), for the audit log.
    pub source: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub staff_id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// Unused till then, it ends.
    pub idle_until: DateTime<Utc>,
}

/// A one-time notice to be numbered and stored.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub centre_code: String,
    pub item_code: String,
    pub item_name: String,
    pub officer: Staff,
    pub applicant_name: Option<String>,
    pub assessment: Assessment,
    pub issued_at: DateTime<Utc>,
    /// The visit it was issued for, when issued at a window for the ticket being served.
    pub ticket_id: Option<i64>,
}

/// A stored one-time notice (一次性告知单), as it was issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    pub number: String,
    pub centre_code: String,
    pub item_code: String,
    pub item_name: String,
    pub officer_id: i64,
    pub officer_name: String,
    pub officer_badge: String,
    pub applicant_name: Option<String>,
    pub assessment: Assessment,
    pub issued_at: DateTime<Utc>,
    /// The ticket of the visit it was issued for, if any.
    #[serde(default)]
    pub ticket_id: Option<i64>,
}

/// How many notices an officer issued for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct NoticeCount {
    pub item_code: String,
    pub item_name: String,
    pub officer_id: i64,
    pub officer_name: String,
    pub officer_badge: String,
    pub notices: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// The centre it concerns; none for the installation's own.
    pub centre_code: Option<String>,
}

/// A live session as its owner and the admin see it: never its token, only a short id of its hash.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The first 16 hexadecimal digits of the token's hash: enough to name it, useless to sign in.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub idle_until: Option<DateTime<Utc>>,
}

/// Which audit entries to read, newest first: every field set narrows them.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The centre's entries only (a centre's readers); none for all (the installation's admin).
    pub centre_code: Option<String>,
    /// Part of the actor's name (`username (姓名)`).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// From this moment on.
    pub from: Option<DateTime<Utc>>,
    /// Before this moment.
    pub until: Option<DateTime<Utc>>,
    /// The page after the one that ended with this entry: entries older than it.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// An audit entry to append.
/// A read the audit log keeps: personal data shown unmasked, a file exported.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    /// The centre whose data was read; none for the installation's whole.
    pub centre: Option<&'a str>,
    /// `show_contact`, `export`.
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// What was read: never the personal data itself.
    pub detail: serde_json::Value,
}

pub(crate) struct AuditWrite<'a> {
    /// The centre it concerns, whose auditors read it; none for the installation's own (the
    /// base catalogue, the calendar's years), which its admin reads, and for a sign-out's (the
    /// actor's centre is taken then).
    pub centre: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A queue (队列) of a centre: a letter prefix for its ticket numbers and the items it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Queue {
    pub centre_code: String,
    /// One or two capital letters, starting every ticket number of the queue (A012).
    pub prefix: String,
    pub name: String,
    pub item_codes: Vec<String>,
    pub position: i32,
}

/// A window's configuration: which queues it takes, most preferred first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSkills {
    pub centre_code: String,
    pub number: i32,
    pub queues: Vec<String>,
    /// A window reserved for the green channel takes priority tickets first.
    pub green_channel: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    Open,
    Paused,
    Closed,
}

impl WindowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowStatus::Open => "open",
            WindowStatus::Paused => "paused",
            WindowStatus::Closed => "closed",
        }
    }
}

/// A window as the hall sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WindowLive {
    pub number: i32,
    pub name: String,
    pub queues: Vec<String>,
    pub green_channel: bool,
    pub status: WindowStatus,
    pub pause_reason: Option<String>,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub staff_badge: Option<String>,
    /// How it picks among its queues.
    pub call_order: banshi_domain::queue::CallOrder,
}

/// A ticket to issue.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub centre_code: String,
    pub queue: String,
    pub priority: Option<banshi_domain::queue::PriorityReason>,
    pub items: Vec<String>,
    /// The visitor's phone, already encrypted, for the "almost your turn" message.
    pub phone_cipher: Option<String>,
    pub arrived_at: DateTime<Utc>,
    /// The random key of the ticket's public pages (status, print), printed as its QR code.
    pub token: String,
    /// Who issued it: the kiosk, or the officer who checked an appointment in at the desk.
    pub issuer: Actor,
    /// The booking an appointment ticket was checked in for, kept in the ticket's history.
    pub booking: Option<String>,
    /// The queue's 限号: the ticket is refused once the day's are all taken, however many kiosks
    /// ask at once.
    pub daily_quota: Option<u32>,
    /// At most so many tickets a day with the visitor's phone, however many kiosks ask at once.
    pub phone_limit: Option<PhoneLimit>,
}

/// The visitor's phone as a lookup key (a keyed hash: the same number gives the same key, and
/// the key gives no number back), and how many tickets a day it may take at the centre.
#[derive(Debug, Clone)]
pub struct PhoneLimit {
    pub key: String,
    pub per_day: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: i64,
    pub token: String,
    pub centre_code: String,
    pub number: String,
    pub queue: String,
    pub arrived_at: DateTime<Utc>,
    pub priority: Option<banshi_domain::queue::PriorityReason>,
    pub items: Vec<String>,
    pub state: banshi_domain::queue::TicketState,
    pub has_phone: bool,
    pub called_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// While waiting: the window it was handed to (转窗), which alone calls it.
    pub for_window: Option<i32>,
}

/// A waiting ticket with just what the call rule reads.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WaitingTicket {
    pub id: i64,
    pub queue: String,
    pub arrived_at: DateTime<Utc>,
    pub priority: bool,
    pub for_window: Option<i32>,
}

impl WaitingTicket {
    pub fn view(&self) -> banshi_domain::queue::Waiting<'_> {
        banshi_domain::queue::Waiting { id: self.id, queue: &self.queue, arrived_at: self.arrived_at, priority: self.priority, for_window: self.for_window }
    }
}

/// Where a ticket action is made from: a window of a centre. The store checks, under the centre's
/// lock, that the actor is the officer signed in there and that the ticket is this window's to act on.
#[derive(Debug, Clone, Copy)]
pub struct AtWindow<'a> {
    pub centre_code: &'a str,
    pub window: i32,
}

/// A call shown on the board: the ticket number, the window, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Call {
    pub ticket_id: i64,
    pub number: String,
    pub window: i32,
    pub at: DateTime<Utc>,
    pub recall: bool,
}

/// A message in the outbox, waiting for an SMS or WeChat sender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub recipient_cipher: String,
    pub message: String,
    pub ticket_id: Option<i64>,
    pub case_id: Option<i64>,
}

/// A case to open (办件).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub centre_code: String,
    pub item_code: String,
    pub item_name: String,
    /// The item's promised limit in working days.
    pub limit_days: u32,
    /// `person` or `enterprise`.
    pub applicant_kind: String,
    pub applicant_name: String,
    /// The applicant's ID number (or an enterprise's credit code), already sealed.
    pub applicant_id_cipher: String,
    pub agent_name: Option<String>,
    pub agent_id_cipher: Option<String>,
    /// The agent's authorisation material (委托书), as received.
    pub authorisation: Option<String>,
    pub ticket_id: Option<i64>,
    /// The applicant's mobile number, sealed, for the case's messages.
    pub phone_cipher: Option<String>,
    /// The window the officer received it at, if signed in at one.
    pub window: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// The random query code (查询码) of the progress query, sealed.
    pub query_code_cipher: Option<String>,
    /// The message telling the applicant the case was received, written with it (`{number}`
    /// stands for the case's number, given as it is stored); kept out of the audit log, as it
    /// holds the query code.
    pub received_message: Option<CaseMessage>,
}

/// A message an event sends the applicant, written to the outbox with the event.
#[derive(Debug, Clone)]
pub struct CaseMessage {
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub number: String,
    pub centre_code: String,
    pub item_code: String,
    pub item_name: String,
    pub limit_days: u32,
    pub applicant_kind: String,
    pub applicant_name: String,
    #[serde(skip)]
    pub applicant_id_cipher: String,
    pub agent_name: Option<String>,
    #[serde(skip)]
    pub agent_id_cipher: Option<String>,
    pub authorisation: Option<String>,
    pub ticket_id: Option<i64>,
    #[serde(skip)]
    pub phone_cipher: Option<String>,
    /// The query code (查询码), sealed; none for a case older than query codes.
    #[serde(skip)]
    pub query_code_cipher: Option<String>,
    pub state: banshi_domain::case::CaseState,
    /// Visits to the hall for this case (到现场次数).
    pub visits: u32,
    /// The officer who opened it.
    pub created_by: Option<i64>,
    /// The window it was received at.
    pub window: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// One event of a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseHistoryEntry {
    pub at: DateTime<Utc>,
    /// The working-calendar day it counts on.
    pub day: chrono::NaiveDate,
    pub actor: String,
    pub event: banshi_domain::case::CaseEvent,
}

/// An inquiry to record: its owner is the staff member who records it (the first asked).
#[derive(Debug, Clone)]
pub struct NewInquiry {
    pub centre_code: String,
    /// `window`, `phone` or `online`.
    pub channel: String,
    pub subject: String,
    /// Who asked, as they gave it (a name, or "来电 138****5678").
    pub asker: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inquiry {
    pub id: i64,
    pub centre_code: String,
    pub channel: String,
    pub subject: String,
    pub asker: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub first_owner_id: i64,
    pub answer: Option<String>,
    pub created_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
}

/// A handover of an inquiry to a named colleague.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Handover {
    pub from_name: String,
    pub to_name: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}
