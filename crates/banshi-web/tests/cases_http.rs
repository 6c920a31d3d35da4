//! Cases over HTTP: opening one with clear refusals, moving it by events, its deadline, the sealed
//! ID number (never on disk in the clear), and the citizen's progress query with its lock.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ID: &str = "11010519491231002X";

async fn officer(app: &TestApp) -> (reqwest::Client, String) {
    let client = app.client();
    let csrf = app.sign_in(&client, "officer").await;
    (client, csrf)
}

async fn post(client: &reqwest::Client, csrf: &str, url: String, body: Value) -> reqwest::Response {
    client.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn a_case_is_opened_accepted_and_found_by_the_citizen() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let bad = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "NOPE", "applicant_kind": "person", "applicant_name": "", "id_number": "110105194912310021" })).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problems: Vec<String> = bad.json::<Value>().await.unwrap()["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(problems, ["item", "applicant_name", "id_number"]);
    let agent_without_paper = json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "agent_name": "李四", "agent_id_number": ID });
    let refused = post(&client, &csrf, app.url("/api/v1/cases"), agent_without_paper).await;
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "authorisation");

    let opened = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await;
    assert_eq!(opened.status(), StatusCode::CREATED);
    let opened: Value = opened.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    assert_eq!(opened["case"]["state"]["state"], "submitted");
    assert!(opened["case"].get("applicant_id_cipher").is_none() && !opened.to_string().contains(ID), "no ID number in the answer");
    assert_eq!(opened["deadline"], Value::Null, "the clock starts at acceptance");

    let event = |body: Value| post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), body);
    let accepted: Value = event(json!({ "event": "accepted" })).await.json().await.unwrap();
    assert_eq!(accepted["case"]["state"]["state"], "accepted");
    assert_eq!(accepted["deadline"]["remaining_working_days"], 5, "the item promises 5 working days");
    assert!(accepted["deadline"]["due"].is_string());
    let wrong = event(json!({ "event": "delivered", "how": "窗口领取" })).await;
    assert_eq!(wrong.status(), StatusCode::CONFLICT);
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"]["message"], format!("办件{number}当前为“受理”，不能送达领取"));
    event(json!({ "event": "materials_requested", "notice": "SF01-20261128-001" })).await;
    let auditor = app.client();
    let auditor_csrf = app.sign_in(&auditor, "auditor").await;
    assert_eq!(post(&auditor, &auditor_csrf, app.url(&format!("/api/v1/cases/{number}/events")), json!({ "event": "materials_received" })).await.status(), StatusCode::FORBIDDEN);

    // The citizen: the number and the query code (查询码) on the receipt, by POST.
    let code = opened["query_code"].as_str().expect("the officer's answer carries the query code").to_string();
    assert_eq!(code.len(), 9, "{code}");
    let citizen = app.client();
    let progress = |query: Value| citizen.post(app.url("/api/v1/progress")).json(&query).send();
    let found: Value = progress(json!({ "case": number, "query_code": code.to_uppercase() })).await.unwrap().json().await.unwrap();
    assert_eq!(found["applicant"], "张*");
    assert_eq!(found["state"], "补正");
    assert_eq!(found["deadline"]["light"], "suspended");
    let steps: Vec<&str> = found["steps"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(steps[0], "已提交申请");
    assert_eq!(steps[1], "已受理，开始计算办理时限");
    assert!(steps[2].starts_with("需要补正材料"));
    assert_eq!(citizen.get(app.url(&format!("/api/v1/progress?case={number}&query_code={code}"))).send().await.unwrap().status(), StatusCode::METHOD_NOT_ALLOWED, "never in an address");
    let form_csrf = app.form_token(&citizen, &format!("/progress?case={number}")).await;
    let page = citizen.post(app.url("/progress")).form(&[("csrf", form_csrf.as_str()), ("case", number.as_str()), ("query_code", code.as_str())]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"progress-state\">补正<") && page.contains("id=\"progress-suspended\""), "{page}");
    let wrong = citizen.post(app.url("/progress")).form(&[("csrf", form_csrf.as_str()), ("case", number.as_str()), ("query_code", "12")]).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("id=\"error-code\"") && wrong.contains("查询码是8位") && wrong.contains(&format!("value=\"{number}\"")), "{wrong}");

    // Every byte on disk: the ID number is sealed.
    for file in app.test_store.sqlite_files() {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(ID.len()).any(|w| w == ID.as_bytes()), "{} holds the raw ID number", file.display());
    }
}

