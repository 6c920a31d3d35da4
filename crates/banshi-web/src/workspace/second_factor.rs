//! Enrolling one's TOTP second factor: the page (or the API) offers a fresh secret as a QR code
//! and as text, and the account keeps it only once a code from the app proves the app has it; ten
//! recovery codes are shown that once. Nothing is stored before that: the offered secret travels
//! sealed with the data key and bound to the account, so no other account can confirm it. An
//! admin removes a lost second factor (the account enrols again at its next sign-in).

use crate::shared::auth::{session_hash, Visitor};
use crate::shared::error::AppError;
use crate::shared::second_factor::{self, base32, from_base32, otpauth_url, step_of, unix_now};
use crate::shared::texts::text;
use crate::shared::AppState;
use banshi_storage::{Actor, Staff};
use serde::{Deserialize, Serialize};

/// A secret offered for enrolment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Offer {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://` address (what the QR code holds).
    pub otpauth_url: String,
    /// Sent back with the first code to confirm: the secret sealed for this account.
    pub enrolment: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub enrolment: String,
    /// The 6-digit code the app shows now.
    pub code: String,
}

/// The recovery codes of a confirmed enrolment: shown once, each good for one sign-in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Where an account stands: enrolled or not, whether its role must be, recovery codes left.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub enrolled: bool,
    pub required: bool,
    pub recovery_codes_left: u32,
}

pub fn offer(state: &AppState, staff: &Staff) -> Offer {
    let secret = second_factor::new_secret();
    let encoded = base32(&secret);
    Offer { otpauth_url: otpauth_url(&secret, &staff.username), enrolment: state.sealer.seal(&format!("{}:{encoded}", staff.id)), secret: encoded }
}

/// The secret an offer holds, if it was made here for this account.
pub fn offered_secret(state: &AppState, staff: &Staff, enrolment: &str) -> Option<Vec<u8>> {
    let plain = state.sealer.open(enrolment).ok()?;
    let (id, encoded) = plain.split_once(':')?;
    (id == staff.id.to_string()).then(|| from_base32(encoded)).flatten()
}

pub async fn standing(state: &AppState, staff: &Staff) -> Result<Standing, AppError> {
    let recovery_codes_left = if staff.second_factor { state.store.recovery_codes_left(staff.id).await? } else { 0 };
    Ok(Standing { enrolled: staff.second_factor, required: second_factor::required(state, staff.role), recovery_codes_left })
}

/// Keeps the offered secret if `code` is its code now; the account's other sessions end.
pub async fn confirm(state: &AppState, visitor: &Visitor, confirmation: &Confirmation) -> Result<RecoveryCodes, AppError> {
    let staff = visitor.require_staff()?;
    let secret = offered_secret(state, staff, &confirmation.enrolment).ok_or_else(|| AppError::invalid("enrolment", text("totp_enrolment_invalid")))?;
    let Some(step) = step_of(&secret, &confirmation.code, unix_now()) else {
        return Err(AppError::invalid("code", text("totp_code_wrong")));
    };
    let recovery_codes = second_factor::enrol(state.store.as_ref(), &state.sealer, &Actor::staff(staff), staff.id, &secret, step, session_hash(visitor)).await?;
    state.cache.forget_sessions_of(staff.id);
    Ok(RecoveryCodes { recovery_codes })
}
