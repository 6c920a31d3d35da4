//! What happens after a visit (好差评, 投诉建议, 回访跟踪): ratings and the work item each bad
//! rating opens, complaints and suggestions, residents' facts and the follow-up tasks with their
//! contact log. A part of [`Store`](crate::Store) of its own, so the queue and the cases stay
//! readable; both databases implement it with the same SQL (`sql_aftercare.rs`).

use crate::{Actor, StoreResult};
use async_trait::async_trait;
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use banshi_domain::rating::{BadRatingEvent, BadRatingState, Grade};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a rating is of: a visit (its ticket) or a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rated {
    Ticket(i64),
    Case(i64),
}

/// A rating to store. Who and where it rates (window, officer, item) the store reads off the
/// visit or case itself in the same transaction.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub rated: Rated,
    pub grade: Grade,
    /// `pad` (评价器), `ticket` (the ticket's page, by its QR code), `progress` (the case's
    /// progress page) or `import`.
    pub channel: String,
    /// Reason codes for a bad rating ([`banshi_domain::rating::BAD_REASONS`]).
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    /// Real-name ratings leave a phone to call back, sealed.
    pub contact_cipher: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub day: NaiveDate,
    /// For a bad rating: the dates its item must be verified and fixed by.
    pub verify_by: NaiveDate,
    pub fix_by: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rating {
    pub id: i64,
    pub centre_code: String,
    pub ticket_id: Option<i64>,
    pub case_id: Option<i64>,
    pub grade: Grade,
    pub channel: String,
    pub window: Option<i32>,
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    pub item_code: Option<String>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    pub real_name: bool,
    #[serde(skip)]
    pub contact_cipher: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub day: NaiveDate,
}

/// A bad rating's work item with its rating and history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BadRating {
    pub rating: Rating,
    pub state: BadRatingState,
    pub verify_by: NaiveDate,
    pub fix_by: NaiveDate,
    /// The day it was fixed or explained.
    pub fixed_on: Option<NaiveDate>,
    pub citizen_satisfied: Option<bool>,
    pub history: Vec<BadRatingEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BadRatingEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub event: BadRatingEvent,
}

/// Ratings counted by what the public figures group them by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RatingCount {
    pub item_code: Option<String>,
    pub window_number: Option<i32>,
    /// The national code (1 = 非常满意).
    pub grade: i32,
    /// Struck out by an upheld appeal.
    pub voided: bool,
    pub count: i64,
}

/// A visit finished at a window: what the rating pad offers to rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinishedVisit {
    pub ticket_id: i64,
    pub token: String,
    pub number: String,
    pub window: Option<i32>,
    pub officer_id: Option<i64>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rated: bool,
}

