//! The hall settings, read from the file `banshi serve --hall-settings` names (JSON; any field
//! left out keeps its default; docs/hall-settings.md).

use banshi_domain::queue;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HallSettings {
    pub policy: queue::QueuePolicy,
    /// Send "almost your turn" when this many people or fewer are ahead.
    pub notify_when_ahead: usize,
    /// Longest wait, in minutes, up to which a queue shows green, then yellow, then red.
    pub green_until_minutes: i64,
    pub yellow_until_minutes: i64,
    /// Assumed service time until the hall has its own figures.
    pub default_service_minutes: f64,
    /// Working days to verify and call back a bad rating, and to fix or explain it.
    pub bad_rating_limits: banshi_domain::rating::BadRatingLimits,
    /// Working days to answer a complaint, suggestion, request for help or inquiry.
    pub feedback_limits: banshi_domain::complaint::FeedbackLimits,
    /// Working days to contact a resident a policy may help.
    pub follow_up_days: u32,
    /// What a client may send before it is refused.
    pub limits: super::limits::Limits,
    /// The roles whose accounts must sign in with a TOTP code beside the password (they enrol at
    /// their first sign-in); any other account may enrol of its own accord.
    pub totp_required_for: Vec<banshi_domain::Role>,
}

impl Default for HallSettings {
    fn default() -> Self {
        HallSettings {
            policy: queue::QueuePolicy::default(),
            notify_when_ahead: 3,
            green_until_minutes: 15,
            yellow_until_minutes: 30,
            default_service_minutes: 6.0,
            bad_rating_limits: Default::default(),
            feedback_limits: Default::default(),
            follow_up_days: 5,
            limits: Default::default(),
            totp_required_for: super::roles::SECOND_FACTOR_REQUIRED.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_files_keep_defaults_for_what_they_leave_out_and_refuse_typos() {
        let settings: HallSettings = serde_json::from_str(r#"{ "policy": { "max_wait_minutes": 45 }, "notify_when_ahead": 5 }"#).unwrap();
        assert_eq!((settings.policy.max_wait_minutes, settings.policy.green_channel_age, settings.notify_when_ahead), (45, 65, 5));
        assert!(serde_json::from_str::<HallSettings>(r#"{ "notify_when_ahaed": 5 }"#).is_err());
    }
}
