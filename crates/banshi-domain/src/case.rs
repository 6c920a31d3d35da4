//! A case's (办件) life: 申办 → 预受理 → 受理 or 不予受理 → 补正 → 审查/审批 → 特别程序 → 办结 →
//! 送达/领取. As with tickets, a case changes only through events, and [`apply`] refuses an event
//! its state does not allow with an error naming both. [`clock`] reads the time limit's clock off
//! the history: it starts at acceptance, stands still while materials are awaited after acceptance
//! and during special procedures (行政许可法 art. 45), and approved extensions lengthen it (art. 42).

use crate::deadline::{Clock, Suspension};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The special procedures whose time is not counted (行政许可法 art. 45).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpecialProcedure {
    /// 听证
    Hearing,
    /// 检验、检测、检疫
    Inspection,
    /// 鉴定
    Appraisal,
    /// 专家评审
    ExpertReview,
}

/// Where review stands: which step, with whom (an approver or a department), within how many
/// working days of its routing (the step's own limit, inside the case's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewStep {
    pub step: u32,
    pub assignee: String,
    /// `assignee` names a department: any of its approvers decides.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub department: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseState {
    /// 申办: applied, not yet looked at.
    Submitted,
    /// 预受理: looked at, materials being checked.
    PreAccepted,
    /// 受理: accepted; the time limit runs.
    Accepted,
    /// 不予受理, with the reason and its legal basis.
    NotAccepted { reason: String, legal_basis: String },
    /// 补正: waiting for materials a one-time notice asked for; back to `resume` when they come.
    AwaitingMaterials {
        notice: String,
        #[schema(no_recursion)]
        resume: Box<CaseState>,
    },
    /// 审查/审批 at a step.
    UnderReview(ReviewStep),
    /// 特别程序 during review; the clock stands still.
    InSpecialProcedure { procedure: SpecialProcedure, review: ReviewStep },
    /// 办结: approved, or refused with a reason.
    Completed { approved: bool, reason: Option<String> },
    /// 送达/领取: the result handed over.
    Delivered { how: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
// Variants without fields are written `{}`: serde lets a unit variant of a tagged enum carry any
// field, and a body with a field the hall does not know is refused, naming it.
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseEvent {
    PreAccepted {},
    Accepted {},
    /// 不予受理: both the reason and the legal basis are required.
    Refused { #[schema(max_length = 500)] reason: String, #[schema(max_length = 500)] legal_basis: String },
    /// 补正: a one-time notice of what is missing.
    MaterialsRequested { #[schema(max_length = 500)] notice: String },
    MaterialsReceived {},
    /// To review, or to the next review step, with whom (an approver's username, or with
    /// `department` a department's name), and the step's limit in working days.
    Routed {
        #[schema(max_length = 500)]
        assignee: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        department: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_days: Option<u32>,
    },
    /// 延长审批: approved by someone, for a reason.
    Extended { working_days: u32, #[schema(max_length = 500)] approved_by: String, #[schema(max_length = 500)] reason: String },
    SpecialProcedureStarted { procedure: SpecialProcedure },
    SpecialProcedureEnded {},
    /// The decision; a refusal needs its reason.
    Decided { approved: bool, #[schema(max_length = 500)] reason: Option<String> },
    Delivered { #[schema(max_length = 500)] how: String },
}

impl CaseState {
    /// The state's name in the hall's words.
    pub fn name(&self) -> &'static str {
        match self {
            CaseState::Submitted => "申办",
            CaseState::PreAccepted => "预受理",
            CaseState::Accepted => "受理",
            CaseState::NotAccepted { .. } => "不予受理",
            CaseState::AwaitingMaterials { .. } => "补正",
            CaseState::UnderReview(_) => "审查审批",
            CaseState::InSpecialProcedure { .. } => "特别程序",
            CaseState::Completed { .. } => "办结",
            CaseState::Delivered { .. } => "送达领取",
        }
    }

    /// Whether the applicant coming to the hall is another trip (跑动) of the application: until the
    /// case is decided. Coming for the result of a decided case is not a trip of the application.
    pub fn counts_trips(&self) -> bool {
        !matches!(self, CaseState::NotAccepted { .. } | CaseState::Completed { .. } | CaseState::Delivered { .. })
    }

    pub fn is_final(&self) -> bool {
        matches!(self, CaseState::NotAccepted { .. } | CaseState::Delivered { .. })
    }

    /// The state's stable key, as in its JSON (`accepted`, `under_review` …).
    pub fn key(&self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::PreAccepted => "pre_accepted",
            CaseState::Accepted => "accepted",
            CaseState::NotAccepted { .. } => "not_accepted",
            CaseState::AwaitingMaterials { .. } => "awaiting_materials",
            CaseState::UnderReview(_) => "under_review",
            CaseState::InSpecialProcedure { .. } => "in_special_procedure",
            CaseState::Completed { .. } => "completed",
            CaseState::Delivered { .. } => "delivered",
        }
    }
}

impl CaseEvent {
    /// The event with the ID and mobile numbers of its free text masked (a refusal's reason and
    /// legal basis, an extension's or a decision's reason, how the result was delivered); the
    /// notice number and the names it holds stay as they are.
    /// The event's free text by its field, for the limit on what is kept.
    pub fn free_text(&self) -> Vec<(&'static str, &str)> {
        match self {
            CaseEvent::Refused { reason, legal_basis } => vec![("reason", reason), ("legal_basis", legal_basis)],
            CaseEvent::MaterialsRequested { notice } => vec![("notice", notice)],
            CaseEvent::Routed { assignee, .. } => vec![("assignee", assignee)],
            CaseEvent::Extended { approved_by, reason, .. } => vec![("approved_by", approved_by), ("reason", reason)],
            CaseEvent::Decided { reason: Some(reason), .. } => vec![("reason", reason)],
            CaseEvent::Delivered { how } => vec![("how", how)],
            CaseEvent::PreAccepted {} | CaseEvent::Accepted {} | CaseEvent::MaterialsReceived {} | CaseEvent::SpecialProcedureStarted { .. } | CaseEvent::SpecialProcedureEnded {} | CaseEvent::Decided { reason: None, .. } => vec![],
        }
    }

    pub fn with_personal_numbers_masked(self) -> CaseEvent {
        use crate::privacy::mask_personal_numbers as mask;
        match self {
            CaseEvent::Refused { reason, legal_basis } => CaseEvent::Refused { reason: mask(&reason), legal_basis: mask(&legal_basis) },
            CaseEvent::Extended { working_days, approved_by, reason } => CaseEvent::Extended { working_days, approved_by, reason: mask(&reason) },
            CaseEvent::Decided { approved, reason } => CaseEvent::Decided { approved, reason: reason.as_deref().map(mask) },
            CaseEvent::Delivered { how } => CaseEvent::Delivered { how: mask(&how) },
            other => other,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            CaseEvent::PreAccepted {} => "预受理",
            CaseEvent::Accepted {} => "受理",
            CaseEvent::Refused { .. } => "不予受理",
            CaseEvent::MaterialsRequested { .. } => "补正告知",
            CaseEvent::MaterialsReceived {} => "补正材料收到",
            CaseEvent::Routed { .. } => "转审批",
            CaseEvent::Extended { .. } => "延长审批",
            CaseEvent::SpecialProcedureStarted { .. } => "特别程序开始",
            CaseEvent::SpecialProcedureEnded {} => "特别程序结束",
            CaseEvent::Decided { .. } => "办结",
            CaseEvent::Delivered { .. } => "送达领取",
        }
    }
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseError {
    /// The state does not allow the action.
    NotNow { state: &'static str, action: &'static str },
    /// The action lacks something the law asks for.
    Missing { action: &'static str, what: &'static str },
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::NotNow { state, action } => write!(f, "办件当前为“{state}”，不能{action}"),
            CaseError::Missing { action, what } => write!(f, "{action}需要{what}"),
        }
    }
}

impl std::error::Error for CaseError {}

fn required(text: &str, action: &'static str, what: &'static str) -> Result<String, CaseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CaseError::Missing { action, what });
    }
    Ok(text.to_string())
}

