//! Field checks the forms and the API share.

use banshi_domain::Problem;

/// A mobile number from a form or a request: blank is none; a wrong one is a problem at `path`.
pub fn mobile(problems: &mut Vec<Problem>, path: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if !banshi_domain::privacy::is_mobile_number(value) {
        problems.push(Problem { path: path.into(), message: crate::shared::texts::text("phone_malformed").into() });
        return None;
    }
    Some(value.to_string())
}
