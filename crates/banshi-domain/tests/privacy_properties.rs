//! Masking free text: whatever the text around them, no identity or mobile number survives, the
//! rest is left as it was, and masking twice changes nothing more.

use banshi_domain::privacy::{mask_personal_numbers, personal_numbers};
use proptest::prelude::*;

fn around() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![Just("，".to_string()), Just(" ".to_string()), Just("委托".to_string()), "[a-z]{0,3}".prop_map(|s| format!(" {s} ")), "[0-9]{1,6}".prop_map(|d| format!("-{d}-"))], 0..4).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn numbers_are_masked_wherever_they_stand(before in around(), after in around(), mobile in "1[3-9][0-9]{9}", id in "[0-9]{17}[0-9X]") {
        let text = format!("{before} {mobile} {id} {after}");
        let masked = mask_personal_numbers(&text);
        prop_assert!(!masked.contains(&mobile), "{masked}");
        prop_assert!(!masked.contains(&id), "{masked}");
        prop_assert_eq!(masked.chars().count(), text.chars().count());
        prop_assert!(masked.starts_with(&before) && masked.ends_with(&after));
        prop_assert_eq!(mask_personal_numbers(&masked), masked.clone());
        prop_assert!(personal_numbers(&masked).is_empty());
    }
}
