//! What happens to cases (办件), shared by the pages and the API, and what the citizen's progress
//! query (进度查询) shows.
//!
//! An officer opens a case for an applicant (a person by ID number, an enterprise by its unified
//! credit code; an agent with the authorisation material), the ID number sealed before it is
//! stored. Events move the case by the domain's rules; its deadline is read off its history on the
//! working-day calendar. A citizen finds a case by its number and the last six characters of the
//! applicant's ID number; five wrong tries lock that case's query for five minutes.

use crate::shared::events::{publish, HallEvent};
use crate::followups;
use crate::shared::applicant::case_for_applicant;
use crate::shared::error::AppError;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::case::{self, CaseEvent, CaseState};
use banshi_domain::deadline::{deadline, Light, WarnPolicy};
use banshi_domain::{id_number, privacy, Problem};
use banshi_storage::{Actor, Case, CaseHistoryEntry, CaseMessage, NewCase, Staff, WindowStatus};
use chrono::{Local, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// The item's 实施编码.
    pub item: String,
    /// `person` or `enterprise`.
    #[schema(example = "person")]
    pub applicant_kind: String,
    #[schema(min_length = 1, max_length = 60)]
    pub applicant_name: String,
    /// A person's ID number, or an enterprise's unified social credit code (18 digits and capitals).
    #[schema(min_length = 18, max_length = 18)]
    pub id_number: String,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub agent_id_number: Option<String>,
    /// The agent's authorisation material (委托书), as received.
    #[serde(default)]
    pub authorisation: Option<String>,
    /// The token of the ticket the applicant came with, when the case starts at a window.
    #[serde(default)]
    pub ticket: Option<String>,
    /// The applicant's mobile number for the case's messages (materials needed, completed); sealed.
    #[serde(default)]
    #[schema(pattern = "^1[0-9]{10}$")]
    pub phone: Option<String>,
}

