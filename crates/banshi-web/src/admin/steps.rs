//! The admin's writes the page and the API share: each checks its input completely before it
//! touches the store, so bad input changes nothing.

use crate::shared::auth::{hash_password, random_password};
use crate::shared::error::AppError;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::{check_local_items, parse_catalog, LocalItem, Problem, Role};
use banshi_storage::{Actor, NewStaff, Staff, StaffChange};

/// Validates a whole catalogue and, only if it has no problem at all, replaces the shared base
/// list (事项基本目录).
pub async fn import_catalog(state: &AppState, actor: &Actor, json: &str) -> Result<usize, AppError> {
    let catalog = parse_catalog(json).map_err(|faults| AppError::Invalid(crate::shared::texts::fault_problems(&faults)))?;
    state.store.replace_catalog(actor, &catalog).await?;
    state.cache.forget_catalogs();
    Ok(catalog.items.len())
}

/// Checks a centre's list of items (实施清单) against the base list and, when nothing is wrong,
/// makes it the admin's centre's.
pub async fn save_local_items(state: &AppState, admin: &Staff, items: &[LocalItem]) -> Result<(), AppError> {
    let base = state.store.catalog().await?;
    let faults = check_local_items(&base, items);
    if !faults.is_empty() {
        return Err(AppError::Invalid(faults.iter().map(|f| Problem { path: f.path.clone(), message: fill(f.key, &f.values) }).collect()));
    }
    state.store.save_local_items(&Actor::staff(admin), &admin.centre_code, items).await?;
    state.cache.forget_catalogs();
    Ok(())
}

async fn hashed(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AppError::Internal(e.to_string()))
}

/// Only the installation's admin makes another; a centre's admin gives every other role.
fn may_grant(admin: &Staff, role: Role) -> Result<(), Problem> {
    if role == Role::SystemAdmin && admin.role != Role::SystemAdmin {
        return Err(Problem { path: "role".into(), message: text("staff_role_not_yours").to_string() });
    }
    Ok(())
}

/// A staff account of the admin's own centre; another centre's is not found.
pub async fn account_of_centre(state: &AppState, admin: &Staff, id: i64) -> Result<Staff, AppError> {
    match state.store.staff_member(id).await? {
        Some(staff) if staff.centre_code == admin.centre_code => Ok(staff),
        _ => Err(AppError::not_found("thing_staff", id)),
    }
}

/// A change to an account as a form or API call gives it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffEdit {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9]+$")]
    pub badge_number: String,
    #[schema(example = "window_staff")]
    pub role: String,
    /// The centre it belongs to: another centre's code moves the account there.
    pub centre: String,
    /// An approver's department (科室): cases routed to it are its approvers' to decide; left out,
    /// it stays as it is; empty for none.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub department: Option<String>,
}

/// An approver's department as typed, or what is wrong with it: other roles have none.
fn department_of(role: Option<Role>, department: &str) -> Result<String, Problem> {
    let department = department.trim();
    if department.chars().count() > 40 {
        return Err(Problem { path: "department".into(), message: text("staff_department_long").to_string() });
    }
    if !department.is_empty() && role.is_some_and(|role| role != Role::Approver) {
        return Err(Problem { path: "department".into(), message: text("staff_department_not_approver").to_string() });
    }
    Ok(department.to_string())
}

pub async fn edit_staff(state: &AppState, admin: &Staff, id: i64, edit: &StaffEdit) -> Result<Staff, AppError> {
    let current = account_of_centre(state, admin, id).await?;
    let mut problems = Vec::new();
    let name = edit.name.trim();
    if !(1..=40).contains(&name.chars().count()) {
        problems.push(Problem { path: "name".into(), message: text("staff_name_wrong").to_string() });
    }
    let badge = edit.badge_number.trim();
    if !(1..=20).contains(&badge.len()) || !badge.chars().all(|c| c.is_ascii_alphanumeric()) {
        problems.push(Problem { path: "badge_number".into(), message: text("staff_badge_wrong").to_string() });
    }
    let role = edit.role.parse::<Role>().ok();
    match role {
        None => problems.push(Problem { path: "role".into(), message: text("staff_role_wrong").to_string() }),
        Some(role) if role != current.role => problems.extend(may_grant(admin, role).err()),
        Some(_) => {}
    }
    let centre = edit.centre.trim();
    if state.store.centre(centre).await?.is_none() {
        problems.push(Problem { path: "centre".into(), message: fill("staff_centre_unknown", &[("centre", centre.to_string())]) });
    }
    if current.id == admin.id && (role != Some(current.role) || centre != current.centre_code) {
        problems.push(Problem { path: "role".into(), message: text("staff_not_yourself").to_string() });
    }
    // An account that stops being an approver leaves its department.
    let department = match (&edit.department, role) {
        (Some(typed), _) => department_of(role, typed),
        (None, Some(Role::Approver)) => Ok(current.department.clone()),
        (None, _) => Ok(String::new()),
    };
    let department = department.map_err(|problem| problems.push(problem)).unwrap_or_default();
    let (Some(role), true) = (role, problems.is_empty()) else { return Err(AppError::Invalid(problems)) };
    let change = StaffChange { name: name.to_string(), badge_number: badge.to_string(), role, centre_code: centre.to_string(), department };
    let changed = state.store.update_staff(&Actor::staff(admin), id, &change).await?;
    state.cache.forget_sessions_of(id);
    Ok(changed)
}

