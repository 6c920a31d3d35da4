//! Centres kept apart, on every backend: centre A's notice, case, ticket, inquiry, complaint,
//! follow-up, bad rating and accounts, asked for by every role of centre B through every route
//! that names them, answer 404 or 403, never data; B's lists and figures hold none of A's.

mod common;

use banshi_domain::Role;
use banshi_storage::{Actor, Centre, NewStaff, Queue, Store, Window, WindowSkills};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const B_ACCOUNTS: [(&str, Role); 5] = [("admin_b", Role::Admin), ("manager_b", Role::Manager), ("officer_b", Role::WindowStaff), ("approver_b", Role::Approver), ("auditor_b", Role::Auditor)];

async fn centre_b(store: &dyn Store) {
    let actor = Actor::system("test");
    let centre = Centre { code: "SF02".into(), name: "第二中心".into(), address: "二路2号".into(), hours: "工作日".into(), consult_phone: "0000-2".into(), supervision_phone: "12345".into(), ..Centre::default() };
    store.save_centre(&actor, &centre).await.unwrap();
    store.save_queue(&actor, &Queue { centre_code: "SF02".into(), prefix: "A".into(), name: "户籍".into(), item_codes: vec![], position: 0 }).await.unwrap();
    store.save_window(&actor, &Window { centre_code: "SF02".into(), number: 1, name: "1号窗口".into() }).await.unwrap();
    store.save_window_skills(&actor, &WindowSkills { centre_code: "SF02".into(), number: 1, queues: vec!["A".into()], green_channel: false }).await.unwrap();
    for (username, role) in B_ACCOUNTS {
        let staff = NewStaff { department: String::new(), username: username.into(), name: format!("{username}姓名"), badge_number: "B2".into(), role, centre_code: "SF02".into(), password_hash: banshi_web::hash_password(&format!("password-{username}")) };
        store.create_staff(&actor, &staff).await.unwrap();
    }
}

async fn signed_in(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = app.client();
    let csrf = app.sign_in(&client, username).await;
    (client, csrf)
}

async fn post(client: &reqwest::Client, csrf: &str, url: String, body: Value) -> reqwest::Response {
    client.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap()
}

/// What centre A holds, by the ids and numbers B's staff would ask for.
struct CentreA {
    notice: String,
    case: String,
    ticket_id: i64,
    inquiry: i64,
    feedback: i64,
    follow_up: i64,
    bad_rating: i64,
    officer_id: i64,
}