/// A unified social credit code: 18 digits and capital letters.
fn credit_code_problem(code: &str) -> Option<&'static str> {
    (code.len() != 18 || !code.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())).then_some("credit_code_malformed")
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub async fn open_case(state: &AppState, officer: &Staff, request: &CaseRequest) -> Result<Case, AppError> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: &str| problems.push(Problem { path: path.into(), message: message.into() });
    let item = state.cache.item(state.store.as_ref(), &officer.centre_code, request.item.trim()).await?;
    if item.is_none() {
        problem("item", text("notice_item_unknown"));
    }
    let name = request.applicant_name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        problem("applicant_name", text("case_applicant_name_wrong"));
    }
    let id = request.id_number.trim().to_ascii_uppercase();
    match request.applicant_kind.as_str() {
        "person" => {
            if let Err(key) = id_number::birth_date(&id) {
                problem("id_number", text(key));
            }
        }
        "enterprise" => {
            if let Some(key) = credit_code_problem(&id) {
                problem("id_number", text(key));
            }
        }
        _ => problem("applicant_kind", text("case_applicant_kind_wrong")),
    }
    let agent_name = trimmed(&request.agent_name);
    let agent_id = trimmed(&request.agent_id_number).map(str::to_ascii_uppercase);
    let authorisation = trimmed(&request.authorisation);
    match (agent_name, &agent_id) {
        (None, None) => {}
        (Some(_), Some(agent_id)) => {
            if let Err(key) = id_number::birth_date(agent_id) {
                problem("agent_id_number", text(key));
            }
            if authorisation.is_none() {
                problem("authorisation", text("case_authorisation_missing"));
            }
        }
        _ => problem("agent_name", text("case_agent_incomplete")),
    }
    let phone = trimmed(&request.phone);
    if phone.is_some_and(|p| !banshi_domain::privacy::is_mobile_number(p)) {
        problem("phone", text("phone_malformed"));
    }
    let ticket = match trimmed(&request.ticket) {
        Some(token) => match state.store.ticket_by_token(token).await?.filter(|t| t.centre_code == officer.centre_code) {
            Some(ticket) => Some(ticket.id),
            None => {
                problem("ticket", text("case_ticket_unknown"));
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let item = item.expect("checked above");
    let query_code = crate::shared::applicant::new_query_code();
    // The window the officer receives the case at, for the one-visit rate per window.
    let window = state.store.windows_live(&officer.centre_code).await?.into_iter().find(|w| w.staff_id == Some(officer.id) && w.status != WindowStatus::Closed).map(|w| w.number);
    let new = NewCase {
        centre_code: officer.centre_code.clone(),
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        limit_days: item.promised_limit.working_days,
        applicant_kind: request.applicant_kind.clone(),
        applicant_name: name.to_string(),
        applicant_id_cipher: state.sealer.seal(&id),
        agent_name: agent_name.map(str::to_string),
        agent_id_cipher: agent_id.map(|id| state.sealer.seal(&id)),
        // An authorisation note once held a full ID number: the numbers in free text are masked.
        authorisation: authorisation.map(banshi_domain::privacy::mask_personal_numbers),
        ticket_id: ticket,
        phone_cipher: phone.map(|p| state.sealer.seal(p)),
        window,
        created_at: Utc::now(),
        query_code_cipher: Some(state.sealer.seal(&query_code)),
        received_message: phone.map(|_| CaseMessage {
            kind: "case_received".into(),
            text: text("message_case_received").replace("{item}", &item.name).replace("{code}", &banshi_domain::query_code::display(&query_code)),
        }),
    };
    let case = state.store.create_case(&Actor::staff(officer), &new).await?;
    // The deadline board and the inbox follow the hall's event stream.
    publish(state, HallEvent::Changed { centre: case.centre_code.clone() }).await;
    Ok(case)
}

/// A new query code for a case of the staff member's centre (the old one stops working); the
/// code, as the receipt prints it.
pub async fn replace_query_code(state: &AppState, staff: &Staff, number: &str) -> Result<String, AppError> {
    let case = state.store.case(number).await?.filter(|c| c.centre_code == staff.centre_code);
    let case = case.ok_or_else(|| AppError::not_found("thing_case", &number))?;
    let code = crate::shared::applicant::new_query_code();
    state.store.replace_query_code(&Actor::staff(staff), &case.number, &state.sealer.seal(&code)).await?;
    Ok(banshi_domain::query_code::display(&code))
}

/// A case's deadline as of today, for pages and the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub due: Option<String>,
    /// The due date lies in a year without a holiday schedule: it may move.
    pub provisional: bool,
    pub remaining_working_days: i64,
    pub light: Light,
}

async fn deadline_of(state: &AppState, case: &Case, history: &[CaseHistoryEntry]) -> Result<Option<DeadlineView>, AppError> {
    let events: Vec<_> = history.iter().map(|entry| (entry.day, entry.event.clone())).collect();
    let Some(clock) = case::clock(&events, case.limit_days) else { return Ok(None) };
    if matches!(case.state, CaseState::Completed { .. } | CaseState::Delivered { .. } | CaseState::NotAccepted { .. }) {
        return Ok(None);
    }
    view_of(state, case, &clock).await.map(Some)
}

/// The current review step's own deadline, when the step has a limit.
async fn step_deadline_of(state: &AppState, case: &Case, history: &[CaseHistoryEntry]) -> Result<Option<DeadlineView>, AppError> {
    let events: Vec<_> = history.iter().map(|entry| (entry.day, entry.event.clone())).collect();
    match case::step_clock(&events) {
        Some(clock) => view_of(state, case, &clock).await.map(Some),
        None => Ok(None),
    }
}

async fn view_of(state: &AppState, case: &Case, clock: &banshi_domain::deadline::Clock) -> Result<DeadlineView, AppError> {
    let today = Local::now().date_naive();
    let calendar = state.cache.calendar(state.store.as_ref(), &case.centre_code).await?;
    let found = deadline(clock, today, &calendar.index, WarnPolicy::default()).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(DeadlineView {
        due: found.due.map(|d| d.date.format("%F").to_string()),
        provisional: found.due.is_some_and(|d| d.provisional),
        remaining_working_days: found.remaining,
        light: found.light,
    })
}

/// The centre's overdue cases (red), escalated to the centre's manager on their workspace.
pub async fn overdue_cases(state: &AppState, centre: &str) -> Result<Vec<CaseView>, AppError> {
    let mut overdue = Vec::new();
    for (case, history) in state.store.open_cases(centre).await? {
        let view = case_view_from(state, case, history).await?;
        if view.deadline.as_ref().is_some_and(|d| d.light == Light::Red) {
            overdue.push(view);
        }
    }
    Ok(overdue)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case: Case,
    /// The query code (查询码) the applicant follows the case with, for the receipt.
    pub query_code: Option<String>,
    pub history: Vec<CaseHistoryEntry>,
    pub deadline: Option<DeadlineView>,
    /// The current review step's own deadline (审批环节时限), when the step has a limit.
    pub step_deadline: Option<DeadlineView>,
    /// The numbers of the one-time notices issued at the window for the visit the case was opened
    /// from, oldest first: on the case's own read (lists leave them out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notices: Option<Vec<String>>,
}

pub async fn case_view(state: &AppState, case: Case) -> Result<CaseView, AppError> {
    let history = state.store.case_history(case.id).await?;
    let notices = match case.ticket_id {
        Some(ticket) => state.store.notices_for_ticket(ticket).await?.into_iter().map(|n| n.number).collect(),
        None => vec![],
    };
    Ok(CaseView { notices: Some(notices), ..case_view_from(state, case, history).await? })
}

/// As [`case_view`], with the history already read.
pub async fn case_view_from(state: &AppState, case: Case, history: Vec<CaseHistoryEntry>) -> Result<CaseView, AppError> {
    let deadline = deadline_of(state, &case, &history).await?;
    let step_deadline = step_deadline_of(state, &case, &history).await?;
    let query_code = crate::shared::applicant::query_code_of(state, &case);
    Ok(CaseView { case, query_code, history, deadline, step_deadline, notices: None })
}

/// The deadline board: the centre's open cases (of one department's items, or only those the
/// officer opened), overdue first, then the fewest working days left, cases without a running
/// clock last.
pub async fn deadline_board(state: &AppState, staff: &Staff, department: Option<&str>, mine: bool) -> Result<Vec<CaseView>, AppError> {
    let items = state.cache.catalog(state.store.as_ref(), &staff.centre_code).await?.items.clone();
    let of_department = |code: &str| department.is_none_or(|d| items.iter().any(|item| item.code == code && item.department == d));
    let mut rows = Vec::new();
    for (case, history) in state.store.open_cases(&staff.centre_code).await?.into_iter().filter(|(case, _)| of_department(&case.item_code)) {
        if mine && case.created_by != Some(staff.id) {
            continue;
        }
        rows.push(case_view_from(state, case, history).await?);
    }
    rows.sort_by_key(|view| urgency(&view.deadline));
    Ok(rows)
}

/// Days left on a deadline, for sorting: none running counts as the most time.
fn urgency(deadline: &Option<DeadlineView>) -> i64 {
    deadline.as_ref().filter(|d| d.due.is_some()).map_or(i64::MAX, |d| d.remaining_working_days)
}

/// The back-office inbox (审批待办): the cases in review with the approver (by username or name,
/// or with their department), or for the duty leader every case in review; the step's deadline
/// first, then the case's.
pub async fn inbox(state: &AppState, staff: &Staff) -> Result<Vec<CaseView>, AppError> {
    let actor = case_actor(staff, false);
    let is_leader = staff.role == banshi_domain::Role::Manager;
    let mut rows = Vec::new();
    for (case, history) in state.store.open_cases(&staff.centre_code).await? {
        if case.state.review().is_some_and(|review| is_leader || review.is_with(&actor)) {
            rows.push(case_view_from(state, case, history).await?);
        }
    }
    rows.sort_by_key(|view| (urgency(&view.step_deadline), urgency(&view.deadline)));
    Ok(rows)
}

/// Applies an event to a case of the staff member's centre; one that needs materials or completes
/// the case sends the applicant a message (through the outbox, with the event).
pub async fn apply_event(state: &AppState, staff: &Staff, number: &str, event: &CaseEvent) -> Result<Case, AppError> {
    let case = state.store.case(number).await?.filter(|c| c.centre_code == staff.centre_code);
    let case = case.ok_or_else(|| AppError::not_found("thing_case", &number))?;
    require_duty(state, staff, &case, event).await?;
    crate::shared::forms::free_text_problems(&event.free_text())?;
    let resolved;
    let event = match event {
        CaseEvent::Routed { assignee, department, limit_days } => {
            resolved = CaseEvent::Routed { assignee: routed_to(state, &staff.centre_code, assignee, *department).await?, department: *department, limit_days: *limit_days };
            &resolved
        }
        other => other,
    };
    let fill = |key: &str, notice: &str| text(key).replace("{number}", &case.number).replace("{item}", &case.item_name).replace("{notice}", notice);
    let message = match event {
        CaseEvent::MaterialsRequested { notice } => Some(CaseMessage { kind: "case_materials".into(), text: fill("message_case_materials", notice) }),
        CaseEvent::Decided { approved: true, .. } => Some(CaseMessage { kind: "case_completed".into(), text: fill("message_case_approved", "") }),
        CaseEvent::Decided { approved: false, .. } => Some(CaseMessage { kind: "case_completed".into(), text: fill("message_case_refused", "") }),
        _ => None,
    };
    // ID and mobile numbers typed into the event's free text are masked before it is kept.
    let event = &event.clone().with_personal_numbers_masked();
    let case = state.store.apply_case_event(&Actor::staff(staff), number, event, Utc::now(), Local::now().date_naive(), message.as_ref()).await?;
    if matches!(event, CaseEvent::Decided { .. }) {
        // The decision stands whatever happens to its callback task; a failure is logged.
        if let Err(err) = followups::case_callback(state, &case).await {
            tracing::error!(case = %case.number, ?err, "no callback task made");
        }
    }
    publish(state, HallEvent::Changed { centre: case.centre_code.clone() }).await;
    Ok(case)
}

/// A staff member as the separation of duties reads them; only an approver has a department.
pub fn case_actor(staff: &Staff, received_it: bool) -> banshi_domain::case::CaseActor<'_> {
    let department = (staff.role == banshi_domain::Role::Approver && !staff.department.is_empty()).then_some(staff.department.as_str());
    banshi_domain::case::CaseActor { username: &staff.username, name: &staff.name, is_manager: staff.role == banshi_domain::Role::Manager, received_it, department }
}

