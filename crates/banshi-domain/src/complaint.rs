//! Complaints and suggestions (投诉/建议, 意见箱): received at the hall, online or by phone, each
//! goes 受理 → 调查 → 处置 → 反馈 → 归档 within its kind's limit in working days, owned by whoever
//! received it first.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// 咨询
    Inquiry,
    /// 求助
    Help,
    /// 建议
    Suggestion,
    /// 投诉
    Complaint,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 4] = [FeedbackKind::Inquiry, FeedbackKind::Help, FeedbackKind::Suggestion, FeedbackKind::Complaint];

    pub fn name(self) -> &'static str {
        match self {
            FeedbackKind::Inquiry => "咨询",
            FeedbackKind::Help => "求助",
            FeedbackKind::Suggestion => "建议",
            FeedbackKind::Complaint => "投诉",
        }
    }

    pub fn parse(text: &str) -> Option<FeedbackKind> {
        FeedbackKind::ALL.into_iter().find(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(|s| s == text)) == Some(true))
    }
}

/// The limit of each kind in working days from receipt (the usual 12345 limits by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedbackLimits {
    pub inquiry: u32,
    pub help: u32,
    pub suggestion: u32,
    pub complaint: u32,
}

impl Default for FeedbackLimits {
    fn default() -> Self {
        FeedbackLimits { inquiry: 2, help: 10, suggestion: 10, complaint: 15 }
    }
}

impl FeedbackLimits {
    pub fn days(&self, kind: FeedbackKind) -> u32 {
        match kind {
            FeedbackKind::Inquiry => self.inquiry,
            FeedbackKind::Help => self.help,
            FeedbackKind::Suggestion => self.suggestion,
            FeedbackKind::Complaint => self.complaint,
        }
    }
}

/// The steps, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStage {
    /// 受理
    Received,
    /// 调查
    Investigating,
    /// 处置
    Handled,
    /// 反馈: the person has been told the outcome.
    Answered,
    /// 归档
    Archived,
}

impl FeedbackStage {
    pub fn name(self) -> &'static str {
        match self {
            FeedbackStage::Received => "受理",
            FeedbackStage::Investigating => "调查",
            FeedbackStage::Handled => "处置",
            FeedbackStage::Answered => "反馈",
            FeedbackStage::Archived => "归档",
        }
    }

    /// The step after this one; none after archiving.
    pub fn next(self) -> Option<FeedbackStage> {
        match self {
            FeedbackStage::Received => Some(FeedbackStage::Investigating),
            FeedbackStage::Investigating => Some(FeedbackStage::Handled),
            FeedbackStage::Handled => Some(FeedbackStage::Answered),
            FeedbackStage::Answered => Some(FeedbackStage::Archived),
            FeedbackStage::Archived => None,
        }
    }

    /// Done for the person once they have the answer; the deadline is met by answering.
    pub fn answered(self) -> bool {
        self >= FeedbackStage::Answered
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FeedbackError {
    #[error("the next step after {from} is {expected}, not {asked}")]
    OutOfOrder { from: &'static str, expected: &'static str, asked: &'static str },
    #[error("an archived item takes no further step")]
    Archived,
    #[error("{0} needs a note")]
    NoNote(&'static str),
}

/// One step forward, with what was done; steps are never skipped.
pub fn advance(from: FeedbackStage, to: FeedbackStage, note: &str) -> Result<FeedbackStage, FeedbackError> {
    let expected = from.next().ok_or(FeedbackError::Archived)?;
    if to != expected {
        return Err(FeedbackError::OutOfOrder { from: from.name(), expected: expected.name(), asked: to.name() });
    }
    if note.trim().is_empty() {
        return Err(FeedbackError::NoNote(to.name()));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_kind() {
        let limits = FeedbackLimits::default();
        assert_eq!(FeedbackKind::ALL.map(|k| limits.days(k)), [2, 10, 10, 15]);
        assert_eq!(FeedbackKind::parse("complaint"), Some(FeedbackKind::Complaint));
        assert_eq!(FeedbackKind::parse("grumble"), None);
    }

    #[test]
    fn steps_go_in_order() {
        use FeedbackStage as S;
        let mut stage = S::Received;
        for to in [S::Investigating, S::Handled, S::Answered, S::Archived] {
            stage = advance(stage, to, "done").unwrap();
        }
        assert_eq!(stage, S::Archived);
        assert_eq!(advance(S::Archived, S::Archived, "x"), Err(FeedbackError::Archived));
        assert_eq!(advance(S::Received, S::Answered, "x"), Err(FeedbackError::OutOfOrder { from: "受理", expected: "调查", asked: "反馈" }));
        assert_eq!(advance(S::Received, S::Investigating, " "), Err(FeedbackError::NoNote("调查")));
        assert!(S::Answered.answered() && !S::Handled.answered());
    }
}
