//! Follow-up (跟踪回访, 主动服务): callback tasks after cases whose item asks for one, residents a
//! policy may help (eligibility rules over their facts, docs/eligibility.md), the contact log, and
//! the officer's list (`/followups`). Tasks are made once per source, so the rules may run as
//! often as anything changes: when a resident's facts are saved, when rules are loaded, and every
//! hour on every instance (which is how a policy that starts on a later day reaches its residents
//! on that day).

use crate::api::Body;
use crate::auth::Visitor;
use crate::error::{ApiError, AppError, PageError};
use crate::flash::{redirect_query, Flash};
use crate::pages::frame;
use crate::actions::mobile;
use crate::templates::render;
use crate::texts::text;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use banshi_domain::eligibility::{parse_rules, Rules, DEFAULT_RULES};
use banshi_domain::privacy::mask_name;
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, Case, Contact, FollowUp, NewFollowUp, NewResident, Resident, Staff};
use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const STAFF_ROLES: &[Role] = &[Role::WindowStaff, Role::Manager, Role::Approver];
/// Who loads the eligibility rules.
const RULES_ROLES: &[Role] = &[Role::Manager, Role::Admin];

/// The centre's rules in force: its loaded file, or the built-in one.
pub async fn rules(state: &AppState, centre: &str) -> Result<Rules, AppError> {
    let text = state.store.eligibility_rules(centre).await?.unwrap_or_else(|| DEFAULT_RULES.to_string());
    // A stored file was checked when loaded; one that no longer parses is reported, not fatal.
    parse_rules(&text).or_else(|problems| {
        tracing::error!(?problems, "the stored eligibility rules do not parse; using the built-in ones");
        parse_rules(DEFAULT_RULES).map_err(|p| AppError::Internal(p.join("; ")))
    })
}

/// An instant before any task: the list with every task done since then is every task.
fn since_ever() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The start of `days` days ago, for "done lately" lists.
fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

/// Makes a task for every policy in force on `date` that one of `residents` meets and has none
/// yet; the number made.
pub async fn sweep(state: &AppState, centre: &str, residents: &[Resident], date: NaiveDate) -> Result<usize, AppError> {
    let rules = rules(state, centre).await?;
    let calendar = state.cache.calendar(state.store.as_ref(), centre).await?;
    // The tasks there are already, read once: most runs find nothing new, and then write nothing.
    let known: std::collections::HashSet<String> = state.store.follow_ups(centre, None, since_ever()).await?.into_iter().map(|t| t.source).collect();
    let mut made = 0;
    for resident in residents {
        for found in rules.matches(&resident.facts, date) {
            let source = format!("policy:{}:resident:{}", found.policy_id, resident.id);
            if known.contains(&source) {
                continue;
            }
            let task = NewFollowUp {
                centre_code: centre.to_string(),
                kind: "eligibility".into(),
                source,
                resident_id: Some(resident.id),
                case_id: None,
                title: found.title,
                reason: found.reason,
                assignee_id: None,
                due_on: calendar.add_working_days(date, state.settings.follow_up_days),
                created_at: Utc::now(),
            };
            made += usize::from(state.store.create_follow_up(&Actor::system("eligibility rules"), &task).await?.is_some());
        }
    }
    Ok(made)
}

/// How often every instance runs the rules for every centre, so a policy reaches its residents on
/// the day it starts even when nobody opens the list (a task is made once however many run).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs the rules for every centre now and then every [`SWEEP_EVERY`]; failures are logged and
/// retried at the next round.
pub async fn sweep_regularly(state: AppState) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let today = Local::now().date_naive();
        let outcome: Result<usize, AppError> = async {
            let mut made = 0;
            for centre in state.store.centres().await? {
                let residents = state.store.residents(&centre.code).await?;
                made += sweep(&state, &centre.code, &residents, today).await?;
            }
            Ok(made)
        }
        .await;
        match outcome {
            Ok(0) => {}
            Ok(made) => tracing::info!(made, "eligibility rules made follow-up tasks"),
            Err(err) => tracing::error!(?err, "eligibility rules could not run"),
        }
    }
}