/// Before, five wrong ID tails locked the real applicant out, guesses ran against every case at
/// once, and the tail travelled in the URL.
#[tokio::test]
async fn a_guesser_waits_longer_each_time_and_the_applicant_a_minute_at_most_on_both_databases() {
    for test_store in banshi_storage::testing::fresh_stores().await {
        // Two clients on two addresses, through a proxy the hall trusts.
        let limits = banshi_web::Limits { forwarded_by: vec![std::net::Ipv4Addr::LOCALHOST.into()], progress_queries_per_minute: 0, ..Default::default() };
        let app = spawn_app_with(test_store, banshi_web::HallSettings { limits, ..settings() }).await;
        let (client, csrf) = officer(&app).await;
        let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
        let (number, code) = (opened["case"]["number"].as_str().unwrap().to_string(), opened["query_code"].as_str().unwrap().to_string());
        let from = |address: &'static str, case: String, code: String| {
            let client = reqwest::Client::new();
            let url = app.url("/api/v1/progress");
            async move { client.post(url).header("X-Forwarded-For", address).json(&json!({ "case": case, "query_code": code })).send().await.unwrap() }
        };
        // Five mistypings cost nothing; from the sixth failure on, each waits longer.
        for _ in 0..6 {
            assert_eq!(from("203.0.113.5", number.clone(), "aaaa-aaaa".into()).await.status(), StatusCode::NOT_FOUND);
        }
        let waits = from("203.0.113.5", number.clone(), code.clone()).await;
        assert_eq!(waits.status(), StatusCode::TOO_MANY_REQUESTS, "even the right code waits now, from the guesser's address");
        assert!(waits.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 2);
        // The applicant, elsewhere: the case's own wait is short and capped, never a lock.
        let applicant = from("198.51.100.7", number.clone(), code.clone()).await;
        assert!(applicant.status() == StatusCode::OK || applicant.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 60);
        // The counts are in the database, for every instance and after a restart: lift the waits there.
        let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
        assert_eq!(app.test_store.execute_raw(&format!("UPDATE progress_attempts SET wait_until = '{past}'")).await.unwrap(), 2, "one count per address and per case");
        assert_eq!(from("198.51.100.7", number.clone(), code.clone()).await.status(), StatusCode::OK);
        // A guess at another case counts against the guesser's address too: it waits longer each time.
        assert_eq!(from("203.0.113.5", "SF01-19990101-0001".into(), code.clone()).await.status(), StatusCode::NOT_FOUND, "an unknown case answers as a wrong code does");
        let longer = from("203.0.113.5", number.clone(), code.clone()).await;
        assert_eq!(longer.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = longer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((3..=4).contains(&retry), "twice the last wait: {retry}");
        let malformed: Value = from("198.51.100.7", String::new(), "1".into()).await.json().await.unwrap();
        let paths: Vec<&str> = malformed["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["case", "code"]);
    }
}

#[tokio::test]
async fn the_case_pages_work_without_javascript() {
    let app = spawn_app().await;
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let form = [("csrf", csrf.as_str()), ("item", "T-BIRTH"), ("applicant_kind", "person"), ("applicant_name", "张三"), ("id_number", ID)];
    let opened = officer.post(app.url("/cases")).form(&form).send().await.unwrap();
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/cases/SF01-"), "{location}");
    let number = location.trim_start_matches("/cases/").to_string();
    let act = |fields: Vec<(&'static str, &'static str)>| {
        let mut body = vec![("csrf", csrf.clone())];
        body.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        officer.post(app.url(&location)).form(&body).send()
    };
    act(vec![("action", "accept")]).await.unwrap();
    let refused = act(vec![("action", "deliver"), ("how", "窗口领取")]).await.unwrap();
    let page = app.page(&officer, refused.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("id=\"case-error\"") && page.contains("当前为“受理”，不能送达领取"), "{page}");
    assert!(page.contains("id=\"case-state\">受理<") && page.contains("id=\"case-due\""));

    let board = app.page(&officer, "/cases").await;
    assert!(board.contains(&format!("id=\"case-{number}\"")) && board.contains("light-green"), "{board}");
    let bad = officer.post(app.url("/cases")).form(&[("csrf", csrf.as_str()), ("item", "T-BIRTH"), ("applicant_kind", "person"), ("applicant_name", "李四"), ("id_number", "123")]).send().await.unwrap();
    let page = app.page(&officer, bad.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("id=\"cases-error\"") && page.contains("id_number"), "{page}");
    let receipt = app.page(&officer, &format!("/cases/{number}/receipt")).await;
    assert!(receipt.contains("受理回执") && receipt.contains("出生登记"));
    assert!(receipt.contains("id=\"receipt-qr\"") && receipt.contains("<svg") && receipt.contains("progress?case="), "the QR code leads to the progress page and its rating");
    assert!(receipt.replace("&#x2f;", "/").contains(&app.url(&format!("/progress?case={number}"))), "a whole address a phone can open, not a path");
    let auditor = app.client();
    app.sign_in(&auditor, "auditor").await;
    assert_eq!(auditor.get(app.url("/cases")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn trips_are_counted_and_a_case_over_its_promise_is_listed_with_its_notice() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let mut numbers = Vec::new();
    // The first received at window 1, the second away from any window.
    for (name, window) in [("张三", "open"), ("李四", "closed")] {
        post(&client, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": window })).await;
        let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": name, "id_number": ID })).await.json().await.unwrap();
        numbers.push(opened["case"]["number"].as_str().unwrap().to_string());
    }
    let event = |number: &str, body: Value| post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), body);
    // The first: done in one visit. The second: materials missing, a second visit.
    event(&numbers[0], json!({ "event": "accepted" })).await;
    event(&numbers[0], json!({ "event": "decided", "approved": true })).await;
    event(&numbers[1], json!({ "event": "pre_accepted" })).await;
    event(&numbers[1], json!({ "event": "materials_requested", "notice": "SF01-20261128-007" })).await;
    event(&numbers[1], json!({ "event": "materials_received" })).await;
    app.store.record_visit(&banshi_storage::Actor::system("test"), &numbers[1]).await.unwrap();
    event(&numbers[1], json!({ "event": "accepted" })).await;
    event(&numbers[1], json!({ "event": "decided", "approved": true })).await;

    let manager = app.client();
    app.sign_in(&manager, "manager").await;
    let trips: Value = manager.get(app.url("/api/v1/trips")).send().await.unwrap().json().await.unwrap();
    assert_eq!(trips["by_item"][0]["cases"], 2);
    assert_eq!(trips["by_item"][0]["one_visit"], 1);
    assert_eq!(trips["by_officer"][0]["key"], "officer姓名");
    let by_window: Vec<(&str, i64, i64)> = trips["by_window"].as_array().unwrap().iter().map(|r| (r["key"].as_str().unwrap(), r["one_visit"].as_i64().unwrap(), r["cases"].as_i64().unwrap())).collect();
    assert_eq!(by_window, [("1号窗口", 1, 1), ("未在窗口受理", 0, 1)]);
    assert_eq!(trips["over_promise"][0]["number"], numbers[1]);
    assert_eq!(trips["over_promise"][0]["notices"][0], "SF01-20261128-007");
    let page = app.page(&manager, "/manage/trips").await;
    assert!(page.contains("50.0%") && page.contains("SF01-20261128-007"), "{page}");
    assert_eq!(client.get(app.url("/api/v1/trips")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_case_opened_at_the_window_keeps_the_visitors_ticket() {
    let app = spawn_app().await;
    let taken: Value = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "items": ["T-BIRTH"] })).send().await.unwrap().json().await.unwrap();
    let token = taken["ticket"]["token"].as_str().unwrap().to_string();
    let (client, csrf) = officer(&app).await;
    let form = app.page(&client, &format!("/cases?ticket={token}")).await;
    assert!(form.contains("id=\"case-ticket\"") && form.contains("A001") && form.contains("value=\"T-BIRTH\" selected"), "{form}");
    let unknown = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "ticket": "nope" })).await;
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "ticket");
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "ticket": token })).await.json().await.unwrap();
    assert_eq!(opened["case"]["ticket_id"], taken["ticket"]["id"]);
}