/// Whom a case of a centre can be routed to: its active approvers and duty leaders, and the
/// departments its active approvers belong to.
pub struct RoutingTargets {
    pub people: Vec<Staff>,
    pub departments: Vec<String>,
}

pub async fn routing_targets(state: &AppState, centre: &str) -> Result<RoutingTargets, AppError> {
    use banshi_domain::Role;
    let active = state.store.list_staff(Some(centre)).await?.into_iter().filter(|s| s.active);
    let people: Vec<Staff> = active.filter(|s| matches!(s.role, Role::Approver | Role::Manager)).collect();
    let mut departments: Vec<String> = people.iter().filter(|s| s.role == Role::Approver && !s.department.is_empty()).map(|s| s.department.clone()).collect();
    departments.sort_unstable();
    departments.dedup();
    Ok(RoutingTargets { people, departments })
}

/// The assignee as kept: an account's username (given by username or name), or a department that
/// has an approver; anyone else is refused before anything is written, so a case never waits for
/// nobody.
async fn routed_to(state: &AppState, centre: &str, assignee: &str, department: bool) -> Result<String, AppError> {
    let assignee = assignee.trim();
    if assignee.is_empty() {
        return Err(AppError::invalid("assignee", text("case_route_nobody")));
    }
    let targets = routing_targets(state, centre).await?;
    if department {
        return match targets.departments.iter().find(|d| d.as_str() == assignee) {
            Some(found) => Ok(found.clone()),
            None => Err(AppError::invalid("assignee", fill("case_route_unknown_department", &[("department", assignee.to_string())]))),
        };
    }
    let by_username = targets.people.iter().find(|s| s.username == assignee);
    let mut by_name = targets.people.iter().filter(|s| s.name == assignee);
    match (by_username, by_name.next(), by_name.next()) {
        (Some(person), _, _) | (None, Some(person), None) => Ok(person.username.clone()),
        _ => Err(AppError::invalid("assignee", fill("case_route_unknown_assignee", &[("assignee", assignee.to_string())]))),
    }
}

