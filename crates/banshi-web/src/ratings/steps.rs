//! The steps of a rating, shared by the pages and the API: giving one (checked whole, then stored
//! with its bad-rating work item in one transaction when it is bad), and moving a bad rating's item
//! along — appeals by the rated officer, everything else by the desk.

use crate::shared::events::{publish, HallEvent};
use crate::shared::applicant::case_for_applicant;
use crate::shared::error::AppError;
use crate::shared::forms::mobile;
use crate::shared::roles::MANAGERS;
use crate::shared::AppState;
use banshi_domain::rating::{BadRatingEvent, Grade, GradeCode, BAD_REASONS};
use banshi_domain::Problem;
use banshi_storage::{Actor, BadRating, NewRating, Rated, Rating, Staff};
use chrono::{Local, Utc};
use serde::Deserialize;

/// A rating as the pages and the API give it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The visit: its ticket's token (on the ticket, its QR code, and the pad).
    #[serde(default)]
    pub ticket: Option<String>,
    /// Or a case: its number and its query code (查询码, on the receipt).
    #[serde(default)]
    pub case: Option<String>,
    #[serde(default)]
    pub query_code: Option<String>,
    /// `very_satisfied`, `satisfied`, `fair`, `dissatisfied` or `very_dissatisfied`; or `code`
    /// with its `scheme` (`national`: 1 = 非常满意; `reverse`: 5 = 非常满意).
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub code: Option<u8>,
    #[serde(default)]
    pub scheme: Option<GradeCode>,
    /// For a bad rating: reason codes (`attitude`, `waiting`, …).
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: Option<String>,
    /// A mobile number to be called back on (实名评价).
    #[serde(default)]
    #[schema(pattern = "^1[0-9]{10}$")]
    pub phone: Option<String>,
}

fn grade_of(request: &RatingRequest, problems: &mut Vec<Problem>) -> Option<Grade> {
    let grade = match (&request.grade, request.code) {
        (Some(name), None) => serde_json::from_value(serde_json::Value::String(name.clone())).ok(),
        (None, Some(code)) => Grade::from_code(code, request.scheme.unwrap_or(GradeCode::National)),
        _ => None,
    };
    if grade.is_none() {
        problems.push(Problem { path: "grade".into(), message: crate::shared::texts::text("rating_grade_wrong").into() });
    }
    grade
}

/// Checks and stores a rating; `channel` is where it was given (`pad`, `ticket`, `progress`), and
/// the window whose pad it was given on, for the audit log.
/// A rating is the citizen's own (一次一评): a browser signed in as staff, the window's own, does
/// not send one. (The pad at the window rates through its own route.)
pub fn refuse_staff_session(visitor: &crate::shared::auth::Visitor) -> Result<(), AppError> {
    match visitor.staff {
        Some(_) => Err(AppError::Duty(crate::shared::texts::text("duty_rating_by_staff").to_string())),
        None => Ok(()),
    }
}

