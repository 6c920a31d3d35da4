//! Running the server: `/healthz` and `/readyz` for a load balancer, and `/metrics` for the
//! admin or a configured scraper's address only, counting requests per route, tickets taken and
//! served, and each centre's queue lengths.

mod common;

use banshi_storage::testing::fresh_sqlite;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness_answer_without_signing_in() {
    for app in spawn_apps().await {
        let anonymous = app.client();
        let alive = anonymous.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(alive.status(), StatusCode::OK);
        let ready = anonymous.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
        let ready: Value = ready.json().await.unwrap();
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["database"], app.store.backend());
    }
}

#[tokio::test]
async fn metrics_are_for_the_admin_and_count_requests_tickets_and_queues() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let refused = anonymous.get(app.url("/metrics")).send().await.unwrap();
    assert_ne!(refused.status(), StatusCode::OK, "an anonymous visitor reads no metrics");
    assert!(!refused.text().await.unwrap().contains("banshi_http_requests_total"));

    let officer = app.client();
    let officer_csrf = app.sign_in(&officer, "officer").await;
    assert_eq!(officer.get(app.url("/metrics")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "window staff read no metrics");

    for _ in 0..2 {
        let taken = anonymous.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
        assert_eq!(taken.status(), StatusCode::CREATED);
    }
    let post = |path: &str, body: Value| officer.post(app.url(path)).header("X-CSRF-Token", &officer_csrf).json(&body).send();
    assert_eq!(post("/api/v1/windows/1/status", json!({ "status": "open" })).await.unwrap().status(), StatusCode::OK);
    let called: Value = post("/api/v1/windows/1/call-next", json!({})).await.unwrap().json().await.unwrap();
    let served = format!("/api/v1/windows/1/tickets/{}", called["ticket"]["id"]);
    assert_eq!(post(&served, json!({ "action": "start" })).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(&served, json!({ "action": "finish", "outcome": "notice_issued" })).await.unwrap().status(), StatusCode::OK);

    let admin = app.client();
    app.sign_in(&admin, "admin").await;
    let metrics = admin.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let body = metrics.text().await.unwrap();
    for expected in [
        "banshi_http_requests_total{method=\"POST\",route=\"/api/v1/tickets\",status=\"201\"}",
        "banshi_http_request_duration_seconds",
        "banshi_tickets_taken_total{centre=\"SF01\"}",
        "banshi_tickets_served_total{centre=\"SF01\"}",
        "banshi_queue_waiting{centre=\"SF01\",queue=\"A\"} 1",
        "banshi_queue_longest_wait_minutes{centre=\"SF01\",queue=\"A\"}",
        "banshi_outbox_backlog",
    ] {
        assert!(body.contains(expected), "{expected} missing from\n{body}");
    }
}

#[tokio::test]
async fn a_configured_scraper_address_reads_metrics_without_signing_in() {
    let test_store = fresh_sqlite().await;
    seed(test_store.store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let sealer = banshi_web::sealing::Sealer::from_hex(&banshi_web::sealing::Sealer::generate_key()).unwrap();
    let state = banshi_web::AppState::new(test_store.store.clone(), sealer).with_metrics_from(vec!["127.0.0.1".parse().unwrap()]);
    tokio::spawn(banshi_web::serve(listener, state, std::future::pending()));

    let scraped = reqwest::get(format!("{address}/metrics")).await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(scraped.text().await.unwrap().contains("banshi_queue_waiting{centre=\"SF01\",queue=\"A\"}"));
}
