//! banshi's storage: one [`Store`] trait, implemented for SQLite (the embedded default) and for
//! PostgreSQL (a city or a province, several instances on one database). Each implementation has
//! its own migrations, embedded in the binary and applied on connect. Queries are checked at run
//! time, and every test of this crate runs on both databases.
//!
//! Every write takes the [`Actor`] who makes it and appends to the audit log in the same
//! transaction, so there is no write without its audit entry.

mod aftercare;
mod audit_chain;
mod hall;
mod postgres;
mod postgres_queue;
mod queue_rules;
mod records;
mod rows;
mod sql_aftercare;
mod sql_hall;
mod sql_store;
mod sqlite;
mod sqlite_direct;
mod sqlite_queue;
mod wal_sync;
#[cfg(feature = "testing")]
pub mod testing;

pub use aftercare::*;
pub use audit_chain::{BreakKind, ChainBreak, ChainReport};
pub use hall::*;
pub use postgres::PostgresStore;
pub use records::*;
pub use sqlite::{backup_sqlite, restore_sqlite, SqliteStore};

use async_trait::async_trait;
use banshi_domain::queue::{QueuePolicy, TicketEvent};
use banshi_domain::{Catalog, Item};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

impl StoreError {
    /// A case event its state or the law does not allow, in the hall's words (the domain names
    /// states and actions in Chinese).
    pub fn case_refused(number: &str, err: &banshi_domain::case::CaseError) -> Self {
        use banshi_domain::case::CaseError;
        match err {
            CaseError::NotNow { state, action } => StoreError::Rule { key: "case_not_now", values: vec![("number", number.to_string()), ("state", state.to_string()), ("action", action.to_string())] },
            CaseError::Missing { action, what } => StoreError::Rule { key: "case_missing", values: vec![("number", number.to_string()), ("action", action.to_string()), ("what", what.to_string())] },
        }
    }

    /// A bad rating's step its state does not allow, in the hall's words.
    pub fn rating_refused(err: &banshi_domain::rating::BadRatingError) -> Self {
        use banshi_domain::rating::BadRatingError;
        match err {
            BadRatingError::NotNow { state, action } => StoreError::Rule { key: "rating_not_now", values: vec![("state", state.to_string()), ("action", action.to_string())] },
            BadRatingError::Missing { action, what } => StoreError::Rule { key: "rating_missing", values: vec![("action", action.to_string()), ("what", what.to_string())] },
            BadRatingError::RealNameNotCalledBack => StoreError::Rule { key: "rating_call_back_first", values: vec![] },
            BadRatingError::AppealedBefore => StoreError::Rule { key: "rating_appealed_before", values: vec![] },
        }
    }

    /// A complaint's or suggestion's step out of order, in the hall's words.
    pub fn feedback_refused(err: &banshi_domain::complaint::FeedbackError) -> Self {
        use banshi_domain::complaint::FeedbackError;
        match err {
            FeedbackError::OutOfOrder { from, expected, asked } => StoreError::Rule { key: "feedback_out_of_order", values: vec![("from", from.to_string()), ("expected", expected.to_string()), ("asked", asked.to_string())] },
            FeedbackError::Archived => StoreError::Rule { key: "feedback_archived", values: vec![] },
            FeedbackError::NoNote(stage) => StoreError::Rule { key: "feedback_needs_note", values: vec![("stage", stage.to_string())] },
        }
    }
}

/// The algorithms an installation seals personal data and hashes its audit chain with: chosen at
/// installation and kept in the database with the data key's fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CryptoSuite {
    /// AES-256-GCM, SHA-256, HMAC-SHA-256.
    #[default]
    Standard,
    /// The national algorithms (国密) for 密评 (GB/T 39786): SM4-GCM, SM3, HMAC-SM3.
    National,
}

