//! Catalogue validation. Every problem is reported with the exact place it stands
//! (`items[3].materials[2].when`) and a text key saying what is wrong (`catalog_fault_unknown_question`,
//! worded by the web layer: 没有问题“born_in”), all of them at once, so an author fixes a file in
//! one pass; a catalogue with any problem is never imported.

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

impl Fault {
    pub fn new(path: impl Into<String>, key: &'static str, values: Vec<(&'static str, String)>) -> Self {
        Fault { path: path.into(), line: None, key, values }
    }

    /// A file that does not read (serde's or TOML's message, in English) as a fault the web layer
    /// words: a missing, unknown or doubled field, a value of the wrong kind, or text that is not
    /// in the file's format at all. The line, when the message gives one, is the fault's.
    pub fn syntax(path: impl Into<String>, message: &str) -> Self {
        let (message, line) = match message.rfind(" at line ") {
            Some(at) => (&message[..at], message[at + 9..].split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok())),
            None => (message, None),
        };
        let (key, values) = syntax_key(message.trim());
        Fault { path: path.into(), line, key, values }
    }
}

/// The names in backquotes in a serde message: `unknown field `x`, expected `a` or `b``.
fn quoted_names(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

fn syntax_key(message: &str) -> (&'static str, Vec<(&'static str, String)>) {
    let names = quoted_names(message);
    let first = || names.first().map(|name| name.to_string()).unwrap_or_default();
    if message.starts_with("missing field") {
        ("syntax_missing_field", vec![("field", first())])
    } else if message.starts_with("unknown field") {
        ("syntax_unknown_field", vec![("field", first())])
    } else if message.starts_with("duplicate field") || message.starts_with("duplicate key") {
        ("syntax_duplicate_field", vec![("field", first())])
    } else if message.starts_with("unknown variant") && names.len() > 1 {
        ("syntax_unknown_value", vec![("value", first()), ("expected", names[1..].join("、"))])
    } else if message.starts_with("invalid type") {
        ("syntax_wrong_type", vec![])
    } else if ["invalid value", "invalid length", "invalid digit", "unknown variant", "premature end of input", "trailing input"].iter().any(|start| message.starts_with(start)) || message.contains("provided string was not") || message.starts_with("input ") {
        // A value that reads but is wrong; also a number (`invalid digit`), a boolean (serde_urlencoded)
        // and a date (chrono) that do not parse.
        ("syntax_wrong_value", vec![])
    } else {
        ("syntax_unreadable", vec![])
    }
}

/// Parses catalogue JSON and validates it. Syntax and type errors name their path too. Every
/// problem is a fault with its text key, for the web layer (or the command line) to word.
pub fn parse_catalog(json: &str) -> Result<Catalog, Vec<Fault>> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let catalog: Catalog = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let path = if path == "." { String::new() } else { path };
        vec![Fault::syntax(path, &inner.to_string())]
    })?;
    let problems = validate_catalog(&catalog);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}

/// All the problems in a catalogue; empty when it may be imported.
pub fn validate_catalog(catalog: &Catalog) -> Vec<Fault> {
    let mut out = Problems::default();
    if catalog.schema_version != CATALOG_SCHEMA_VERSION {
        out.push("schema_version", "catalog_fault_version", vec![("version", catalog.schema_version.to_string()), ("supported", CATALOG_SCHEMA_VERSION.to_string())]);
    }
    if catalog.items.is_empty() {
        out.push("items", "catalog_fault_no_items", vec![]);
    }
    let mut codes = HashSet::new();
    for (i, item) in catalog.items.iter().enumerate() {
        let at = format!("items[{i}]");
        if !codes.insert(item.code.as_str()) {
            out.push(format!("{at}.code"), "catalog_fault_duplicate_code", vec![("code", item.code.clone())]);
        }
        validate_item(item, &at, &mut out);
    }
    out.0
}

#[derive(Default)]
struct Problems(Vec<Fault>);

