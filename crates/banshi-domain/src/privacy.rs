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

/// What a free text holds that identifies a person: an identity number (18 characters, 17 digits
/// and a digit or X, or the old 15 digits) or a mainland mobile number (11 digits from 13 to 19,
/// also typed 3-4-4 with spaces or dashes). Only whole runs count: a digit or letter right before
/// or after makes it something else (a notice number, a date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalNumber {
    IdNumber,
    Mobile,
}

/// The personal numbers in `text`, as byte ranges, in order.
pub fn personal_numbers(text: &str) -> Vec<(std::ops::Range<usize>, PersonalNumber)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        if boundary && bytes[start].is_ascii_digit() {
            if let Some((end, kind)) = number_at(bytes, start) {
                found.push((start..end, kind));
                start = end;
                continue;
            }
        }
        start += 1;
    }
    found
}

/// The personal number starting at `start`, if one does, and where it ends.
fn number_at(bytes: &[u8], start: usize) -> Option<(usize, PersonalNumber)> {
    let run = bytes[start..].iter().take_while(|b| b.is_ascii_digit()).count();
    let after = |end: usize| end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
    let x_end = start + run;
    if run == 17 && bytes.get(x_end).is_some_and(|b| *b == b'X' || *b == b'x') && after(x_end + 1) {
        return Some((x_end + 1, PersonalNumber::IdNumber));
    }
    if (run == 18 || run == 15) && after(x_end) {
        return Some((x_end, PersonalNumber::IdNumber));
    }
    let mobile_start = bytes[start] == b'1' && bytes.get(start + 1).is_some_and(|b| (b'3'..=b'9').contains(b));
    if run == 11 && mobile_start && after(x_end) {
        return Some((x_end, PersonalNumber::Mobile));
    }
    // 138 1234 5678, 138-1234-5678.
    if run == 3 && mobile_start {
        let groups = [4usize, 4];
        let mut end = x_end;
        for group in groups {
            let separator = *bytes.get(end)?;
            if separator != b' ' && separator != b'-' {
                return None;
            }
            let digits = bytes[end + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits != group {
                return None;
            }
            end += 1 + group;
        }
        return after(end).then_some((end, PersonalNumber::Mobile));
    }
    None
}

/// `text` with every personal number masked: an identity number keeps its first six (the region)
/// and last four characters, a mobile number its first three and last four digits.
pub fn mask_personal_numbers(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut last = 0;
    for (range, kind) in personal_numbers(text) {
        masked.push_str(&text[last..range.start]);
        let number = &text[range.clone()];
        match kind {
            PersonalNumber::IdNumber => {
                masked.push_str(&number[..6]);
                masked.push_str(&"*".repeat(number.len() - 10));
                masked.push_str(&number[number.len() - 4..]);
            }
            PersonalNumber::Mobile => {
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                masked.push_str(&mask_phone(&digits));
            }
        }
        last = range.end;
    }
    masked.push_str(&text[last..]);
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_mobile_numbers_in_free_text_are_masked_and_nothing_else() {
        let note = "委托人李四，身份证11010519491231002X，电话13812345678，另一号码 139-1234-5678；告知单SF01-20261128-001，日期20261128";
        assert_eq!(mask_personal_numbers(note), "委托人李四，身份证110105********002X，电话138****5678，另一号码 139****5678；告知单SF01-20261128-001，日期20261128");
        assert_eq!(personal_numbers("旧证110105491231002").len(), 1, "the old 15-digit number");
        assert!(personal_numbers("订单号1381234567890").is_empty(), "13 digits are no phone");
        assert!(personal_numbers("A13812345678").is_empty(), "part of a code");
        assert!(personal_numbers("12345678901").is_empty(), "no mobile starts 12");
        assert_eq!(mask_personal_numbers("无号码的文字"), "无号码的文字");
    }

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
