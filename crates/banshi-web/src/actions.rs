//! The writes the pages and the API share: each checks its input completely before it touches the
//! store, so bad input changes nothing, and the store makes each write one audited transaction.

use crate::error::AppError;
use crate::AppState;
use banshi_domain::{assess, parse_catalog, Answers, Problem, Role};
use banshi_storage::{Actor, NewNotice, NewStaff, Notice, Staff};
use std::collections::BTreeSet;

/// Assesses the applicant's materials and, when anything is missing, issues a numbered notice.
pub async fn issue_notice(
    state: &AppState,
    officer: &Staff,
    item_code: &str,
    answers: &Answers,
    present: &BTreeSet<String>,
    applicant_name: Option<&str>,
) -> Result<Notice, AppError> {
    let item = state.store.item(item_code).await?.ok_or_else(|| AppError::invalid("item", format!("no item \"{item_code}\" in the catalogue")))?;
    let assessment = assess(&item, answers, present).map_err(AppError::Invalid)?;
    if assessment.missing().next().is_none() {
        return Err(AppError::invalid("present", crate::texts::text("notice_nothing_missing")));
    }
    let applicant_name = applicant_name.map(str::trim).filter(|n| !n.is_empty());
    if applicant_name.is_some_and(|n| n.chars().count() > 40) {
        return Err(AppError::invalid("applicant_name", "at most 40 characters"));
    }
    let notice = NewNotice {
        centre_code: officer.centre_code.clone(),
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        officer: officer.clone(),
        applicant_name: applicant_name.map(str::to_string),
        assessment,
        issued_at: chrono::Utc::now(),
    };
    Ok(state.store.issue_notice(&Actor::staff(officer), &notice).await?)
}

/// Validates a whole catalogue and, only if it has no problem at all, replaces the stored one.
pub async fn import_catalog(state: &AppState, actor: &Actor, json: &str) -> Result<usize, AppError> {
    let catalog = parse_catalog(json).map_err(AppError::Invalid)?;
    state.store.replace_catalog(actor, &catalog).await?;
    Ok(catalog.items.len())
}

/// A new staff account as a form or API call gives it.
#[derive(Debug, serde::Deserialize)]
pub struct StaffInput {
    pub username: String,
    pub name: String,
    pub badge_number: String,
    pub role: String,
    pub password: String,
}

pub async fn create_staff(state: &AppState, admin: &Staff, input: &StaffInput) -> Result<Staff, AppError> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: &str| problems.push(Problem { path: path.into(), message: message.into() });
    let username = input.username.trim();
    if !(2..=32).contains(&username.len()) || !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        problem("username", "2 to 32 of a-z 0-9 . _ -");
    }
    if !(1..=40).contains(&input.name.trim().chars().count()) {
        problem("name", "1 to 40 characters");
    }
    let badge = input.badge_number.trim();
    if !(1..=20).contains(&badge.len()) || !badge.chars().all(|c| c.is_ascii_alphanumeric()) {
        problem("badge_number", "1 to 20 letters or digits");
    }
    let role = input.role.parse::<Role>();
    if let Err(message) = &role {
        problem("role", message);
    }
    if input.password.chars().count() < 8 {
        problem("password", "at least 8 characters");
    }
    let Ok(role) = role else { return Err(AppError::Invalid(problems)) };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let password = input.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let new = NewStaff {
        username: username.to_string(),
        name: input.name.trim().to_string(),
        badge_number: badge.to_string(),
        role,
        centre_code: admin.centre_code.clone(),
        password_hash,
    };
    Ok(state.store.create_staff(&Actor::staff(admin), &new).await?)
}

/// A mobile number from a form or a request: blank is none; a wrong one is a problem at `path`.
pub(crate) fn mobile(problems: &mut Vec<Problem>, path: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if !banshi_domain::privacy::is_mobile_number(value) {
        problems.push(Problem { path: path.into(), message: "a mobile number has 11 digits starting with 1".into() });
        return None;
    }
    Some(value.to_string())
}