#[tokio::test]
async fn the_applicant_is_told_when_materials_are_needed_and_when_the_case_completes() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let bad = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "phone": "12345" })).await;
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "phone");
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "phone": "13812345678" })).await.json().await.unwrap();
    let (number, id) = (opened["case"]["number"].as_str().unwrap().to_string(), opened["case"]["id"].as_i64().unwrap());
    let event = |body: Value| post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), body);
    // Received: the SMS gives the number and the query code to follow it with.
    let received = app.store.pending_notifications(10).await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].kind == "case_received" && received[0].message.contains(&number) && received[0].message.contains(opened["query_code"].as_str().unwrap()), "{}", received[0].message);
    let audited = app.store.audit_log(Some("SF01"), 10).await.unwrap();
    assert!(!serde_json::to_string(&audited).unwrap().contains(opened["query_code"].as_str().unwrap()), "the query code stays out of the audit log");
    event(json!({ "event": "accepted" })).await;
    assert_eq!(app.store.pending_notifications(10).await.unwrap().len(), 1, "acceptance sends nothing");
    event(json!({ "event": "materials_requested", "notice": "SF01-20261128-009" })).await;
    event(json!({ "event": "materials_received" })).await;
    event(json!({ "event": "decided", "approved": true })).await;
    let sent = app.store.pending_notifications(10).await.unwrap();
    assert_eq!(sent.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["case_received", "case_materials", "case_completed"]);
    assert!(sent[1].message.contains(&number) && sent[1].message.contains("SF01-20261128-009"), "{}", sent[1].message);
    assert!(sent.iter().all(|n| n.case_id == Some(id) && !n.recipient_cipher.contains("13812345678")), "sealed, linked to the case");
}