/// Separation of duties, before anything is written: who may decide a case in review, and a
/// second person for the items that need one.
async fn require_duty(state: &AppState, staff: &Staff, case: &Case, event: &CaseEvent) -> Result<(), AppError> {
    let item = state.cache.item(state.store.as_ref(), &staff.centre_code, &case.item_code).await?;
    let second_person = item.is_some_and(|item| item.second_person);
    // Who received the case matters only to a decision on an item that needs a second person:
    // the history is read then, not for every event.
    let received_it = second_person && matches!(event, CaseEvent::Decided { .. }) && {
        let label = Actor::staff(staff).label;
        case.created_by == Some(staff.id) || state.store.case_history(case.id).await?.iter().any(|entry| matches!(entry.event, CaseEvent::Accepted {}) && entry.actor == label)
    };
    let actor = case_actor(staff, received_it);
    banshi_domain::case::may_act(&case.state, event, &actor, second_person).map_err(|refusal| match refusal {
        banshi_domain::case::DutyRefusal::NotTheAssignee { assignee } => AppError::Duty(fill("duty_not_the_assignee", &[("assignee", assignee)])),
        banshi_domain::case::DutyRefusal::SecondPersonRequired => AppError::Duty(text("duty_second_person").to_string()),
    })
}

/// What a citizen sees of a case: no ID number, the name masked, the steps in plain words.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub number: String,
    pub item_name: String,
    /// The applicant's name, masked.
    pub applicant: String,
    /// The state in the hall's words (受理, 补正, 办结 …).
    pub state: &'static str,
    pub steps: Vec<ProgressStep>,
    pub deadline: Option<DeadlineView>,
    /// Finished and not yet rated: the page offers the rating (一事一评).
    pub can_rate: bool,
    pub rated: bool,
    /// After a query by ID tail and one-time code: the case's query code, for the next query and
    /// the rating (the applicant has shown the case is theirs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressStep {
    pub at: String,
    pub text: String,
}