/// A case number: centre code, the day it was opened and the day's sequence at that centre,
/// e.g. `SF01-20261124-0007`, printed on the 受理回执 and typed into the progress query.
pub fn case_number(centre_code: &str, opened: NaiveDate, sequence: u32) -> String {
    format!("{centre_code}-{}-{sequence:04}", opened.format("%Y%m%d"))
}

/// The state after `event`, or why not.
pub fn apply(state: &CaseState, event: &CaseEvent) -> Result<CaseState, CaseError> {
    use CaseEvent as E;
    use CaseState as S;
    let action = event.name();
    let refused = || CaseError::NotNow { state: state.name(), action };
    match (state, event) {
        (S::Submitted, E::PreAccepted {}) => Ok(S::PreAccepted),
        (S::Submitted | S::PreAccepted, E::Accepted {}) => Ok(S::Accepted),
        (S::Submitted | S::PreAccepted, E::Refused { reason, legal_basis }) => Ok(S::NotAccepted {
            reason: required(reason, action, "理由")?,
            legal_basis: required(legal_basis, action, "法律依据")?,
        }),
        (S::PreAccepted | S::Accepted | S::UnderReview(_), E::MaterialsRequested { notice }) => {
            Ok(S::AwaitingMaterials { notice: required(notice, action, "一次性告知单")?, resume: Box::new(state.clone()) })
        }
        (S::AwaitingMaterials { resume, .. }, E::MaterialsReceived {}) => Ok((**resume).clone()),
        (S::Accepted | S::UnderReview(_), E::Routed { assignee, department, limit_days }) => {
            if *limit_days == Some(0) {
                return Err(CaseError::Missing { action, what: "至少一个工作日的环节时限" });
            }
            let step = match state {
                S::UnderReview(review) => review.step + 1,
                _ => 1,
            };
            Ok(S::UnderReview(ReviewStep { step, assignee: required(assignee, action, "转给谁审批")?, department: *department, limit_days: *limit_days }))
        }
        (S::Accepted | S::UnderReview(_), E::Extended { working_days, approved_by, reason }) => {
            if *working_days == 0 {
                return Err(CaseError::Missing { action, what: "延长的工作日数" });
            }
            required(approved_by, action, "批准人")?;
            required(reason, action, "告知申请人的延期理由")?;
            Ok(state.clone())
        }
        (S::UnderReview(review), E::SpecialProcedureStarted { procedure }) => Ok(S::InSpecialProcedure { procedure: *procedure, review: review.clone() }),
        (S::InSpecialProcedure { review, .. }, E::SpecialProcedureEnded {}) => Ok(S::UnderReview(review.clone())),
        (S::Accepted | S::UnderReview(_), E::Decided { approved, reason }) => {
            let reason = match (approved, reason.as_deref().map(str::trim).filter(|r| !r.is_empty())) {
                (false, None) => return Err(CaseError::Missing { action, what: "不予批准的理由" }),
                (_, reason) => reason.map(str::to_string),
            };
            Ok(S::Completed { approved: *approved, reason })
        }
        (S::Completed { .. }, E::Delivered { how }) => Ok(S::Delivered { how: required(how, action, "送达或领取方式")? }),
        _ => Err(refused()),
    }
}