pub async fn submit(state: &AppState, request: &RatingRequest, channel: &str, pad_of_window: Option<i32>, address: Option<&str>) -> Result<Rating, AppError> {
    let mut problems = Vec::new();
    let grade = grade_of(request, &mut problems);
    if grade.is_some_and(|g| !g.is_bad()) && !request.reasons.is_empty() {
        problems.push(Problem { path: "reasons".into(), message: crate::shared::texts::text("rating_reasons_only_bad").into() });
    }
    for reason in &request.reasons {
        if !BAD_REASONS.iter().any(|(code, _)| code == reason) {
            problems.push(Problem { path: "reasons".into(), message: crate::shared::texts::fill("rating_reason_unknown", &[("reason", reason.clone())]) });
        }
    }
    // ID and mobile numbers written into the comment are masked (a call-back phone has its own sealed field).
    let comment = request.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(banshi_domain::privacy::mask_personal_numbers);
    if comment.as_ref().is_some_and(|c| c.chars().count() > 500) {
        problems.push(Problem { path: "comment".into(), message: crate::shared::texts::fill("text_at_most", &[("most", "500".to_string())]) });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    let target = match (&request.ticket, &request.case) {
        (Some(_), None) | (None, Some(_)) => true,
        _ => {
            problems.push(Problem { path: "ticket".into(), message: crate::shared::texts::text("rating_ticket_or_case").into() });
            false
        }
    };
    let (Some(grade), true, true) = (grade, target, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let (rated, centre) = match (&request.ticket, &request.case) {
        (Some(token), _) => {
            let ticket = state.store.ticket_by_token(token.trim()).await?.ok_or_else(|| AppError::not_found("thing_ticket", ""))?;
            (Rated::Ticket(ticket.id), ticket.centre_code)
        }
        (None, Some(number)) => {
            let case = case_for_applicant(state, address, number, crate::shared::applicant::ApplicantProof::QueryCode(request.query_code.as_deref().unwrap_or_default())).await?;
            (Rated::Case(case.id), case.centre_code)
        }
        (None, None) => unreachable!("checked above"),
    };
    let day = Local::now().date_naive();
    let calendar = state.cache.calendar(state.store.as_ref(), &centre).await?;
    let limits = state.settings.bad_rating_limits;
    let new = NewRating {
        rated,
        grade,
        channel: channel.to_string(),
        reasons: request.reasons.clone(),
        comment,
        contact_cipher: phone.map(|p| state.sealer.seal(&p)),
        rated_at: Utc::now(),
        day,
        verify_by: calendar.add_working_days(day, limits.verify_days),
        fix_by: calendar.add_working_days(day, limits.fix_days),
    };
    let label = match pad_of_window {
        Some(window) => format!("citizen (the pad of window {window})"),
        None => format!("citizen ({channel})"),
    };
    let rating = state.store.rate(&Actor::system(&label), &new).await?;
    // A bad rating opens a ledger item: the ledger follows the hall's event stream.
    publish(state, HallEvent::Changed { centre: rating.centre_code.clone() }).await;
    Ok(rating)
}

/// Applies an event to an item: appeals by the rated officer, everything else by the desk.
/// The full number a bad rating left to call back, for the duty leader who calls (not the rated
/// officer): shown only on asking, and the asking is audited.
pub async fn callback_number(state: &AppState, staff: &Staff, rating_id: i64) -> Result<String, AppError> {
    let item = state.store.bad_rating(rating_id).await?.filter(|i| i.rating.centre_code == staff.centre_code);
    let item = item.ok_or_else(|| AppError::not_found("thing_bad_rating", rating_id))?;
    if !MANAGERS.contains(&staff.role) || item.rating.officer_id == Some(staff.id) {
        return Err(AppError::Forbidden);
    }
    let sealed = item.rating.contact_cipher.as_deref().ok_or_else(|| AppError::not_found_saying("ledger_no_contact"))?;
    let phone = state.sealer.open(sealed).map_err(AppError::Internal)?;
    let id = rating_id.to_string();
    let access = banshi_storage::Access { centre: Some(&staff.centre_code), action: "show_contact", entity: "rating", entity_id: &id, detail: serde_json::json!({ "purpose": "callback" }) };
    state.store.audit_access(&Actor::staff(staff), &access).await?;
    Ok(phone)
}

pub async fn act(state: &AppState, staff: &Staff, rating_id: i64, event: &BadRatingEvent) -> Result<BadRating, AppError> {
    let item = state.store.bad_rating(rating_id).await?.filter(|i| i.rating.centre_code == staff.centre_code);
    let item = item.ok_or_else(|| AppError::not_found("thing_bad_rating", rating_id))?;
    // Nobody works or decides an item about themself: a rated manager appeals like any officer.
    let about_me = item.rating.officer_id == Some(staff.id);
    let allowed = match event {
        BadRatingEvent::Appealed { .. } => about_me,
        _ => MANAGERS.contains(&staff.role) && !about_me,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    crate::shared::forms::free_text_problems(&event.free_text())?;
    // ID and mobile numbers typed into the note are masked before it is kept.
    let event = event.clone().with_personal_numbers_masked();
    let item = state.store.act_on_bad_rating(&Actor::staff(staff), rating_id, &event, Utc::now(), Local::now().date_naive()).await?;
    publish(state, HallEvent::Changed { centre: staff.centre_code.clone() }).await;
    Ok(item)
}

