//! The catalogue's JSON form, its validation, and the materials check behind the one-time notice.

use banshi_domain::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const FIXTURE: &str = include_str!("fixture.json");
const DEMO: &str = include_str!("../../../catalog/demo.json");

fn fixture() -> Catalog {
    parse_catalog(FIXTURE).expect("the fixture is valid")
}

fn fixture_value() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

/// A fault as a line: `path: key value value…` (the key names the text that words it).
fn line(fault: &Fault) -> String {
    let values: Vec<&str> = fault.values.iter().map(|(_, value)| value.as_str()).collect();
    format!("{}: {} {}", fault.path, fault.key, values.join(" ")).trim_end().to_string()
}

/// The problems of the fixture after `edit`, as `path: key values` lines.
fn problems_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut value = fixture_value();
    edit(&mut value);
    match parse_catalog(&value.to_string()) {
        Ok(_) => vec![],
        Err(problems) => problems.iter().map(line).collect(),
    }
}

fn assert_problem(edit: impl FnOnce(&mut Value), expected: &str) {
    let problems = problems_after(edit);
    assert!(problems.iter().any(|p| p == expected), "expected {expected:?} among {problems:#?}");
}

#[test]
fn the_demo_catalogue_is_valid_and_large_enough() {
    let catalog = parse_catalog(DEMO).unwrap_or_else(|p| panic!("demo catalogue invalid: {p:#?}"));
    assert!(catalog.items.len() >= 30, "{} items", catalog.items.len());
    for name in ["出生登记", "户口迁入", "居民身份证", "临时居民身份证", "居住证", "营业执照", "税务", "社会保险", "失业登记", "医保", "退休", "最低生活保障"] {
        assert!(catalog.items.iter().any(|i| i.name.contains(name)), "no item named like {name}");
    }
}

#[test]
fn round_trip_is_identical() {
    for source in [FIXTURE, DEMO] {
        let first = serde_json::to_string_pretty(&parse_catalog(source).unwrap()).unwrap();
        let second = serde_json::to_string_pretty(&parse_catalog(&first).unwrap()).unwrap();
        assert_eq!(first, second);
    }
}

#[test]
fn unknown_question_in_a_condition_is_named_with_its_place() {
    assert_problem(
        |v| v["items"][0]["materials"][2]["when"] = json!({ "born_in": ["yes"] }),
        "items[0].materials[2].when: catalog_fault_unknown_question born_in",
    );
}

#[test]
fn unknown_option_in_a_condition() {
    assert_problem(
        |v| v["items"][0]["materials"][0]["when"] = json!({ "born_in_hospital": ["maybe"] }),
        "items[0].materials[0].when.born_in_hospital: catalog_fault_unknown_option born_in_hospital maybe",
    );
}

#[test]
fn a_question_may_depend_only_on_earlier_questions() {
    assert_problem(
        |v| v["items"][0]["questions"][0]["when"] = json!({ "parents_married": ["yes"] }),
        "items[0].questions[0].when: catalog_fault_later_question parents_married",
    );
}

#[test]
fn duplicate_item_codes() {
    assert_problem(
        |v| {
            let copy = v["items"][0].clone();
            v["items"].as_array_mut().unwrap().push(copy);
        },
        "items[1].code: catalog_fault_duplicate_code T-BIRTH",
    );
}

#[test]
fn duplicate_material_and_question_ids() {
    assert_problem(|v| v["items"][0]["materials"][1]["id"] = json!("birth_certificate"), "items[0].materials[1].id: catalog_fault_duplicate_material birth_certificate");
    assert_problem(|v| v["items"][0]["questions"][1]["id"] = json!("born_in_hospital"), "items[0].questions[1].id: catalog_fault_duplicate_question born_in_hospital");
}

#[test]
fn promised_limit_beyond_statutory() {
    assert_problem(
        |v| v["items"][0]["promised_limit"]["working_days"] = json!(30),
        "items[0].promised_limit.working_days: catalog_fault_promise_exceeds 30 20",
    );
}

#[test]
fn immediate_items_have_no_promised_days() {
    assert_problem(
        |v| v["items"][0]["handling"] = json!("immediate"),
        "items[0].promised_limit.working_days: catalog_fault_immediate_limit 5",
    );
}

#[test]
fn a_fee_needs_amount_and_basis() {
    assert_problem(|v| v["items"][0]["fee"] = json!({ "charged": true }), "items[0].fee.basis: catalog_fault_fee_basis");
}

#[test]
fn tolerance_only_for_required_materials() {
    assert_problem(|v| v["items"][0]["materials"][7]["tolerable"] = json!(true), "items[0].materials[7].tolerable: catalog_fault_tolerable_optional");
}