/// A complaint, suggestion, request for help or inquiry to record.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub centre_code: String,
    pub kind: FeedbackKind,
    /// `hall`, `online` or `phone`.
    pub channel: String,
    pub subject: String,
    pub body: String,
    pub person_name: Option<String>,
    pub contact_cipher: Option<String>,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The officer it is about, if it names one: not its owner, whoever records it.
    pub about_staff_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub id: i64,
    pub centre_code: String,
    pub kind: FeedbackKind,
    pub channel: String,
    pub subject: String,
    pub body: String,
    /// Shown masked; never in the JSON.
    #[serde(skip)]
    pub person_name: Option<String>,
    #[serde(skip)]
    pub contact_cipher: Option<String>,
    /// Who answers for it: the first staff member who received it (首问), or who took it from
    /// the online box.
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// The officer it is about, if it names one; kept from that officer.
    #[serde(skip)]
    pub about_staff_id: Option<i64>,
    pub stage: FeedbackStage,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub steps: Vec<FeedbackStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackStep {
    pub stage: banshi_domain::complaint::FeedbackStage,
    pub note: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A resident the hall keeps in touch with, and the facts eligibility rules read.
#[derive(Debug, Clone)]
pub struct NewResident {
    pub centre_code: String,
    pub name: String,
    pub phone_cipher: Option<String>,
    /// Facts by name (birth, sex, work_type, employment, …; docs/eligibility.md).
    pub facts: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resident {
    pub id: i64,
    pub centre_code: String,
    pub name: String,
    #[serde(skip)]
    pub phone_cipher: Option<String>,
    pub facts: serde_json::Map<String, serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}

/// A follow-up task: a callback after a case, or a resident a policy may help.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub centre_code: String,
    /// `callback` or `eligibility`.
    pub kind: String,
    /// What it comes from, unique (`case:<number>`, `policy:<id>:resident:<id>`), so a task is
    /// made once however often the rules run.
    pub source: String,
    pub resident_id: Option<i64>,
    pub case_id: Option<i64>,
    pub title: String,
    pub reason: String,
    pub assignee_id: Option<i64>,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub centre_code: String,
    pub kind: String,
    pub source: String,
    pub resident_id: Option<i64>,
    /// Shown masked; never in the JSON.
    #[serde(skip_serializing)]
    pub resident_name: Option<String>,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    pub title: String,
    pub reason: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One contact with a resident or about a task (电话, 上门, 窗口, 短信).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Contact {
    pub id: i64,
    pub resident_id: Option<i64>,
    pub follow_up_id: Option<i64>,
    pub staff_name: String,
    pub channel: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait AftercareStore: Send + Sync {
    // --- ratings (好差评) ---
    /// Stores a rating of a finished visit or case, and for a bad one opens its work item, in one
    /// transaction. A second rating of the same visit or case is refused (一次一评, 一事一评).
    async fn rate(&self, actor: &Actor, rating: &NewRating) -> StoreResult<Rating>;
    async fn rating_of(&self, rated: Rated) -> StoreResult<Option<Rating>>;
    /// The centre's ratings from `from` on, oldest first (the export).
    async fn ratings(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<Rating>>;
    /// The centre's visits finished on `day`, newest first, with whether each is rated.
    async fn finished_visits(&self, centre_code: &str, day: NaiveDate, limit: i64) -> StoreResult<Vec<FinishedVisit>>;
    /// A finished visit by its ticket's id.
    async fn finished_visit(&self, ticket_id: i64) -> StoreResult<Option<FinishedVisit>>;
    async fn rating_counts(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<RatingCount>>;
    /// The bad-rating ledger (台账): every item rated from `from` on, newest first.
    async fn bad_ratings(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<BadRating>>;
    async fn bad_rating(&self, rating_id: i64) -> StoreResult<Option<BadRating>>;
    /// Applies `event` by [`banshi_domain::rating::apply`] under the centre's lock and appends it.
    async fn act_on_bad_rating(&self, actor: &Actor, rating_id: i64, event: &BadRatingEvent, at: DateTime<Utc>, day: NaiveDate) -> StoreResult<BadRating>;

    // --- complaints and suggestions (投诉/建议) ---
    /// Records it; the actor, when staff, owns it (首问负责).
    async fn create_feedback(&self, actor: &Actor, feedback: &NewFeedback) -> StoreResult<Feedback>;
    async fn feedback(&self, id: i64) -> StoreResult<Option<Feedback>>;
    /// Everything not archived, and what was archived (answered) from `archived_since` on.
    async fn feedback_list(&self, centre_code: &str, archived_since: NaiveDate) -> StoreResult<Vec<Feedback>>;
    /// Takes an unowned item (from the online box) as its owner; with `over_owner`, one another
    /// staff member owns (the manager reassigning it to themself when its owner is away).
    async fn take_feedback(&self, actor: &Actor, id: i64, over_owner: bool) -> StoreResult<Feedback>;
    /// The next step, by [`banshi_domain::complaint::advance`]; only its owner takes it.
    async fn advance_feedback(&self, actor: &Actor, id: i64, to: FeedbackStage, note: &str, at: DateTime<Utc>, day: NaiveDate) -> StoreResult<Feedback>;

    // --- residents, follow-ups, contacts (跟踪回访) ---
    /// Adds a resident (`id` none) or replaces one's name, phone and facts.
    async fn save_resident(&self, actor: &Actor, id: Option<i64>, resident: &NewResident) -> StoreResult<Resident>;
    async fn residents(&self, centre_code: &str) -> StoreResult<Vec<Resident>>;
    /// Makes the task unless its source has one already (then `None`).
    async fn create_follow_up(&self, actor: &Actor, follow_up: &NewFollowUp) -> StoreResult<Option<FollowUp>>;
    async fn follow_up(&self, id: i64) -> StoreResult<Option<FollowUp>>;
    /// Open tasks first by due date, then those done from `done_since` on; one assignee's (with the
    /// unassigned) or all.
    async fn follow_ups(&self, centre_code: &str, assignee_id: Option<i64>, done_since: DateTime<Utc>) -> StoreResult<Vec<FollowUp>>;
    async fn complete_follow_up(&self, actor: &Actor, id: i64, outcome: &str, at: DateTime<Utc>) -> StoreResult<FollowUp>;
    /// Appends to the contact log (append-only).
    async fn record_contact(&self, actor: &Actor, resident_id: Option<i64>, follow_up_id: Option<i64>, channel: &str, note: &str, at: DateTime<Utc>) -> StoreResult<Contact>;
    async fn contacts(&self, resident_id: Option<i64>, follow_up_id: Option<i64>) -> StoreResult<Vec<Contact>>;
    /// The centre's eligibility rules file, if one was loaded (otherwise the built-in one applies).
    async fn eligibility_rules(&self, centre_code: &str) -> StoreResult<Option<String>>;
    async fn save_eligibility_rules(&self, actor: &Actor, centre_code: &str, text: &str) -> StoreResult<()>;
}