/// Who gives a case an event, as the separation of duties (职责分离) reads them.
pub struct CaseActor<'a> {
    pub username: &'a str,
    pub name: &'a str,
    /// The duty leader, who may pass a case in review on to someone else.
    pub is_manager: bool,
    /// Opened or accepted (受理) the case.
    pub received_it: bool,
    /// The approver's department, for a case routed to a department; `None` for anyone else.
    pub department: Option<&'a str>,
}

/// Why someone may not give a case an event the case itself could take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyRefusal {
    /// The case is in review with someone else.
    NotTheAssignee { assignee: String },
    /// The item is decided by someone other than who received the case.
    SecondPersonRequired,
}

impl ReviewStep {
    /// The step is this actor's to decide: they are its assignee (by username or name), or an
    /// approver of its department.
    pub fn is_with(&self, actor: &CaseActor) -> bool {
        let assignee = self.assignee.trim();
        if self.department {
            actor.department.map(str::trim) == Some(assignee)
        } else {
            assignee == actor.username || assignee == actor.name
        }
    }
}

/// Separation of duties: a case in review is decided, or held for and released from a special
/// procedure, only by the one it was routed to (for a department, by an approver of that
/// department), and passed on by them or the duty leader; a case of an item that needs a second
/// person is not decided by whoever received it.
pub fn may_act(state: &CaseState, event: &CaseEvent, actor: &CaseActor, second_person: bool) -> Result<(), DutyRefusal> {
    use CaseEvent as E;
    let review = match state {
        CaseState::UnderReview(review) | CaseState::InSpecialProcedure { review, .. } => Some(review),
        _ => None,
    };
    if let Some(review) = review {
        let is_assignee = review.is_with(actor);
        let reserved = matches!(event, E::Decided { .. } | E::SpecialProcedureStarted { .. } | E::SpecialProcedureEnded {});
        let passed_on = matches!(event, E::Routed { .. });
        if (reserved && !is_assignee) || (passed_on && !is_assignee && !actor.is_manager) {
            return Err(DutyRefusal::NotTheAssignee { assignee: review.assignee.clone() });
        }
    }
    if second_person && actor.received_it && matches!(event, E::Decided { .. }) {
        return Err(DutyRefusal::SecondPersonRequired);
    }
    Ok(())
}

