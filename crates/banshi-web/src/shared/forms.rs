//! Field checks the forms and the API share.

use super::error::AppError;
use super::texts::fill;
use banshi_domain::Problem;

/// The most characters a step's free text keeps (a case's reason, a bad rating's note): a
/// paragraph, never a megabyte on every page that shows the history.
pub const FREE_TEXT_MOST: usize = 500;

/// Each field of `texts` at most [`FREE_TEXT_MOST`] characters, else a problem naming the field.
pub fn free_text_problems(texts: &[(&'static str, &str)]) -> Result<(), AppError> {
    let problems: Vec<Problem> = texts
        .iter()
        .filter(|(_, text)| text.chars().count() > FREE_TEXT_MOST)
        .map(|(field, _)| Problem { path: (*field).into(), message: fill("text_at_most", &[("most", FREE_TEXT_MOST.to_string())]) })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// A mobile number from a form or a request: blank is none; a wrong one is a problem at `path`.
pub fn mobile(problems: &mut Vec<Problem>, path: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if !banshi_domain::privacy::is_mobile_number(value) {
        problems.push(Problem { path: path.into(), message: crate::shared::texts::text("phone_malformed").into() });
        return None;
    }
    Some(value.to_string())
}
