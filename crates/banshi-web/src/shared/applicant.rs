//! How a citizen proves a case is theirs without an account: its number and its query code
//! (查询码), a random code printed on the receipt and sent in the SMS; or, without the receipt, the
//! ID number's last four characters and a one-time code sent to the mobile number the case was
//! opened with. Failures wait longer each time, counted in the database per address and per case
//! (`banshi_domain::query_code`), so that a code cannot be guessed and a guesser cannot shut the
//! applicant out; the progress query and the rating of a case both ask here.

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

/// How an applicant proves a case is theirs.
#[derive(Debug, Clone, Copy)]
pub enum ApplicantProof<'a> {
    /// The query code on the receipt and in the SMS.
    QueryCode(&'a str),
    /// The ID number's last four characters and the one-time code sent to the case's mobile.
    PhoneCode { id_tail: &'a str, code: &'a str },
}

/// A proof as typed, checked for form: its normalised parts, or what is wrong, by field.
enum Typed {
    QueryCode(String),
    PhoneCode { id_tail: String, code: String },
}

fn case_number(typed: &str, problems: &mut Vec<Problem>) -> String {
    let number = typed.trim().to_ascii_uppercase();
    if number.is_empty() || number.len() > 40 {
        problems.push(Problem { path: "case".into(), message: text("progress_case_missing").to_string() });
    }
    number
}

fn id_tail(typed: &str, problems: &mut Vec<Problem>) -> String {
    query_code::normalise_id_tail(typed).unwrap_or_else(|| {
        problems.push(Problem { path: "id_tail".into(), message: text("progress_id_tail_malformed").to_string() });
        String::new()
    })
}

/// Waits out earlier failures for any of `keys`: too many, and the query waits (429).
async fn not_waiting(state: &AppState, keys: &[String], now: chrono::DateTime<Utc>) -> Result<(), AppError> {
    match state.store.progress_wait(keys, now).await? {
        Some(until) => Err(AppError::RateLimited { retry_after: u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1) }),
        None => Ok(()),
    }
}

/// The case's ID number (or credit code) ends with `tail`.
fn tail_matches(state: &AppState, case: &Case, tail: &str) -> bool {
    state.sealer.open(&case.applicant_id_cipher).is_ok_and(|id| id.len() >= 4 && constant_time_eq(id[id.len() - 4..].to_ascii_uppercase().as_bytes(), tail.as_bytes()))
}

/// A one-time code as kept: keyed by the installation and bound to its case.
fn phone_code_hash(state: &AppState, case_id: i64, code: &str) -> String {
    state.sealer.lookup_key(&format!("progress phone code {case_id}:{code}"))
}

/// Sends a one-time code for the progress query to the mobile number of the case a number and an
/// ID tail name. The answer is the same whether or not they match, so that nothing is learnt by
/// trying; a wrong tail counts as a failure, and a case gets a new code a minute after the last at
/// the soonest, then less often, so that nobody floods an applicant's phone.
pub async fn send_phone_code(state: &AppState, address: Option<&str>, number: &str, typed_tail: &str) -> Result<(), AppError> {
    let mut problems = Vec::new();
    let number = case_number(number, &mut problems);
    let tail = id_tail(typed_tail, &mut problems);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = Utc::now();
    let (case_key, address_key, sent_key) = (format!("case {number}"), address.map(|address| format!("address {address}")), format!("phone code {number}"));
    let keys: Vec<String> = [case_key.clone(), sent_key.clone()].into_iter().chain(address_key.clone()).collect();
    not_waiting(state, &keys, now).await?;
    let case = state.store.case(&number).await?;
    match case {
        Some(case) if tail_matches(state, &case, &tail) => {
            use rand::Rng;
            let code = format!("{:0width$}", rand::thread_rng().gen_range(0..10u32.pow(query_code::PHONE_CODE_DIGITS as u32)), width = query_code::PHONE_CODE_DIGITS);
            let message = banshi_storage::CaseMessage { kind: "progress_code".into(), text: text("message_progress_code").replace("{number}", &case.number).replace("{code}", &code) };
            let expires = now + chrono::Duration::minutes(query_code::PHONE_CODE_VALID_MINUTES);
            if state.store.send_progress_phone_code(case.id, &phone_code_hash(state, case.id, &code), expires, &message).await? {
                state.store.progress_failed(&sent_key, now, query_code::phone_code_wait_seconds).await?;
            }
        }
        case => {
            // A case's count only for a case there is, so that made-up numbers fill no table.
            if case.is_some() {
                state.store.progress_failed(&case_key, now, query_code::case_wait_seconds).await?;
            }
            if let Some(key) = &address_key {
                state.store.progress_failed(key, now, query_code::address_wait_seconds).await?;
            }
        }
    }
    Ok(())
}

/// The case a number and a proof name, or why not. `address` is the client's, as the limits
/// count it.
pub async fn case_for_applicant(state: &AppState, address: Option<&str>, number: &str, proof: ApplicantProof<'_>) -> Result<Case, AppError> {
    let mut problems = Vec::new();
    let number = case_number(number, &mut problems);
    let typed = match proof {
        ApplicantProof::QueryCode(code) => Typed::QueryCode(query_code::normalise(code).unwrap_or_else(|| {
            problems.push(Problem { path: "code".into(), message: text("progress_code_malformed").to_string() });
            String::new()
        })),
        ApplicantProof::PhoneCode { id_tail: tail, code } => Typed::PhoneCode {
            id_tail: id_tail(tail, &mut problems),
            code: query_code::normalise_phone_code(code).unwrap_or_else(|| {
                problems.push(Problem { path: "sms_code".into(), message: text("progress_sms_code_malformed").to_string() });
                String::new()
            }),
        },
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = Utc::now();
    let case_key = format!("case {number}");
    let address_key = address.map(|address| format!("address {address}"));
    let keys: Vec<String> = std::iter::once(case_key.clone()).chain(address_key.clone()).collect();
    not_waiting(state, &keys, now).await?;
    let case = state.store.case(&number).await?;
    let matches = match (&case, &typed) {
        (None, _) => false,
        (Some(case), Typed::QueryCode(code)) => case.query_code_cipher.as_deref().and_then(|sealed| state.sealer.open(sealed).ok()).is_some_and(|kept| constant_time_eq(kept.as_bytes(), code.as_bytes())),
        // The code is used up by a match, so that it serves one query only.
        (Some(case), Typed::PhoneCode { id_tail, code }) => tail_matches(state, case, id_tail) && state.store.use_progress_phone_code(case.id, &phone_code_hash(state, case.id, code), now).await?,
    };
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
            let key = if matches!(typed, Typed::QueryCode(_)) { "progress_not_found" } else { "progress_phone_not_found" };
            Err(AppError::not_found_saying(key))
        }
    }
}