/// A progress query as the form and the API send it (a POST: the code is never in an address).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    /// The case number, as on the receipt.
    #[serde(default)]
    pub case: String,
    /// The query code (查询码) on the receipt and in the SMS, `xxxx-xxxx`; or leave it out and
    /// give `id_tail` and `sms_code` instead.
    #[serde(default)]
    pub query_code: String,
    /// Without the receipt: the last four characters of the applicant's ID number …
    #[serde(default)]
    pub id_tail: String,
    /// … and the one-time code `POST /api/v1/progress/phone-code` sent to the case's mobile.
    #[serde(default)]
    pub sms_code: String,
}

impl ProgressQuery {
    /// The query code when one is given, else the ID tail and one-time code.
    fn proof(&self) -> crate::shared::applicant::ApplicantProof<'_> {
        use crate::shared::applicant::ApplicantProof;
        if self.query_code.trim().is_empty() && !self.sms_code.trim().is_empty() {
            ApplicantProof::PhoneCode { id_tail: &self.id_tail, code: &self.sms_code }
        } else {
            ApplicantProof::QueryCode(&self.query_code)
        }
    }
}

/// Asks for a one-time code of the progress query, for an applicant without the receipt.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeRequest {
    /// The case number.
    #[serde(default)]
    pub case: String,
    /// The last four characters of the applicant's ID number (or credit code).
    #[serde(default)]
    pub id_tail: String,
}

