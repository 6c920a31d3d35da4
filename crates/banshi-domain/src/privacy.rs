//! Masking personal data for screens and printouts: what is shown is enough to recognise one's own
//! record, never enough to identify a stranger.

/// `张三丰` → `张**`; a name keeps its first character only.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
    }
}

/// A mainland mobile number as banshi takes it: 11 digits starting with 1.
pub fn is_mobile_number(text: &str) -> bool {
    text.len() == 11 && text.starts_with('1') && text.chars().all(|c| c.is_ascii_digit())
}

/// `13812345678` → `138****5678`: the first three and last four digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim().chars().collect();
    if digits.len() < 8 {
        return "*".repeat(digits.len());
    }
    let (head, tail) = (&digits[..3], &digits[digits.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(digits.len() - 7), tail.iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn phones_keep_their_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
        assert!(is_mobile_number("13812345678") && !is_mobile_number("23812345678") && !is_mobile_number("1381234567x"));
    }
}
