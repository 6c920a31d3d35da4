//! Every legal and illegal case transition, what the law asks for with some of them, and the clock
//! the history gives (acceptance, suspensions, extensions) on the working-day calendar.

use banshi_domain::calendar::WorkingCalendar;
use banshi_domain::case::*;
use banshi_domain::deadline::{deadline, Clock, Suspension, WarnPolicy};
use chrono::NaiveDate;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn review(step: u32) -> ReviewStep {
    ReviewStep { step, assignee: "审批科".into(), department: false, limit_days: None }
}

fn states() -> Vec<CaseState> {
    vec![
        CaseState::Submitted,
        CaseState::PreAccepted,
        CaseState::Accepted,
        CaseState::NotAccepted { reason: "不属于本机关职权".into(), legal_basis: "行政许可法第三十二条".into() },
        CaseState::AwaitingMaterials { notice: "SF01-20261124-001".into(), resume: Box::new(CaseState::Accepted) },
        CaseState::UnderReview(review(1)),
        CaseState::InSpecialProcedure { procedure: SpecialProcedure::Hearing, review: review(1) },
        CaseState::Completed { approved: true, reason: None },
        CaseState::Delivered { how: "窗口领取".into() },
    ]
}

fn events() -> Vec<CaseEvent> {
    vec![
        CaseEvent::PreAccepted {},
        CaseEvent::Accepted {},
        CaseEvent::Refused { reason: "材料不符合法定形式".into(), legal_basis: "行政许可法第三十二条".into() },
        CaseEvent::MaterialsRequested { notice: "SF01-20261124-001".into() },
        CaseEvent::MaterialsReceived {},
        CaseEvent::Routed { assignee: "审批科".into(), department: false, limit_days: None },
        CaseEvent::Extended { working_days: 10, approved_by: "王主任".into(), reason: "需现场核查".into() },
        CaseEvent::SpecialProcedureStarted { procedure: SpecialProcedure::ExpertReview },
        CaseEvent::SpecialProcedureEnded {},
        CaseEvent::Decided { approved: true, reason: None },
        CaseEvent::Delivered { how: "邮寄送达".into() },
    ]
}

/// (state, action) pairs the law allows, by name.
const LEGAL: &[(&str, &str)] = &[
    ("申办", "预受理"),
    ("申办", "受理"),
    ("申办", "不予受理"),
    ("预受理", "受理"),
    ("预受理", "不予受理"),
    ("预受理", "补正告知"),
    ("受理", "补正告知"),
    ("受理", "转审批"),
    ("受理", "延长审批"),
    ("受理", "办结"),
    ("补正", "补正材料收到"),
    ("审查审批", "补正告知"),
    ("审查审批", "转审批"),
    ("审查审批", "延长审批"),
    ("审查审批", "特别程序开始"),
    ("审查审批", "办结"),
    ("特别程序", "特别程序结束"),
    ("办结", "送达领取"),
];

#[test]
fn every_transition_is_allowed_or_refused_by_name() {
    for state in states() {
        for event in events() {
            let legal = LEGAL.contains(&(state.name(), event.name()));
            match apply(&state, &event) {
                Ok(_) => assert!(legal, "{} → {} should be refused", state.name(), event.name()),
                Err(err) => {
                    assert!(!legal, "{} → {} should be allowed: {err}", state.name(), event.name());
                    assert_eq!(err.to_string(), format!("办件当前为“{}”，不能{}", state.name(), event.name()));
                }
            }
        }
    }
}

#[test]
fn where_a_legal_action_goes() {
    let accepted = apply(&CaseState::PreAccepted, &CaseEvent::Accepted {}).unwrap();
    let waiting = apply(&accepted, &CaseEvent::MaterialsRequested { notice: "N1".into() }).unwrap();
    assert_eq!(apply(&waiting, &CaseEvent::MaterialsReceived {}).unwrap(), CaseState::Accepted, "back where it was");
    let first = apply(&accepted, &CaseEvent::Routed { assignee: "科长".into(), department: false, limit_days: Some(3) }).unwrap();
    let second = apply(&first, &CaseEvent::Routed { assignee: "分管领导".into(), department: false, limit_days: Some(2) }).unwrap();
    assert_eq!(second, CaseState::UnderReview(ReviewStep { step: 2, assignee: "分管领导".into(), department: false, limit_days: Some(2) }));
    let no_time = apply(&first, &CaseEvent::Routed { assignee: "分管领导".into(), department: false, limit_days: Some(0) }).unwrap_err();
    assert_eq!(no_time.to_string(), "转审批需要至少一个工作日的环节时限");
    let hearing = apply(&second, &CaseEvent::SpecialProcedureStarted { procedure: SpecialProcedure::Hearing }).unwrap();
    assert_eq!(apply(&hearing, &CaseEvent::SpecialProcedureEnded {}).unwrap(), second);
    let done = apply(&second, &CaseEvent::Decided { approved: true, reason: None }).unwrap();
    assert!(!done.is_final(), "the result is still to be handed over");
    assert!(apply(&done, &CaseEvent::Delivered { how: "窗口领取".into() }).unwrap().is_final());
}

