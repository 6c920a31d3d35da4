//! Refuses text with a NUL character before any handler sees it. PostgreSQL cannot store NUL in
//! text (it fails the whole statement) and no citizen or officer types one, so such a request is a
//! clear 422 naming where it was, the same on both databases, instead of a database error.

use super::auth::BodyLimit;
use super::error::{ApiError, AppError, PageError};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};


pub async fn refuse_nul_characters(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let refuse = |field: &str| {
        let err = AppError::invalid(field, super::texts::text("error_nul_character"));
        if is_api { ApiError(err).into_response() } else { PageError(err).into_response() }
    };
    if request.uri().path().contains("%00") {
        return refuse("path");
    }
    if let Some(field) = request.uri().query().and_then(|query| nul_in_form(query.as_bytes())) {
        return refuse(&field);
    }
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let limit = request.extensions().get::<BodyLimit>().map_or(usize::MAX, |limit| limit.0);
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let err = super::auth::unread_body(&err, limit);
            return if is_api { ApiError(err).into_response() } else { PageError(err).into_response() };
        }
    };
    let found = if content_type.starts_with("application/x-www-form-urlencoded") {
        nul_in_form(&bytes)
    } else if content_type.contains("json") || content_type.contains("toml") || content_type.starts_with("text/") || bytes.contains(&0) {
        nul_in_text(&bytes)
    } else {
        None
    };
    if let Some(field) = found {
        return refuse(&field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The field of a form (or a query string) whose name or value holds a NUL once decoded.
fn nul_in_form(bytes: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs.into_iter().find(|(name, value)| name.contains('\0') || value.contains('\0')).map(|(name, _)| name)
}

/// Where a JSON body holds a NUL in a string once decoded (`items[2]`, `reason`), or `body` for
/// other text with a raw NUL byte. Escapes are read as JSON reads them: `\\u0000` (a backslash
/// typed before `u0000`) is no NUL.
fn nul_in_text(bytes: &[u8]) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => nul_in_json(&value, ""),
        Err(_) => bytes.contains(&0).then(|| "body".to_string()),
    }
}

fn nul_in_json(value: &serde_json::Value, at: &str) -> Option<String> {
    let place = |at: &str| if at.is_empty() { "body".to_string() } else { at.to_string() };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then(|| place(at)),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| nul_in_json(item, &format!("{}[{i}]", place(at)))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            let here = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
            if name.contains('\0') { Some(place(at)) } else { nul_in_json(item, &here) }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{nul_in_form, nul_in_text};

    #[test]
    fn nul_is_found_once_decoded_and_named_by_its_field() {
        assert_eq!(nul_in_form(b"name=a%00b").as_deref(), Some("name"));
        assert_eq!(nul_in_text(br#"{"name":"a\u0000"}"#).as_deref(), Some("name"));
        assert_eq!(nul_in_text(br#"{"items":["A","B\u0000"]}"#).as_deref(), Some("items[1]"));
        assert_eq!(nul_in_text(b"raw\0text").as_deref(), Some("body"));
    }

    #[test]
    fn text_that_only_looks_like_a_nul_is_let_through() {
        assert_eq!(nul_in_form("reason=%2500 折扣 %01".as_bytes()), None, "a typed %00");
        assert_eq!(nul_in_text(br#"{"note":"\\u0000 is how JSON writes it"}"#), None, "a typed \\u0000");
    }
}
