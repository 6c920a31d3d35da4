//! How a citizen proves a case is theirs without an account: its number and the last six
//! characters of the applicant's ID number (or credit code). Wrong tries are counted per case, so
//! an ID tail cannot be guessed; the progress query and the rating of a case both ask here.

use super::error::AppError;
use super::texts::text;
use super::AppState;
use banshi_domain::Problem;
use banshi_storage::Case;
use std::time::Instant;

/// The case a number and an ID tail name, or why not.
pub async fn case_for_applicant(state: &AppState, number: &str, id_tail: &str) -> Result<Case, AppError> {
    let number = number.trim().to_ascii_uppercase();
    let tail = id_tail.trim().to_ascii_uppercase();
    if number.is_empty() || tail.chars().count() != 6 {
        return Err(AppError::Invalid(vec![Problem { path: "id_tail".into(), message: "the case number and the last 6 characters of the ID number".into() }]));
    }
    let now = Instant::now();
    if !state.progress_throttle.allows(&number, now) {
        return Err(AppError::TooManyAttempts("progress_locked"));
    }
    let found = state.store.case(&number).await?.filter(|case| state.sealer.open(&case.applicant_id_cipher).is_ok_and(|id| id.ends_with(&tail)));
    state.progress_throttle.record(&number, found.is_some(), now);
    // The same answer for an unknown case and a wrong ID tail: nothing to learn by guessing.
    found.ok_or_else(|| AppError::NotFound(text("progress_not_found").to_string()))
}
