//! Properties of the materials check that must hold for any answers and any ticked materials.

use banshi_domain::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn item() -> Item {
    parse_catalog(include_str!("fixture.json")).unwrap().items.remove(0)
}

/// Complete, valid answers chosen by index, so every generated case can be assessed.
fn answers_from(item: &Item, choices: &[usize]) -> Answers {
    let mut answers = Answers::new();
    for (i, _) in item.questions.iter().enumerate() {
        if let Some(question) = unanswered_questions(item, &answers).into_iter().next() {
            let choice = &question.options[choices[i] % question.options.len()];
            answers.insert(question.id.clone(), choice.id.clone());
        }
    }
    answers
}

proptest! {
    #[test]
    fn the_notice_lists_exactly_the_required_materials_not_present(
        choices in proptest::collection::vec(0usize..4, 3),
        ticks in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let item = item();
        let answers = answers_from(&item, &choices);
        prop_assert!(unanswered_questions(&item, &answers).is_empty());
        let present: BTreeSet<String> =
            item.materials.iter().zip(&ticks).filter(|(_, t)| **t).map(|(m, _)| m.id.clone()).collect();
        let assessment = assess(&item, &answers, &present).unwrap();
        for checked in &assessment.materials {
            let material = item.material(&checked.id).unwrap();
            let should_list = material.required && !present.contains(&checked.id);
            prop_assert_eq!(checked.status.is_missing(), should_list, "{}", checked.id);
        }
        let verdict = assessment.verdict();
        let blocking = assessment.materials.iter().any(|m| m.status == MaterialStatus::Missing);
        prop_assert_eq!(verdict == Verdict::Incomplete, blocking);
        prop_assert_eq!(verdict == Verdict::Complete, assessment.missing().next().is_none());
    }
}
