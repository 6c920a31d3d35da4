//! A staff member's own password: changed with the current one, at least 12 characters and not a common one, not the
//! same again; the other sessions of the account end. An account signed in with a one-time
//! password is sent here before anything else.

use crate::shared::auth::{hash_password, password_is, session_hash, Visitor};
use crate::shared::error::AppError;
use crate::shared::texts::text;
use crate::shared::AppState;
use banshi_domain::Problem;
use banshi_storage::{Actor, Staff};

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 12)]
    pub new_password: String,
}

pub async fn change_password(state: &AppState, visitor: &Visitor, change: &PasswordChange) -> Result<Staff, AppError> {
    let staff = visitor.require_staff()?;
    let mut problems = Vec::new();
    if !password_is(state, &staff.username, &change.current_password).await? {
        problems.push(Problem { path: "current_password".into(), message: text("account_current_wrong").to_string() });
    }
    if let Some(weak) = crate::shared::auth::password_problem(&change.new_password, &staff.username, "account_new_short") {
        problems.push(Problem { path: "new_password".into(), message: weak });
    } else if change.new_password == change.current_password {
        problems.push(Problem { path: "new_password".into(), message: text("account_new_same").to_string() });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let password = change.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let changed = state.store.set_password(&Actor::staff(staff), staff.id, &hash, false, session_hash(visitor)).await?;
    state.cache.forget_sessions_of(staff.id);
    Ok(changed)
}
