//! Issuing a one-time notice (一次性告知单), shared by the officer's form and the API: the
//! applicant's materials are assessed against the item for their situation, and when anything is
//! missing the notice is numbered and stored, with its audit entry, in one transaction.

use crate::shared::error::AppError;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::{assess, Answers};
use banshi_storage::{Actor, NewNotice, Notice, Staff};
use std::collections::BTreeSet;

/// Assesses the applicant's materials and, when anything is missing, issues a numbered notice.
pub async fn issue_notice(
    state: &AppState,
    officer: &Staff,
    item_code: &str,
    answers: &Answers,
    present: &BTreeSet<String>,
    applicant_name: Option<&str>,
    ticket_id: Option<i64>,
) -> Result<Notice, AppError> {
    let item = state.cache.item(state.store.as_ref(), &officer.centre_code, item_code).await?.ok_or_else(|| AppError::invalid("item_code", text("notice_item_unknown")))?;
    let assessment = assess(&item, answers, present).map_err(|faults| AppError::Invalid(crate::shared::texts::fault_problems(&faults)))?;
    if assessment.missing().next().is_none() {
        return Err(AppError::invalid("present", text("notice_nothing_missing")));
    }
    let applicant_name = applicant_name.map(str::trim).filter(|n| !n.is_empty());
    if applicant_name.is_some_and(|n| n.chars().count() > 40) {
        return Err(AppError::invalid("applicant_name", fill("text_at_most", &[("most", "40".to_string())])));
    }
    // The visit it is issued for: a ticket of this centre (the console's button names the one served).
    if let Some(id) = ticket_id {
        if !state.store.ticket(id).await?.is_some_and(|t| t.centre_code == officer.centre_code) {
            return Err(AppError::invalid("ticket_id", text("notice_ticket_unknown")));
        }
    }
    let notice = NewNotice {
        centre_code: officer.centre_code.clone(),
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        officer: officer.clone(),
        applicant_name: applicant_name.map(str::to_string),
        assessment,
        issued_at: chrono::Utc::now(),
        ticket_id,
    };
    Ok(state.store.issue_notice(&Actor::staff(officer), &notice).await?)
}
