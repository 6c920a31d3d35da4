//! What a form's redirect tells the page it lands on: a message when the action worked, or the
//! error a person can act on when it was refused (no JavaScript needed).

use super::error::AppError;
use serde::Deserialize;

/// The `message` or `error` a redirect carries in its query.
#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

/// The query for the page a form redirects to. Refusals the person can fix become `error`; any
/// other failure is passed on, to be answered as an error page.
pub fn redirect_query(outcome: Result<String, AppError>) -> Result<String, AppError> {
    let (key, value) = match outcome {
        Ok(message) => ("message", message),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Unavailable { .. } | AppError::NotFound { .. } | AppError::Duty(_))) => ("error", err.message()),
        Err(other) => return Err(other),
    };
    Ok(form_urlencoded::Serializer::new(String::new()).append_pair(key, &value).finish())
}
