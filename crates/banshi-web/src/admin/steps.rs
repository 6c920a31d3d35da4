//! The admin's writes the page and the API share: each checks its input completely before it
//! touches the store, so bad input changes nothing.

use crate::shared::auth::hash_password;
use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::{parse_catalog, Problem, Role};
use banshi_storage::{Actor, NewStaff, Staff};

/// Validates a whole catalogue and, only if it has no problem at all, replaces the stored one.
pub async fn import_catalog(state: &AppState, actor: &Actor, json: &str) -> Result<usize, AppError> {
    let catalog = parse_catalog(json).map_err(AppError::Invalid)?;
    state.store.replace_catalog(actor, &catalog).await?;
    Ok(catalog.items.len())
}

/// A new staff account as a form or API call gives it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct StaffInput {
    /// 2 to 32 of a-z 0-9 . _ -
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z0-9._-]+$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// 警号 or 工号: 1 to 20 letters or digits.
    #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9]+$")]
    pub badge_number: String,
    /// `admin`, `manager`, `window_staff`, `approver` or `auditor`.
    #[schema(example = "window_staff")]
    pub role: String,
    #[schema(min_length = 8)]
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
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AppError::Internal(e.to_string()))?;
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
