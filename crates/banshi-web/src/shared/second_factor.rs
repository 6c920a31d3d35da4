//! The staff's second factor: a TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one
//! step of clock drift either way) from an authenticator app, or one of ten one-time recovery
//! codes for a lost phone. The secret is sealed with the data key before it reaches the database;
//! a code is taken once (its step is recorded, on every instance alike); a recovery code is kept
//! only as a keyed hash, tied to its account.

use super::sealing::Sealer;
use super::AppState;
use banshi_domain::Role;
use banshi_storage::{Actor, SecondFactorEnrolment, StaffLogin, Store, StoreResult};
use rand::RngCore;
use totp_rs::{Builder, Totp};

/// The name authenticator apps show beside the account.
const ISSUER: &str = "banshi";
const SECRET_BYTES: usize = 20;
const RECOVERY_CODES: usize = 10;
/// Letters and digits without look-alikes, as the one-time passwords use.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new random secret (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], username: &str) -> Option<Totp> {
    // The otpauth label may not hold a colon; usernames never need one.
    let account = username.replace(':', "_");
    Builder::new().with_secret(secret.to_vec()).with_account_name(account).with_issuer(Some(ISSUER)).build().ok()
}

/// The secret as authenticator apps take it typed in: base32.
pub fn base32(secret: &[u8]) -> String {
    totp_rs::Secret::from(secret.to_vec()).to_base32()
}

/// The secret back from base32 (as the demo prints it).
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::try_from_base32(text.trim()).ok().map(|secret| secret.as_ref().to_vec())
}

/// The `otpauth://` address an authenticator app reads from the enrolment's QR code.
pub fn otpauth_url(secret: &[u8], username: &str) -> String {
    totp(secret, username).and_then(|totp| totp.to_url().ok()).unwrap_or_default()
}

/// The time step `code` belongs to at `unix_seconds`, if it is the secret's code of this step or
/// of the one before or after.
pub fn step_of(secret: &[u8], code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    totp(secret, "")?.check(&code, unix_seconds).and_then(|step| i64::try_from(step).ok())
}

pub fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default()
}

/// Ten fresh recovery codes, `xxxx-xxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    use rand::seq::SliceRandom;
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code: String = (0..8).map(|_| *RECOVERY_ALPHABET.choose(&mut rng).expect("an alphabet") as char).collect();
            code.insert(4, '-');
            code
        })
        .collect()
}

/// How a recovery code is kept: a keyed hash of the account and the code as typed, without its
/// dash, spaces or capitals.
pub fn recovery_hash(sealer: &Sealer, staff_id: i64, code: &str) -> String {
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    sealer.lookup_key(&format!("recovery code {staff_id}:{plain}"))
}

/// Whether this role must have a second factor (the hall settings' `totp_required_for`).
pub fn required(state: &AppState, role: Role) -> bool {
    state.settings.totp_required_for.contains(&role)
}

/// Whether `code` is the account's second factor now: a TOTP code not used before, or an unused
/// recovery code (used up by this). An account without a second factor passes with any code.
pub async fn accepts(store: &dyn Store, sealer: &Sealer, login: &StaffLogin, code: &str) -> Result<bool, super::error::AppError> {
    let Some(sealed) = &login.totp_secret else { return Ok(true) };
    let code = code.trim();
    if code.is_empty() {
        return Ok(false);
    }
    let secret = sealer.open(sealed).ok().and_then(|text| from_base32(&text)).ok_or_else(|| super::error::AppError::Internal("a second factor does not open with the data key".into()))?;
    if let Some(step) = step_of(&secret, code, unix_now()) {
        return Ok(store.use_totp_step(login.staff.id, step).await?);
    }
    if code.chars().filter(char::is_ascii_alphanumeric).count() == 8 {
        return Ok(store.use_recovery_code(login.staff.id, &recovery_hash(sealer, login.staff.id, code)).await?);
    }
    Ok(false)
}

/// Enrols `secret` for the account, its first code being of `first_step` (0 when none was typed:
/// the demo's accounts); returns the fresh recovery codes. The session cache still holds the
/// account as it was: the caller forgets it.
pub async fn enrol(store: &dyn Store, sealer: &Sealer, actor: &Actor, staff_id: i64, secret: &[u8], first_step: i64, keep_session: Option<&str>) -> StoreResult<Vec<String>> {
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|code| recovery_hash(sealer, staff_id, code)).collect();
    let sealed = sealer.seal(&base32(secret));
    let enrolment = SecondFactorEnrolment { sealed_secret: &sealed, first_step, recovery_code_hashes: &hashes, keep_session };
    store.enrol_second_factor(actor, staff_id, &enrolment).await?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_at(secret: &[u8], unix_seconds: u64) -> String {
        totp(secret, "").map(|totp| totp.generate(unix_seconds).to_string()).unwrap_or_default()
    }

    #[test]
    fn codes_are_those_of_rfc_6238() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", 8 digits there; the last
        // six are the 6-digit code.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), "287082");
        assert_eq!(code_at(secret, 1_111_111_109), "081804");
        assert_eq!(step_of(secret, "081804", 1_111_111_109), Some(1_111_111_109 / 30));
    }

    #[test]
    fn a_code_holds_for_its_step_and_one_either_side_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        assert_eq!(step_of(&secret, &code, now + 30), Some((now / 30) as i64));
        assert_eq!(step_of(&secret, &code, now - 30), Some((now / 30) as i64));
        assert_eq!(step_of(&secret, &code, now + 90), None);
        assert_eq!(step_of(&secret, "12345", now), None);
        assert_eq!(step_of(&secret, "abcdef", now), None);
        assert_eq!(from_base32(&base32(&secret)), Some(secret.clone()));
        assert!(otpauth_url(&secret, "zhang").starts_with("otpauth://totp/banshi:zhang?"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_per_account() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'));
        let sealer = Sealer::from_hex(&Sealer::generate_key()).unwrap();
        let hash = recovery_hash(&sealer, 1, &codes[0]);
        assert_eq!(hash, recovery_hash(&sealer, 1, &codes[0].to_uppercase().replace('-', " ")));
        assert_ne!(hash, recovery_hash(&sealer, 2, &codes[0]));
    }
}
