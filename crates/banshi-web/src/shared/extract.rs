//! Extractors for the JSON API that refuse bad input as the one JSON error shape, naming where it
//! was wrong, instead of axum's plain-text rejections.

use super::error::{ApiError, AppError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use banshi_domain::Fault;
use super::api_errors::unreadable;
use super::texts::{fault_text, fill, text};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON body, refused with a clear error (not axum's plain-text one) when it does not read.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(value)) => value,
            Err(rejection) => return Err(ApiError(unread(&rejection))),
        };
        // Every request body is an object: serde would read an array into a struct by position.
        if !value.is_object() {
            return Err(ApiError(AppError::invalid("body", text("api_body_not_object"))));
        }
        serde_path_to_error::deserialize::<_, T>(value).map(Body).map_err(|err| ApiError(wrong_field(&err)))
    }
}

/// A body that does not read as JSON at all: not sent as JSON (415), not JSON (422 on `body`).
fn unread(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => unreadable(StatusCode::UNSUPPORTED_MEDIA_TYPE, "body"),
        JsonRejection::BytesRejection(_) => unreadable(rejection.status(), "body"),
        _ => AppError::invalid("body", text("api_body_unreadable")),
    }
}

/// The field a body got wrong, by its path (`windows[2].queues`), and what kind of wrong, in the
/// hall's words: serde's own messages are English.
fn wrong_field(err: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let detail = err.inner().to_string();
    let parent = err.path().to_string();
    let within = |name: &str| if parent == "." { name.to_string() } else { format!("{parent}.{name}") };
    // A missing field is named by serde's message, below the path; an unknown one is the path's
    // end, except in a tagged body (read whole before its variant), where only the message names it.
    let named = || detail.split('`').nth(1).map(within).unwrap_or_else(|| "body".into());
    let (path, key) = if detail.starts_with("missing field") {
        (named(), "api_field_missing")
    } else if detail.starts_with("unknown field") {
        (if parent == "." { named() } else { parent }, "api_field_unknown")
    } else {
        (if parent == "." { "body".into() } else { parent }, "api_field_wrong")
    };
    AppError::invalid(&path, text(key))
}

/// A JSON object's text, for the imports that read it themselves to report every problem with its
/// place: sent as JSON (415 else), UTF-8 (400 else), an object (422 on `body` else).
pub struct JsonText(pub String);

impl<S: Send + Sync> FromRequest<S> for JsonText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !content_type.starts_with("application/json") {
            return Err(ApiError(unreadable(StatusCode::UNSUPPORTED_MEDIA_TYPE, "body")));
        }
        let body = String::from_request(req, state).await.map_err(|rejection| ApiError(unreadable(rejection.status(), "body")))?;
        if !body.trim_start().starts_with('{') {
            return Err(ApiError(AppError::invalid("body", text("api_body_not_object"))));
        }
        Ok(JsonText(body))
    }
}

/// Query parameters, refused as a JSON error naming the parameter when they do not read.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Read as axum's `Query` does, but keeping the parameter's name to say which is wrong.
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(Params).map_err(|err| {
            let name = err.path().to_string();
            let fault = Fault::syntax(if name == "." { String::new() } else { name }, &err.inner().to_string());
            ApiError(AppError::invalid("query", query_problem(&fault)))
        })
    }
}

/// A query parameter that does not read, in words: 「查询参数 limit 有误：…」.
pub fn query_problem(fault: &Fault) -> String {
    match fault.path.as_str() {
        "" => fill("api_query_wrong", &[("detail", fault_text(fault))]),
        name => fill("api_query_parameter_wrong", &[("name", name.to_string()), ("detail", fault_text(fault))]),
    }
}