/// The current review step's clock, read off the history like [`clock`]: from the day the case was
/// routed to the step, for the step's limit, standing still while materials are awaited or a
/// special procedure runs. `None` when the case is not in review or its step has no limit.
pub fn step_clock(history: &[(NaiveDate, CaseEvent)]) -> Option<Clock> {
    let mut state = CaseState::Submitted;
    let mut step: Option<Clock> = None;
    for (day, event) in history {
        let Ok(next) = apply(&state, event) else { continue };
        match (event, step.as_mut()) {
            (CaseEvent::Routed { limit_days, .. }, _) => step = limit_days.map(|limit| Clock { started: *day, limit, extended: 0, suspensions: vec![] }),
            (CaseEvent::MaterialsRequested { .. } | CaseEvent::SpecialProcedureStarted { .. }, Some(clock)) => clock.suspensions.push(Suspension { from: *day, until: None }),
            (CaseEvent::MaterialsReceived {} | CaseEvent::SpecialProcedureEnded {}, Some(clock)) => {
                if let Some(open) = clock.suspensions.iter_mut().rev().find(|s| s.until.is_none()) {
                    open.until = Some(*day);
                }
            }
            _ => {}
        }
        state = next;
    }
    step.filter(|_| state.review().is_some())
}

impl CaseState {
    /// The review step the case is at, also while a special procedure runs or materials are
    /// awaited during review.
    pub fn review(&self) -> Option<&ReviewStep> {
        match self {
            CaseState::UnderReview(review) | CaseState::InSpecialProcedure { review, .. } => Some(review),
            CaseState::AwaitingMaterials { resume, .. } => resume.review(),
            _ => None,
        }
    }
}

