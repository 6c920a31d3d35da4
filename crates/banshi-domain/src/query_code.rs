//! The progress query's own secret: a random query code (查询码) on the receipt and in the SMS,
//! which — unlike the case number, sequential, or the ID tail, which an enterprise's public credit
//! code gives away — nobody can work out. Eight characters from 31 without look-alikes (about 40
//! bits), shown as `xxxx-xxxx`. Failed queries wait longer each time, per address and per case,
//! instead of locking the case: a guesser is slowed to nothing, its applicant waits a minute at most.

/// The characters a query code is drawn from: lower-case letters and digits, none that look alike.
pub const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
pub const LENGTH: usize = 8;

/// A code as typed (any case, with or without its dash or spaces) as it is kept, if it can be one.
pub fn normalise(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// `xxxx-xxxx`, as printed.
pub fn display(code: &str) -> String {
    if code.len() == LENGTH {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// Seconds to wait after `failures` failures in a row: none for the first few (a mistyped code),
/// then doubling up to `cap`.
fn growing_wait(failures: u32, free: u32, cap: u64) -> u64 {
    match failures.checked_sub(free) {
        None | Some(0) => 0,
        Some(over) => 1u64.checked_shl(over.min(63)).unwrap_or(u64::MAX).min(cap),
    }
}

/// After failures for one case: at most a minute, so that someone trying a case's codes cannot
/// shut its applicant out.
pub fn case_wait_seconds(failures: u32) -> u64 {
    growing_wait(failures, 5, 60)
}

/// After failures from one address: up to an hour.
pub fn address_wait_seconds(failures: u32) -> u64 {
    growing_wait(failures, 5, 3600)
}

/// The other way in, for an applicant without the receipt: the ID number's last four characters
/// (which alone prove nothing: an enterprise's come from its public credit code) and a one-time
/// code of six digits sent to the mobile number the case was opened with, good for ten minutes
/// and for one query.
pub const PHONE_CODE_DIGITS: usize = 6;
pub const PHONE_CODE_VALID_MINUTES: i64 = 10;

/// A one-time code as typed, if it can be one.
pub fn normalise_phone_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == PHONE_CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// An ID tail as typed (the last four characters, a final `x` read as `X`), if it can be one.
pub fn normalise_id_tail(typed: &str) -> Option<String> {
    let tail: String = typed.trim().to_ascii_uppercase();
    (tail.len() == 4 && tail.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(tail)
}

/// After a one-time code was sent for a case: a minute before the next, then doubling to an
/// hour, so that nobody can flood an applicant's phone through the public form.
pub fn phone_code_wait_seconds(sent: u32) -> u64 {
    (60u64 << sent.saturating_sub(1).min(6)).min(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed_and_anything_else_is_refused() {
        assert_eq!(normalise("AB3D-7K9M").as_deref(), Some("ab3d7k9m"));
        assert_eq!(normalise(" ab3d 7k9m ").as_deref(), Some("ab3d7k9m"));
        assert_eq!(normalise("ab3d7k9"), None);
        assert_eq!(normalise("ab3d7k90"), None, "0 looks like O");
        assert_eq!(display("ab3d7k9m"), "ab3d-7k9m");
    }

    #[test]
    fn waits_grow_from_the_sixth_failure_and_stop_at_their_cap() {
        assert_eq!((1..=5).map(case_wait_seconds).sum::<u64>(), 0);
        assert_eq!((6..=9).map(case_wait_seconds).collect::<Vec<_>>(), [2, 4, 8, 16]);
        assert_eq!(case_wait_seconds(1000), 60);
        assert_eq!(address_wait_seconds(17), 3600);
        assert_eq!(address_wait_seconds(u32::MAX), 3600);
    }

    #[test]
    fn one_time_codes_and_id_tails_are_read_as_typed_and_resends_wait_longer_each_time() {
        assert_eq!(normalise_phone_code(" 012 345 ").as_deref(), Some("012345"));
        assert_eq!(normalise_phone_code("01234"), None);
        assert_eq!(normalise_phone_code("01234a"), None);
        assert_eq!(normalise_id_tail("002x").as_deref(), Some("002X"));
        assert_eq!(normalise_id_tail("02x"), None);
        assert_eq!((1..=4).map(phone_code_wait_seconds).collect::<Vec<_>>(), [60, 120, 240, 480]);
        assert_eq!(phone_code_wait_seconds(7), 3600);
        assert_eq!(phone_code_wait_seconds(u32::MAX), 3600);
    }
}