async fn fill_centre_a(app: &TestApp) -> CentreA {
    let (officer, csrf) = signed_in(app, "officer").await;
    let notice: Value = post(&officer, &csrf, app.url("/api/v1/notices"), json!({ "item_code": "T-BIRTH", "answers": { "born_in_hospital": "no", "parents_married": "no" }, "present": [], "applicant_name": "张三丰" })).await.json().await.unwrap();
    post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
    let ticket: Value = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    let ticket_id = ticket["ticket"]["id"].as_i64().unwrap();
    let called: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
    assert_eq!(called["ticket"]["id"], ticket_id);
    for action in ["start", "finish"] {
        let body = if action == "finish" { json!({ "action": "finish", "outcome": "done" }) } else { json!({ "action": action }) };
        post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{ticket_id}")), body).await;
    }
    let token = ticket["ticket"]["token"].as_str().unwrap();
    let rating: Value = app.client().post(app.url("/api/v1/ratings")).json(&json!({ "ticket": token, "grade": "dissatisfied", "reasons": ["waiting"] })).send().await.unwrap().json().await.unwrap();
    let case: Value = post(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三丰", "id_number": "11010519491231002X" })).await.json().await.unwrap();
    let inquiry: Value = post(&officer, &csrf, app.url("/api/v1/inquiries"), json!({ "channel": "phone", "subject": "落户要什么材料", "asker": "王女士" })).await.json().await.unwrap();
    let feedback: Value = post(&officer, &csrf, app.url("/api/v1/feedback"), json!({ "kind": "complaint", "channel": "hall", "subject": "等太久", "name": "赵六" })).await.json().await.unwrap();
    let resident: Value = post(&officer, &csrf, app.url("/api/v1/residents"), json!({ "name": "吴秀英", "facts": { "birth": "1975-02-01", "employment": "unemployed", "insured_months": 5, "benefit_months_left": 1, "serious_illness": true } })).await.json().await.unwrap();
    assert_eq!(resident["tasks_made"], 1, "{resident}");
    let tasks: Value = officer.get(app.url("/api/v1/follow-ups")).send().await.unwrap().json().await.unwrap();
    CentreA {
        notice: notice["number"].as_str().unwrap().to_string(),
        case: case["case"]["number"].as_str().unwrap().to_string(),
        ticket_id,
        inquiry: inquiry["id"].as_i64().unwrap(),
        feedback: feedback["id"].as_i64().unwrap(),
        follow_up: tasks[0]["id"].as_i64().unwrap(),
        bad_rating: rating["id"].as_i64().unwrap(),
        officer_id: app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id,
    }
}

#[tokio::test]
async fn every_role_of_another_centre_is_refused_centre_as_resources() {
    for app in spawn_apps().await {
        centre_b(app.store.as_ref()).await;
        let a = fill_centre_a(&app).await;
        for (username, role) in B_ACCOUNTS {
            let (b, csrf) = signed_in(&app, username).await;
            if role == Role::WindowStaff {
                post(&b, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
            }
            let gets = [
                format!("/api/v1/notices/{}", a.notice),
                format!("/api/v1/cases/{}", a.case),
                format!("/notices/{}", a.notice),
                format!("/cases/{}", a.case),
                format!("/cases/{}/receipt", a.case),
                "/api/v1/trips?centre=SF01".to_string(),
                "/api/v1/notices/counts?centre=SF01".to_string(),
                "/api/v1/hall/days?centre=SF01".to_string(),
                "/manage/hall?centre=SF01".to_string(),
            ];
            for path in &gets {
                let status = b.get(app.url(path)).send().await.unwrap().status();
                assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{}: {username} GET {path}: {status}", app.store.backend());
            }
            let posts = [
                (format!("/api/v1/cases/{}/events", a.case), json!({ "event": "accepted" })),
                (format!("/api/v1/windows/1/tickets/{}", a.ticket_id), json!({ "action": "recall" })),
                (format!("/api/v1/inquiries/{}/answer", a.inquiry), json!({ "answer": "都要" })),
                (format!("/api/v1/inquiries/{}/handover", a.inquiry), json!({ "to": "officer", "reason": "不归我" })),
                (format!("/api/v1/feedback/{}/take", a.feedback), json!({})),
                (format!("/api/v1/feedback/{}/steps", a.feedback), json!({ "stage": "investigating", "note": "查" })),
                (format!("/api/v1/follow-ups/{}/complete", a.follow_up), json!({ "outcome": "已联系" })),
                (format!("/api/v1/follow-ups/{}/contacts", a.follow_up), json!({ "channel": "phone", "note": "打过电话" })),
                (format!("/api/v1/ratings/bad/{}/events", a.bad_rating), json!({ "kind": "verified", "called_back": true, "note": "核实" })),
                (format!("/api/v1/staff/{}/disable", a.officer_id), json!({})),
                (format!("/api/v1/staff/{}/reset-password", a.officer_id), json!({})),
            ];
            for (path, body) in &posts {
                let response = post(&b, &csrf, app.url(path), body.clone()).await;
                let status = response.status();
                let text = response.text().await.unwrap();
                assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{}: {username} POST {path}: {status} {text}", app.store.backend());
                assert!(!text.contains("officer姓名") && !text.contains("张三丰"), "{username} POST {path} names A's people: {text}");
            }
            // B's lists hold nothing of A's.
            for path in ["/api/v1/staff", "/api/v1/audit?limit=1000", "/api/v1/notices/counts", "/api/v1/feedback", "/api/v1/ratings/bad", "/api/v1/follow-ups", "/api/v1/inquiries", "/api/v1/trips", "/api/v1/hall/days", "/cases", "/cases/inbox", "/feedback", "/followups", "/manage/ratings", "/admin", "/admin/audit"] {
                let response = b.get(app.url(path)).send().await.unwrap();
                let status = response.status();
                let text = response.text().await.unwrap();
                assert!(status.is_success() || status == StatusCode::FORBIDDEN, "{username} GET {path}: {status}");
                for a_thing in [a.notice.as_str(), a.case.as_str(), "officer姓名", "张三丰", "落户要什么材料", "等太久", "吴秀英", "\"officer\""] {
                    assert!(!text.contains(a_thing), "{}: {username} GET {path} shows A's {a_thing}", app.store.backend());
                }
            }
            // A's hall to B's staff: the public view, officers' names masked; no appointment checked in there.
            let hall: Value = b.get(app.url("/api/v1/hall?centre=SF01")).send().await.unwrap().json().await.unwrap();
            assert!(!hall.to_string().contains("officer姓名"), "{username}: {hall}");
            if role == Role::WindowStaff {
                let desk = post(&b, &csrf, app.url("/api/v1/tickets?centre=SF01"), json!({ "queue": "A", "priority": "appointment", "booking": "YY-9" })).await;
                assert_eq!(desk.status(), StatusCode::UNPROCESSABLE_ENTITY, "an officer of B is no desk at A");
            }
        }
        // And A's own staff still see all of it.
        let (a_auditor, _) = signed_in(&app, "auditor").await;
        let audit: Value = a_auditor.get(app.url("/api/v1/audit?limit=1000")).send().await.unwrap().json().await.unwrap();
        assert!(audit.to_string().contains(&a.case));
        assert!(!audit.to_string().contains("admin_b"), "A's auditor reads none of B's");
    }
}

#[tokio::test]
async fn each_centre_offers_its_own_list_of_the_shared_items() {
    for app in spawn_apps().await {
        centre_b(app.store.as_ref()).await;
        let (admin_b, csrf) = signed_in(&app, "admin_b").await;
        let everything: Value = app.client().get(app.url("/api/v1/items?centre=SF02")).send().await.unwrap().json().await.unwrap();
        let all = everything["items"].as_array().unwrap().len();
        assert_eq!(all, 1, "a centre that has not chosen offers the whole base list (the one test item)");

        let bad = admin_b.put(app.url("/api/v1/centre/items")).header("X-CSRF-Token", &csrf).json(&json!({ "items": [{ "code": "NOPE" }, { "code": "T-BIRTH", "promised_working_days": 999 }] })).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad: Value = bad.json().await.unwrap();
        let problems: Vec<(&str, &str)> = bad["error"]["problems"].as_array().unwrap().iter().map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap())).collect();
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), ["items[0].code", "items[1].promised_working_days"]);
        assert!(problems[1].1.contains("法定时限"), "{problems:?}");

        let list = json!({ "items": [{ "code": "T-BIRTH", "promised_working_days": 1, "location": "二楼3号窗口", "consult_phone": "0000-2222" }] });
        let saved = admin_b.put(app.url("/api/v1/centre/items")).header("X-CSRF-Token", &csrf).json(&list).send().await.unwrap();
        assert_eq!(saved.status(), StatusCode::OK);
        let offered: Value = app.client().get(app.url("/api/v1/items?centre=SF02")).send().await.unwrap().json().await.unwrap();
        assert_eq!(offered["items"].as_array().unwrap().len(), 1);
        let none = admin_b.put(app.url("/api/v1/centre/items")).header("X-CSRF-Token", &csrf).json(&json!({ "items": [] })).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::OK, "an empty list is the whole base list again");
        admin_b.put(app.url("/api/v1/centre/items")).header("X-CSRF-Token", &csrf).json(&list).send().await.unwrap();
        let item: Value = app.client().get(app.url("/api/v1/items/T-BIRTH?centre=SF02")).send().await.unwrap().json().await.unwrap();
        assert_eq!((item["promised_limit"]["working_days"].clone(), item["location"].clone(), item["consult_phone"].clone()), (json!(1), json!("二楼3号窗口"), json!("0000-2222")));
        let elsewhere: Value = app.client().get(app.url("/api/v1/items?centre=SF01")).send().await.unwrap().json().await.unwrap();
        assert_eq!(elsewhere["items"].as_array().unwrap().len(), all, "the other centre keeps the whole list");
        let a_item: Value = app.client().get(app.url("/api/v1/items/T-BIRTH?centre=SF01")).send().await.unwrap().json().await.unwrap();
        assert_ne!(a_item["location"], "二楼3号窗口");
        let page = app.client().get(app.url("/guide?centre=SF02")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("T-BIRTH"));
    }
}
