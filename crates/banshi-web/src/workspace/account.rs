//! A staff member's own password: changed with the current one, at least 12 characters and not a
//! common one, not the same again; the other sessions of the account end. An account signed in
//! with a one-time password is sent here before anything else. And one's own sessions: listed,
//! each ended at will (a browser left signed in elsewhere).

use crate::shared::auth::{hash_password, password_is, session_hash, Visitor};
use crate::shared::error::AppError;
use crate::shared::texts::text;
use crate::shared::AppState;
use banshi_domain::Problem;
use banshi_storage::{Actor, SessionInfo, Staff};

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

/// One of an account's live sessions, and whether it is the one asking.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub session: SessionInfo,
    pub current: bool,
}

/// The live sessions of `staff_id`, marking the visitor's own.
pub async fn sessions(state: &AppState, visitor: &Visitor, staff_id: i64) -> Result<Vec<SessionView>, AppError> {
    let own = session_hash(visitor).map(|hash| hash[..16].to_string());
    let sessions = state.store.sessions_of(staff_id, chrono::Utc::now()).await?;
    Ok(sessions.into_iter().map(|session| SessionView { current: own.as_deref() == Some(session.id.as_str()), session }).collect())
}

/// Ends one session of `staff_id` (the caller may be its owner or an admin of its centre); at once
/// on this instance, within the session cache's seconds on the others.
pub async fn end_session(state: &AppState, actor: &Staff, staff_id: i64, session_id: &str) -> Result<(), AppError> {
    if !state.store.end_session(&Actor::staff(actor), staff_id, session_id).await? {
        return Err(AppError::not_found("thing_session", session_id));
    }
    state.cache.forget_sessions_of(staff_id);
    Ok(())
}
