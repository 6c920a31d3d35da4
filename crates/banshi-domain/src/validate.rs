//! Catalogue validation. Every problem is reported with the exact place it stands
//! (`items[3].materials[2].when: unknown question "born_in"`), all of them at once, so an author
//! fixes a file in one pass; a catalogue with any problem is never imported.

use crate::catalog::{Catalog, Condition, Handling, Item, Question, CATALOG_SCHEMA_VERSION};
use std::collections::HashSet;
use std::fmt;

/// One problem in a catalogue: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A fault in what someone gave: where it is, its line in a file when known, and what is wrong
/// as a text key with its values — the web layer words it in the person's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub path: String,
    pub line: Option<usize>,
    pub key: &'static str,
    pub values: Vec<(&'static str, String)>,
}

/// Parses catalogue JSON and validates it. Syntax and type errors name their path too.
pub fn parse_catalog(json: &str) -> Result<Catalog, Vec<Problem>> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let catalog: Catalog = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let path = if path == "." { String::new() } else { path };
        vec![Problem { path, message: format!("{inner}") }]
    })?;
    let problems = validate_catalog(&catalog);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}

/// All the problems in a catalogue; empty when it may be imported.
pub fn validate_catalog(catalog: &Catalog) -> Vec<Problem> {
    let mut out = Problems::default();
    if catalog.schema_version != CATALOG_SCHEMA_VERSION {
        out.push(
            "schema_version",
            format!("unsupported version {}; this build reads version {CATALOG_SCHEMA_VERSION}", catalog.schema_version),
        );
    }
    if catalog.items.is_empty() {
        out.push("items", "a catalogue needs at least one item");
    }
    let mut codes = HashSet::new();
    for (i, item) in catalog.items.iter().enumerate() {
        let at = format!("items[{i}]");
        if !codes.insert(item.code.as_str()) {
            out.push(format!("{at}.code"), format!("duplicate item code \"{}\"", item.code));
        }
        validate_item(item, &at, &mut out);
    }
    out.0
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem { path: path.into(), message: message.into() });
    }

    fn non_empty(&mut self, path: String, value: &str) {
        if value.trim().is_empty() {
            self.push(path, "must not be empty");
        }
    }

    fn non_empty_list(&mut self, path: String, values: &[String]) {
        if values.is_empty() {
            self.push(path.clone(), "needs at least one entry");
        }
        for (i, value) in values.iter().enumerate() {
            self.non_empty(format!("{path}[{i}]"), value);
        }
    }
}

fn validate_item(item: &Item, at: &str, out: &mut Problems) {
    if item.code.is_empty()
        || item.code.len() > 64
        || !item.code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        out.push(format!("{at}.code"), format!("\"{}\" is not a code: use 1 to 64 of A-Z a-z 0-9 . _ -", item.code));
    }
    for (field, value) in [
        ("basic_code", &item.basic_code),
        ("name", &item.name),
        ("category", &item.category),
        ("department", &item.department),
        ("location", &item.location),
        ("hours", &item.hours),
    ] {
        out.non_empty(format!("{at}.{field}"), value);
    }
    out.non_empty_list(format!("{at}.legal_basis"), &item.legal_basis);
    out.non_empty_list(format!("{at}.conditions"), &item.conditions);
    out.non_empty_list(format!("{at}.process"), &item.process);
    for (field, phone) in [("consult_phone", &item.consult_phone), ("supervision_phone", &item.supervision_phone)] {
        if !is_phone(phone) {
            out.push(format!("{at}.{field}"), format!("\"{phone}\" is not a phone number: 3 to 20 digits, '-' or spaces"));
        }
    }

    let statutory = item.statutory_limit.working_days;
    let promised = item.promised_limit.working_days;
    if promised > statutory {
        out.push(
            format!("{at}.promised_limit.working_days"),
            format!("promised limit {promised} exceeds the statutory limit {statutory}"),
        );
    }
    match item.handling {
        Handling::Immediate if promised != 0 => out.push(
            format!("{at}.promised_limit.working_days"),
            format!("an immediate item (即办件) is done on the spot: the promised limit must be 0, not {promised}"),
        ),
        Handling::Promised if promised == 0 => out.push(
            format!("{at}.promised_limit.working_days"),
            "a promised item (承诺件) needs a promised limit of at least 1 working day",
        ),
        _ => {}
    }

    match (item.fee.charged, &item.fee.amount, &item.fee.basis) {
        (true, amount, basis) => {
            if amount.as_deref().is_none_or(|a| a.trim().is_empty()) {
                out.push(format!("{at}.fee.amount"), "a charged item needs the amount (收费标准)");
            }
            if basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
                out.push(format!("{at}.fee.basis"), "a charged item needs its legal basis (收费依据)");
            }
        }
        (false, Some(_), _) | (false, _, Some(_)) => {
            out.push(format!("{at}.fee"), "an item without a fee must not give an amount or a basis");
        }
        (false, None, None) => {}
    }

    if item.channels.is_empty() {
        out.push(format!("{at}.channels"), "needs at least one entry");
    }
    let mut seen_channels = HashSet::new();
    for (i, channel) in item.channels.iter().enumerate() {
        if !seen_channels.insert(*channel) {
            out.push(format!("{at}.channels[{i}]"), format!("duplicate channel \"{}\"", channel.as_str()));
        }
    }
    if item.online && !item.channels.iter().any(|c| matches!(c, crate::Channel::Pc | crate::Channel::Mobile)) {
        out.push(format!("{at}.online"), "an item handled online needs the channel \"pc\" or \"mobile\"");
    }
    if item.trips > 5 {
        out.push(format!("{at}.trips"), format!("{} trips is not credible: at most 5", item.trips));
    }
    if item.callback_days.is_some_and(|days| !(1..=60).contains(&days)) {
        out.push(format!("{at}.callback_days"), "from 1 to 60 working days".to_string());
    }
    for (i, faq) in item.faq.iter().enumerate() {
        out.non_empty(format!("{at}.faq[{i}].question"), &faq.question);
        out.non_empty(format!("{at}.faq[{i}].answer"), &faq.answer);
    }

    validate_questions(item, at, out);
    validate_materials(item, at, out);
}

