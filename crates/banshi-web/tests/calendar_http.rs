//! The calendar over HTTP: an admin loads a new year's schedule and sets the centre's own days,
//! deadlines move with them, bad input is refused clearly, and the page works without JavaScript.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn signed_in(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = app.client();
    let csrf = app.sign_in(&client, username).await;
    (client, csrf)
}

async fn post(client: &reqwest::Client, csrf: &str, url: String, body: Value) -> reqwest::Response {
    client.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn a_loaded_year_and_a_centre_closure_move_the_deadlines() {
    for app in spawn_apps().await {
        let anyone = app.client();
        let day = |date: &'static str| {
            let anyone = anyone.clone();
            let url = app.url(&format!("/api/v1/calendar/{date}?centre=SF01"));
            async move { anyone.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let before = day("2027-01-01").await;
        assert_eq!((before["working"].as_bool(), before["provisional"].as_bool()), (Some(true), Some(true)), "a Friday in a year with no schedule: {before}");

        let (admin, csrf) = signed_in(&app, "admin").await;
        let schedule = json!({ "year": 2027, "days": [{ "name": "元旦", "date": "2027-01-01", "isOffDay": true }] });
        assert_eq!(post(&admin, &csrf, app.url("/api/v1/calendar/years"), schedule.clone()).await.status(), StatusCode::CREATED);
        let after = day("2027-01-01").await;
        assert_eq!((after["working"].as_bool(), after["provisional"].as_bool(), after["display"].as_str()), (Some(false), Some(false), Some("off 元旦")));

        // Accepted Monday 5 January 2026 with 5 working days: due Monday the 12th; closed Thursday
        // the 8th, due Tuesday the 13th.
        let (officer, officer_csrf) = signed_in(&app, "officer").await;
        let opened: Value = post(&officer, &officer_csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": "11010519491231002X" })).await.json().await.unwrap();
        let number = opened["case"]["number"].as_str().unwrap().to_string();
        let accepted_on = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        app.store.apply_case_event(&banshi_storage::Actor::system("test"), &number, &banshi_domain::case::CaseEvent::Accepted {}, chrono::Utc::now(), accepted_on, None).await.unwrap();
        let due = || async { officer.get(app.url(&format!("/api/v1/cases/{number}"))).send().await.unwrap().json::<Value>().await.unwrap()["deadline"]["due"].clone() };
        assert_eq!(due().await, "2026-01-12");
        let closure = post(&admin, &csrf, app.url("/api/v1/calendar/centre-days"), json!({ "date": "2026-01-08", "kind": "off", "reason": "停电检修" })).await;
        assert_eq!(closure.status(), StatusCode::OK);
        assert_eq!(due().await, "2026-01-13", "{}", app.store.backend());
        assert_eq!(day("2026-01-08").await["display"], "off local closure (停电检修)");
        let removed = admin.delete(app.url("/api/v1/calendar/centre-days/2026-01-08")).header("X-CSRF-Token", &csrf).send().await.unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(due().await, "2026-01-12");

        // Refused clearly, nothing changed.
        let bad: Value = post(&admin, &csrf, app.url("/api/v1/calendar/centre-days"), json!({ "date": "2026-13-40", "kind": "holiday", "reason": " " })).await.json().await.unwrap();
        let paths: Vec<&str> = bad["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["date", "kind", "reason"]);
        let far: Value = post(&admin, &csrf, app.url("/api/v1/calendar/years"), json!({ "year": 2050, "days": [{ "name": "元旦", "date": "2050-01-01", "isOffDay": true }] })).await.json().await.unwrap();
        assert_eq!(far["error"]["problems"][0]["path"], "year");
        let twice: Value = post(&admin, &csrf, app.url("/api/v1/calendar/years"), json!({ "year": 2028, "days": [{ "name": "元旦", "date": "2028-01-01", "isOffDay": true }, { "name": "元旦", "date": "2028-01-01", "isOffDay": true }] })).await.json().await.unwrap();
        assert_eq!(twice["error"]["problems"][0]["message"], "2028-01-01在2028年的安排中出现了两次");
        assert_eq!(post(&officer, &officer_csrf, app.url("/api/v1/calendar/years"), schedule).await.status(), StatusCode::FORBIDDEN);
        assert!(app.store.centre_days("SF01").await.unwrap().is_empty());
        assert_eq!(app.store.calendar_years().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn the_calendar_page_works_without_javascript() {
    let app = spawn_app().await;
    let (admin, csrf) = signed_in(&app, "admin").await;
    let page = app.page(&admin, "/admin/calendar").await;
    assert!(page.contains("id=\"calendar-years\"") && page.contains("内置（国务院办公厅通知）"), "{page}");
    let set = admin.post(app.url("/admin/calendar")).form(&[("csrf", csrf.as_str()), ("action", "set_day"), ("date", "2026-12-12"), ("kind", "working"), ("reason", "周六延时服务")]).send().await.unwrap();
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let page = app.page(&admin, set.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("id=\"calendar-message\"") && page.contains("周六延时服务") && page.contains("id=\"remove-2026-12-12\""), "{page}");
    let checked = app.page(&admin, "/admin/calendar?check=2026-12-12").await;
    assert!(checked.contains("工作日：延时服务日（周六延时服务）"), "{checked}");
    let missing = app.page(&admin, "/admin/calendar?check=2031-03-03").await;
    assert!(missing.contains("暂定"), "a year with no schedule is provisional");
    let bad = admin.post(app.url("/admin/calendar")).form(&[("csrf", csrf.as_str()), ("action", "load_year"), ("schedule", "not json")]).send().await.unwrap();
    let page = app.page(&admin, bad.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("id=\"calendar-error\"") && page.contains("holiday-cn"), "{page}");
    let (officer, _) = signed_in(&app, "officer").await;
    assert_eq!(officer.get(app.url("/admin/calendar")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}