#[tokio::test]
async fn an_overdue_case_heads_the_managers_workspace() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    // Accepted on 5 January with a 5-working-day limit: long overdue.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    app.store.apply_case_event(&banshi_storage::Actor::system("test"), &number, &banshi_domain::case::CaseEvent::Accepted {}, chrono::Utc::now(), day, None).await.unwrap();
    let manager = app.client();
    app.sign_in(&manager, "manager").await;
    let home = app.page(&manager, "/staff").await;
    assert!(home.contains("id=\"overdue-cases\"") && home.contains(&number) && home.contains("2026-01-12"), "{home}");
    assert!(!app.page(&client, "/staff").await.contains("id=\"overdue-cases\""), "the manager's, not every officer's");
}

#[tokio::test]
async fn a_case_routed_to_an_approver_waits_in_their_inbox_with_the_steps_own_limit() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    let form = |fields: Vec<(&'static str, &'static str)>| {
        let (client, csrf, url) = (client.clone(), csrf.clone(), app.url(&format!("/cases/{number}")));
        async move {
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend(fields);
            let response = client.post(url).form(&all).send().await.unwrap();
            response.headers()["location"].to_str().unwrap().to_string()
        }
    };
    form(vec![("action", "accept")]).await;
    let page = app.page(&client, &format!("/cases/{number}")).await;
    assert!(page.contains("<option value=\"approver\">approver姓名（后台审批人员）</option>"), "the centre's approvers are offered: {page}");
    let refused = form(vec![("action", "route"), ("assignee", "approver"), ("limit_days", "三天")]).await;
    assert!(app.page(&client, &refused).await.contains("“三天”不是工作日天数"));
    form(vec![("action", "route"), ("assignee", "approver"), ("limit_days", "3")]).await;
    let page = app.page(&client, &format!("/cases/{number}")).await;
    assert!(page.contains("id=\"case-review\"") && page.contains("id=\"case-step-due\""), "{page}");

    let approver = app.client();
    let approver_csrf = app.sign_in(&approver, "approver").await;
    let inbox = app.page(&approver, "/cases/inbox").await;
    assert!(inbox.contains(&format!("id=\"inbox-{number}\"")) && inbox.contains("1 · approver"), "{inbox}");
    let manager = app.client();
    app.sign_in(&manager, "manager").await;
    assert!(app.page(&manager, "/cases/inbox").await.contains(&format!("id=\"inbox-{number}\"")), "the manager sees every case in review");
    assert_eq!(client.get(app.url("/cases/inbox")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "a window officer has no back-office inbox");
    // The window officer cannot pass on what is with the approver (separation of duties); the
    // approver routes it on to the duty leader, and it leaves their inbox.
    let body = json!({ "event": "routed", "assignee": "manager", "limit_days": 2 });
    assert_eq!(post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), body.clone()).await.status(), StatusCode::FORBIDDEN);
    let routed = post(&approver, &approver_csrf, app.url(&format!("/api/v1/cases/{number}/events")), body).await;
    assert_eq!(routed.status(), StatusCode::OK);
    let routed: Value = routed.json().await.unwrap();
    assert_eq!((routed["case"]["state"]["step"].as_i64(), routed["step_deadline"]["due"].is_string()), (Some(2), true), "{routed}");
    assert!(!app.page(&approver, "/cases/inbox").await.contains(&number));

    // The deadline board per department.
    let item: Value = app.client().get(app.url("/api/v1/items/T-BIRTH")).send().await.unwrap().json().await.unwrap();
    let department = item["department"].as_str().unwrap();
    let url = |d: &str| format!("/cases?department={}", form_urlencoded::byte_serialize(d.as_bytes()).collect::<String>());
    assert!(app.page(&client, &url(department)).await.contains(&format!("id=\"case-{number}\"")));
    let board = app.page(&client, "/cases").await;
    assert!(board.contains("<td>张*</td>") && !board.contains("张三"), "the board names the case, masks the person: {board}");
    assert!(!app.page(&client, &url("另一个部门")).await.contains(&format!("id=\"case-{number}\"")));
    // 我的办件: the cases the officer opened.
    assert!(app.page(&client, "/cases?mine=1").await.contains(&format!("id=\"case-{number}\"")));
    assert!(!app.page(&manager, "/cases?mine=1").await.contains(&format!("id=\"case-{number}\"")));
}

