//! Separation of duties (职责分离): a case routed to an approver is decided by that approver only,
//! an item that needs a second person is not decided by who received it, the auditor reads and
//! writes nothing, a follow-up task is worked by its owner or the duty leader. Each was allowed
//! before: a window officer decided a case routed to a named approver, an officer decided their
//! own case, the auditor recorded inquiries and took complaints, one officer completed a
//! colleague's follow-up.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ID: &str = "11010519491231002X";

async fn open_accepted_case(app: &TestApp, officer: &reqwest::Client, csrf: &str) -> String {
    let opened: Value = post_json(officer, csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    let accepted = post_json(officer, csrf, app.url(&format!("/api/v1/cases/{number}/events")), json!({ "event": "accepted" })).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    number
}

#[tokio::test]
async fn a_case_routed_to_an_approver_is_decided_by_that_approver_only_on_both_databases() {
    for app in spawn_apps().await {
        let (officer, officer_csrf) = app.signed_in("officer").await;
        let (manager, manager_csrf) = app.signed_in("manager").await;
        let (approver, approver_csrf) = app.signed_in("approver").await;
        let number = open_accepted_case(&app, &officer, &officer_csrf).await;
        let events = app.url(&format!("/api/v1/cases/{number}/events"));
        let routed = post_json(&officer, &officer_csrf, events.clone(), json!({ "event": "routed", "assignee": "approver" })).await;
        assert_eq!(routed.status(), StatusCode::OK);

        let decide = json!({ "event": "decided", "approved": true });
        let refused = post_json(&officer, &officer_csrf, events.clone(), decide.clone()).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "separation_of_duties");
        assert!(body["error"]["message"].as_str().unwrap().contains("只有approver可以办结"), "{body}");
        assert_eq!(post_json(&manager, &manager_csrf, events.clone(), decide.clone()).await.status(), StatusCode::FORBIDDEN, "the manager passes it on, does not decide it");
        // Nothing was written: the case is still in review.
        let case: Value = officer.get(app.url(&format!("/api/v1/cases/{number}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(case["case"]["state"]["state"], "under_review", "{case}");

        // The manager passes it on; the first approver no longer decides it, the new one does.
        assert_eq!(post_json(&manager, &manager_csrf, events.clone(), json!({ "event": "routed", "assignee": "manager" })).await.status(), StatusCode::OK);
        assert_eq!(post_json(&approver, &approver_csrf, events.clone(), decide.clone()).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(post_json(&manager, &manager_csrf, events.clone(), json!({ "event": "routed", "assignee": "approver" })).await.status(), StatusCode::OK);
        assert_eq!(post_json(&approver, &approver_csrf, events, decide).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_case_routed_to_a_department_is_decided_by_its_approvers_only_and_never_routed_to_nobody_on_both_databases() {
    for app in spawn_apps().await {
        let (admin, admin_csrf) = app.signed_in("admin").await;
        let account = json!({ "username": "shenpi2", "name": "钱审批", "badge_number": "P2", "role": "approver", "password": "a-long-enough-passphrase", "department": "审批科" });
        assert_eq!(post_json(&admin, &admin_csrf, app.url("/api/v1/staff"), account).await.status(), StatusCode::CREATED);
        let officer_with_department = json!({ "username": "chuangkou2", "name": "孙窗口", "badge_number": "W2", "role": "window_staff", "password": "a-long-enough-passphrase", "department": "审批科" });
        let refused = post_json(&admin, &admin_csrf, app.url("/api/v1/staff"), officer_with_department).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["problems"][0]["path"], "department", "{body}");

        let (officer, officer_csrf) = app.signed_in("officer").await;
        let (approver, approver_csrf) = app.signed_in("approver").await;
        let client = app.client();
        let login = json!({ "username": "shenpi2", "password": "a-long-enough-passphrase" });
        let session: Value = client.post(app.url("/api/v1/session")).json(&login).send().await.unwrap().json().await.unwrap();
        let department_csrf = session["csrf_token"].as_str().unwrap().to_string();
        let number = open_accepted_case(&app, &officer, &officer_csrf).await;
        let events = app.url(&format!("/api/v1/cases/{number}/events"));

        // Before: 「nobody」 was accepted and the case waited for nobody. Now it is refused, with
        // the field named, and nothing is written.
        for nobody in [json!({ "event": "routed", "assignee": "nobody" }), json!({ "event": "routed", "assignee": "无此科", "department": true }), json!({ "event": "routed", "assignee": " " })] {
            let refused = post_json(&officer, &officer_csrf, events.clone(), nobody).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body: Value = refused.json().await.unwrap();
            assert_eq!(body["error"]["problems"][0]["path"], "assignee", "{body}");
        }
        let case: Value = officer.get(app.url(&format!("/api/v1/cases/{number}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(case["case"]["state"]["state"], "accepted", "{case}");

        let routed = post_json(&officer, &officer_csrf, events.clone(), json!({ "event": "routed", "assignee": "审批科", "department": true })).await;
        assert_eq!(routed.status(), StatusCode::OK);
        let decide = json!({ "event": "decided", "approved": true });
        assert_eq!(post_json(&officer, &officer_csrf, events.clone(), decide.clone()).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(post_json(&approver, &approver_csrf, events.clone(), decide.clone()).await.status(), StatusCode::FORBIDDEN, "an approver of no department");
        let inbox = client.get(app.url("/cases/inbox")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains(&format!("id=\"inbox-{number}\"")), "in the department's approver's inbox: {inbox}");
        assert!(!app.page(&approver, "/cases/inbox").await.contains(&format!("id=\"inbox-{number}\"")));
        // The same inboxes through the API, as a back-office client reads them.
        let listed = |client: reqwest::Client| {
            let url = app.url("/api/v1/cases/inbox");
            async move { client.get(url).send().await.unwrap().json::<Vec<Value>>().await.unwrap().iter().map(|v| v["case"]["number"].as_str().unwrap().to_string()).collect::<Vec<_>>() }
        };
        assert_eq!(listed(client.clone()).await, vec![number.clone()]);
        assert!(listed(approver.clone()).await.is_empty());
        let board: Vec<Value> = officer.get(app.url("/api/v1/cases?mine=true")).send().await.unwrap().json().await.unwrap();
        assert!(board.iter().any(|v| v["case"]["number"] == number.as_str()) && board.iter().all(|v| v["deadline"].is_object() || v["deadline"].is_null()), "{board:?}");
        assert_eq!(officer.get(app.url("/api/v1/cases?mine=maybe")).send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post_json(&client, &department_csrf, events, decide).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn an_item_that_needs_a_second_person_is_not_decided_by_the_officer_who_received_it() {
    let app = spawn_app().await;
    let mut catalogue: Value = serde_json::from_str(FIXTURE).unwrap();
    for item in catalogue["items"].as_array_mut().unwrap() {
        if item["code"] == "T-BIRTH" {
            item["second_person"] = json!(true);
        }
    }
    let (admin, admin_csrf) = app.signed_in("admin").await;
    let imported = admin.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &admin_csrf).json(&catalogue).send().await.unwrap();
    assert_eq!(imported.status(), StatusCode::OK, "{}", imported.text().await.unwrap());

    let (officer, officer_csrf) = app.signed_in("officer").await;
    let number = open_accepted_case(&app, &officer, &officer_csrf).await;
    let events = app.url(&format!("/api/v1/cases/{number}/events"));
    let refused = post_json(&officer, &officer_csrf, events.clone(), json!({ "event": "decided", "approved": true })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("须由受理人以外的人员审批"));
    // Another officer decides it (the manager at the desk, say).
    let (manager, manager_csrf) = app.signed_in("manager").await;
    assert_eq!(post_json(&manager, &manager_csrf, events, json!({ "event": "decided", "approved": true })).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_auditor_reads_and_writes_nothing() {
    let app = spawn_app().await;
    let (auditor, csrf) = app.signed_in("auditor").await;
    let recorded = post_json(&auditor, &csrf, app.url("/api/v1/inquiries"), json!({ "channel": "window", "subject": "社保卡怎么补办", "asker": "王先生" })).await;
    assert_eq!(recorded.status(), StatusCode::FORBIDDEN);
    // A complaint from the box: the auditor may read it, not take it.
    let citizen = reqwest::Client::new();
    let sent = citizen.post(app.url("/api/v1/feedback?centre=SF01")).json(&json!({ "kind": "complaint", "subject": "窗口态度", "body": "等了很久没人理", "phone": "13800000000" })).send().await.unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED, "{}", sent.text().await.unwrap());
    let list: Value = auditor.get(app.url("/api/v1/feedback")).send().await.unwrap().json().await.unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(post_json(&auditor, &csrf, app.url(&format!("/api/v1/feedback/{id}/take")), json!({})).await.status(), StatusCode::FORBIDDEN);
    let step = post_json(&auditor, &csrf, app.url(&format!("/api/v1/feedback/{id}/steps")), json!({ "stage": "investigating", "note": "" })).await;
    assert_eq!(step.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_follow_up_task_is_worked_by_its_owner_or_the_manager() {
    let app = spawn_app().await;
    let (officer, officer_csrf) = app.signed_in("officer").await;
    let (approver, approver_csrf) = app.signed_in("approver").await;
    let officer_id = app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id;
    let task = banshi_storage::NewFollowUp {
        centre_code: "SF01".into(),
        kind: "callback".into(),
        source: "case:SF01-duty-test".into(),
        resident_id: None,
        case_id: None,
        title: "办结回访".into(),
        reason: "回访申请人".into(),
        assignee_id: Some(officer_id),
        due_on: chrono::Local::now().date_naive(),
        created_at: chrono::Utc::now(),
    };
    let task = app.store.create_follow_up(&banshi_storage::Actor::system("test"), &task).await.unwrap().unwrap();
    let complete = |id: i64| app.url(&format!("/api/v1/follow-ups/{id}/complete"));
    let refused = post_json(&approver, &approver_csrf, complete(task.id), json!({ "outcome": "已回访" })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("只有负责人或值班领导可以办理"));
    let contact = post_json(&approver, &approver_csrf, app.url(&format!("/api/v1/follow-ups/{}/contacts", task.id)), json!({ "channel": "phone", "note": "打过电话" })).await;
    assert_eq!(contact.status(), StatusCode::FORBIDDEN);
    assert_eq!(post_json(&officer, &officer_csrf, complete(task.id), json!({ "outcome": "已回访" })).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_officer_signed_in_does_not_rate_the_visit_they_served() {
    let app = spawn_app().await;
    let (officer, csrf) = app.signed_in("officer").await;
    let taken: Value = reqwest::Client::new().post(app.url("/api/v1/tickets?centre=SF01")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    let token = taken["ticket"]["token"].as_str().unwrap().to_string();
    assert_eq!(post_json(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await.status(), StatusCode::OK);
    let called: Value = post_json(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
    let id = called["ticket"]["id"].as_i64().unwrap();
    for action in [json!({ "action": "start" }), json!({ "action": "finish", "outcome": "done" })] {
        assert_eq!(post_json(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), action).await.status(), StatusCode::OK);
    }
    let rating = json!({ "ticket": token, "grade": "very_satisfied" });
    let refused = post_json(&officer, &csrf, app.url("/api/v1/ratings"), rating.clone()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("工作人员登录的浏览器不能提交评价"));
    // The citizen rates it, once.
    let given = reqwest::Client::new().post(app.url("/api/v1/ratings")).json(&rating).send().await.unwrap();
    assert_eq!(given.status(), StatusCode::CREATED, "{}", given.text().await.unwrap());
}

/// A complaint names the officer it is about by the badge number on their notices: that officer
/// does not see it on their desk, cannot take or work it, and does not own one they record about
/// themself. Before, nobody was kept from a complaint about them.
#[tokio::test]
async fn a_complaint_about_an_officer_is_kept_from_that_officer_on_both_databases() {
    for app in spawn_apps().await {
        let unknown = app.client().post(app.url("/api/v1/feedback")).json(&json!({ "kind": "complaint", "subject": "态度差", "about_badge": "ZZ99" })).send().await.unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "about_badge");
        let filed: Value = app.client().post(app.url("/api/v1/feedback")).json(&json!({ "kind": "complaint", "subject": "审批拖延", "about_badge": "B8" })).send().await.unwrap().json().await.unwrap();
        let id = filed["id"].as_i64().unwrap();

        let (approver, approver_csrf) = app.signed_in("approver").await;
        let desk: Value = approver.get(app.url("/api/v1/feedback")).send().await.unwrap().json().await.unwrap();
        assert!(!desk.to_string().contains("审批拖延"), "not on the desk of the officer it is about: {desk}");
        let take = post_json(&approver, &approver_csrf, app.url(&format!("/api/v1/feedback/{id}/take")), json!({})).await;
        assert_eq!(take.status(), StatusCode::FORBIDDEN);
        assert_eq!(take.json::<Value>().await.unwrap()["error"]["code"], "separation_of_duties");

        // Recorded at the hall by the officer it is about: it waits for someone else.
        let own: Value = post_json(&approver, &approver_csrf, app.url("/api/v1/feedback"), json!({ "kind": "complaint", "channel": "hall", "subject": "对我的投诉", "about_badge": "B8" })).await.json().await.unwrap();
        assert_eq!(own["owner_id"], Value::Null, "{own}");
        let (officer, officer_csrf) = app.signed_in("officer").await;
        let taken = post_json(&officer, &officer_csrf, app.url(&format!("/api/v1/feedback/{}/take", own["id"])), json!({})).await;
        assert_eq!(taken.status(), StatusCode::OK);
    }
}