/// After a case is decided: a callback task for its officer when the item asks for one.
pub async fn case_callback(state: &AppState, case: &Case) -> Result<(), AppError> {
    let Some(days) = state.store.item(&case.item_code).await?.and_then(|item| item.callback_days) else {
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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentRequest {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Facts by name: `birth` (YYYY-MM-DD), `sex` (male/female), `work_type`, `employment`,
    /// `benefit_months_left`, `insured_months`, `serious_illness`, … (docs/eligibility.md).
    #[serde(default)]
    pub facts: Map<String, Value>,
}

fn check_facts(facts: &Map<String, Value>, problems: &mut Vec<Problem>) {
    for (name, value) in facts {
        let at = format!("facts.{name}");
        if name.is_empty() || name.len() > 40 || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            problems.push(Problem { path: at.clone(), message: "a fact's name is lower-case letters, digits and _".into() });
        }
        match value {
            Value::String(text) if name == "birth" && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => problems.push(Problem { path: at, message: "a date as YYYY-MM-DD".into() }),
            Value::String(text) if text.chars().count() > 100 => problems.push(Problem { path: at, message: "at most 100 characters".into() }),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            _ => problems.push(Problem { path: at, message: "a text, a number or true/false".into() }),
        }
    }
}

/// Saves a resident and runs the rules for them today.
pub async fn save_resident(state: &AppState, staff: &Staff, request: &ResidentRequest) -> Result<(Resident, usize), AppError> {
    let mut problems = Vec::new();
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        problems.push(Problem { path: "name".into(), message: "required, at most 40 characters".into() });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    check_facts(&request.facts, &mut problems);
    if let Some(id) = request.id {
        if !state.store.residents(&staff.centre_code).await?.iter().any(|r| r.id == id) {
            problems.push(Problem { path: "id".into(), message: format!("no resident {id} at this centre") });
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

/// Checks and loads a rules file, then runs it for the centre's residents.
pub async fn load_rules(state: &AppState, staff: &Staff, text: &str) -> Result<usize, AppError> {
    parse_rules(text).map_err(|problems| AppError::Invalid(problems.into_iter().map(|message| Problem { path: "rules".into(), message }).collect()))?;
    state.store.save_eligibility_rules(&Actor::staff(staff), &staff.centre_code, text).await?;
    let residents = state.store.residents(&staff.centre_code).await?;
    sweep(state, &staff.centre_code, &residents, Local::now().date_naive()).await
}

/// A task as the list shows it.
#[derive(Serialize)]
pub struct TaskRow {
    #[serde(flatten)]
    task: FollowUp,
    resident: Option<String>,
    overdue: bool,
    contacts: Vec<Contact>,
}

/// The staff member's tasks (theirs and the unassigned; a manager's, all).
async fn tasks(state: &AppState, staff: &Staff) -> Result<Vec<TaskRow>, AppError> {
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
    if !STAFF_ROLES.contains(&staff.role) {
        return Ok(0);
    }
    let today = Local::now().date_naive();
    let assignee = (staff.role != Role::Manager).then_some(staff.id);
    Ok(state.store.follow_ups(&staff.centre_code, assignee, Utc::now()).await?.iter().filter(|t| t.done_at.is_none() && t.due_on <= today).count())
}

pub async fn api_list(State(state): State<AppState>, visitor: Visitor) -> Result<Json<Vec<TaskRow>>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(tasks(&state, staff).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// `phone`, `visit` (上门), `window` or `message`.
    pub channel: String,
    pub note: String,
}

async fn task_in_centre(state: &AppState, staff: &Staff, id: i64) -> Result<FollowUp, AppError> {
    let task = state.store.follow_up(id).await?.filter(|t| t.centre_code == staff.centre_code);
    task.ok_or_else(|| AppError::NotFound(format!("follow-up {id}")))
}

pub async fn contact(state: &AppState, staff: &Staff, id: i64, request: &ContactRequest) -> Result<Contact, AppError> {
    let mut problems = Vec::new();
    if !["phone", "visit", "window", "message"].contains(&request.channel.as_str()) {
        problems.push(Problem { path: "channel".into(), message: "phone, visit, window or message".into() });
    }
    let note = request.note.trim();
    if note.is_empty() || note.chars().count() > 1000 {
        problems.push(Problem { path: "note".into(), message: "required, at most 1000 characters".into() });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let task = task_in_centre(state, staff, id).await?;
    Ok(state.store.record_contact(&Actor::staff(staff), task.resident_id, Some(task.id), &request.channel, note, Utc::now()).await?)
}

pub async fn complete(state: &AppState, staff: &Staff, id: i64, outcome: &str) -> Result<FollowUp, AppError> {
    let outcome = outcome.trim();
    if outcome.is_empty() || outcome.chars().count() > 1000 {
        return Err(AppError::invalid("outcome", "required, at most 1000 characters"));
    }
    task_in_centre(state, staff, id).await?;
    Ok(state.store.complete_follow_up(&Actor::staff(staff), id, outcome, Utc::now()).await?)
}

pub async fn api_contact(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<ContactRequest>) -> Result<Response, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok((StatusCode::CREATED, Json(contact(&state, staff, id, &request).await?)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    pub outcome: String,
}

pub async fn api_complete(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(request): Body<CompleteRequest>) -> Result<Json<FollowUp>, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    Ok(Json(complete(&state, staff, id, &request.outcome).await?))
}

pub async fn api_save_resident(State(state): State<AppState>, visitor: Visitor, Body(request): Body<ResidentRequest>) -> Result<Response, ApiError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let (resident, made) = save_resident(&state, staff, &request).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": resident.id, "facts": resident.facts, "tasks_made": made }))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesRequest {
    /// The rules file (TOML).
    pub rules: String,
}

pub async fn api_load_rules(State(state): State<AppState>, visitor: Visitor, Body(request): Body<RulesRequest>) -> Result<Json<Value>, ApiError> {
    let staff = visitor.require(RULES_ROLES)?;
    let made = load_rules(&state, staff, &request.rules).await?;
    Ok(Json(serde_json::json!({ "tasks_made": made })))
}

/// 跟踪回访: my tasks with their contact logs, the residents, and (for the manager) the rules.
pub async fn page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let rows = tasks(&state, staff).await?;
    let mut residents = Vec::new();
    for resident in state.store.residents(&staff.centre_code).await? {
        // Each resident's contact log, across their tasks (留心持续接力).
        let contacts = state.store.contacts(Some(resident.id), None).await?;
        residents.push(context! { id => resident.id, name => mask_name(&resident.name), facts => resident.facts, contacts });
    }
    let rules_text = if staff.role == Role::Manager { Some(state.store.eligibility_rules(&staff.centre_code).await?.unwrap_or_else(|| DEFAULT_RULES.to_string())) } else { None };
    Ok(render("follow_ups.html", context! { rows, residents, rules_text, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct PageForm {
    action: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    work_type: String,
    #[serde(default)]
    employment: String,
    #[serde(default)]
    benefit_months_left: String,
    #[serde(default)]
    insured_months: String,
    #[serde(default)]
    serious_illness: Option<String>,
    #[serde(default)]
    rules: String,
}

/// The resident form's fields as facts: blanks left out, numbers as numbers.
fn form_facts(form: &PageForm) -> Result<Map<String, Value>, AppError> {
    let mut facts = Map::new();
    for (name, value) in [("birth", &form.birth), ("sex", &form.sex), ("work_type", &form.work_type), ("employment", &form.employment)] {
        if !value.trim().is_empty() {
            facts.insert(name.into(), Value::String(value.trim().to_string()));
        }
    }
    for (name, value) in [("benefit_months_left", &form.benefit_months_left), ("insured_months", &form.insured_months)] {
        if !value.trim().is_empty() {
            let number: u32 = value.trim().parse().map_err(|_| AppError::invalid(name, "a whole number of months"))?;
            facts.insert(name.into(), Value::from(number));
        }
    }
    facts.insert("serious_illness".into(), Value::Bool(form.serious_illness.is_some()));
    Ok(facts)
}

pub async fn page_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<PageForm>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF_ROLES)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", "which task?"));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "contact" => {
                contact(&state, staff, id()?, &ContactRequest { channel: form.channel.clone(), note: form.note.clone() }).await?;
                text("followup_contact_recorded").to_string()
            }
            "complete" => format!("{} #{}", text("followup_completed"), complete(&state, staff, id()?, &form.note).await?.id),
            "resident" => {
                let request = ResidentRequest { id: form.id, name: form.name.clone(), phone: form.phone.clone(), facts: form_facts(&form)? };
                let (resident, made) = save_resident(&state, staff, &request).await?;
                format!("{} #{}；{} {made}", text("followup_resident_saved"), resident.id, text("followup_tasks_made"))
            }
            "rules" => {
                let staff = visitor.require(RULES_ROLES)?;
                format!("{}；{} {}", text("followup_rules_loaded"), text("followup_tasks_made"), load_rules(&state, staff, &form.rules).await?)
            }
            other => return Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
        })
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/followups?{query}")).into_response())
}
