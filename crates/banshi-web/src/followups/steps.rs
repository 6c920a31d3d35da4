//! The steps of follow-up, shared by the page and the API: callback tasks after cases, residents
//! and their facts, the staff member's tasks, contacts, completion.

use super::eligibility::sweep;
use crate::shared::error::AppError;
use crate::shared::forms::mobile;
use crate::shared::roles::CASE_ROLES;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::privacy::mask_name;
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, Case, Contact, FollowUp, NewFollowUp, NewResident, Resident, Staff};
use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The start of `days` days ago, for "done lately" lists.
fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

/// After a case is decided: a callback task for its officer when the item asks for one.
pub async fn case_callback(state: &AppState, case: &Case) -> Result<(), AppError> {
    let Some(days) = state.cache.item(state.store.as_ref(), &case.centre_code, &case.item_code).await?.and_then(|item| item.callback_days) else {
        return Ok(());
    };
    let calendar = state.cache.calendar(state.store.as_ref(), &case.centre_code).await?;
    let today = Local::now().date_naive();
    let task = NewFollowUp {
        centre_code: case.centre_code.clone(),
        kind: "callback".into(),
        source: format!("case:{}", case.number),
        resident_id: None,
        case_id: Some(case.id),
        title: format!("{}：{}", text("followup_callback"), case.item_name),
        reason: format!("{} {}", text("followup_callback_reason"), case.number),
        assignee_id: case.created_by,
        due_on: calendar.add_working_days(today, days),
        created_at: Utc::now(),
    };
    state.store.create_follow_up(&Actor::system("case callback"), &task).await?;
    Ok(())
}

/// A resident as the form and the API give one. Facts beyond the form's go in `facts`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentRequest {
    /// The resident to update; none for a new one.
    #[serde(default)]
    pub id: Option<i64>,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    #[serde(default)]
    #[schema(pattern = "^1[0-9]{10}$")]
    pub phone: Option<String>,
    /// Facts by name: `birth` (YYYY-MM-DD), `sex` (male/female), `work_type`, `employment`,
    /// `benefit_months_left`, `insured_months`, `serious_illness`, … (docs/eligibility.md); each a
    /// text of at most 100 characters, a number or true/false.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Map<String, Value>,
}

fn check_facts(facts: &Map<String, Value>, problems: &mut Vec<Problem>) {
    for (name, value) in facts {
        let at = format!("facts.{name}");
        if name.is_empty() || name.len() > 40 || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            problems.push(Problem { path: at.clone(), message: text("fact_name_wrong").into() });
        }
        match value {
            Value::String(text) if name == "birth" && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => problems.push(Problem { path: at, message: crate::shared::texts::text("fact_date_wrong").into() }),
            Value::String(text) if text.chars().count() > 100 => problems.push(Problem { path: at, message: fill("text_at_most", &[("most", "100".to_string())]) }),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            _ => problems.push(Problem { path: at, message: text("fact_value_wrong").into() }),
        }
    }
}

