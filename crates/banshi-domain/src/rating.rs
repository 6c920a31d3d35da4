//! Ratings (好差评): five grades, the codes other systems use for them, and the life of a bad
//! rating's work item (差评整改): verify and call back, then fix or explain, closed with the
//! citizen's view; or appealed by the officer and decided by the manager.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The five grades, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    VerySatisfied,
    Satisfied,
    Fair,
    Dissatisfied,
    VeryDissatisfied,
}

/// How a number stands for a grade. banshi stores the national code; the reverse code (5 = best,
/// the common star scale of many apps and older pads) is read and written only at the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradeCode {
    /// GB/T 39046 and the national 好差评 system: 1 = 非常满意 … 5 = 非常不满意.
    National,
    /// 5 = 非常满意 … 1 = 非常不满意.
    Reverse,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::VerySatisfied, Grade::Satisfied, Grade::Fair, Grade::Dissatisfied, Grade::VeryDissatisfied];

    /// The grade's name in the hall's words.
    pub fn name(self) -> &'static str {
        match self {
            Grade::VerySatisfied => "非常满意",
            Grade::Satisfied => "满意",
            Grade::Fair => "基本满意",
            Grade::Dissatisfied => "不满意",
            Grade::VeryDissatisfied => "非常不满意",
        }
    }

    /// 不满意 and 非常不满意 are bad ratings (差评); each opens a work item.
    pub fn is_bad(self) -> bool {
        matches!(self, Grade::Dissatisfied | Grade::VeryDissatisfied)
    }

    pub fn code(self, scheme: GradeCode) -> u8 {
        let national = Grade::ALL.iter().position(|g| *g == self).expect("every grade is in ALL") as u8 + 1;
        match scheme {
            GradeCode::National => national,
            GradeCode::Reverse => 6 - national,
        }
    }

    pub fn from_code(code: u8, scheme: GradeCode) -> Option<Grade> {
        let national = match scheme {
            GradeCode::National => code,
            GradeCode::Reverse => 6u8.checked_sub(code)?,
        };
        Grade::ALL.get(usize::from(national.checked_sub(1)?)).copied()
    }
}

/// Why a citizen rated badly: the options the pad and the pages offer (free text beside them).
pub const BAD_REASONS: [(&str, &str); 6] = [
    ("attitude", "服务态度不好"),
    ("waiting", "等候时间太长"),
    ("not_told_once", "没有一次性告知"),
    ("trips", "多次跑腿"),
    ("not_done", "事情没办成"),
    ("process", "流程繁琐、材料太多"),
];

/// Where a bad rating's work item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BadRatingState {
    /// 待核实回访
    Open,
    /// 已回访, to be fixed or explained.
    Verified,
    /// 申诉中: the officer holds the rating malicious; the manager decides.
    Appealed { verified: bool },
    /// 已整改 or 已解释, awaiting the citizen's view.
    Fixed,
    /// 已办结, with the citizen's view.
    Closed,
    /// 申诉成立: the rating is struck out of the figures.
    Voided,
}

impl BadRatingState {
    pub fn name(self) -> &'static str {
        match self {
            BadRatingState::Open => "待核实回访",
            BadRatingState::Verified => "待整改",
            BadRatingState::Appealed { .. } => "申诉中",
            BadRatingState::Fixed => "待反馈",
            BadRatingState::Closed => "已办结",
            BadRatingState::Voided => "申诉成立",
        }
    }

    /// Still on somebody's desk.
    pub fn is_open(self) -> bool {
        !matches!(self, BadRatingState::Closed | BadRatingState::Voided)
    }
}