impl Problems {
    fn push(&mut self, path: impl Into<String>, key: &'static str, values: Vec<(&'static str, String)>) {
        self.0.push(Fault::new(path, key, values));
    }

    fn non_empty(&mut self, path: String, value: &str) {
        if value.trim().is_empty() {
            self.push(path, "catalog_fault_empty", vec![]);
        }
    }

    fn non_empty_list(&mut self, path: String, values: &[String]) {
        if values.is_empty() {
            self.push(path.clone(), "catalog_fault_no_entry", vec![]);
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
        out.push(format!("{at}.code"), "catalog_fault_code", vec![("code", item.code.clone())]);
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
            out.push(format!("{at}.{field}"), "catalog_fault_phone", vec![("phone", phone.clone())]);
        }
    }

    let statutory = item.statutory_limit.working_days;
    let promised = item.promised_limit.working_days;
    if promised > statutory {
        out.push(format!("{at}.promised_limit.working_days"), "catalog_fault_promise_exceeds", vec![("promised", promised.to_string()), ("statutory", statutory.to_string())]);
    }
    match item.handling {
        Handling::Immediate if promised != 0 => out.push(format!("{at}.promised_limit.working_days"), "catalog_fault_immediate_limit", vec![("promised", promised.to_string())]),
        Handling::Promised if promised == 0 => out.push(format!("{at}.promised_limit.working_days"), "catalog_fault_promised_limit", vec![]),
        _ => {}
    }

    match (item.fee.charged, &item.fee.amount, &item.fee.basis) {
        (true, amount, basis) => {
            if amount.as_deref().is_none_or(|a| a.trim().is_empty()) {
                out.push(format!("{at}.fee.amount"), "catalog_fault_fee_amount", vec![]);
            }
            if basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
                out.push(format!("{at}.fee.basis"), "catalog_fault_fee_basis", vec![]);
            }
        }
        (false, Some(_), _) | (false, _, Some(_)) => {
            out.push(format!("{at}.fee"), "catalog_fault_fee_free", vec![]);
        }
        (false, None, None) => {}
    }

    if item.channels.is_empty() {
        out.push(format!("{at}.channels"), "catalog_fault_no_entry", vec![]);
    }
    let mut seen_channels = HashSet::new();
    for (i, channel) in item.channels.iter().enumerate() {
        if !seen_channels.insert(*channel) {
            out.push(format!("{at}.channels[{i}]"), "catalog_fault_duplicate_channel", vec![("channel", channel.as_str().to_string())]);
        }
    }
    if item.online && !item.channels.iter().any(|c| matches!(c, crate::Channel::Pc | crate::Channel::Mobile)) {
        out.push(format!("{at}.online"), "catalog_fault_online_channel", vec![]);
    }
    if item.trips > 5 {
        out.push(format!("{at}.trips"), "catalog_fault_trips", vec![("trips", item.trips.to_string())]);
    }
    if item.callback_days.is_some_and(|days| !(1..=60).contains(&days)) {
        out.push(format!("{at}.callback_days"), "catalog_fault_callback_days", vec![]);
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
            out.push(format!("{qat}.id"), "catalog_fault_identifier", vec![("id", question.id.clone())]);
        }
        if !ids.insert(question.id.as_str()) {
            out.push(format!("{qat}.id"), "catalog_fault_duplicate_question", vec![("id", question.id.clone())]);
        }
        out.non_empty(format!("{qat}.text"), &question.text);
        if question.options.len() < 2 {
            out.push(format!("{qat}.options"), "catalog_fault_two_options", vec![]);
        }
        let mut option_ids = HashSet::new();
        for (o, choice) in question.options.iter().enumerate() {
            if !is_identifier(&choice.id) {
                out.push(format!("{qat}.options[{o}].id"), "catalog_fault_identifier", vec![("id", choice.id.clone())]);
            }
            if !option_ids.insert(choice.id.as_str()) {
                out.push(format!("{qat}.options[{o}].id"), "catalog_fault_duplicate_option", vec![("id", choice.id.clone())]);
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
        out.push(format!("{at}.materials"), "catalog_fault_no_entry", vec![]);
    }
    let mut ids = HashSet::new();
    for (m, material) in item.materials.iter().enumerate() {
        let mat = format!("{at}.materials[{m}]");
        if !is_identifier(&material.id) {
            out.push(format!("{mat}.id"), "catalog_fault_identifier", vec![("id", material.id.clone())]);
        }
        if !ids.insert(material.id.as_str()) {
            out.push(format!("{mat}.id"), "catalog_fault_duplicate_material", vec![("id", material.id.clone())]);
        }
        out.non_empty(format!("{mat}.name"), &material.name);
        out.non_empty(format!("{mat}.issuer"), &material.issuer);
        if material.originals + material.copies == 0 {
            out.push(format!("{mat}.originals"), "catalog_fault_no_copy", vec![]);
        }
        if !material.required && material.tolerable {
            out.push(format!("{mat}.tolerable"), "catalog_fault_tolerable_optional", vec![]);
        }
        if !material.required && material.commitment {
            out.push(format!("{mat}.commitment"), "catalog_fault_commitment_optional", vec![]);
        }
        if let Some(condition) = &material.when {
            validate_condition(condition, &item.questions, &item.questions, &format!("{mat}.when"), out);
        }
    }
}

/// `allowed` are the questions the condition may name; `all` tells a later question from an unknown one.
fn validate_condition(condition: &Condition, allowed: &[Question], all: &[Question], at: &str, out: &mut Problems) {
    if condition.is_empty() {
        out.push(at, "catalog_fault_empty_condition", vec![]);
    }
    for (question_id, option_ids) in condition {
        let Some(question) = allowed.iter().find(|q| &q.id == question_id) else {
            if all.iter().any(|q| &q.id == question_id) {
                out.push(at, "catalog_fault_later_question", vec![("question", question_id.clone())]);
            } else {
                out.push(at, "catalog_fault_unknown_question", vec![("question", question_id.clone())]);
            }
            continue;
        };
        if option_ids.is_empty() {
            out.push(format!("{at}.{question_id}"), "catalog_fault_no_option_listed", vec![]);
        }
        for option_id in option_ids {
            if !question.options.iter().any(|o| &o.id == option_id) {
                out.push(format!("{at}.{question_id}"), "catalog_fault_unknown_option", vec![("question", question_id.clone()), ("option", option_id.clone())]);
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