#[tokio::test]
async fn an_applicant_back_for_their_case_is_counted_at_the_window() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    assert_eq!(opened["case"]["visits"], 1);
    // Back with the missing materials: a new ticket, served at window 1.
    app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
    post(&client, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
    let called: Value = post(&client, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
    post(&client, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{}", called["ticket"]["id"])), json!({ "action": "start" })).await;
    assert!(app.page(&client, "/console/1").await.contains("id=\"case-visit-form\""));
    let visit = |case: String| {
        let (client, csrf, url) = (client.clone(), csrf.clone(), app.url("/console/1"));
        async move { client.post(url).form(&[("csrf", csrf.as_str()), ("action", "case_visit"), ("case", case.as_str())]).send().await.unwrap().headers()["location"].to_str().unwrap().to_string() }
    };
    let counted = app.page(&client, &visit(number.clone()).await).await;
    assert!(counted.contains(&format!("已记到场： {number}：到现场次数 2")), "{counted}");
    let unknown = app.page(&client, &visit("SF01-19990101-0001".into()).await).await;
    assert!(unknown.contains("id=\"console-error\"") && unknown.contains("本中心没有办件SF01-19990101-0001"), "{unknown}");
    assert_eq!(app.store.case(&number).await.unwrap().unwrap().visits, 2);
}

/// A lost receipt, a code others saw, a case older than query codes: the officer gives the case a
/// new code, the old one stops working, and the audit log records that it happened, not the code.
#[tokio::test]
async fn a_case_gets_a_new_query_code_and_the_old_one_stops_working_on_both_databases() {
    for app in spawn_apps().await {
        let (client, csrf) = officer(&app).await;
        let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
        let (number, old) = (opened["case"]["number"].as_str().unwrap().to_string(), opened["query_code"].as_str().unwrap().to_string());
        let replaced: Value = post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/query-code")), json!({})).await.json().await.unwrap();
        let new = replaced["query_code"].as_str().unwrap().to_string();
        assert_ne!(new, old);
        let query = |code: &str| app.client().post(app.url("/api/v1/progress")).json(&json!({ "case": number, "query_code": code })).send();
        assert_eq!(query(&old).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(query(&new).await.unwrap().status(), StatusCode::OK);
        let receipt = app.page(&client, &format!("/cases/{number}/receipt")).await;
        assert!(receipt.contains(&format!("id=\"receipt-query-code\">{new}<")) && receipt.contains("id=\"new-query-code\""), "{receipt}");
        let log = serde_json::to_string(&app.store.audit_log(Some("SF01"), 20).await.unwrap()).unwrap();
        assert!(log.contains("replace_query_code") && !log.contains(&new) && !log.contains(&new.replace('-', "")), "{log}");
        let (auditor, auditor_csrf) = app.signed_in("auditor").await;
        assert_eq!(post(&auditor, &auditor_csrf, app.url(&format!("/api/v1/cases/{number}/query-code")), json!({})).await.status(), StatusCode::FORBIDDEN);
    }
}

/// Without the receipt: the ID tail and a one-time code sent to the case's mobile, good once and
/// for ten minutes, a minute between codes; the same answer whatever the tail, the code never in
/// the audit log; the applicant is given back the query code.
#[tokio::test]
async fn an_applicant_without_the_receipt_finds_the_case_by_id_tail_and_a_code_sent_to_their_phone_on_both_databases() {
    let code_in = |message: &str| message.split("验证码为").nth(1).map(|rest| rest.chars().take(6).collect::<String>()).unwrap();
    for app in spawn_apps().await {
        let (client, csrf) = officer(&app).await;
        let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "phone": "13812345678" })).await.json().await.unwrap();
        let number = opened["case"]["number"].as_str().unwrap().to_string();
        let citizen = app.client();
        let ask = |tail: &str| citizen.post(app.url("/api/v1/progress/phone-code")).json(&json!({ "case": number, "id_tail": tail })).send();
        let queued = || async { app.store.pending_notifications(20).await.unwrap().into_iter().filter(|n| n.kind == "progress_code").collect::<Vec<_>>() };

        let wrong_tail = ask("1234").await.unwrap();
        assert_eq!(wrong_tail.status(), StatusCode::ACCEPTED);
        let wrong_answer = wrong_tail.text().await.unwrap();
        assert!(queued().await.is_empty(), "a wrong tail sends nothing");
        let sent = ask("002x").await.unwrap();
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
        assert_eq!(sent.text().await.unwrap(), wrong_answer, "the same answer: nothing to learn by trying tails");
        let messages = queued().await;
        assert_eq!(messages.len(), 1);
        let code = code_in(&messages[0].message);
        assert!(code.bytes().all(|b| b.is_ascii_digit()) && messages[0].case_id == opened["case"]["id"].as_i64(), "{}", messages[0].message);
        assert_eq!(ask("002X").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS, "a minute between codes");
        assert_eq!(queued().await.len(), 1);
        let malformed = ask("2X").await.unwrap();
        assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(malformed.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "id_tail");

        let query = |tail: &str, sms: &str| app.client().post(app.url("/api/v1/progress")).json(&json!({ "case": number, "id_tail": tail, "sms_code": sms })).send();
        let other = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(query("002X", other).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(query("1234", &code).await.unwrap().status(), StatusCode::NOT_FOUND, "the code with another tail");
        let found = query("002x", &code).await.unwrap();
        assert_eq!(found.status(), StatusCode::OK);
        let found: Value = found.json().await.unwrap();
        assert_eq!((found["number"].as_str(), found["query_code"].as_str()), (Some(number.as_str()), opened["query_code"].as_str()), "{found}");
        assert_eq!(query("002X", &code).await.unwrap().status(), StatusCode::NOT_FOUND, "one query per code");
        let log = serde_json::to_string(&app.store.audit_log(Some("SF01"), 50).await.unwrap()).unwrap();
        assert!(!log.contains(&code), "the code stays out of the audit log");

        // The page: the code is asked for and the same form answers with it.
        let form_csrf = app.form_token(&citizen, "/progress").await;
        let page = citizen.post(app.url("/progress/phone-code")).form(&[("csrf", form_csrf.as_str()), ("case", number.as_str()), ("id_tail", "")]).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = page.text().await.unwrap();
        assert!(page.contains("id=\"error-id_tail\"") && page.contains(&format!("value=\"{number}\"")) && page.contains("<details id=\"progress-phone\" open>"), "the field named, the number kept: {page}");

        // A case without a mobile number: the same answer, nothing queued.
        let silent: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "李四", "id_number": ID })).await.json().await.unwrap();
        let before = app.store.pending_notifications(50).await.unwrap().len();
        let asked = app.client().post(app.url("/api/v1/progress/phone-code")).json(&json!({ "case": silent["case"]["number"], "id_tail": "002X" })).send().await.unwrap();
        assert_eq!(asked.status(), StatusCode::ACCEPTED);
        assert_eq!(app.store.pending_notifications(50).await.unwrap().len(), before);
    }
}

/// A step's free text is a paragraph at most: a megabyte of reason was kept and shown in every
/// history. Refused by its field, and the case stays where it was.
#[tokio::test]
async fn a_reason_longer_than_a_paragraph_is_refused_by_its_field() {
    let app = spawn_app().await;
    let (client, csrf) = officer(&app).await;
    let opened: Value = post(&client, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    let long = "理".repeat(501);
    let refused = post(&client, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), json!({ "event": "refused", "reason": long, "legal_basis": "《行政许可法》第三十二条" })).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["problems"][0]["path"], "reason", "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("500"), "{error}");
    let read: Value = client.get(app.url(&format!("/api/v1/cases/{number}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["case"]["state"]["state"], "submitted", "nothing changed");
    let spec: Value = app.client().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["components"]["schemas"]["CaseEvent"].to_string().contains("\"maxLength\":500"), "the limit is documented");
}