impl CryptoSuite {
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoSuite::Standard => "standard",
            CryptoSuite::National => "national",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "standard" => Some(CryptoSuite::Standard),
            "national" => Some(CryptoSuite::National),
            _ => None,
        }
    }

    /// The algorithms by name, for the operator.
    pub fn algorithms(self) -> &'static str {
        match self {
            CryptoSuite::Standard => "AES-256-GCM, SHA-256, HMAC-SHA-256",
            CryptoSuite::National => "SM4-GCM, SM3, HMAC-SM3",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// There is no `what` (a text key naming the kind of thing: `thing_window` → 窗口) `id`.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// An error from SQLite on the queue's direct path (see `sqlite_queue`).
    #[error("database error: {0}")]
    Direct(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// A rule of the hall refused the write; `key` names the text that says why, with its values
    /// (a value that is itself a text's key shows as that text).
    #[error("refused: {key} {values:?}")]
    Rule { key: &'static str, values: Vec<(&'static str, String)> },
    /// The queue's tickets for the day are all taken (限号).
    #[error("the queue's {0} tickets for today are all taken")]
    QuotaReached(u32),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The storage interface the web layer and the command line use.
#[async_trait]
pub trait Store: AftercareStore + HallStore + Send + Sync {
    /// `sqlite` or `postgres`, for logs and test names.
    fn backend(&self) -> &'static str;

    // Centre and windows.
    async fn save_centre(&self, actor: &Actor, centre: &Centre) -> StoreResult<()>;
    async fn centre(&self, code: &str) -> StoreResult<Option<Centre>>;
    /// The first centre, for a single-hall installation.
    async fn default_centre(&self) -> StoreResult<Option<Centre>>;
    /// Every centre, by code.
    async fn centres(&self) -> StoreResult<Vec<Centre>>;
    async fn save_window(&self, actor: &Actor, window: &Window) -> StoreResult<()>;
    async fn windows(&self, centre_code: &str) -> StoreResult<Vec<Window>>;

    // Staff and sessions.
    async fn create_staff(&self, actor: &Actor, staff: &NewStaff) -> StoreResult<Staff>;
    async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffLogin>>;
    /// A centre's staff accounts, or (with none) every centre's.
    async fn list_staff(&self, centre_code: Option<&str>) -> StoreResult<Vec<Staff>>;
    async fn staff_member(&self, id: i64) -> StoreResult<Option<Staff>>;
    /// Changes name, badge, role or centre; a new role or centre ends the account's sessions and
    /// signs it out of its window.
    async fn update_staff(&self, actor: &Actor, id: i64, change: &StaffChange) -> StoreResult<Staff>;
    /// Enables or disables an account; disabling ends its sessions at once and signs it out of its
    /// window.
    async fn set_staff_active(&self, actor: &Actor, id: i64, active: bool) -> StoreResult<Staff>;
    /// A new password (a reset's is one-time: `must_change`); every session but `keep_session`
    /// ends, and any lock after failed sign-ins is lifted.
    async fn set_password(&self, actor: &Actor, id: i64, password_hash: &str, must_change: bool, keep_session: Option<&str>) -> StoreResult<Staff>;
    /// Counts a failed sign-in (locking the account for `lock_for` after `lock_after` in a row,
    /// on every instance alike), or clears the count after a success.
    async fn record_sign_in(&self, staff_id: i64, succeeded: bool, now: DateTime<Utc>, lock_after: u32, lock_for: chrono::Duration) -> StoreResult<()>;
    /// Lifts a lock after failed sign-ins.
    async fn unlock_staff(&self, actor: &Actor, id: i64) -> StoreResult<Staff>;
    /// Stores a session; signing in is audited with it.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The unexpired session with this token hash and its (active) staff member.
    /// Enrols a TOTP second factor (or replaces one): the sealed secret, the time step its first
    /// code used (no code of that step or before is taken again), and the hashes of fresh recovery
    /// codes, which replace any earlier ones. Other sessions of the account end.
    async fn enrol_second_factor(&self, actor: &Actor, staff_id: i64, enrolment: &SecondFactorEnrolment<'_>) -> StoreResult<Staff>;
    /// Takes a TOTP time step as used if it is later than any used before; false when it is not
    /// (the code was replayed), on every instance alike.
    async fn use_totp_step(&self, staff_id: i64, step: i64) -> StoreResult<bool>;
    /// Uses up one of the account's recovery codes, audited; false when it is none of them.
    async fn use_recovery_code(&self, staff_id: i64, code_hash: &str) -> StoreResult<bool>;
    /// How many recovery codes the account has left.
    async fn recovery_codes_left(&self, staff_id: i64) -> StoreResult<u32>;
    /// Removes an account's second factor (its phone is lost), ending its sessions: it enrols
    /// again at its next sign-in.
    async fn remove_second_factor(&self, actor: &Actor, staff_id: i64) -> StoreResult<Staff>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<(Session, Staff)>>;
    /// A refused sign-in in the audit log: the name tried, the account's id and centre when it is
    /// one, where it came from.
    async fn audit_refused_sign_in(&self, username: &str, staff: Option<(i64, &str)>, source: &serde_json::Value) -> StoreResult<()>;
    /// An account's live sessions, newest first.
    async fn sessions_of(&self, staff_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<SessionInfo>>;
    /// Ends one of an account's sessions by its short id; false when it has none such.
    async fn end_session(&self, actor: &Actor, staff_id: i64, session_id: &str) -> StoreResult<bool>;
    /// Moves a session's idle end on: it was just used.
    async fn keep_session_alive(&self, token_hash: &str, idle_until: DateTime<Utc>) -> StoreResult<()>;
    /// Removes the sessions that have ended, by their absolute or their idle end.
    async fn purge_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    async fn delete_session(&self, actor: &Actor, token_hash: &str) -> StoreResult<()>;

    // The catalogue.
    /// Replaces the whole catalogue in one transaction; the caller has validated it.
    async fn replace_catalog(&self, actor: &Actor, catalog: &Catalog) -> StoreResult<()>;
    /// The shared base list (事项基本目录).
    async fn catalog(&self) -> StoreResult<Catalog>;
    async fn item(&self, code: &str) -> StoreResult<Option<Item>>;
    /// A centre's implementation list (实施清单): the base items it offers, in its order, with its
    /// own facts; empty while it offers the whole base list.
    async fn local_items(&self, centre_code: &str) -> StoreResult<Vec<banshi_domain::LocalItem>>;
    /// Replaces a centre's list; the caller has checked it against the base list.
    async fn save_local_items(&self, actor: &Actor, centre_code: &str, items: &[banshi_domain::LocalItem]) -> StoreResult<()>;

    // One-time notices.
    /// Numbers and stores a notice; the number is unique per centre and day under concurrency.
    async fn issue_notice(&self, actor: &Actor, notice: &NewNotice) -> StoreResult<Notice>;
    async fn notice(&self, number: &str) -> StoreResult<Option<Notice>>;
    /// The notices issued for a visit, oldest first.
    async fn notices_for_ticket(&self, ticket_id: i64) -> StoreResult<Vec<Notice>>;
    async fn notice_counts(&self, centre_code: &str) -> StoreResult<Vec<NoticeCount>>;

    // The progress query.
    /// The latest time until which the progress query waits for any of `keys` (an address, a
    /// case), if one lies after `now`; the counts are in the database, for every instance alike.
    async fn progress_wait(&self, keys: &[String], now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>>;
    /// Counts a failed progress query for `key`; the next may come `wait_seconds(failures)` later.
    async fn progress_failed(&self, key: &str, now: DateTime<Utc>, wait_seconds: fn(u32) -> u64) -> StoreResult<()>;
    /// Forgets `key`'s failures after a query that succeeded.
    async fn progress_succeeded(&self, key: &str) -> StoreResult<()>;
    /// Removes the counts of keys neither tried nor waiting since `before`, and one-time codes
    /// that expired before then.
    async fn purge_progress_attempts(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Keeps a one-time code of the progress query for a case (its keyed hash, in place of any
    /// before) and queues its message to the case's mobile number, in one transaction; the audit
    /// records that a code was sent, never the code. False, and nothing kept, for a case without
    /// a mobile number.
    async fn send_progress_phone_code(&self, case_id: i64, code_hash: &str, expires_at: DateTime<Utc>, message: &CaseMessage) -> StoreResult<bool>;
    /// Uses a case's one-time code: true, and it is gone, if `code_hash` is its code and it has not
    /// expired by `now`.
    async fn use_progress_phone_code(&self, case_id: i64, code_hash: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Makes the device with this token's hash the rating pad of a window, in place of any before.
    async fn set_up_pad(&self, actor: &Actor, centre_code: &str, window: i32, token_hash: &str) -> StoreResult<()>;
    /// The centre and window of the pad with this token's hash.
    async fn pad_of(&self, token_hash: &str) -> StoreResult<Option<(String, i32)>>;
    /// A centre's windows that have a pad.
    async fn pads(&self, centre_code: &str) -> StoreResult<Vec<i32>>;
    /// Retires a window's pad; false when it had none.
    async fn remove_pad(&self, actor: &Actor, centre_code: &str, window: i32) -> StoreResult<bool>;
    /// Records a read in the audit log: unmasked personal data shown, an export.
    async fn audit_access(&self, actor: &Actor, access: &Access<'_>) -> StoreResult<()>;
    /// Walks the whole audit log and reports the first entry where its hash chain breaks.
    async fn verify_audit_chain(&self) -> StoreResult<ChainReport>;
    async fn audit_log(&self, centre_code: Option<&str>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        self.audit_search(&AuditFilter { centre_code: centre_code.map(str::to_string), limit, ..AuditFilter::default() }).await
    }
    /// The entries the filter names, newest first, a page of `limit` at a time.
    async fn audit_search(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;

    // The ticket queue. Ticket changes are recorded as ticket events (actor, time, event), which
    // are the audit trail of the queue; the other queue writes go to the audit log.
    async fn save_queue(&self, actor: &Actor, queue: &Queue) -> StoreResult<()>;
    async fn queues(&self, centre_code: &str) -> StoreResult<Vec<Queue>>;
    async fn save_window_skills(&self, actor: &Actor, skills: &WindowSkills) -> StoreResult<()>;
    async fn windows_live(&self, centre_code: &str) -> StoreResult<Vec<WindowLive>>;
    /// Opens, pauses or closes a window for the staff member acting (signed in while open or
    /// paused, nobody once closed). Refused when someone else is signed in there, when the actor is
    /// signed in at another window, or when closing a window that still holds a ticket.
    async fn set_window_status(&self, actor: &Actor, centre_code: &str, number: i32, status: WindowStatus, reason: Option<&str>) -> StoreResult<WindowLive>;
    /// The duty leader closes a window whose officer has gone: a called ticket goes back to its
    /// queue, one being served or parked waits again in its queue with its arrival time.
    async fn close_window_for(&self, actor: &Actor, centre_code: &str, number: i32, reason: &str, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<(WindowLive, Vec<Ticket>)>;
    /// Issues a ticket numbered per queue per day; committed before it returns.
    async fn take_ticket(&self, ticket: &NewTicket) -> StoreResult<Ticket>;
    async fn ticket(&self, id: i64) -> StoreResult<Option<Ticket>>;
    /// The ticket a public page's token names.
    async fn ticket_by_token(&self, token: &str) -> StoreResult<Option<Ticket>>;
    /// Today's waiting tickets and every ticket held at a window (called, serving, parked) whatever
    /// its day, oldest first.
    async fn active_tickets(&self, centre_code: &str) -> StoreResult<Vec<Ticket>>;
    /// Today's waiting tickets (of one queue when named), with just what the call rule reads.
    async fn waiting_tickets(&self, centre_code: &str, queue: Option<&str>) -> StoreResult<Vec<WaitingTicket>>;
    /// Every ticket's queue and arrival from `from` on (the days of the centre's local calendar),
    /// oldest first: the history the arrivals forecast learns from.
    async fn arrivals(&self, centre_code: &str, from: chrono::NaiveDate) -> StoreResult<Vec<(String, DateTime<Utc>)>>;
    /// Calls the next ticket for a window by the domain's call rule, atomically: two windows,
    /// on one instance or several, never get the same ticket. The actor must be signed in at the
    /// open window, with nobody called or served there.
    async fn call_next(&self, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>>;
    /// Applies an event to a ticket from a window if its state allows it (see
    /// `banshi_domain::queue::apply`) and the ticket is that window's to act on: held there, or
    /// waiting in one of its queues. All checks run under the centre's lock.
    async fn update_ticket(&self, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket>;
    /// The latest calls and recalls of a centre, newest first.
    async fn recent_calls(&self, centre_code: &str, limit: i64) -> StoreResult<Vec<Call>>;
    /// A ticket's history, oldest first: when, and the event as recorded (`{"event": "called",
    /// "window": 3, …}`; the first is `issued`).
    async fn ticket_history(&self, ticket_id: i64) -> StoreResult<Vec<(DateTime<Utc>, serde_json::Value)>>;
    /// The mean minutes from start to finish of a queue's last 20 finished tickets, once there
    /// are 10: a few test visits (a minute each) are no measure of the hall's service.
    async fn mean_service_minutes(&self, centre_code: &str, queue: &str) -> StoreResult<Option<f64>>;
    /// Whether any waiting ticket of the centre has a phone and has not been messaged yet: the
    /// "almost your turn" check runs only then.
    async fn has_unnotified_phones(&self, centre_code: &str) -> StoreResult<bool>;
    /// The sealed phone number a ticket holder left, if any.
    async fn ticket_phone(&self, ticket_id: i64) -> StoreResult<Option<String>>;
    /// Records a message to send (SMS or WeChat) and marks the ticket as notified; a ticket
    /// already notified gets no second message.
    async fn enqueue_notification(&self, ticket_id: i64, kind: &str, recipient_cipher: &str, message: &str) -> StoreResult<()>;
    /// Messages not yet sent, oldest first.
    async fn pending_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>>;

    // Cases (办件). Their events are the cases' audit trail, like the tickets'.
    /// Opens a case in state 申办, numbered per centre and day (`SF01-20261124-0001`).
    async fn create_case(&self, actor: &Actor, case: &NewCase) -> StoreResult<Case>;
    /// Gives a case a new query code (sealed), in place of any before: a lost receipt, a code
    /// seen by others, a case older than query codes. Audited without the code.
    async fn replace_query_code(&self, actor: &Actor, number: &str, query_code_cipher: &str) -> StoreResult<()>;
    async fn case(&self, number: &str) -> StoreResult<Option<Case>>;
    /// The case's events, oldest first.
    async fn case_history(&self, case_id: i64) -> StoreResult<Vec<CaseHistoryEntry>>;
    /// Applies an event if the case's state allows it (`banshi_domain::case::apply`), under the
    /// centre's lock; `day` is the working-calendar day it counts on. `message`, when the case has
    /// the applicant's mobile number, goes to the outbox in the same transaction.
    async fn apply_case_event(&self, actor: &Actor, number: &str, event: &banshi_domain::case::CaseEvent, at: DateTime<Utc>, day: chrono::NaiveDate, message: Option<&CaseMessage>) -> StoreResult<Case>;
    /// Counts another visit to the hall for the case (到现场次数).
    async fn record_visit(&self, actor: &Actor, number: &str) -> StoreResult<Case>;
    /// The centre's cases not yet final, oldest first, each with its history (two reads for the
    /// whole board, not one per case).
    async fn open_cases(&self, centre_code: &str) -> StoreResult<Vec<(Case, Vec<CaseHistoryEntry>)>>;
    /// The centre's cases decided (办结) or handed over, for the trip figures.
    async fn finished_cases(&self, centre_code: &str) -> StoreResult<Vec<Case>>;

    // Inquiries and first-inquiry responsibility (首问负责制).
    /// Records an inquiry owned by the staff member recording it.
    async fn create_inquiry(&self, actor: &Actor, inquiry: &NewInquiry) -> StoreResult<Inquiry>;
    async fn inquiry(&self, id: i64) -> StoreResult<Option<Inquiry>>;
    /// Inquiries not yet handled that a staff member owns or was first asked (首问负责: they answer
    /// for it until it is handled, though a colleague now holds it), oldest first.
    async fn open_inquiries(&self, staff_id: i64) -> StoreResult<Vec<Inquiry>>;
    async fn inquiry_handovers(&self, id: i64) -> StoreResult<Vec<Handover>>;
    /// Hands an open inquiry from its owner (the actor) to a named active colleague of the centre.
    async fn hand_over_inquiry(&self, actor: &Actor, id: i64, to_staff_id: i64, reason: &str, at: DateTime<Utc>) -> StoreResult<Inquiry>;
    /// Its owner (the actor) records the answer; the inquiry is handled.
    async fn handle_inquiry(&self, actor: &Actor, id: i64, answer: &str, at: DateTime<Utc>) -> StoreResult<Inquiry>;

    // The working-day calendar beyond the built-in schedules.
    /// The holiday schedules admins loaded, by year.
    async fn calendar_years(&self) -> StoreResult<Vec<banshi_domain::calendar::HolidaySchedule>>;
    /// Loads (or replaces) a year's holiday schedule; the caller has checked it.
    async fn save_calendar_year(&self, actor: &Actor, schedule: &banshi_domain::calendar::HolidaySchedule) -> StoreResult<()>;
    /// The days a centre set itself, by date.
    async fn centre_days(&self, centre_code: &str) -> StoreResult<Vec<banshi_domain::calendar::LocalDay>>;
    /// Sets (or replaces) a centre's own day: a closure or an extended-service day.
    async fn save_centre_day(&self, actor: &Actor, centre_code: &str, day: &banshi_domain::calendar::LocalDay) -> StoreResult<()>;
    /// Removes a centre's own day; the day is as the national calendar has it again.
    async fn remove_centre_day(&self, actor: &Actor, centre_code: &str, date: chrono::NaiveDate) -> StoreResult<()>;

    // The installation itself.
    /// Ready to serve: the database answers and every migration of this build is applied.
    async fn ready(&self) -> StoreResult<()>;
    /// The algorithms this installation seals and hashes with, chosen when it was set up; `None`
    /// for a database set up before the choice (its data is sealed with the standard ones).
    async fn crypto_suite(&self) -> StoreResult<Option<CryptoSuite>>;
    /// Sets the installation's algorithms up, if nothing is kept yet: `suite` on a database with
    /// no audit entry and nothing sealed, the standard ones on one set up before the choice.
    /// The algorithms kept, which may not be `suite`.
    async fn choose_crypto_suite(&self, suite: CryptoSuite) -> StoreResult<CryptoSuite>;
    /// The fingerprint of the data key this database's sealed values are sealed with, once
    /// recorded.
    async fn data_key_fingerprint(&self) -> StoreResult<Option<String>>;
    /// Records the data key's fingerprint and the algorithms, at the installation's first start;
    /// later starts keep what was recorded.
    async fn record_data_key_fingerprint(&self, fingerprint: &str, suite: CryptoSuite) -> StoreResult<()>;
    /// Any one sealed value, to check a key against a database that has no fingerprint yet.
    async fn a_sealed_value(&self) -> StoreResult<Option<String>>;
    /// Re-seals every sealed value with `reseal` (open with the old key, seal with the new) and
    /// records the new key's fingerprint, in one transaction: all or nothing. The number re-sealed.
    async fn reseal_all(&self, actor: &Actor, reseal: &(dyn for<'a> Fn(&'a str) -> Result<String, String> + Send + Sync), new_fingerprint: &str) -> StoreResult<u64>;
    /// Messages in the outbox not yet sent.
    async fn outbox_backlog(&self) -> StoreResult<i64>;

    // Live events for boards and consoles (a JSON text each).
    /// Tells every instance sharing this database: over PostgreSQL's NOTIFY, or within this
    /// process for SQLite, which one process owns.
    async fn publish(&self, event: &str) -> StoreResult<()>;
    /// Events published by any instance, this one included.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<String>;
}

/// Every column that holds a sealed value (personal data under the data key), by table.
pub(crate) const SEALED_COLUMNS: [(&str, &str); 8] = [
    ("tickets", "phone_cipher"),
    ("outbox", "recipient_cipher"),
    ("cases", "applicant_id_cipher"),
    ("cases", "agent_id_cipher"),
    ("cases", "phone_cipher"),
    ("ratings", "contact_cipher"),
    ("feedback", "contact_cipher"),
    ("residents", "phone_cipher"),
];

/// Events a slow subscriber may fall behind by before it misses some (it then reloads its view).
pub(crate) const EVENT_BUFFER: usize = 1024;

/// Where the data lives when no URL is given: an SQLite file under ./data.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/banshi.db";

/// Finished visits a queue needs before its own mean service time is used (`mean_service_minutes`).
pub const SERVICE_SAMPLE_LEAST: usize = 10;

/// Opens the database a URL names and brings its schema up to date: `postgres://…` (or
/// `postgresql://…`) for PostgreSQL, `sqlite://PATH` or a bare path for an SQLite file, which is
/// created with its folder when missing.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Ok(Arc::new(SqliteStore::open(Path::new(path)).await?))
    }
}

/// Maps a database error to a clear refusal where the data's own rules were broken: `what` is the
/// text key naming the kind of thing written (`thing_window`), `id` which one (may be empty).
pub(crate) fn conflict_or(err: sqlx::Error, what: &'static str, id: impl Into<String>) -> StoreError {
    let values = || vec![("what", what.to_string()), ("id", id.into())];
    match err.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Rule { key: "store_exists_already", values: values() },
        Some(db) if db.is_foreign_key_violation() => StoreError::Rule { key: "store_refers_to_nothing", values: values() },
        Some(db) if db.is_check_violation() => {
            tracing::warn!(what, detail = db.message(), "a write broke a rule of the data");
            StoreError::Rule { key: "store_breaks_a_rule", values: values() }
        }
        _ => StoreError::Database(err),
    }
}

/// A name or code as it stands in a refusal's text: “limin”.
pub(crate) fn quoted(name: &str) -> String {
    format!("“{name}”")
}

/// There is no `what` (a text key: `thing_case`) `id`.
pub(crate) fn not_found(what: &'static str, id: impl ToString) -> StoreError {
    StoreError::NotFound { what, id: id.to_string() }
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, value: serde_json::Value) -> StoreResult<T> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("domain records always serialise")
}