/// A step of the history as the case's staff read it: a routing says to whom.
pub fn staff_step_text(event: &CaseEvent) -> String {
    match event {
        CaseEvent::Routed { assignee, department: true, .. } => format!("{}：{} {assignee}", text("progress_routed"), text("staff_department")),
        CaseEvent::Routed { assignee, .. } => format!("{}：{assignee}", text("progress_routed")),
        other => step_text(other),
    }
}

/// The plain words for a step of the case's history.
pub fn step_text(event: &CaseEvent) -> String {
    match event {
        CaseEvent::PreAccepted {} => text("progress_pre_accepted").to_string(),
        CaseEvent::Accepted {} => text("progress_accepted").to_string(),
        CaseEvent::Refused { reason, legal_basis } => format!("{}：{reason}（{legal_basis}）", text("progress_refused")),
        CaseEvent::MaterialsRequested { notice } => format!("{}（{notice}）", text("progress_materials_requested")),
        CaseEvent::MaterialsReceived {} => text("progress_materials_received").to_string(),
        CaseEvent::Routed { .. } => text("progress_routed").to_string(),
        CaseEvent::Extended { working_days, reason, .. } => format!("{} {working_days} {}：{reason}", text("progress_extended"), text("progress_working_days")),
        CaseEvent::SpecialProcedureStarted { .. } => text("progress_special_started").to_string(),
        CaseEvent::SpecialProcedureEnded {} => text("progress_special_ended").to_string(),
        CaseEvent::Decided { approved: true, .. } => text("progress_approved").to_string(),
        CaseEvent::Decided { approved: false, reason } => format!("{}：{}", text("progress_not_approved"), reason.clone().unwrap_or_default()),
        CaseEvent::Delivered { how } => format!("{}（{how}）", text("progress_delivered")),
    }
}

pub async fn send_phone_code(state: &AppState, address: Option<&str>, request: &PhoneCodeRequest) -> Result<(), AppError> {
    crate::shared::applicant::send_phone_code(state, address, &request.case, &request.id_tail).await
}

/// What the applicant sees of the case a number and a proof name.
pub async fn progress(state: &AppState, address: Option<&str>, query: &ProgressQuery) -> Result<Progress, AppError> {
    let proof = query.proof();
    let case = case_for_applicant(state, address, &query.case, proof).await?;
    let query_code = matches!(proof, crate::shared::applicant::ApplicantProof::PhoneCode { .. }).then(|| crate::shared::applicant::query_code_of(state, &case)).flatten();
    let rated = state.store.rating_of(banshi_storage::Rated::Case(case.id)).await?.is_some();
    let finished = matches!(case.state, banshi_domain::case::CaseState::Completed { .. } | banshi_domain::case::CaseState::Delivered { .. });
    let history = state.store.case_history(case.id).await?;
    let mut steps = vec![ProgressStep { at: case.created_at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(), text: text("progress_submitted").to_string() }];
    steps.extend(history.iter().map(|entry| ProgressStep { at: entry.at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(), text: step_text(&entry.event) }));
    Ok(Progress {
        deadline: deadline_of(state, &case, &history).await?,
        applicant: privacy::mask_name(&case.applicant_name),
        state: case.state.name(),
        item_name: case.item_name,
        number: case.number,
        steps,
        can_rate: finished && !rated,
        rated,
        query_code,
    })
}