fn validate_questions(item: &Item, at: &str, out: &mut Problems) {
    let mut ids = HashSet::new();
    for (q, question) in item.questions.iter().enumerate() {
        let qat = format!("{at}.questions[{q}]");
        if !is_identifier(&question.id) {
            out.push(format!("{qat}.id"), format!("\"{}\" is not an identifier: lowercase letters, digits and _", question.id));
        }
        if !ids.insert(question.id.as_str()) {
            out.push(format!("{qat}.id"), format!("duplicate question \"{}\"", question.id));
        }
        out.non_empty(format!("{qat}.text"), &question.text);
        if question.options.len() < 2 {
            out.push(format!("{qat}.options"), "a question needs at least two options");
        }
        let mut option_ids = HashSet::new();
        for (o, choice) in question.options.iter().enumerate() {
            if !is_identifier(&choice.id) {
                out.push(format!("{qat}.options[{o}].id"), format!("\"{}\" is not an identifier: lowercase letters, digits and _", choice.id));
            }
            if !option_ids.insert(choice.id.as_str()) {
                out.push(format!("{qat}.options[{o}].id"), format!("duplicate option \"{}\"", choice.id));
            }
            out.non_empty(format!("{qat}.options[{o}].label"), &choice.label);
        }
        if let Some(condition) = &question.when {
            // Only earlier questions: keeps the questions answerable in order and rules out cycles.
            validate_condition(condition, &item.questions[..q], &item.questions, &format!("{qat}.when"), out);
        }
    }
}

fn validate_materials(item: &Item, at: &str, out: &mut Problems) {
    if item.materials.is_empty() {
        out.push(format!("{at}.materials"), "needs at least one entry");
    }
    let mut ids = HashSet::new();
    for (m, material) in item.materials.iter().enumerate() {
        let mat = format!("{at}.materials[{m}]");
        if !is_identifier(&material.id) {
            out.push(format!("{mat}.id"), format!("\"{}\" is not an identifier: lowercase letters, digits and _", material.id));
        }
        if !ids.insert(material.id.as_str()) {
            out.push(format!("{mat}.id"), format!("duplicate material \"{}\"", material.id));
        }
        out.non_empty(format!("{mat}.name"), &material.name);
        out.non_empty(format!("{mat}.issuer"), &material.issuer);
        if material.originals + material.copies == 0 {
            out.push(format!("{mat}.originals"), "a material needs at least one original or one copy");
        }
        if !material.required && material.tolerable {
            out.push(format!("{mat}.tolerable"), "only a required material can be tolerated (容缺)");
        }
        if !material.required && material.commitment {
            out.push(format!("{mat}.commitment"), "only a required material can be replaced by a commitment (告知承诺)");
        }
        if let Some(condition) = &material.when {
            validate_condition(condition, &item.questions, &item.questions, &format!("{mat}.when"), out);
        }
    }
}

/// `allowed` are the questions the condition may name; `all` tells a later question from an unknown one.
fn validate_condition(condition: &Condition, allowed: &[Question], all: &[Question], at: &str, out: &mut Problems) {
    if condition.is_empty() {
        out.push(at, "an empty condition: leave \"when\" out instead");
    }
    for (question_id, option_ids) in condition {
        let Some(question) = allowed.iter().find(|q| &q.id == question_id) else {
            if all.iter().any(|q| &q.id == question_id) {
                out.push(at, format!("question \"{question_id}\" is not asked before this one"));
            } else {
                out.push(at, format!("unknown question \"{question_id}\""));
            }
            continue;
        };
        if option_ids.is_empty() {
            out.push(format!("{at}.{question_id}"), "list at least one option");
        }
        for option_id in option_ids {
            if !question.options.iter().any(|o| &o.id == option_id) {
                out.push(format!("{at}.{question_id}"), format!("unknown option \"{option_id}\" of question \"{question_id}\""));
            }
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_phone(s: &str) -> bool {
    (3..=20).contains(&s.chars().count())
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}
