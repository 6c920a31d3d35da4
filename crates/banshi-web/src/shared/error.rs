//! One error type for the web layer, answered as a JSON error under `/api` and as a page elsewhere.
//! Every refusal names what was wrong; a database failure is logged and answered without details,
//! and since every write is one transaction, nothing half-done remains behind it.

use super::texts::text;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use banshi_domain::Problem;
use banshi_storage::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    /// The request's content is wrong; each problem names its field.
    Invalid(Vec<Problem>),
    /// Not signed in.
    Unauthenticated,
    /// A sign-in whose username, password or second-factor code was wrong (which, it does not say).
    SignInRefused,
    /// Signed in, but the role may not do this.
    Forbidden,
    /// The role may do this, but not this person on this item (separation of duties); the
    /// message says who may.
    Duty(String),
    /// The form or call did not carry the session's CSRF token.
    Csrf,
    /// Signed in with a one-time password, which must be changed first.
    PasswordChangeRequired,
    /// The account's role needs a second factor and it has none yet: it enrols first.
    SecondFactorRequired,
    /// There is no such thing: `what` is a text key — a `thing_` key names the kind of thing
    /// (`thing_case` → 办件) and `id` which one (may be empty); any other key is a whole sentence
    /// of its own (`pad_none`), shown as it is.
    NotFound { what: &'static str, id: String },
    Conflict(String),
    /// The hall does not do this now (a queue closed, its tickets all taken); `code` is stable for
    /// clients, the message says why and when it does again.
    Unavailable { code: &'static str, message: String },
    /// Too many failed tries in a row (sign-ins for an account, progress queries for a case); the
    /// text key says which and when to try again.
    TooManyAttempts(&'static str),
    /// This address has sent too many requests of this kind; it may again after `retry_after`
    /// seconds.
    RateLimited { retry_after: u64 },
    /// The request's body is larger than the caller may send.
    TooLarge { limit: usize },
    /// Every password check is taken; try again in a moment.
    Busy,
    /// The request does not reach a handler: a method the address does not take (405, with the
    /// ones it takes), a body that is not JSON (415) or not readable text (400), a path whose
    /// parameters do not read (400). `field` names what is wrong.
    Protocol { status: StatusCode, code: &'static str, field: &'static str, message: String },
    Internal(String),
}

impl AppError {
    pub fn invalid(path: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![Problem { path: path.to_string(), message: message.into() }])
    }

    /// There is no `what` (a `thing_` text key) `id`.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        AppError::NotFound { what, id: id.to_string() }
    }

    /// Nothing is there, said by the text `key` (a sentence of its own).
    pub fn not_found_saying(key: &'static str) -> Self {
        AppError::NotFound { what: key, id: String::new() }
    }

    /// A stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_request",
            AppError::Unauthenticated => "unauthenticated",
            AppError::SignInRefused => "sign_in_refused",
            AppError::Forbidden => "forbidden",
            AppError::Duty(_) => "separation_of_duties",
            AppError::Csrf => "csrf_token_invalid",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::SecondFactorRequired => "second_factor_required",
            AppError::NotFound { .. } => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Unavailable { code, .. } => code,
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::TooLarge { .. } => "body_too_large",
            AppError::Busy => "busy",
            AppError::Protocol { code, .. } => code,
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated | AppError::SignInRefused => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Duty(_) | AppError::Csrf | AppError::PasswordChangeRequired | AppError::SecondFactorRequired => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::Unavailable { .. } => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Protocol { status, .. } => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person reads.
    pub fn message(&self) -> String {
        let message = self.unchecked_message();
        super::texts::note_shown(&message);
        message
    }

    fn unchecked_message(&self) -> String {
        match self {
            AppError::Invalid(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                format!("{}{}", text("error_bad_request"), list.join("；"))
            }
            AppError::Unauthenticated => text("error_unauthenticated").to_string(),
            AppError::SignInRefused => text("login_failed").to_string(),
            AppError::Forbidden => text("error_forbidden").to_string(),
            AppError::Csrf => text("error_csrf").to_string(),
            AppError::PasswordChangeRequired => text("error_password_change_required").to_string(),
            AppError::SecondFactorRequired => text("error_second_factor_required").to_string(),
            AppError::NotFound { what, id } if what.starts_with("thing_") && id.is_empty() => super::texts::fill("error_not_found_what", &[("what", text(what).to_string())]),
            AppError::NotFound { what, id } if what.starts_with("thing_") => super::texts::fill("error_not_found_which", &[("what", text(what).to_string()), ("id", id.clone())]),
            AppError::NotFound { what, .. } => text(what).to_string(),
            AppError::Conflict(message) | AppError::Unavailable { message, .. } | AppError::Duty(message) => message.clone(),
            AppError::TooManyAttempts(key) => text(key).to_string(),
            AppError::RateLimited { retry_after } => super::texts::fill("error_rate_limited", &[("seconds", retry_after.to_string())]),
            AppError::TooLarge { limit } => super::texts::fill("error_body_too_large", &[("kilobytes", (limit / 1024).to_string())]),
            AppError::Busy => text("error_busy").to_string(),
            AppError::Protocol { message, .. } => message.clone(),
            AppError::Internal(_) => text("error_internal").to_string(),
        }
    }

    /// Seconds after which a refused client may try again, sent as `Retry-After`.
    fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Busy => Some(1),
            _ => None,
        }
    }

    fn with_retry_after(&self, response: Response) -> Response {
        let mut response = response;
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }

    /// What is wrong, one line each: every problem with its place, or the message.
    pub fn lines(&self) -> Vec<String> {
        match self {
            AppError::Invalid(problems) => problems.iter().map(|problem| {
                let line = problem.to_string();
                super::texts::note_shown(&problem.message);
                line
            }).collect(),
            other => vec![other.message()],
        }
    }

    fn log_if_internal(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { what, id } => AppError::NotFound { what, id },
            StoreError::Rule { key, values } => {
                let shown: Vec<(&str, String)> = values.into_iter().map(|(name, value)| (name, super::texts::words_or_code(&value, &value))).collect();
                AppError::Conflict(super::texts::fill(key, &shown))
            }
            StoreError::QuotaReached(quota) => AppError::Unavailable { code: "quota_reached", message: super::texts::fill("queue_quota_reached", &[("quota", quota.to_string())]) },
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// An error answered as JSON: `{"error": {"code", "message", "problems"}}`.
pub struct ApiError(pub AppError);

/// The one shape of every refused API call.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, for clients: `invalid_request` (422), `unauthenticated` (401), `forbidden` (403),
    /// `separation_of_duties` (403: the role may, this person may not, on this item),
    /// `csrf_token_invalid` (403), `password_change_required` (403), `not_found` (404), `conflict` (409), `too_many_attempts` (429),
    /// `rate_limited` (429, with `Retry-After`), `body_too_large` (413), `method_not_allowed` (405,
    /// with `Allow`), `unsupported_media_type` (415), `bad_request` (400: a path parameter or a
    /// body that does not read), `busy` (503, with
    /// `Retry-After`), `internal_error` (500); a queue that issues no ticket now (409): `queue_closed`,
    /// `issue_stopped`, `quota_reached`, `no_window_open`.
    #[schema(example = "invalid_request")]
    pub code: &'static str,
    /// What a person reads.
    pub message: String,
    /// For `invalid_request`: each problem with the field (`path`) it is about.
    pub problems: Vec<Problem>,
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log_if_internal();
        let problems = match &err {
            AppError::Invalid(problems) => problems.clone(),
            AppError::Protocol { field, message, .. } => vec![Problem { path: field.to_string(), message: message.clone() }],
            _ => vec![],
        };
        let body = ErrorBody { error: ErrorDetail { code: err.code(), message: err.message(), problems } };
        err.with_retry_after((err.status(), Json(body)).into_response())
    }
}

/// An error answered as a page; an anonymous visitor on a staff page is sent to sign in.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log_if_internal();
        if let AppError::Unauthenticated = err {
            return Redirect::to("/login").into_response();
        }
        err.with_retry_after(super::templates::error_page(err.status(), &err.message()))
    }
}
