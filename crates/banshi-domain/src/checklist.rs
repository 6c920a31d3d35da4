//! Situation-guided materials (情形引导) and the one-time notice (一次性告知).
//!
//! Given an item, the applicant's answers to its situation questions and the materials they have,
//! [`assess`] says which materials apply, which are missing, and which of the missing ones may be
//! tolerated (容缺, supplied after acceptance) or replaced by a written commitment (告知承诺).
//! The same computation serves the citizen's self-check before coming and the officer's notice.

use crate::catalog::{Condition, Item, Material, Question};
use crate::validate::Fault;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Situation answers: question id → chosen option id.
pub type Answers = BTreeMap<String, String>;

/// The questions to ask for these answers, in order: a question is asked when its condition holds
/// on the answers to the questions asked before it.
pub fn asked_questions<'a>(item: &'a Item, answers: &Answers) -> Vec<&'a Question> {
    let mut asked: Vec<&Question> = Vec::new();
    for question in &item.questions {
        if question.when.as_ref().is_none_or(|c| condition_holds(c, answers, &asked)) {
            asked.push(question);
        }
    }
    asked
}

/// The asked questions that have no valid answer yet.
pub fn unanswered_questions<'a>(item: &'a Item, answers: &Answers) -> Vec<&'a Question> {
    asked_questions(item, answers)
        .into_iter()
        .filter(|q| !answers.get(&q.id).is_some_and(|a| q.options.iter().any(|o| &o.id == a)))
        .collect()
}

fn condition_holds(condition: &Condition, answers: &Answers, asked: &[&Question]) -> bool {
    condition.iter().all(|(question_id, options)| {
        asked.iter().any(|q| &q.id == question_id)
            && answers.get(question_id).is_some_and(|answer| options.contains(answer))
    })
}

/// What the assessment found for one applicable material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    /// The applicant has it.
    Present,
    /// Required, missing, and acceptance must wait for it.
    Missing,
    /// Required and missing, but the case may be accepted and the material supplied later (容缺).
    Tolerable,
    /// Required and missing, but a written commitment may replace it (告知承诺).
    Committable,
    /// Not required and missing: useful, never blocking.
    OptionalMissing,
    /// Not brought: the window hands it out to be filled in there ([`Material::at_window`]).
    AtWindow,
}

impl MaterialStatus {
    /// Whether a one-time notice must list it.
    pub fn is_missing(self) -> bool {
        matches!(self, MaterialStatus::Missing | MaterialStatus::Tolerable | MaterialStatus::Committable)
    }
}

/// One applicable material and its status, copied out of the catalogue so a stored notice keeps
/// saying what it said when issued, whatever the catalogue says later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckedMaterial {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub originals: u32,
    pub copies: u32,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    pub status: MaterialStatus,
}

/// An answer that carries a policy note (符合哪项政策), shown to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyNote {
    pub question: String,
    pub answer: String,
    pub note: String,
}

/// The outcome of checking an applicant's materials for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    /// The answered questions as "question text → answer label", in order, for the printed page.
    pub situation: Vec<(String, String)>,
    pub policy_notes: Vec<PolicyNote>,
    /// Every material that applies in this situation, in catalogue order.
    pub materials: Vec<CheckedMaterial>,
}

/// Whether the application can be accepted with what the applicant has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every required material is present.
    Complete,
    /// Only tolerable or committable materials are missing: it may be accepted now.
    AcceptableWithGaps,
    /// A required material that can be neither tolerated nor committed is missing.
    Incomplete,
}

impl Assessment {
    pub fn missing(&self) -> impl Iterator<Item = &CheckedMaterial> {
        self.materials.iter().filter(|m| m.status.is_missing())
    }

    pub fn verdict(&self) -> Verdict {
        if self.materials.iter().any(|m| m.status == MaterialStatus::Missing) {
            Verdict::Incomplete
        } else if self.missing().next().is_some() {
            Verdict::AcceptableWithGaps
        } else {
            Verdict::Complete
        }
    }
}

