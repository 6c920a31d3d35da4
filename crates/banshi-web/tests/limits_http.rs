//! What an anonymous client can send before it is refused: bodies too large answered before they
//! are read, each open route's allowance per address (429, `Retry-After`, a Chinese message), one
//! phone's tickets a day, half-sent requests closed at the header timeout. Each failed before the
//! limits (an 8 MiB body was read; 50 tickets for one phone were all given).

mod common;

use banshi_web::{HallSettings, Limits};
use common::*;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn with_limits(limits: Limits) -> HallSettings {
    HallSettings { limits, ..common::settings() }
}

#[tokio::test]
async fn a_body_larger_than_the_caller_may_send_is_refused_before_it_is_read() {
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, common::settings()).await;
    let address = app.address.trim_start_matches("http://").to_string();
    // Declared and not sent: the answer comes at once, before a byte of the body.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 8388608\r\n\r\n").await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await.expect("answered without the body").unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large") && answer.contains("提交的内容过大"), "{answer}");

    // Sent in chunks without a length: refused once it passes the anonymous limit, nothing taken.
    let stuffed = json!({ "queue": "A", "note": "x".repeat(20 * 1024) }).to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = "POST /api/v1/tickets?centre=SF01 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.write_all(format!("{head}{:x}\r\n{stuffed}\r\n0\r\n\r\n", stuffed.len()).as_bytes()).await.unwrap();
    let mut chunked_answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunked_answer)).await.unwrap().unwrap();
    let chunked_answer = String::from_utf8_lossy(&chunked_answer[..read]).to_string();
    assert!(chunked_answer.starts_with("HTTP/1.1 413") && chunked_answer.contains("body_too_large"), "{chunked_answer}");
    let client = reqwest::Client::new();
    let snapshot = client.get(app.url("/api/v1/hall?centre=SF01")).send().await.unwrap().text().await.unwrap();
    assert!(!snapshot.contains("A001"), "no ticket was taken: {snapshot}");

    // The admin imports a catalogue far larger than any form.
    let admin = app.client();
    let csrf = app.sign_in(&admin, "admin").await;
    let catalogue: Value = serde_json::from_str(FIXTURE).unwrap();
    let mut big = catalogue.clone();
    big["padding"] = json!("x".repeat(600 * 1024));
    let imported = admin.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).json(&big).send().await.unwrap();
    assert_ne!(imported.status(), 413, "the admin's import is not held to a form's size");
    // An officer is: the import's size is for the roles that import.
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let refused = officer.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).json(&big).send().await.unwrap();
    assert_eq!(refused.status(), 413);
}

#[tokio::test]
async fn each_open_route_allows_an_address_so_many_requests_then_asks_it_to_wait() {
    let limits = Limits { tickets_per_minute: 3, sign_ins_per_minute: 2, progress_queries_per_minute: 2, ..Limits::default() };
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, with_limits(limits)).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let taken = client.post(app.url("/api/v1/tickets?centre=SF01")).json(&json!({ "queue": "A" })).send().await.unwrap();
        assert_eq!(taken.status(), 201);
    }
    let refused = client.post(app.url("/api/v1/tickets?centre=SF01")).json(&json!({ "queue": "A" })).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=21).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"].as_str().unwrap().contains("操作过于频繁"), "{body}");

    // The kiosk page says the same, as a page.
    let kiosk = app.client();
    let page = kiosk.get(app.url("/kiosk")).send().await.unwrap().text().await.unwrap();
    let token = csrf_in(&page).unwrap();
    let refused = kiosk.post(app.url("/kiosk")).form(&[("csrf", token.as_str()), ("queue", "A")]).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused.text().await.unwrap().contains("操作过于频繁"));

    // Sign-ins have their own allowance; the right password does not skip it.
    for _ in 0..2 {
        let wrong = client.post(app.url("/api/v1/session")).json(&json!({ "username": "nobody", "password": "wrong-password" })).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
    }
    let refused = client.post(app.url("/api/v1/session")).json(&json!({ "username": "officer", "password": "password-officer" })).send().await.unwrap();
    assert_eq!(refused.status(), 429);

    // Guessing progress queries too.
    let guess = json!({ "case": "SF01-2026-000001", "query_code": "aaaa-aaaa" });
    for _ in 0..2 {
        client.post(app.url("/api/v1/progress")).json(&guess).send().await.unwrap();
    }
    let refused = client.post(app.url("/api/v1/progress")).json(&guess).send().await.unwrap();
    assert_eq!(refused.status(), 429);
}

#[tokio::test]
async fn one_phone_number_takes_so_many_tickets_a_day_on_both_databases() {
    for test_store in banshi_storage::testing::fresh_stores().await {
        let limits = Limits { tickets_per_phone_per_day: 2, kiosks_from: vec!["127.0.0.1".parse().unwrap()], ..Limits::default() };
        let app = spawn_app_with(test_store, with_limits(limits)).await;
        let client = reqwest::Client::new();
        let take = |phone: &'static str| client.post(app.url("/api/v1/tickets?centre=SF01")).json(&json!({ "queue": "A", "phone": phone })).send();
        assert_eq!(take("13800000001").await.unwrap().status(), 201);
        assert_eq!(take("13800000001").await.unwrap().status(), 201);
        let refused = take("13800000001").await.unwrap();
        assert_eq!(refused.status(), 409);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "phone_limit_reached");
        assert!(body["error"]["message"].as_str().unwrap().contains("这个手机号今天已取号2次"), "{body}");
        assert_eq!(take("13800000002").await.unwrap().status(), 201, "another number is not affected");
        // The kiosk (listed as the hall's own) is not held to the per-address allowance.
        for _ in 0..15 {
            assert_eq!(client.post(app.url("/api/v1/tickets?centre=SF01")).json(&json!({ "queue": "B" })).send().await.unwrap().status(), 201);
        }
    }
}

#[tokio::test]
async fn a_connection_that_does_not_finish_its_headers_is_closed_at_the_timeout() {
    let limits = Limits { header_read_seconds: 1, ..Limits::default() };
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, with_limits(limits)).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /kiosk HTTP/1.1\r\nHost: t\r\nX-Slow: ").await.unwrap();
    let mut byte = [0u8; 64];
    let ended = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte)).await;
    assert!(ended.is_ok(), "the server still holds the half-sent request after 5 s");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_only_static_files_are_cached() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for path in ["/kiosk", "/api/v1/queues?centre=SF01", "/no-such-page", "/static/banshi.css"] {
        let answer = client.get(app.url(path)).send().await.unwrap();
        let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        let cache = header("cache-control");
        if path.starts_with("/static/") {
            assert!(cache.contains("max-age"), "{path}: {cache}");
        } else {
            assert_eq!(cache, "no-store", "{path}");
        }
    }
    // No page carries inline script or inline style for the CSP to block.
    let kiosk = client.get(app.url("/kiosk")).send().await.unwrap().text().await.unwrap();
    assert!(!kiosk.contains("onclick=") && !kiosk.contains("style=\"") && !kiosk.contains("<script>"), "{kiosk}");
}
