//! TOTP codes as an authenticator app shows them (computed by totp-rs, not by banshi's own code),
//! for tests that sign in with a second factor. A code is taken once, so a test that signs one
//! account in again within 30 seconds is given the next step's code (accepted for clock drift),
//! or waits for a step not yet used.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

static LAST_STEP: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

fn totp(secret_base32: &str) -> totp_rs::Totp {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a base32 secret");
    totp_rs::Builder::new().with_secret(secret.as_ref().to_vec()).build().expect("a TOTP")
}

/// A code of `secret_base32` not given before: of this step, or the next one.
pub fn fresh_code(secret_base32: &str) -> String {
    loop {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let step = now / 30;
        let mut last = LAST_STEP.lock().unwrap();
        let used = last.get_or_insert_with(HashMap::new);
        let next = used.get(secret_base32).map_or(step, |last| (*last + 1).max(step));
        if next <= step + 1 {
            used.insert(secret_base32.to_string(), next);
            return totp(secret_base32).generate(next * 30).to_string();
        }
        drop(last);
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}