#[test]
fn empty_names_bad_phones_and_bad_identifiers() {
    assert_problem(|v| v["items"][0]["name"] = json!("  "), "items[0].name: catalog_fault_empty");
    assert_problem(
        |v| v["items"][0]["supervision_phone"] = json!("call us"),
        "items[0].supervision_phone: catalog_fault_phone call us",
    );
    assert_problem(
        |v| v["items"][0]["materials"][0]["id"] = json!("Birth Cert"),
        "items[0].materials[0].id: catalog_fault_identifier Birth Cert",
    );
}

#[test]
fn a_question_needs_two_options() {
    assert_problem(
        |v| v["items"][0]["questions"][1]["options"].as_array_mut().unwrap().truncate(1),
        "items[0].questions[1].options: catalog_fault_two_options",
    );
}

#[test]
fn type_errors_and_unknown_fields_name_their_place() {
    let problems = problems_after(|v| v["items"][0]["handling"] = json!("someday"));
    assert!(problems[0].starts_with("items[0].handling: syntax_unknown_value someday immediate、promised"), "{problems:?}");
    let problems = problems_after(|v| v["items"][0]["materials"][3]["tolerant"] = json!(true));
    assert_eq!(problems, ["items[0].materials[3].tolerant: syntax_unknown_field tolerant"]);
    let problems = problems_after(|v| v["items"][0]["trips"] = json!(-1));
    assert_eq!(problems, ["items[0].trips: syntax_wrong_value"]);
}

#[test]
fn wrong_schema_version_and_empty_catalogue() {
    let problems = problems_after(|v| *v = json!({ "schema_version": 2, "items": [] }));
    assert_eq!(problems, ["schema_version: catalog_fault_version 2 1", "items: catalog_fault_no_items"]);
}

#[test]
fn not_json_at_all() {
    let problems = parse_catalog("{ items: ").unwrap_err();
    assert_eq!((problems[0].key, problems[0].line), ("syntax_unreadable", Some(1)), "{problems:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let problems = problems_after(|v| {
        v["items"][0]["name"] = json!("");
        v["items"][0]["materials"][0]["when"] = json!({ "nope": ["yes"] });
        v["items"][0]["promised_limit"]["working_days"] = json!(99);
    });
    assert!(problems.len() >= 3, "{problems:#?}");
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs.iter().map(|(q, a)| (q.to_string(), a.to_string())).collect()
}

fn present(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn statuses(assessment: &Assessment) -> Vec<(&str, MaterialStatus)> {
    assessment.materials.iter().map(|m| (m.id.as_str(), m.status)).collect()
}

#[test]
fn hospital_birth_to_married_parents_needs_the_birth_certificate() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    let a = assess(
        item,
        &answers(&[("born_in_hospital", "yes"), ("parents_married", "yes"), ("marriage_abroad", "domestic")]),
        &present(&["household_register", "parent_id"]),
    )
    .unwrap();
    assert_eq!(
        statuses(&a),
        [
            ("birth_certificate", MaterialStatus::Missing),
            ("household_register", MaterialStatus::Present),
            ("marriage_certificate", MaterialStatus::Tolerable),
            ("parent_id", MaterialStatus::Present),
            ("photo", MaterialStatus::OptionalMissing),
        ]
    );
    assert_eq!(a.verdict(), Verdict::Incomplete);
    assert_eq!(a.missing().count(), 2);
}

#[test]
fn out_of_hospital_unmarried_birth_asks_dna_test_and_allows_commitment() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    let a = assess(
        item,
        &answers(&[("born_in_hospital", "no"), ("parents_married", "no")]),
        &present(&["dna_test", "household_register", "parent_id"]),
    )
    .unwrap();
    assert_eq!(
        statuses(&a),
        [
            ("dna_test", MaterialStatus::Present),
            ("household_register", MaterialStatus::Present),
            ("unmarried_statement", MaterialStatus::Committable),
            ("parent_id", MaterialStatus::Present),
            ("photo", MaterialStatus::OptionalMissing),
        ]
    );
    assert_eq!(a.verdict(), Verdict::AcceptableWithGaps);
    assert_eq!(a.policy_notes.len(), 1);
    assert_eq!(a.policy_notes[0].note, "医院外出生的，须提供亲子鉴定证明");
}

