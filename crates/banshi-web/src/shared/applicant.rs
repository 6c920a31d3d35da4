//! How a citizen proves a case is theirs without an account: its number and its query code
//! (查询码), a random code printed on the receipt and sent in the SMS. Failures wait longer each
//! time, counted in the database per address and per case (`banshi_domain::query_code`), so that a
//! code cannot be guessed and a guesser cannot shut the applicant out; the progress query and the
//! rating of a case both ask here.

use super::auth::constant_time_eq;
use super::error::AppError;
use super::texts::text;
use super::AppState;
use banshi_domain::{query_code, Problem};
use banshi_storage::Case;
use chrono::Utc;

/// A fresh query code, as kept (`query_code::display` prints it).
pub fn new_query_code() -> String {
    use rand::seq::SliceRandom;
    let mut rng = rand::thread_rng();
    (0..query_code::LENGTH).map(|_| *query_code::ALPHABET.choose(&mut rng).expect("an alphabet") as char).collect()
}

/// A case's query code, opened, for its centre's staff (the receipt); none for a case older than
/// query codes.
pub fn query_code_of(state: &AppState, case: &Case) -> Option<String> {
    case.query_code_cipher.as_deref().and_then(|sealed| state.sealer.open(sealed).ok()).map(|code| query_code::display(&code))
}

/// The case a number and a query code name, or why not. `address` is the client's, as the limits
/// count it.
pub async fn case_for_applicant(state: &AppState, address: Option<&str>, number: &str, code: &str) -> Result<Case, AppError> {
    let number = number.trim().to_ascii_uppercase();
    let mut problems = Vec::new();
    if number.is_empty() || number.len() > 40 {
        problems.push(Problem { path: "case".into(), message: text("progress_case_missing").to_string() });
    }
    let code = query_code::normalise(code);
    if code.is_none() {
        problems.push(Problem { path: "code".into(), message: text("progress_code_malformed").to_string() });
    }
    let Some(code) = code.filter(|_| problems.is_empty()) else { return Err(AppError::Invalid(problems)) };
    let now = Utc::now();
    let case_key = format!("case {number}");
    let address_key = address.map(|address| format!("address {address}"));
    let keys: Vec<String> = std::iter::once(case_key.clone()).chain(address_key.clone()).collect();
    if let Some(until) = state.store.progress_wait(&keys, now).await? {
        let retry_after = u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1);
        return Err(AppError::RateLimited { retry_after });
    }
    let case = state.store.case(&number).await?;
    let matches = case.as_ref().and_then(|case| case.query_code_cipher.as_deref()).and_then(|sealed| state.sealer.open(sealed).ok()).is_some_and(|kept| constant_time_eq(kept.as_bytes(), code.as_bytes()));
    match (case, matches) {
        (Some(case), true) => {
            state.store.progress_succeeded(&case_key).await?;
            if let Some(key) = &address_key {
                state.store.progress_succeeded(key).await?;
            }
            Ok(case)
        }
        (case, _) => {
            // A case's count only for a case there is, so that made-up numbers fill no table.
            if case.is_some() {
                state.store.progress_failed(&case_key, now, query_code::case_wait_seconds).await?;
            }
            if let Some(key) = &address_key {
                state.store.progress_failed(key, now, query_code::address_wait_seconds).await?;
            }
            // The same answer for an unknown case and a wrong code: nothing to learn by guessing.
            Err(AppError::NotFound(text("progress_not_found").to_string()))
        }
    }
}
