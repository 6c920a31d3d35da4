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

/// `13812345678` → `138****5678`; shorter numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n >= 11 {
        chars[..3].iter().chain(std::iter::repeat(&'*').take(n - 7)).chain(&chars[n - 4..]).collect()
    } else {
        std::iter::repeat('*').take(n.saturating_sub(2)).chain(chars[n.saturating_sub(2)..].iter().copied()).collect()
    }
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
    fn phones_keep_prefix_and_last_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("12345"), "***45");
    }
}