#[test]
fn refusals_need_their_reasons() {
    let no_basis = CaseEvent::Refused { reason: "不属于本机关职权".into(), legal_basis: " ".into() };
    assert_eq!(apply(&CaseState::Submitted, &no_basis).unwrap_err().to_string(), "不予受理需要法律依据");
    let no_reason = CaseEvent::Decided { approved: false, reason: None };
    assert_eq!(apply(&CaseState::Accepted, &no_reason).unwrap_err().to_string(), "办结需要不予批准的理由");
    let unapproved = CaseEvent::Extended { working_days: 10, approved_by: "".into(), reason: "需现场核查".into() };
    assert_eq!(apply(&CaseState::Accepted, &unapproved).unwrap_err().to_string(), "延长审批需要批准人");
}

#[test]
fn the_clock_starts_at_acceptance_stands_still_and_is_extended() {
    let history = vec![
        (date("2026-09-18"), CaseEvent::PreAccepted {}),
        (date("2026-09-18"), CaseEvent::MaterialsRequested { notice: "N0".into() }),
        (date("2026-09-20"), CaseEvent::MaterialsReceived {}),
        (date("2026-09-21"), CaseEvent::Accepted {}),
        (date("2026-09-23"), CaseEvent::MaterialsRequested { notice: "N1".into() }),
        (date("2026-09-29"), CaseEvent::MaterialsReceived {}),
        (date("2026-09-30"), CaseEvent::Routed { assignee: "审批科".into(), department: false, limit_days: None }),
        (date("2026-10-12"), CaseEvent::Extended { working_days: 10, approved_by: "王主任".into(), reason: "需现场核查".into() }),
    ];
    assert_eq!(clock(&history[..3], 20), None, "no clock before acceptance, whatever was asked for before");
    let found = clock(&history, 20).unwrap();
    let expected = Clock {
        started: date("2026-09-21"),
        limit: 20,
        extended: 10,
        suspensions: vec![Suspension { from: date("2026-09-23"), until: Some(date("2026-09-29")) }],
    };
    assert_eq!(found, expected);
    let index = WorkingCalendar::china().index(date("2026-01-01"), date("2027-12-31"));
    let due = deadline(&found, date("2026-10-12"), &index, WarnPolicy::default()).unwrap().due.unwrap();
    assert_eq!(due.date, date("2026-11-12"), "20 + 10 working days, and the 3 that stood still");

    let mut with_hearing = history.clone();
    with_hearing.push((date("2026-10-13"), CaseEvent::SpecialProcedureStarted { procedure: SpecialProcedure::Hearing }));
    let standing = clock(&with_hearing, 20).unwrap();
    assert_eq!(standing.suspensions.last(), Some(&Suspension { from: date("2026-10-13"), until: None }));
}

#[test]
fn each_review_step_has_its_own_clock() {
    let history = vec![
        (date("2026-09-21"), CaseEvent::Accepted {}),
        (date("2026-09-22"), CaseEvent::Routed { assignee: "科长".into(), department: false, limit_days: Some(3) }),
        (date("2026-09-24"), CaseEvent::Routed { assignee: "分管领导".into(), department: false, limit_days: Some(2) }),
        (date("2026-09-25"), CaseEvent::SpecialProcedureStarted { procedure: SpecialProcedure::ExpertReview }),
        (date("2026-09-29"), CaseEvent::SpecialProcedureEnded {}),
    ];
    assert_eq!(step_clock(&history[..1]), None, "not in review yet");
    assert_eq!(step_clock(&history[..2]).unwrap(), Clock { started: date("2026-09-22"), limit: 3, extended: 0, suspensions: vec![] });
    let second = step_clock(&history).unwrap();
    assert_eq!((second.started, second.limit), (date("2026-09-24"), 2), "the latest step's, not the first's");
    assert_eq!(second.suspensions, vec![Suspension { from: date("2026-09-25"), until: Some(date("2026-09-29")) }]);
    let index = WorkingCalendar::china().index(date("2026-01-01"), date("2027-12-31"));
    // Routed Thursday 24 September for 2 working days: the expert review stood the clock still
    // through the 29th, Wednesday the 30th is day 1, National Day is off (1–7 October), so day 2
    // is Thursday 8 October.
    let due = deadline(&second, date("2026-09-29"), &index, WarnPolicy::default()).unwrap().due.unwrap();
    assert_eq!(due.date, date("2026-10-08"));
    let mut decided = history.clone();
    decided.push((date("2026-09-30"), CaseEvent::Decided { approved: true, reason: None }));
    assert_eq!(step_clock(&decided), None, "no step clock once decided");
    let mut unlimited = history.clone();
    unlimited.push((date("2026-09-30"), CaseEvent::Routed { assignee: "局长".into(), department: false, limit_days: None }));
    assert_eq!(step_clock(&unlimited), None, "a step without its own limit has no clock of its own");
}