/// A form the window hands out (《出生登记申请表》, 户籍窗口提供) is never missing: the applicant who
/// has everything else is complete, and no notice lists it. Before, it blocked the self-check.
#[test]
fn a_form_the_window_hands_out_is_never_missing() {
    let mut value = fixture_value();
    let materials = value["items"][0]["materials"].as_array_mut().unwrap();
    let household = materials.iter_mut().find(|m| m["id"] == "household_register").unwrap();
    household["at_window"] = json!(true);
    let catalog = parse_catalog(&value.to_string()).unwrap();
    let item = catalog.item("T-BIRTH").unwrap();
    let situation = answers(&[("born_in_hospital", "yes"), ("parents_married", "yes"), ("marriage_abroad", "domestic")]);
    let a = assess(item, &situation, &present(&["birth_certificate", "marriage_certificate", "parent_id"])).unwrap();
    assert_eq!(statuses(&a)[1], ("household_register", MaterialStatus::AtWindow));
    assert_eq!(a.verdict(), Verdict::Complete);
    assert_eq!(a.missing().count(), 0);
    // Brought filled in anyway, it is simply present.
    let a = assess(item, &situation, &present(&["birth_certificate", "household_register", "marriage_certificate", "parent_id"])).unwrap();
    assert_eq!(statuses(&a)[1], ("household_register", MaterialStatus::Present));
}

#[test]
fn a_follow_up_question_is_asked_only_in_its_situation() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    let ids = |a: &Answers| asked_questions(item, a).iter().map(|q| q.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&answers(&[])), ["born_in_hospital", "parents_married"]);
    assert_eq!(ids(&answers(&[("parents_married", "yes")])), ["born_in_hospital", "parents_married", "marriage_abroad"]);
    let a = assess(
        item,
        &answers(&[("born_in_hospital", "yes"), ("parents_married", "yes"), ("marriage_abroad", "abroad")]),
        &present(&["birth_certificate", "household_register", "marriage_certificate", "parent_id", "photo"]),
    )
    .unwrap();
    assert_eq!(a.missing().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["foreign_marriage_proof"]);
}

#[test]
fn everything_present_is_complete() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    let a = assess(
        item,
        &answers(&[("born_in_hospital", "yes"), ("parents_married", "no")]),
        &present(&["birth_certificate", "household_register", "unmarried_statement", "parent_id"]),
    )
    .unwrap();
    assert_eq!(a.verdict(), Verdict::Complete);
    assert_eq!(a.missing().count(), 0);
}

#[test]
fn bad_answers_are_refused_with_their_place() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    // Each fault: its place, its text's key and the values the text is filled with.
    let faults = |a: Answers, p: BTreeSet<String>| {
        assess(item, &a, &p).unwrap_err().into_iter().map(|f| format!("{}: {} {}", f.path, f.key, f.values.into_iter().map(|(_, v)| v).collect::<Vec<_>>().join(" "))).collect::<Vec<_>>()
    };
    assert_eq!(faults(answers(&[("born_in_hospital", "yes")]), present(&[])), ["answers.parents_married: answer_fault_unanswered 父母是否登记结婚"]);
    assert_eq!(
        faults(answers(&[("born_in_hospital", "maybe"), ("parents_married", "no")]), present(&[])),
        ["answers.born_in_hospital: answer_fault_not_an_option maybe 是否在医院出生"]
    );
    assert_eq!(
        faults(answers(&[("born_in_hospital", "yes"), ("parents_married", "no"), ("marriage_abroad", "domestic")]), present(&[])),
        ["answers.marriage_abroad: answer_fault_not_asked 结婚登记在哪里办理"]
    );
    assert_eq!(
        faults(answers(&[("born_in_hospital", "yes"), ("parents_married", "no"), ("colour", "red")]), present(&["passport"])),
        ["answers.colour: answer_fault_no_question T-BIRTH colour", "present: answer_fault_no_material T-BIRTH passport"]
    );
}

#[test]
fn a_tick_for_a_material_that_does_not_apply_is_ignored() {
    let catalog = fixture();
    let item = catalog.item("T-BIRTH").unwrap();
    let a = assess(item, &answers(&[("born_in_hospital", "yes"), ("parents_married", "no")]), &present(&["dna_test"])).unwrap();
    assert!(a.materials.iter().all(|m| m.id != "dna_test"));
}

#[test]
fn notice_numbers_carry_centre_day_and_sequence() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert_eq!(notice_number("SF01", day, 7), "SF01-GZ20261124-0007");
    // Never the number of the day's case with the same sequence.
    assert_ne!(notice_number("SF01", day, 1), banshi_domain::case::case_number("SF01", day, 1));
}

#[test]
fn catalogue_changes_list_added_changed_and_removed_items() {
    let old = fixture().items;
    let mut new = old.clone();
    new[0].name = "出生登记（新）".into();
    let mut added = old[0].clone();
    added.code = "T-NEW".into();
    new.push(added);
    let changes = catalog_changes(&old, &new);
    assert_eq!(changes.iter().map(|c| (c.code, c.before.is_some(), c.after.is_some())).collect::<Vec<_>>(), [("T-BIRTH", true, true), ("T-NEW", false, true)]);
    let removed = catalog_changes(&new, &old);
    assert!(removed.iter().any(|c| c.code == "T-NEW" && c.after.is_none()));
    assert!(catalog_changes(&old, &old).is_empty());
}
