//! Slows password guessing: after a few failed sign-ins in a row, an account refuses further
//! attempts for a while. Kept in memory per instance: with several instances a guesser gets that
//! many tries per instance, still far too few to matter against argon2-hashed passwords.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_FOR: Duration = Duration::from_secs(5 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// Whether `username` may try now.
    pub fn allows(&self, username: &str, now: Instant) -> bool {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(username) {
            Some((count, last)) => *count < MAX_FAILURES || now.duration_since(*last) >= LOCK_FOR,
            None => true,
        }
    }

    pub fn record(&self, username: &str, succeeded: bool, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if succeeded {
            failures.remove(username);
            return;
        }
        // Forget locks that have run out, so the map does not grow with every name ever tried.
        failures.retain(|_, (_, last)| now.duration_since(*last) < LOCK_FOR);
        let entry = failures.entry(username.to_string()).or_insert((0, now));
        *entry = (entry.0 + 1, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_repeated_failures_and_unlocks_later() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.allows("limin", start));
            throttle.record("limin", false, start);
        }
        assert!(!throttle.allows("limin", start + Duration::from_secs(60)));
        assert!(throttle.allows("other", start), "other accounts are not affected");
        assert!(throttle.allows("limin", start + LOCK_FOR));
    }

    #[test]
    fn a_success_clears_the_failures() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.record("limin", false, now);
        }
        throttle.record("limin", true, now);
        throttle.record("limin", false, now);
        assert!(throttle.allows("limin", now));
    }
}