/// The materials that apply to these answers (answers must be complete; see [`assess`]).
pub fn applicable_materials<'a>(item: &'a Item, answers: &Answers) -> Vec<&'a Material> {
    let asked = asked_questions(item, answers);
    item.materials
        .iter()
        .filter(|m| m.when.as_ref().is_none_or(|c| condition_holds(c, answers, &asked)))
        .collect()
}

/// Checks the applicant's materials against the item for their situation.
///
/// `present` names the materials the applicant has, by id; ids of materials that do not apply to the
/// answers are ignored (a box ticked before an answer changed), unknown ids are an error. Every asked
/// question must be answered with one of its options; answers to questions that are not asked are
/// an error, so that a caller never believes a condition was taken into account when it was not.
/// Each problem is a fault with its text key, for the web layer to word.
pub fn assess(item: &Item, answers: &Answers, present: &BTreeSet<String>) -> Result<Assessment, Vec<Fault>> {
    let mut problems = Vec::new();
    let fault = |path: String, key: &'static str, values: Vec<(&'static str, String)>| Fault { path, line: None, key, values };
    let asked = asked_questions(item, answers);
    for (question_id, answer) in answers {
        let path = format!("answers.{question_id}");
        match item.question(question_id) {
            None => problems.push(fault(path, "answer_fault_no_question", vec![("item", item.code.clone()), ("question", question_id.clone())])),
            Some(question) if !question.options.iter().any(|o| &o.id == answer) => problems.push(fault(path, "answer_fault_not_an_option", vec![("answer", answer.clone()), ("question", question.text.clone())])),
            Some(question) if !asked.iter().any(|q| q.id == question.id) => problems.push(fault(path, "answer_fault_not_asked", vec![("question", question.text.clone())])),
            Some(_) => {}
        }
    }
    for question in &asked {
        if !answers.contains_key(&question.id) {
            problems.push(fault(format!("answers.{}", question.id), "answer_fault_unanswered", vec![("question", question.text.clone())]));
        }
    }
    for id in present {
        if item.material(id).is_none() {
            problems.push(fault("present".into(), "answer_fault_no_material", vec![("item", item.code.clone()), ("material", id.clone())]));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut situation = Vec::new();
    let mut policy_notes = Vec::new();
    for question in &asked {
        let answer = &answers[&question.id];
        let choice = question.options.iter().find(|o| &o.id == answer).expect("answers were checked above");
        situation.push((question.text.clone(), choice.label.clone()));
        if let Some(note) = &choice.note {
            policy_notes.push(PolicyNote { question: question.text.clone(), answer: choice.label.clone(), note: note.clone() });
        }
    }
    let materials = applicable_materials(item, answers)
        .into_iter()
        .map(|m| CheckedMaterial {
            id: m.id.clone(),
            name: m.name.clone(),
            issuer: m.issuer.clone(),
            originals: m.originals,
            copies: m.copies,
            required: m.required,
            note: m.note.clone(),
            form: m.form.clone(),
            status: status_of(m, present.contains(&m.id)),
        })
        .collect();
    Ok(Assessment { situation, policy_notes, materials })
}

fn status_of(material: &Material, present: bool) -> MaterialStatus {
    match (present, material.required) {
        (true, _) => MaterialStatus::Present,
        (false, _) if material.at_window => MaterialStatus::AtWindow,
        (false, false) => MaterialStatus::OptionalMissing,
        // Tolerance is preferred over commitment: the real material still arrives later.
        (false, true) if material.tolerable => MaterialStatus::Tolerable,
        (false, true) if material.commitment => MaterialStatus::Committable,
        (false, true) => MaterialStatus::Missing,
    }
}

/// A notice number: centre code, `GZ` (告知), issue date, and the day's sequence at that centre,
/// e.g. `SF01-GZ20261124-0007`. Unique because the sequence is drawn per centre per day; the `GZ`
/// keeps it apart from the day's case numbers (`SF01-20261124-0007`), which count on their own.
pub fn notice_number(centre_code: &str, date: chrono::NaiveDate, sequence: u32) -> String {
    format!("{centre_code}-GZ{}-{sequence:04}", date.format("%Y%m%d"))
}