/// Disables (its sessions end at once) or enables an account; nobody disables themself.
pub async fn set_active(state: &AppState, admin: &Staff, id: i64, active: bool) -> Result<Staff, AppError> {
    account_of_centre(state, admin, id).await?;
    if id == admin.id && !active {
        return Err(AppError::Conflict(text("staff_not_yourself").to_string()));
    }
    let changed = state.store.set_staff_active(&Actor::staff(admin), id, active).await?;
    state.cache.forget_sessions_of(id);
    Ok(changed)
}

pub async fn unlock(state: &AppState, admin: &Staff, id: i64) -> Result<Staff, AppError> {
    account_of_centre(state, admin, id).await?;
    Ok(state.store.unlock_staff(&Actor::staff(admin), id).await?)
}

/// Removes an account's second factor (its phone is lost): its sessions end, and it enrols again
/// at its next sign-in.
pub async fn remove_second_factor(state: &AppState, admin: &Staff, id: i64) -> Result<Staff, AppError> {
    account_of_centre(state, admin, id).await?;
    let removed = state.store.remove_second_factor(&Actor::staff(admin), id).await?;
    state.cache.forget_sessions_of(id);
    Ok(removed)
}

/// A one-time password for an account, to be changed at its next sign-in; its sessions end.
pub async fn reset_password(state: &AppState, admin: &Staff, id: i64) -> Result<(Staff, String), AppError> {
    account_of_centre(state, admin, id).await?;
    let password = random_password();
    let staff = state.store.set_password(&Actor::staff(admin), id, &hashed(password.clone()).await?, true, None).await?;
    state.cache.forget_sessions_of(id);
    Ok((staff, password))
}

/// A new staff account as a form or API call gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    /// 2 to 32 of a-z 0-9 . _ -
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z0-9._-]+$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// 警号 or 工号: 1 to 20 letters or digits.
    #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9]+$")]
    pub badge_number: String,
    /// `admin`, `manager`, `window_staff`, `approver`, `auditor`, or a district or city role.
    #[schema(example = "window_staff")]
    pub role: String,
    #[schema(min_length = 12)]
    pub password: String,
    /// The centre the account belongs to: the admin's own when left out; another centre's only
    /// for the installation's admin.
    #[serde(default)]
    pub centre: Option<String>,
    /// An approver's department (科室), or empty.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub department: String,
}

pub async fn create_staff(state: &AppState, admin: &Staff, input: &StaffInput) -> Result<Staff, AppError> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: String| problems.push(Problem { path: path.into(), message });
    let username = input.username.trim();
    if !(2..=32).contains(&username.len()) || !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        problem("username", text("staff_username_wrong").to_string());
    } else if state.store.staff_by_username(username).await?.is_some() {
        problem("username", fill("staff_username_taken", &[("username", username.to_string())]));
    }
    let name = input.name.trim();
    if !(1..=40).contains(&name.chars().count()) {
        problem("name", text("staff_name_wrong").to_string());
    }
    let badge = input.badge_number.trim();
    if !(1..=20).contains(&badge.len()) || !badge.chars().all(|c| c.is_ascii_alphanumeric()) {
        problem("badge_number", text("staff_badge_wrong").to_string());
    }
    let role = input.role.parse::<Role>().ok();
    match role {
        None => problem("role", text("staff_role_wrong").to_string()),
        Some(role) => {
            if let Err(refused) = may_grant(admin, role) {
                problem(&refused.path, refused.message);
            }
        }
    }
    let centre = input.centre.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(&admin.centre_code).to_string();
    if centre != admin.centre_code && admin.role != Role::SystemAdmin {
        problem("centre", text("staff_centre_not_yours").to_string());
    } else if state.store.centre(&centre).await?.is_none() {
        problem("centre", fill("staff_centre_unknown", &[("centre", centre.clone())]));
    }
    if let Some(weak) = crate::shared::auth::password_problem(&input.password, username, "staff_password_short") {
        problem("password", weak);
    }
    let department = department_of(role, &input.department).map_err(|wrong| problem(&wrong.path, wrong.message)).unwrap_or_default();
    let (Some(role), true) = (role, problems.is_empty()) else { return Err(AppError::Invalid(problems)) };
    let password_hash = hashed(input.password.clone()).await?;
    let new = NewStaff { username: username.to_string(), name: name.to_string(), badge_number: badge.to_string(), role, centre_code: centre, password_hash, department };
    Ok(state.store.create_staff(&Actor::staff(admin), &new).await?)
}
