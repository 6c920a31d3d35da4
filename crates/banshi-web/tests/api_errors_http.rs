//! Every `/api/v1` route, called wrongly as a client might — a method it does not take, a path
//! parameter that does not read, an array for a body, another Content-Type, a body over the limit,
//! text that is not UTF-8, an unknown field — answers the one documented JSON error, never plain
//! text or an empty body, never a 5xx. Before, axum's own refusals came as text/plain (400, 413)
//! or empty (405), and an array was read into a struct by position (`["A"]` took a ticket).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A refusal as documented: JSON with a stable code; never a server error.
async fn assert_documented(response: reqwest::Response, what: &str) -> (StatusCode, Value) {
    let status = response.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = response.text().await.unwrap();
    if status.is_client_error() {
        assert!(content_type.starts_with("application/json"), "{what}: {status} as {content_type:?}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
        assert!(error["error"]["code"].is_string() && error["error"]["message"].is_string(), "{what}: {error}");
        return (status, error);
    }
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// A tagged body's tag and its first variant's name (`"action": "call"`), from the document: the
/// tag is read first, so an unknown field is only seen beside a tag that reads.
fn first_variant(spec: &Value, operation: &Value) -> Option<(String, String)> {
    let reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()?;
    let schema = &spec["components"]["schemas"][reference.rsplit('/').next()?];
    let variant = schema["oneOf"].get(0)?;
    variant["properties"].as_object()?.iter().find_map(|(name, property)| {
        let values = property["enum"].as_array()?;
        (values.len() == 1).then(|| (name.clone(), values[0].as_str().unwrap().to_string()))
    })
}

#[tokio::test]
async fn every_api_route_called_wrongly_answers_the_documented_json_error() {
    let app = spawn_app().await;
    let (admin, csrf) = app.signed_in("admin").await;
    let mut roles = vec![(admin.clone(), csrf.clone())];
    for name in ["officer", "manager", "approver", "auditor"] {
        roles.push(app.signed_in(name).await);
    }
    let spec: Value = app.client().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() > 40, "the document lists the API");
    let call = |method: Method, path: &str| admin.request(method, app.url(path)).header("X-CSRF-Token", &csrf);
    let mut bodies_checked = 0;
    for (template, operations) in paths {
        let methods: Vec<String> = operations.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        // Path parameters that name nothing there is (no account, window or case is touched).
        let nothing = template.split('/').map(|part| if part.starts_with('{') { "999999" } else { part }).collect::<Vec<_>>().join("/");
        let unreadable = template.split('/').map(|part| if part.starts_with('{') { "abc%FF" } else { part }).collect::<Vec<_>>().join("/");

        let wrong = ["GET", "POST", "PUT", "DELETE", "PATCH"].into_iter().find(|m| !methods.iter().any(|x| x == m)).unwrap();
        let (status, error) = assert_documented(call(Method::from_bytes(wrong.as_bytes()).unwrap(), &nothing).send().await.unwrap(), &format!("{wrong} {template}")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{wrong} {template}: {error}");
        assert_eq!(error["error"]["problems"][0]["path"], "method");

        for method in &methods {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            if template.contains('{') {
                assert_documented(call(method.clone(), &unreadable).json(&json!({})).send().await.unwrap(), &format!("{method} {unreadable}")).await;
            }
            let takes_body = operations[method.as_str().to_lowercase()]["requestBody"]["content"]["application/json"].is_object();
            if !takes_body || method == Method::GET {
                continue;
            }
            bodies_checked += 1;
            let what = |how: &str| format!("{method} {nothing} with {how}");
            let (status, error) = assert_documented(call(method.clone(), &nothing).json(&json!(["A"])).send().await.unwrap(), &what("an array")).await;
            assert_eq!((status, error["error"]["problems"][0]["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{}: {error}", what("an array"));
            let (status, _) = assert_documented(call(method.clone(), &nothing).header("content-type", "text/plain").body("{}").send().await.unwrap(), &what("text/plain")).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", what("text/plain"));
            let (status, _) = assert_documented(call(method.clone(), &nothing).header("content-type", "application/json").body(vec![b'"'; 9 * 1024 * 1024]).send().await.unwrap(), &what("9 MiB")).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", what("9 MiB"));
            assert_documented(call(method.clone(), &nothing).header("content-type", "application/json").body(vec![0xff, 0xfe, b'{']).send().await.unwrap(), &what("bytes that are not UTF-8")).await;
            // A field the route does not know is refused by its name, before anything else is read;
            // a holiday schedule is holiday-cn's file, whose own keys ($schema, papers …) are welcome.
            let mut unknown = json!({ "zzz_unknown": 1 });
            if let Some((tag, value)) = first_variant(&spec, &operations[method.as_str().to_lowercase()]) {
                unknown[tag] = json!(value);
            }
            // Asked by each role in turn until one may: a 403 comes before the body is judged.
            let mut answer = None;
            for (client, token) in &roles {
                let response = client.request(method.clone(), app.url(&nothing)).header("X-CSRF-Token", token).json(&unknown).send().await.unwrap();
                let (status, error) = assert_documented(response, &what("an unknown field")).await;
                answer = Some((status, error));
                if status != StatusCode::FORBIDDEN {
                    break;
                }
            }
            let (status, error) = answer.unwrap();
            let named = if template == "/api/v1/calendar/years" { "year" } else { "zzz_unknown" };
            assert_eq!((status, error["error"]["problems"][0]["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(named)), "{}: {error}", what("an unknown field"));
        }
    }
    assert!(bodies_checked > 20, "{bodies_checked} routes with a body");

    // The array that took a ticket before.
    let (status, error) = assert_documented(app.client().post(app.url("/api/v1/tickets")).json(&json!(["A"])).send().await.unwrap(), "an array for a ticket").await;
    assert_eq!((status, error["error"]["problems"][0]["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{error}");
    // A window number that does not read, named as such.
    let (status, error) = assert_documented(call(Method::POST, "/api/v1/windows/abc/call-next").json(&json!({})).send().await.unwrap(), "a window called abc").await;
    assert_eq!((status, error["error"]["problems"][0]["path"].as_str()), (StatusCode::BAD_REQUEST, Some("path")), "{error}");
}

/// The caller is known before the body: every documented staff write, called anonymously with a
/// body that is wrong, answers 401, not what the body got wrong; the anonymous routes still read it.
/// Before, an anonymous client got each route's 422 and learnt its rules.
#[tokio::test]
async fn an_anonymous_write_to_a_staff_route_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let spec: Value = anonymous.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut staff_writes = 0;
    for (template, operations) in spec["paths"].as_object().unwrap() {
        let path = template.split('/').map(|part| if part.starts_with('{') { "1" } else { part }).collect::<Vec<_>>().join("/");
        for (method, operation) in operations.as_object().unwrap() {
            if method == "get" {
                continue;
            }
            let response = anonymous.request(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), app.url(&path)).json(&json!(["wrong"])).send().await.unwrap();
            let what = format!("{method} {template}");
            let (status, error) = assert_documented(response, &what).await;
            if operation["security"].as_array().is_some_and(|s| !s.is_empty()) {
                staff_writes += 1;
                assert_eq!((status, error["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{what}: {error}");
            } else {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}, open to anyone, reads its body: {error}");
            }
        }
    }
    assert!(staff_writes >= 40, "{staff_writes}");
}
