//! Every refusal under `/api/` in the one JSON error shape. axum answers some requests before any
//! handler or extractor of ours sees them — a method the address does not take, a path parameter
//! that does not read (`/api/v1/windows/abc/…`), a body that is not UTF-8 — as plain text or with
//! an empty body; this layer rewrites each such answer, keeping its status and headers (`Allow`),
//! so that a client never has to read anything but JSON. A page's plain-text refusal (a query or a
//! form that does not read) becomes the error page, in Chinese like every other.

use super::error::{ApiError, AppError};
use super::texts::{fill, text};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_json = content_type.starts_with("application/json");
    // A page's request that does not read (a query or a form axum refuses before the handler) is
    // answered in axum's plain English: it becomes a page in the hall's words.
    let is_plain_page_refusal = !is_api && content_type.starts_with("text/plain") && status.is_client_error();
    if !(is_api || is_plain_page_refusal) || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let allowed = parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let refusal = refusal(status, &method, &allowed);
    let mut rewritten = if is_api { ApiError(refusal).into_response() } else { super::error::PageError(refusal).into_response() };
    // The original's headers stay (Allow, Retry-After), the body and its type are ours.
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in parts.headers {
        if let Some(name) = name {
            rewritten.headers_mut().entry(name).or_insert(value);
        }
    }
    rewritten
}

fn refusal(status: StatusCode, method: &Method, allowed: &str) -> AppError {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => AppError::Protocol { status, code: "method_not_allowed", field: "method", message: fill("api_method_not_allowed", &[("method", method.to_string()), ("allowed", allowed.to_string())]) },
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE => unreadable(status, "body"),
        StatusCode::BAD_REQUEST => unreadable(status, "path"),
        StatusCode::NOT_FOUND => AppError::not_found_saying("api_not_found"),
        other if other.is_server_error() => AppError::Internal(format!("a {other} answered without a body")),
        _ => unreadable(status, "request"),
    }
}

/// A request that does not read, by its status: not sent as JSON (415, on `content-type`), too
/// large (413), or otherwise unreadable (400) at `field`.
pub fn unreadable(status: StatusCode, field: &'static str) -> AppError {
    let (code, field, key) = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "content-type", "api_unsupported_media_type"),
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", field, "api_body_too_large"),
        _ => ("bad_request", field, "api_bad_request"),
    };
    AppError::Protocol { status, code, field, message: text(key).to_string() }
}
