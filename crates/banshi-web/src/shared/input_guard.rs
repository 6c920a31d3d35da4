//! Refuses text with a NUL character before any handler sees it. PostgreSQL cannot store NUL in
//! text (it fails the whole statement) and no citizen or officer types one, so such a request is a
//! clear 422 naming where it was, the same on both databases, instead of a database error.

use super::auth::BodyLimit;
use super::error::{ApiError, AppError, PageError};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};


pub async fn refuse_nul_characters(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let refuse = |field: &str| {
        let err = AppError::invalid(field, super::texts::text("error_nul_character"));
        if is_api { ApiError(err).into_response() } else { PageError(err).into_response() }
    };
    let uri = request.uri().to_string();
    if has_nul(uri.as_bytes()) {
        return refuse(if uri.contains('?') { "query" } else { "path" });
    }
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let limit = request.extensions().get::<BodyLimit>().map_or(usize::MAX, |limit| limit.0);
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let err = super::auth::unread_body(&err, limit);
            return if is_api { ApiError(err).into_response() } else { PageError(err).into_response() };
        }
    };
    if has_nul(&bytes) {
        return refuse("body");
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A NUL as a raw byte, URL-encoded (`%00`) or JSON-escaped (`\u0000`).
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || bytes.windows(3).any(|w| w == b"%00")
        || bytes.windows(6).any(|w| w[0] == b'\\' && w[1] == b'u' && &w[2..] == b"0000")
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn nul_is_found_in_every_spelling() {
        assert!(has_nul(b"a\0b") && has_nul(b"name=a%00b") && has_nul(br#"{"name":"a\u0000"}"#));
        assert!(!has_nul("张三 %01 \\u0041".as_bytes()));
    }
}
