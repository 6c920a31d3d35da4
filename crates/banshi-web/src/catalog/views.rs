//! What the catalogue's pages show, computed from domain values: item lists by category,
//! materials with their situations in plain words, the state of a situation-and-materials form
//! (the self-check's and the officer's notice form alike), a verdict in words.

use crate::shared::texts::text;
use banshi_domain::{applicable_materials, asked_questions, unanswered_questions, Answers, Assessment, Condition, Item};
use serde::Serialize;
use std::collections::BTreeSet;

/// An item in a list: enough to find it and open its guide.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemSummary<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub department: &'a str,
}

impl<'a> ItemSummary<'a> {
    pub fn of(item: &'a Item) -> Self {
        ItemSummary { code: &item.code, name: &item.name, category: &item.category, department: &item.department }
    }
}

#[derive(Serialize)]
pub struct CategoryGroup<'a> {
    pub category: &'a str,
    pub items: Vec<ItemSummary<'a>>,
}

/// Items grouped by category, categories in order of first appearance in the catalogue.
pub fn group_by_category<'a>(items: impl IntoIterator<Item = &'a Item>) -> Vec<CategoryGroup<'a>> {
    let mut groups: Vec<CategoryGroup<'a>> = Vec::new();
    for item in items {
        let summary = ItemSummary::of(item);
        match groups.iter_mut().find(|g| g.category == item.category) {
            Some(group) => group.items.push(summary),
            None => groups.push(CategoryGroup { category: &item.category, items: vec![summary] }),
        }
    }
    groups
}

#[derive(Serialize)]
pub struct MaterialRow<'a> {
    #[serde(flatten)]
    pub material: &'a banshi_domain::Material,
    /// The situations it is required in, in plain words; absent when always.
    pub when_text: Option<String>,
}

pub fn material_rows(item: &Item) -> Vec<MaterialRow<'_>> {
    item.materials
        .iter()
        .map(|m| MaterialRow { material: m, when_text: m.when.as_ref().map(|c| describe_condition(item, c)) })
        .collect()
}

/// `{"born_in_hospital": ["no"]}` → `是否在医院出生：医院外出生`.
fn describe_condition(item: &Item, condition: &Condition) -> String {
    condition
        .iter()
        .map(|(question_id, options)| match item.question(question_id) {
            Some(q) => {
                let labels: Vec<&str> = options
                    .iter()
                    .map(|o| q.options.iter().find(|c| &c.id == o).map_or(o.as_str(), |c| c.label.as_str()))
                    .collect();
                format!("{}：{}", q.text, labels.join("或"))
            }
            None => question_id.clone(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Answers and ticked materials read from a form or query: `q.<question>=<option>`, `have=<material>`.
#[derive(Debug, Default)]
pub struct ChecklistInput {
    pub answers: Answers,
    pub present: BTreeSet<String>,
}

impl ChecklistInput {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut input = ChecklistInput::default();
        for (key, value) in pairs {
            if let Some(question) = key.strip_prefix("q.") {
                input.answers.insert(question.to_string(), value.clone());
            } else if key == "have" {
                input.present.insert(value.clone());
            }
        }
        input
    }

    /// Keeps only answers to questions asked in this situation with a real option: a page built
    /// from a link or an edited form shows what applies and drops the rest.
    pub fn sanitised(mut self, item: &Item) -> Self {
        let mut kept = Answers::new();
        for question in asked_questions(item, &self.answers) {
            if let Some(answer) = self.answers.get(&question.id).filter(|a| question.options.iter().any(|o| &o.id == *a)) {
                kept.insert(question.id.clone(), answer.clone());
            }
        }
        // Dropping an answer can hide a question answered after it; repeat until stable.
        if kept.len() != self.answers.len() {
            self.answers = kept;
            return self.sanitised(item);
        }
        self
    }

    /// The answers as a query string, to come back to the same questions.
    pub fn answers_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (q, a) in &self.answers {
            query.append_pair(&format!("q.{q}"), a);
        }
        query.finish()
    }
}

#[derive(Serialize)]
pub struct QuestionView<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub options: &'a [banshi_domain::Choice],
    pub answer: Option<&'a str>,
    pub answer_label: Option<&'a str>,
}

#[derive(Serialize)]
pub struct MaterialTick<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub required: bool,
    pub checked: bool,
}

/// The state of a situation-and-materials form: the questions to show with their answers, whether
/// all are answered, and then the materials that apply, ticked as given.
#[derive(Serialize)]
pub struct FormState<'a> {
    pub questions: Vec<QuestionView<'a>>,
    pub all_answered: bool,
    pub materials: Vec<MaterialTick<'a>>,
    /// The forms the window hands out: not ticked, since nobody brings them.
    pub at_window: Vec<&'a str>,
}

pub fn form_state<'a>(item: &'a Item, input: &'a ChecklistInput) -> FormState<'a> {
    let questions = asked_questions(item, &input.answers)
        .into_iter()
        .map(|q| {
            let answer = input.answers.get(&q.id).map(String::as_str);
            let answer_label = answer.and_then(|a| q.options.iter().find(|o| o.id == a)).map(|o| o.label.as_str());
            QuestionView { id: &q.id, text: &q.text, options: &q.options, answer, answer_label }
        })
        .collect();
    let all_answered = unanswered_questions(item, &input.answers).is_empty();
    let applicable = if all_answered { applicable_materials(item, &input.answers) } else { vec![] };
    let (at_window, brought): (Vec<_>, Vec<_>) = applicable.into_iter().partition(|m| m.at_window);
    let materials = brought.into_iter().map(|m| MaterialTick { id: &m.id, name: &m.name, required: m.required, checked: input.present.contains(&m.id) }).collect();
    FormState { questions, all_answered, materials, at_window: at_window.into_iter().map(|m| m.name.as_str()).collect() }
}

pub fn verdict_label(assessment: &Assessment) -> &'static str {
    match assessment.verdict() {
        banshi_domain::Verdict::Complete => text("verdict_complete"),
        banshi_domain::Verdict::AcceptableWithGaps => text("verdict_acceptable_with_gaps"),
        banshi_domain::Verdict::Incomplete => text("verdict_incomplete"),
    }
}
