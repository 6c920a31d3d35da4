//! The 18-digit citizen identity number (公民身份号码, GB 11643—1999): checked, and read for the
//! birth date only. The number itself is personal data: callers seal or discard it.

use chrono::{Datelike, NaiveDate};

/// The birth date in a valid identity number, or what is wrong with it: the key of the text
/// that says it (`id_number_check_digit`).
pub fn birth_date(id_number: &str) -> Result<NaiveDate, &'static str> {
    let id = id_number.trim().to_ascii_uppercase();
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(|c| c.is_ascii_digit()) || !(chars[17].is_ascii_digit() || chars[17] == 'X') {
        return Err("id_number_malformed");
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = chars[..17].iter().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    if CHECK[(sum % 11) as usize] != chars[17] {
        return Err("id_number_check_digit");
    }
    let digits: String = chars[6..14].iter().collect();
    NaiveDate::parse_from_str(&digits, "%Y%m%d").map_err(|_| "id_number_birth_date")
}

/// Full years of age on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_digit_and_reads_the_birth_date() {
        // The standard's own example number.
        assert_eq!(birth_date("11010519491231002X"), Ok(NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()));
        assert_eq!(birth_date("110105194912310021"), Err("id_number_check_digit"));
        assert_eq!(birth_date("12345"), Err("id_number_malformed"));
        assert!(birth_date("110105194913310020").is_err());
    }

    #[test]
    fn age_counts_full_years() {
        let birth = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2026, 12, 30).unwrap()), 76);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()), 77);
    }
}
