//! The steps of an inquiry, shared by the page and the API: record it (the recorder owns it), hand
//! it to a named colleague with the reason, answer it.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::Problem;
use banshi_storage::{Actor, Inquiry, NewInquiry, Staff};
use chrono::Utc;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// `window`, `phone` or `online`.
    #[schema(example = "phone")]
    pub channel: String,
    #[schema(min_length = 1, max_length = 500)]
    pub subject: String,
    /// Who asked, as they gave it.
    #[schema(min_length = 1, max_length = 60)]
    pub asker: String,
}

fn required(problems: &mut Vec<Problem>, path: &str, value: &str, most: usize) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > most {
        problems.push(Problem { path: path.into(), message: crate::shared::texts::fill("text_required_at_most", &[("most", most.to_string())]) });
    }
    // ID and mobile numbers written into the text are masked before it is kept.
    banshi_domain::privacy::mask_personal_numbers(value)
}

pub async fn record(state: &AppState, staff: &Staff, request: &InquiryRequest) -> Result<Inquiry, AppError> {
    let mut problems = Vec::new();
    if !["window", "phone", "online"].contains(&request.channel.as_str()) {
        problems.push(Problem { path: "channel".into(), message: crate::shared::texts::text("inquiry_channel_wrong").into() });
    }
    let subject = required(&mut problems, "subject", &request.subject, 500);
    let asker = required(&mut problems, "asker", &request.asker, 60);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let new = NewInquiry { centre_code: staff.centre_code.clone(), channel: request.channel.clone(), subject, asker, created_at: Utc::now() };
    Ok(state.store.create_inquiry(&Actor::staff(staff), &new).await?)
}

/// An inquiry of the staff member's centre; another centre's is not found.
async fn of_centre(state: &AppState, staff: &Staff, id: i64) -> Result<Inquiry, AppError> {
    match state.store.inquiry(id).await? {
        Some(inquiry) if inquiry.centre_code == staff.centre_code => Ok(inquiry),
        _ => Err(AppError::not_found("thing_inquiry", id)),
    }
}

/// Hands the inquiry to the colleague with this username.
pub async fn hand_over(state: &AppState, staff: &Staff, id: i64, to_username: &str, reason: &str) -> Result<Inquiry, AppError> {
    of_centre(state, staff, id).await?;
    let mut problems = Vec::new();
    let reason = required(&mut problems, "reason", reason, 200);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let colleague = state.store.staff_by_username(to_username.trim()).await?.ok_or_else(|| AppError::invalid("to", crate::shared::texts::fill("inquiry_colleague_unknown", &[("username", to_username.trim().to_string())])))?;
    Ok(state.store.hand_over_inquiry(&Actor::staff(staff), id, colleague.staff.id, &reason, Utc::now()).await?)
}

pub async fn answer(state: &AppState, staff: &Staff, id: i64, answer: &str) -> Result<Inquiry, AppError> {
    of_centre(state, staff, id).await?;
    let mut problems = Vec::new();
    let answer = required(&mut problems, "answer", answer, 2000);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(state.store.handle_inquiry(&Actor::staff(staff), id, &answer, Utc::now()).await?)
}

