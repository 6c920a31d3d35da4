//! The bad-rating ledger (差评台账): each item with its next deadline and history in the hall's
//! words, what the viewer may see, and the count of overdue items that heads the manager's
//! workspace.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::rating::{self, BadRatingEvent, BAD_REASONS};
use banshi_domain::Role;
use banshi_storage::{BadRating, Staff};
use chrono::{Duration, Local, NaiveDate};
use serde::Serialize;

/// A ledger row: the item, its next deadline, and what the viewer may do.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LedgerRow {
    #[serde(flatten)]
    pub item: BadRating,
    pub state_name: &'static str,
    /// The state as one word, for the page to offer the next steps.
    pub step: &'static str,
    pub grade_name: &'static str,
    /// The history in the hall's words: when, who, what, and its note.
    pub steps: Vec<(String, String, &'static str, String)>,
    pub reasons: Vec<&'static str>,
    pub due: Option<rating::BadRatingDue>,
    pub contact: Option<String>,
}

pub fn ledger_row(state: &AppState, item: BadRating, today: NaiveDate) -> LedgerRow {
    let due = rating::due(item.state, item.verify_by, item.fix_by, today);
    let reasons = item.rating.reasons.iter().filter_map(|r| BAD_REASONS.iter().find(|(code, _)| code == r).map(|(_, name)| *name)).collect();
    let contact = item.rating.contact_cipher.as_deref().and_then(|c| state.sealer.open(c).ok()).map(|p| banshi_domain::privacy::mask_phone(&p));
    let step = match item.state {
        rating::BadRatingState::Open => "open",
        rating::BadRatingState::Verified => "verified",
        rating::BadRatingState::Appealed { .. } => "appealed",
        rating::BadRatingState::Fixed => "fixed",
        rating::BadRatingState::Closed => "closed",
        rating::BadRatingState::Voided => "voided",
    };
    let steps = item
        .history
        .iter()
        .map(|h| {
            let note = match &h.event {
                BadRatingEvent::Verified { note, .. } | BadRatingEvent::Fixed { note } | BadRatingEvent::Explained { note } | BadRatingEvent::AppealDecided { note, .. } | BadRatingEvent::Closed { note, .. } => note.clone(),
                BadRatingEvent::Appealed { reason } => reason.clone(),
            };
            (h.at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(), crate::shared::actors::shown(&h.actor), h.event.name(), note)
        })
        .collect();
    LedgerRow { state_name: item.state.name(), step, grade_name: item.rating.grade.name(), steps, reasons, due, contact, item }
}

/// The items the staff member may see: all of the centre's for the desk, their own for an officer.
async fn visible_items(state: &AppState, staff: &Staff, today: NaiveDate) -> Result<Vec<BadRating>, AppError> {
    let items = state.store.bad_ratings(&staff.centre_code, today - Duration::days(365)).await?;
    Ok(items.into_iter().filter(|item| staff.role != Role::WindowStaff || item.rating.officer_id == Some(staff.id)).collect())
}

/// The ledger: open overdue items first (escalated), then by deadline, then the closed.
pub async fn ledger(state: &AppState, staff: &Staff) -> Result<Vec<LedgerRow>, AppError> {
    let today = Local::now().date_naive();
    let mut rows: Vec<LedgerRow> = visible_items(state, staff, today).await?.into_iter().map(|item| ledger_row(state, item, today)).collect();
    // Open first: the overdue, then by deadline, then those waiting for the citizen's view.
    rows.sort_by_key(|row| (!row.item.state.is_open(), !row.due.is_some_and(|d| d.overdue), row.due.is_none(), row.due.map(|d| d.due)));
    Ok(rows)
}

/// Open items past their step's deadline: escalated to the manager's workspace. Counted off the
/// items themselves (no rows to build, no phone to open).
pub async fn overdue_count(state: &AppState, staff: &Staff) -> Result<usize, AppError> {
    let today = Local::now().date_naive();
    let items = visible_items(state, staff, today).await?;
    Ok(items.iter().filter(|item| rating::due(item.state, item.verify_by, item.fix_by, today).is_some_and(|d| d.overdue)).count())
}

