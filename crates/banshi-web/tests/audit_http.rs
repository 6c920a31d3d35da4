//! The auditor's reading of the audit log: every entry reachable a page at a time, narrowed by
//! actor, action, object and days, and kept as a CSV file. Before, only the newest 1,000 entries
//! could be read, unfiltered.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn the_auditor_pages_through_filters_and_exports_the_log_on_both_databases() {
    for app in spawn_apps().await {
        let client = reqwest::Client::new();
        for n in 0..5 {
            let refused = client.post(app.url("/api/v1/session")).json(&json!({ "username": "officer", "password": format!("wrong-password-{n}") })).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        }
        let (auditor, _) = app.signed_in("auditor").await;
        let read = |query: String| {
            let auditor = auditor.clone();
            let url = app.url(&format!("/api/v1/audit?{query}"));
            async move { auditor.get(url).send().await.unwrap() }
        };
        // Two at a time, each page older than the last: five in all, none twice.
        let mut seen = Vec::new();
        let mut before = String::new();
        loop {
            let page: Value = read(format!("action=sign_in_refused&limit=2{before}")).await.json().await.unwrap();
            let page = page.as_array().unwrap().clone();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|e| e["id"].as_i64().unwrap()));
            before = format!("&before={}", page.last().unwrap()["id"]);
        }
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no entry twice");

        let today = chrono::Local::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let today_only: Value = read(format!("action=sign_in_refused&from={today}&to={today}")).await.json().await.unwrap();
        assert_eq!(today_only.as_array().unwrap().len(), 5);
        let none: Value = read(format!("action=sign_in_refused&from={tomorrow}")).await.json().await.unwrap();
        assert!(none.as_array().unwrap().is_empty());
        let by_actor: Value = read("actor=sign-in".into()).await.json().await.unwrap();
        assert_eq!(by_actor.as_array().unwrap().len(), 5, "{by_actor}");
        let nobody: Value = read("actor=nobody-acted".into()).await.json().await.unwrap();
        assert!(nobody.as_array().unwrap().is_empty());

        let csv = read("action=sign_in_refused&format=csv".into()).await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with("\u{feff}id,at,centre,actor,action"), "{csv}");
        // The export is itself in the log: who took a file of it, and how many entries.
        let exported: Value = read("action=export&entity=audit_log".into()).await.json().await.unwrap();
        assert_eq!(exported.as_array().map(Vec::len), Some(1), "{exported}");
        assert_eq!(csv.lines().count(), 6, "a header and five rows: {csv}");

        // Bad filters name their field; another centre's log is not the auditor's to read.
        for (query, field) in [("from=2026-13-01", "from"), ("limit=0", "limit"), ("format=xml", "format"), ("centre=XX99", "centre")] {
            let refused = read(query.into()).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(refused.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], field, "{query}");
        }
    }
}