/// Saves a resident and runs the rules for them today.
pub async fn save_resident(state: &AppState, staff: &Staff, request: &ResidentRequest) -> Result<(Resident, usize), AppError> {
    let mut problems = Vec::new();
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        problems.push(Problem { path: "name".into(), message: fill("text_required_at_most", &[("most", "40".to_string())]) });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    check_facts(&request.facts, &mut problems);
    if let Some(id) = request.id {
        if !state.store.residents(&staff.centre_code).await?.iter().any(|r| r.id == id) {
            problems.push(Problem { path: "id".into(), message: fill("resident_not_here", &[("id", id.to_string())]) });
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let new = NewResident { centre_code: staff.centre_code.clone(), name: name.to_string(), phone_cipher: phone.map(|p| state.sealer.seal(&p)), facts: request.facts.clone() };
    let resident = state.store.save_resident(&Actor::staff(staff), request.id, &new).await?;
    let made = sweep(state, &staff.centre_code, std::slice::from_ref(&resident), Local::now().date_naive()).await?;
    Ok((resident, made))
}

/// A task as the list shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    #[serde(flatten)]
    task: FollowUp,
    /// The resident's name, masked.
    resident: Option<String>,
    overdue: bool,
    contacts: Vec<Contact>,
}

/// The staff member's tasks (theirs and the unassigned; a manager's, all).
pub async fn tasks(state: &AppState, staff: &Staff) -> Result<Vec<TaskRow>, AppError> {
    let today = Local::now().date_naive();
    let assignee = (staff.role != Role::Manager).then_some(staff.id);
    let mut rows = Vec::new();
    for task in state.store.follow_ups(&staff.centre_code, assignee, days_ago(30)).await? {
        let contacts = state.store.contacts(None, Some(task.id)).await?;
        rows.push(TaskRow { resident: task.resident_name.as_deref().map(mask_name), overdue: task.done_at.is_none() && today > task.due_on, contacts, task });
    }
    Ok(rows)
}

/// The reminder on the staff member's workspace: their open tasks (and the unassigned) due by today.
pub async fn due_count(state: &AppState, staff: &Staff) -> Result<usize, AppError> {
    if !CASE_ROLES.contains(&staff.role) {
        return Ok(0);
    }
    let today = Local::now().date_naive();
    let assignee = (staff.role != Role::Manager).then_some(staff.id);
    Ok(state.store.follow_ups(&staff.centre_code, assignee, Utc::now()).await?.iter().filter(|t| t.done_at.is_none() && t.due_on <= today).count())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// `phone`, `visit` (上门), `window` or `message`.
    pub channel: String,
    pub note: String,
}

async fn task_in_centre(state: &AppState, staff: &Staff, id: i64) -> Result<FollowUp, AppError> {
    let task = state.store.follow_up(id).await?.filter(|t| t.centre_code == staff.centre_code);
    task.ok_or_else(|| AppError::not_found("thing_follow_up", id))
}

/// A task is worked by the one it is assigned to, or by the duty leader; one nobody holds yet, by
/// whoever works follow-ups.
async fn task_to_work(state: &AppState, staff: &Staff, id: i64) -> Result<FollowUp, AppError> {
    let task = task_in_centre(state, staff, id).await?;
    match task.assignee_id {
        Some(owner) if owner != staff.id && staff.role != banshi_domain::Role::Manager => {
            let owner = task.assignee_name.clone().unwrap_or_default();
            Err(AppError::Duty(fill("duty_not_your_task", &[("owner", owner)])))
        }
        _ => Ok(task),
    }
}

pub async fn contact(state: &AppState, staff: &Staff, id: i64, request: &ContactRequest) -> Result<Contact, AppError> {
    let mut problems = Vec::new();
    if !["phone", "visit", "window", "message"].contains(&request.channel.as_str()) {
        problems.push(Problem { path: "channel".into(), message: text("followup_channel_wrong").into() });
    }
    let note = request.note.trim();
    if note.is_empty() || note.chars().count() > 1000 {
        problems.push(Problem { path: "note".into(), message: fill("text_required_at_most", &[("most", "1000".to_string())]) });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let task = task_to_work(state, staff, id).await?;
    Ok(state.store.record_contact(&Actor::staff(staff), task.resident_id, Some(task.id), &request.channel, note, Utc::now()).await?)
}

pub async fn complete(state: &AppState, staff: &Staff, id: i64, outcome: &str) -> Result<FollowUp, AppError> {
    let outcome = outcome.trim();
    if outcome.is_empty() || outcome.chars().count() > 1000 {
        return Err(AppError::invalid("outcome", fill("text_required_at_most", &[("most", "1000".to_string())])));
    }
    task_to_work(state, staff, id).await?;
    Ok(state.store.complete_follow_up(&Actor::staff(staff), id, outcome, Utc::now()).await?)
}

