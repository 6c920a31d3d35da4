//! The OpenAPI document of the JSON API, generated from the handlers' own annotations and the types
//! they take and give, and served at `/api/openapi.json`.

use crate::shared::error::ErrorBody;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "banshi API",
        version = "1",
        description = "The JSON API under banshi's pages. Every refused call answers with one shape, `{\"error\": {\"code\", \"message\", \"problems\": [{\"path\", \"message\"}]}}`, its code stable: invalid_request (422), unauthenticated (401), forbidden (403), csrf_token_invalid (403), not_found (404), conflict (409), too_many_attempts (429), internal_error (500). Writes by a signed-in client carry the session's CSRF token in the X-CSRF-Token header (returned by POST /api/v1/session)."
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "catalogue", description = "事项: the guide, the self-check, the catalogue file"),
        (name = "session", description = "staff sign-in"),
        (name = "notices", description = "一次性告知单"),
        (name = "queue", description = "tickets, the hall, windows, live events"),
        (name = "hall", description = "the hall's setup (hours, queues, windows) and the closed days"),
        (name = "cases", description = "办件 and the progress query"),
        (name = "inquiries", description = "首问负责"),
        (name = "ratings", description = "好差评, the ledger, public results"),
        (name = "feedback", description = "投诉、建议、求助、咨询"),
        (name = "follow-ups", description = "跟踪回访 and eligibility rules"),
        (name = "planning", description = "trips"),
        (name = "staff", description = "accounts"),
        (name = "calendar", description = "the working-day calendar"),
        (name = "audit", description = "the audit log"),
    )
)]
pub struct ApiDoc;

/// The document of every route: the capabilities' operations, with what they all share — the
/// session and CSRF schemes, and the one error shape answering every refused call.
pub fn finished(mut document: Document) -> Document {
    Conventions.modify(&mut document);
    document
}

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.security_schemes.insert("session".into(), RefOr::T(SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description("banshi_session", "the session cookie set by POST /api/v1/session")))));
        components.security_schemes.insert("pad".into(), RefOr::T(SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description("banshi_pad", "a rating pad's token, from POST /api/v1/pads/{window}")))));
        components.security_schemes.insert("csrf".into(), RefOr::T(SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description("X-CSRF-Token", "the session's csrf_token, on every write")))));
        components.responses.insert("Error".into(), RefOr::T(error_response()));
        for item in document.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete].into_iter().flatten() {
                refused_calls(operation);
            }
        }
    }
}

fn error_response() -> Response {
    ResponseBuilder::new()
        .description("Refused: the code says why, the problems name the fields")
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build())
        .build()
}

fn refused_calls(operation: &mut Operation) {
    for status in ["4XX", "5XX"] {
        operation.responses.responses.entry(status.into()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("Error")));
    }
}