/// What happens to a bad rating's work item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BadRatingEvent {
    /// 核实并回访: what was found, and whether the citizen was called back.
    Verified { called_back: bool, #[schema(max_length = 500)] note: String },
    /// 整改: what was changed.
    Fixed { #[schema(max_length = 500)] note: String },
    /// 解释说明: no legal basis for what was asked, said why.
    Explained { #[schema(max_length = 500)] note: String },
    /// 申诉: the officer holds the rating malicious.
    Appealed { #[schema(max_length = 500)] reason: String },
    /// The manager's decision on the appeal.
    AppealDecided { upheld: bool, #[schema(max_length = 500)] note: String },
    /// The citizen's view of the fix: satisfied closes the item (办结); not satisfied sends it
    /// back to be fixed again (重新整改), against the same deadline.
    Closed { citizen_satisfied: bool, #[schema(max_length = 500)] note: String },
}

impl BadRatingEvent {
    /// The step's free text by its field, for the limit on what is kept.
    pub fn free_text(&self) -> Vec<(&'static str, &str)> {
        match self {
            BadRatingEvent::Appealed { reason } => vec![("reason", reason)],
            BadRatingEvent::Verified { note, .. } | BadRatingEvent::Fixed { note } | BadRatingEvent::Explained { note } | BadRatingEvent::AppealDecided { note, .. } | BadRatingEvent::Closed { note, .. } => vec![("note", note)],
        }
    }

    /// The step with the ID and mobile numbers of its note (or appeal reason) masked.
    pub fn with_personal_numbers_masked(self) -> BadRatingEvent {
        use crate::privacy::mask_personal_numbers as mask;
        match self {
            BadRatingEvent::Verified { called_back, note } => BadRatingEvent::Verified { called_back, note: mask(&note) },
            BadRatingEvent::Fixed { note } => BadRatingEvent::Fixed { note: mask(&note) },
            BadRatingEvent::Explained { note } => BadRatingEvent::Explained { note: mask(&note) },
            BadRatingEvent::Appealed { reason } => BadRatingEvent::Appealed { reason: mask(&reason) },
            BadRatingEvent::AppealDecided { upheld, note } => BadRatingEvent::AppealDecided { upheld, note: mask(&note) },
            BadRatingEvent::Closed { citizen_satisfied, note } => BadRatingEvent::Closed { citizen_satisfied, note: mask(&note) },
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            BadRatingEvent::Verified { .. } => "核实回访",
            BadRatingEvent::Fixed { .. } => "整改",
            BadRatingEvent::Explained { .. } => "解释说明",
            BadRatingEvent::Appealed { .. } => "申诉",
            BadRatingEvent::AppealDecided { .. } => "申诉裁定",
            BadRatingEvent::Closed { citizen_satisfied: true, .. } => "办结",
            BadRatingEvent::Closed { citizen_satisfied: false, .. } => "重新整改",
        }
    }

    /// Only the manager decides an appeal; everything else is the desk's work.
    pub fn needs_manager(&self) -> bool {
        matches!(self, BadRatingEvent::AppealDecided { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BadRatingError {
    #[error("{action} is not possible while the item is {state}")]
    NotNow { state: &'static str, action: &'static str },
    #[error("{action} needs {what}")]
    Missing { action: &'static str, what: &'static str },
    #[error("a real-name bad rating is called back (实名差评须回访) before anything else")]
    RealNameNotCalledBack,
    #[error("a rating is appealed once")]
    AppealedBefore,
}

/// The item's facts its events are judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadRatingFacts {
    /// The citizen left a name and number: they are called back.
    pub real_name: bool,
    pub appealed_before: bool,
}

/// The one way a bad rating's item changes.
pub fn apply(state: BadRatingState, facts: BadRatingFacts, event: &BadRatingEvent) -> Result<BadRatingState, BadRatingError> {
    use BadRatingEvent as E;
    use BadRatingState as S;
    let action = event.name();
    let refused = BadRatingError::NotNow { state: state.name(), action };
    let note = |text: &str| if text.trim().is_empty() { Err(BadRatingError::Missing { action, what: "情况说明" }) } else { Ok(()) };
    match (state, event) {
        (S::Open, E::Verified { called_back, note: text }) => {
            note(text)?;
            if facts.real_name && !called_back {
                return Err(BadRatingError::RealNameNotCalledBack);
            }
            Ok(S::Verified)
        }
        (S::Verified, E::Fixed { note: text } | E::Explained { note: text }) => note(text).map(|_| S::Fixed),
        (S::Open | S::Verified, E::Appealed { reason }) => {
            if facts.appealed_before {
                return Err(BadRatingError::AppealedBefore);
            }
            note(reason)?;
            Ok(S::Appealed { verified: state == S::Verified })
        }
        (S::Appealed { verified }, E::AppealDecided { upheld, note: text }) => {
            note(text)?;
            Ok(if *upheld {
                S::Voided
            } else if verified {
                S::Verified
            } else {
                S::Open
            })
        }
        (S::Fixed, E::Closed { note: text, citizen_satisfied }) => note(text).map(|_| if *citizen_satisfied { S::Closed } else { S::Verified }),
        _ => Err(refused),
    }
}

/// Folds an item's history from its opening.
pub fn replay<'a>(facts_real_name: bool, events: impl IntoIterator<Item = &'a BadRatingEvent>) -> Result<(BadRatingState, BadRatingFacts), BadRatingError> {
    let mut facts = BadRatingFacts { real_name: facts_real_name, appealed_before: false };
    let mut state = BadRatingState::Open;
    for event in events {
        state = apply(state, facts, event)?;
        facts.appealed_before |= matches!(event, BadRatingEvent::Appealed { .. });
    }
    Ok((state, facts))
}

/// The item's two limits, in working days from the rating's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BadRatingLimits {
    /// To verify and call back (many places: 1 working day).
    pub verify_days: u32,
    /// To fix or explain (default 5; many places 15).
    pub fix_days: u32,
}

impl Default for BadRatingLimits {
    fn default() -> Self {
        BadRatingLimits { verify_days: 1, fix_days: 5 }
    }
}

/// Where an open item stands against its limits today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BadRatingDue {
    /// The date of the step it waits for: verifying, or fixing.
    pub due: NaiveDate,
    /// Past it: the item is escalated to the manager (超期督办).
    pub overdue: bool,
}

/// The deadline of the item's next step, given the dates its limits fall on; none once it is
/// fixed, closed or voided. An appealed item keeps the deadline it had: the appeal does not stop
/// the clock, so an appeal cannot be used to stall a fix.
pub fn due(state: BadRatingState, verify_by: NaiveDate, fix_by: NaiveDate, today: NaiveDate) -> Option<BadRatingDue> {
    let date = match state {
        BadRatingState::Open | BadRatingState::Appealed { verified: false } => verify_by,
        BadRatingState::Verified | BadRatingState::Appealed { verified: true } => fix_by,
        BadRatingState::Fixed | BadRatingState::Closed | BadRatingState::Voided => return None,
    };
    Some(BadRatingDue { due: date, overdue: today > date })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_kept_with_its_numbers_masked() {
        let verified = BadRatingEvent::Verified { called_back: true, note: "已回电13812345678，身份证11010519491231002X".into() };
        assert_eq!(verified.with_personal_numbers_masked(), BadRatingEvent::Verified { called_back: true, note: "已回电138****5678，身份证110105********002X".into() });
    }

    #[test]
    fn codes_map_both_ways() {
        for grade in Grade::ALL {
            for scheme in [GradeCode::National, GradeCode::Reverse] {
                assert_eq!(Grade::from_code(grade.code(scheme), scheme), Some(grade));
            }
        }
        assert_eq!(Grade::VerySatisfied.code(GradeCode::National), 1, "GB/T 39046: 1 = 非常满意");
        assert_eq!(Grade::VerySatisfied.code(GradeCode::Reverse), 5);
        assert_eq!(Grade::from_code(5, GradeCode::National), Some(Grade::VeryDissatisfied));
        assert_eq!(Grade::from_code(5, GradeCode::Reverse), Some(Grade::VerySatisfied));
        assert_eq!(Grade::from_code(2, GradeCode::Reverse), Some(Grade::Dissatisfied));
        for bad in [0, 6, 255] {
            assert_eq!(Grade::from_code(bad, GradeCode::National), None);
            assert_eq!(Grade::from_code(bad, GradeCode::Reverse), None);
        }
        assert!(Grade::Dissatisfied.is_bad() && Grade::VeryDissatisfied.is_bad() && !Grade::Fair.is_bad());
    }

    fn note(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn a_bad_rating_is_verified_fixed_and_closed() {
        let events = [
            BadRatingEvent::Verified { called_back: true, note: note("电话回访,群众反映等候太久") },
            BadRatingEvent::Fixed { note: note("高峰时段增开窗口") },
            BadRatingEvent::Closed { citizen_satisfied: true, note: note("群众认可") },
        ];
        assert_eq!(replay(true, &events).unwrap().0, BadRatingState::Closed);
        let unconvinced = [
            BadRatingEvent::Verified { called_back: true, note: note("已回访") },
            BadRatingEvent::Fixed { note: note("已整改") },
            BadRatingEvent::Closed { citizen_satisfied: false, note: note("群众仍不满意") },
        ];
        assert_eq!(replay(true, &unconvinced).unwrap().0, BadRatingState::Verified, "an unconvinced citizen sends the item back to be fixed again");
        let closed_early = [BadRatingEvent::Closed { citizen_satisfied: true, note: note("x") }];
        assert!(matches!(replay(false, &closed_early), Err(BadRatingError::NotNow { state: "待核实回访", .. })));
    }

    #[test]
    fn real_name_ratings_are_called_back() {
        let unreached = [BadRatingEvent::Verified { called_back: false, note: note("查看录像") }];
        assert_eq!(replay(true, &unreached), Err(BadRatingError::RealNameNotCalledBack));
        assert_eq!(replay(false, &unreached).unwrap().0, BadRatingState::Verified, "an anonymous rating is verified without a call");
        let empty = [BadRatingEvent::Verified { called_back: true, note: note("  ") }];
        assert_eq!(replay(true, &empty), Err(BadRatingError::Missing { action: "核实回访", what: "情况说明" }));
    }

    #[test]
    fn appeals_are_decided_once_by_the_manager() {
        let upheld = [BadRatingEvent::Appealed { reason: note("恶意差评,录像为证") }, BadRatingEvent::AppealDecided { upheld: true, note: note("属实") }];
        assert_eq!(replay(false, &upheld).unwrap().0, BadRatingState::Voided);
        assert!(upheld[1].needs_manager() && !upheld[0].needs_manager());
        let rejected = [
            BadRatingEvent::Verified { called_back: true, note: note("已回访") },
            BadRatingEvent::Appealed { reason: note("恶意") },
            BadRatingEvent::AppealDecided { upheld: false, note: note("不成立") },
        ];
        let (state, facts) = replay(true, &rejected).unwrap();
        assert_eq!(state, BadRatingState::Verified, "a rejected appeal goes back to where it was");
        assert_eq!(apply(state, facts, &BadRatingEvent::Appealed { reason: note("again") }), Err(BadRatingError::AppealedBefore));
    }

    #[test]
    fn the_next_steps_deadline_escalates_when_passed() {
        let verify_by = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let fix_by = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert_eq!(due(BadRatingState::Open, verify_by, fix_by, day(3)), Some(BadRatingDue { due: verify_by, overdue: false }));
        assert_eq!(due(BadRatingState::Open, verify_by, fix_by, day(4)), Some(BadRatingDue { due: verify_by, overdue: true }));
        assert_eq!(due(BadRatingState::Appealed { verified: true }, verify_by, fix_by, day(10)), Some(BadRatingDue { due: fix_by, overdue: true }));
        assert_eq!(due(BadRatingState::Fixed, verify_by, fix_by, day(30)), None);
    }
}
