//! Who did something, as a person reads it: a staff member by name (their record's label is
//! `username (name)`), the system's own doers (the kiosk, the day's close …) by their Chinese name.

use super::texts::texts;

pub fn shown(label: &str) -> String {
    let key = format!("actor_{}", label.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    if let Some(text) = texts().get(&key) {
        return text.clone();
    }
    match (label.find(" ("), label.strip_suffix(')')) {
        (Some(open), Some(closed)) => closed[open + 2..].to_string(),
        _ => label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_by_name_the_system_in_chinese() {
        assert_eq!(shown("wangjg (王建国)"), "王建国");
        assert_eq!(shown("citizen (online)"), "群众（网上提交）");
        assert_eq!(shown("day close"), "日结");
        assert_eq!(shown("someone"), "someone");
    }
}