/// The time limit's clock, read off a case's history (each event with its day): `None` before
/// acceptance. `limit` is the item's limit in working days. A stored history holds only events
/// that were applied; one its state does not allow is passed over.
pub fn clock(history: &[(NaiveDate, CaseEvent)], limit: u32) -> Option<Clock> {
    let mut state = CaseState::Submitted;
    let mut clock: Option<Clock> = None;
    for (day, event) in history {
        let Ok(next) = apply(&state, event) else { continue };
        match (&state, event, clock.as_mut()) {
            (_, CaseEvent::Accepted {}, None) => clock = Some(Clock { started: *day, limit, extended: 0, suspensions: vec![] }),
            (_, CaseEvent::Extended { working_days, .. }, Some(clock)) => clock.extended += working_days,
            (_, CaseEvent::MaterialsRequested { .. } | CaseEvent::SpecialProcedureStarted { .. }, Some(clock)) => {
                clock.suspensions.push(Suspension { from: *day, until: None });
            }
            (_, CaseEvent::MaterialsReceived {} | CaseEvent::SpecialProcedureEnded {}, Some(clock)) => {
                if let Some(open) = clock.suspensions.iter_mut().rev().find(|s| s.until.is_none()) {
                    open.until = Some(*day);
                }
            }
            _ => {}
        }
        state = next;
    }
    clock
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_text_of_an_event_is_kept_with_its_numbers_masked() {
        let refused = CaseEvent::Refused { reason: "申请人13812345678不在辖区".into(), legal_basis: "《行政许可法》第三十二条".into() };
        assert_eq!(refused.with_personal_numbers_masked(), CaseEvent::Refused { reason: "申请人138****5678不在辖区".into(), legal_basis: "《行政许可法》第三十二条".into() });
        let notice = CaseEvent::MaterialsRequested { notice: "SF01-20261128-001".into() };
        assert_eq!(notice.clone().with_personal_numbers_masked(), notice);
    }

    fn actor<'a>(username: &'a str, is_manager: bool, received_it: bool) -> CaseActor<'a> {
        CaseActor { username, name: "某某", is_manager, received_it, department: None }
    }

    #[test]
    fn a_case_in_review_is_decided_by_its_assignee_only_and_passed_on_by_them_or_the_manager() {
        let review = CaseState::UnderReview(ReviewStep { step: 1, assignee: "approver".into(), department: false, limit_days: None });
        let decide = CaseEvent::Decided { approved: true, reason: None };
        let pass_on = CaseEvent::Routed { assignee: "other".into(), department: false, limit_days: None };
        assert_eq!(may_act(&review, &decide, &actor("officer", false, true), false), Err(DutyRefusal::NotTheAssignee { assignee: "approver".into() }));
        assert_eq!(may_act(&review, &decide, &actor("manager", true, false), false), Err(DutyRefusal::NotTheAssignee { assignee: "approver".into() }), "the manager passes it on, does not decide it");
        assert_eq!(may_act(&review, &decide, &actor("approver", false, false), false), Ok(()));
        assert!(may_act(&review, &pass_on, &actor("officer", false, true), false).is_err());
        assert_eq!(may_act(&review, &pass_on, &actor("manager", true, false), false), Ok(()));
        let held = CaseState::InSpecialProcedure { procedure: SpecialProcedure::Hearing, review: ReviewStep { step: 1, assignee: "approver".into(), department: false, limit_days: None } };
        assert!(may_act(&held, &CaseEvent::SpecialProcedureEnded {}, &actor("officer", false, true), false).is_err());
        let by_name = CaseActor { username: "x", name: "王审批", is_manager: false, received_it: false, department: None };
        let named = CaseState::UnderReview(ReviewStep { step: 1, assignee: "王审批".into(), department: false, limit_days: None });
        assert_eq!(may_act(&named, &decide, &by_name, false), Ok(()), "routed to a name, decided by that person");
    }

    #[test]
    fn a_case_routed_to_a_department_is_decided_by_an_approver_of_that_department_only() {
        let review = CaseState::UnderReview(ReviewStep { step: 1, assignee: "审批科".into(), department: true, limit_days: None });
        let decide = CaseEvent::Decided { approved: true, reason: None };
        let of = |department: Option<&'static str>| CaseActor { username: "approver", name: "审批科", is_manager: false, received_it: false, department };
        assert_eq!(may_act(&review, &decide, &of(Some("审批科")), false), Ok(()));
        assert_eq!(may_act(&review, &decide, &of(Some("社保科")), false), Err(DutyRefusal::NotTheAssignee { assignee: "审批科".into() }));
        assert!(may_act(&review, &decide, &of(None), false).is_err(), "a person whose name is the department's is not its approver");
        let pass_on = CaseEvent::Routed { assignee: "approver".into(), department: false, limit_days: None };
        assert_eq!(may_act(&review, &pass_on, &of(Some("审批科")), false), Ok(()), "the department's approver passes it to one of its people");
        let routed = apply(&CaseState::Accepted, &CaseEvent::Routed { assignee: "审批科".into(), department: true, limit_days: Some(3) }).unwrap();
        assert_eq!(routed, CaseState::UnderReview(ReviewStep { step: 1, assignee: "审批科".into(), department: true, limit_days: Some(3) }));
        let json = serde_json::to_value(CaseEvent::Routed { assignee: "approver".into(), department: false, limit_days: None }).unwrap();
        assert_eq!(json, serde_json::json!({ "event": "routed", "assignee": "approver" }), "routing to a person reads as before");
    }

    #[test]
    fn an_item_that_needs_a_second_person_is_not_decided_by_who_received_it() {
        let accepted = CaseState::Accepted;
        let decide = CaseEvent::Decided { approved: true, reason: None };
        assert_eq!(may_act(&accepted, &decide, &actor("officer", false, true), true), Err(DutyRefusal::SecondPersonRequired));
        assert_eq!(may_act(&accepted, &decide, &actor("officer", false, true), false), Ok(()), "an item decided on the spot (即办件)");
        assert_eq!(may_act(&accepted, &decide, &actor("approver", false, false), true), Ok(()));
        let route = CaseEvent::Routed { assignee: "approver".into(), department: false, limit_days: None };
        assert_eq!(may_act(&accepted, &route, &actor("officer", false, true), true), Ok(()), "the receiver routes it on");
    }
}
