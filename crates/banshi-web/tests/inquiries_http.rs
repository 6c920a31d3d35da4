//! First-inquiry responsibility over HTTP: the first asked records and owns an inquiry, hands it
//! to a named colleague, who sees it among theirs and answers it; nobody else may.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn an_inquiry_is_handed_to_a_named_colleague_who_answers_it() {
    let app = spawn_app().await;
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let post = |client: &reqwest::Client, csrf: &str, path: String, body: Value| client.post(app.url(&path)).header("X-CSRF-Token", csrf).json(&body).send();

    let bad = post(&officer, &csrf, "/api/v1/inquiries".into(), json!({ "channel": "fax", "subject": "", "asker": "张三" })).await.unwrap();
    let paths: Vec<String> = bad.json::<Value>().await.unwrap()["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(paths, ["channel", "subject"]);
    let recorded = post(&officer, &csrf, "/api/v1/inquiries".into(), json!({ "channel": "phone", "subject": "新生儿落户要带什么", "asker": "来电 138****5678" })).await.unwrap();
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let id = recorded.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mine: Value = officer.get(app.url("/api/v1/inquiries")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["inquiries"][0]["owner_name"], "officer姓名");

    let manager = app.client();
    let manager_csrf = app.sign_in(&manager, "manager").await;
    let meddling = post(&manager, &manager_csrf, format!("/api/v1/inquiries/{id}/answer"), json!({ "answer": "x" })).await.unwrap();
    assert_eq!(meddling.status(), StatusCode::CONFLICT, "only the owner answers");
    let nobody = post(&officer, &csrf, format!("/api/v1/inquiries/{id}/handover"), json!({ "to": "ghost", "reason": "涉及社保" })).await.unwrap();
    assert_eq!(nobody.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "to");
    let handed: Value = post(&officer, &csrf, format!("/api/v1/inquiries/{id}/handover"), json!({ "to": "manager", "reason": "涉及社保" })).await.unwrap().json().await.unwrap();
    assert_eq!(handed["inquiry"]["owner_name"], "manager姓名");
    assert_eq!(handed["handovers"][0]["reason"], "涉及社保");

    // 首问负责: the officer first asked still follows it, held by the colleague, with no answer form of their own.
    post(&officer, &csrf, "/api/v1/inquiries".into(), json!({ "channel": "window", "subject": "身份证补领", "asker": "窗口 王先生" })).await.unwrap();
    let following = app.page(&officer, "/inquiries").await;
    assert!(following.contains(&format!("id=\"inquiry-followed-{id}\"")) && !following.contains(&format!("id=\"answer-{id}\"")), "{following}");
    assert!(following.contains("<option value=\"\">请选择同事</option>") && !following.contains("value=\"admin\""), "no colleague is chosen for them, and not the system's admin");

    // The colleague sees it on the page and answers it there, without JavaScript.
    let page = app.page(&manager, "/inquiries").await;
    assert!(page.contains(&format!("id=\"inquiry-{id}\"")) && page.contains("officer姓名 → manager姓名"), "{page}");
    let answered = manager.post(app.url("/inquiries")).form(&[("csrf", manager_csrf.as_str()), ("action", "answer"), ("id", &id.to_string()), ("answer", "带出生医学证明")]).send().await.unwrap();
    let page = app.page(&manager, answered.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("id=\"inquiries-message\"") && !page.contains(&format!("id=\"inquiry-{id}\"")), "{page}");
    let left: Value = officer.get(app.url("/api/v1/inquiries")).send().await.unwrap().json().await.unwrap();
    assert_eq!(left["inquiries"].as_array().unwrap().len(), 1, "the answered one is off the first-asked officer's list too: {left}");
}
