//! The queue over HTTP: the kiosk and the printed ticket, the console's calls heard on the live
//! event stream, roles, the "almost your turn" outbox, and the duty leader's overview.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

async fn api_officer(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = app.client();
    let csrf = app.sign_in(&client, username).await;
    (client, csrf)
}

async fn post(client: &reqwest::Client, csrf: &str, url: String, body: Value) -> reqwest::Response {
    client.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn the_kiosk_prints_a_ticket_and_its_page_shows_the_place() {
    let app = spawn_app().await;
    let visitor = app.client();
    let kiosk = visitor.get(app.url("/kiosk")).send().await.unwrap().text().await.unwrap();
    assert!(kiosk.contains("id=\"take-A\"") && kiosk.contains("户籍办理"));
    let token = csrf_in(&kiosk).unwrap();
    let taken = visitor.post(app.url("/kiosk")).form(&[("csrf", token.as_str()), ("queue", "A"), ("centre", "SF01")]).send().await.unwrap();
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    let print_path = taken.headers()["location"].to_str().unwrap().to_string();
    let printed = visitor.get(app.url(&print_path)).send().await.unwrap().text().await.unwrap();
    assert!(printed.contains("id=\"ticket-number\">A001<") && printed.contains("<svg"), "number and QR code");
    let status_address = app.url(print_path.trim_end_matches("/print"));
    assert!(printed.replace("&#x2f;", "/").contains(&format!("href=\"{status_address}\"")), "the ticket names its status page by a whole address: {printed}");
    let second = visitor.post(app.url("/kiosk")).form(&[("csrf", token.as_str()), ("queue", "A")]).send().await.unwrap();
    let second_status = second.headers()["location"].to_str().unwrap().trim_end_matches("/print").to_string();
    let page = visitor.get(app.url(&second_status)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"ticket-ahead\">1<"), "one person ahead");

    let bad = visitor.post(app.url("/kiosk")).form(&[("csrf", token.as_str()), ("queue", "A"), ("phone", "12345"), ("id_number", "110105194912310021")]).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("phone: 手机号码应为 1 开头的 11 位数字") && bad.contains("id_number: 身份证号码的校验位不对"), "{bad}");
    assert_eq!(app.store.active_tickets("SF01").await.unwrap().len(), 2, "a refused ticket is not issued");
}

#[tokio::test]
async fn an_elderly_visitor_gets_the_green_channel_from_the_id_number_alone() {
    let app = spawn_app().await;
    let client = app.client();
    let walk_in: Value = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    // Born 1949: at or over the green-channel age. The number is read, not stored.
    let elderly = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "id_number": "11010519491231002X" })).send().await.unwrap();
    assert_eq!(elderly.status(), StatusCode::CREATED);
    let elderly: Value = elderly.json().await.unwrap();
    assert_eq!(elderly["green_channel"], true);
    assert_eq!(elderly["ticket"]["priority"], Value::Null, "the public status never says why");
    assert_eq!(elderly["ahead"], 0, "goes ahead of the walk-in");
    assert_eq!(walk_in["ticket"]["number"], "A001");
    let self_made = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "priority": "appointment" })).send().await.unwrap();
    assert_eq!(self_made.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "priority");
    let too_many = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "items": vec!["T-BIRTH"; 21] })).send().await.unwrap();
    assert_eq!(too_many.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "items");
    let unknown = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "Q" })).send().await.unwrap();
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "queue");
}

#[tokio::test]
async fn a_call_reaches_the_event_stream_with_the_words_to_speak() {
    for app in spawn_apps().await {
        let anonymous = app.client();
        anonymous.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
        let mut events = reqwest::Client::new().get(app.url("/api/v1/events?centre=SF01")).send().await.unwrap();
        assert_eq!(events.headers()["content-type"], "text/event-stream");

        let (officer, csrf) = api_officer(&app, "officer").await;
        let refused = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "sign in at the window first");
        let opened = post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
        assert_eq!(opened.status(), StatusCode::OK);
        let called: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
        assert_eq!(called["ticket"]["number"], "A001");

        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !seen.contains("请A001号到1号窗口办理") {
            let chunk = tokio::time::timeout_at(deadline, events.chunk()).await.expect("the call arrives within 5 s").unwrap().unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("event: call"), "{seen}");

        let id = called["ticket"]["id"].as_i64().unwrap();
        let act = |body: Value| post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), body);
        assert_eq!(act(json!({ "action": "start" })).await.status(), StatusCode::OK);
        let wrong = act(json!({ "action": "recall" })).await;
        assert_eq!(wrong.status(), StatusCode::CONFLICT);
        assert_eq!(wrong.json::<Value>().await.unwrap()["error"]["message"], "A001号当前正在办理，不能重呼");
        let leave = post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "closed" })).await;
        assert_eq!(leave.status(), StatusCode::CONFLICT, "no leaving a visitor at the window");
        let done: Value = act(json!({ "action": "finish", "outcome": "notice_issued" })).await.json().await.unwrap();
        assert_eq!(done["ticket"]["state"]["state"], "done");
        let nothing: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
        assert_eq!(nothing["ticket"], Value::Null);
        let closed = post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "closed" })).await;
        assert_eq!(closed.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn only_window_staff_at_their_window_call_and_out_of_order_calls_need_a_reason() {
    let app = spawn_app().await;
    let ticket: Value = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "B" })).send().await.unwrap().json().await.unwrap();
    let id = ticket["ticket"]["id"].as_i64().unwrap();
    let (auditor, auditor_csrf) = api_officer(&app, "auditor").await;
    assert_eq!(post(&auditor, &auditor_csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.client().post(app.url("/api/v1/windows/1/call-next")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let (officer, csrf) = api_officer(&app, "officer").await;
    post(&officer, &csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "open" })).await;
    let (manager, manager_csrf) = api_officer(&app, "manager").await;
    let taken = post(&manager, &manager_csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "open" })).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT, "window 2 is staffed");
    let no_reason = post(&officer, &csrf, app.url(&format!("/api/v1/windows/2/tickets/{id}")), json!({ "action": "call", "reason": " " })).await;
    assert_eq!(no_reason.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "reason");
    let with_reason = post(&officer, &csrf, app.url(&format!("/api/v1/windows/2/tickets/{id}")), json!({ "action": "call", "reason": "预约改期" })).await;
    assert_eq!(with_reason.status(), StatusCode::OK);
    let pause = post(&officer, &csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "paused" })).await;
    assert_eq!(pause.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "reason");
    // A reason is short: it goes to the public hall snapshot and every audit entry.
    let long = "休".repeat(1000);
    let pause = post(&officer, &csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "paused", "reason": long })).await;
    assert_eq!(pause.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = pause.json().await.unwrap();
    assert_eq!(refused["error"]["problems"][0]["path"], "reason");
    assert!(refused["error"]["problems"][0]["message"].as_str().unwrap().contains("60"), "{refused}");
    let hall: Value = app.client().get(app.url("/api/v1/hall?centre=SF01")).send().await.unwrap().json().await.unwrap();
    assert!(!hall.to_string().contains(&long), "nothing of it was kept");
    let typo = post(&officer, &csrf, app.url(&format!("/api/v1/windows/2/tickets/{id}")), json!({ "action": "teleport" })).await;
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_visitor_near_the_front_gets_one_almost_your_turn_message_and_the_phone_is_sealed() {
    let app = spawn_app().await;
    let client = app.client();
    let mut ids = Vec::new();
    for phone in [None, None, None, None, Some("13812345678")] {
        let body = json!({ "queue": "A", "phone": phone });
        let ticket: Value = client.post(app.url("/api/v1/tickets")).json(&body).send().await.unwrap().json().await.unwrap();
        ids.push(ticket["ticket"]["id"].as_i64().unwrap());
    }
    let sealed = app.store.ticket_phone(ids[4]).await.unwrap().unwrap();
    assert!(!sealed.contains("13812345678") && !sealed.contains("5678"), "the phone is stored sealed");
    let (officer, csrf) = api_officer(&app, "officer").await;
    post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
    assert!(app.store.pending_notifications(10).await.unwrap().is_empty());
    let first: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
    // Four tickets wait now; the one with a phone has three ahead: the message goes out once.
    let pending = app.store.pending_notifications(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].message.contains("A005") && pending[0].recipient_cipher == sealed);
    let id = first["ticket"]["id"].as_i64().unwrap();
    post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), json!({ "action": "no_show" })).await;
    post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await;
    assert_eq!(app.store.pending_notifications(10).await.unwrap().len(), 1, "no second message");
}

#[tokio::test]
async fn the_console_works_without_javascript_and_the_overview_shows_lights() {
    let app = spawn_app().await;
    // One visit, two items (多事一次办): the console shows both to the officer.
    let unknown = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "items": ["T-BIRTH", "X-OTHER"] })).send().await.unwrap();
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["problems"][0]["message"], "事项目录中没有事项“X-OTHER”");
    app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "items": ["T-BIRTH", "T-BIRTH"] })).send().await.unwrap();
    // Someone waits and no window is open: the overview says nobody serves them, not 「正常」.
    let hall: Value = app.client().get(app.url("/api/v1/hall?centre=SF01")).send().await.unwrap().json().await.unwrap();
    assert_eq!((&hall["queues"][0]["light"], &hall["queues"][0]["open_windows"]), (&json!("unserved"), &json!(0)), "{hall}");
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let home = officer.get(app.url("/console")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("id=\"open-window-1\""));
    let form = |action: &'static str| {
        let officer = officer.clone();
        let csrf = csrf.clone();
        let url = app.url("/console/1");
        async move { officer.post(url).form(&[("csrf", csrf.as_str()), ("action", action)]).send().await.unwrap() }
    };
    assert_eq!(form("open").await.status(), StatusCode::SEE_OTHER);
    let called = form("call_next").await;
    let location = called.headers()["location"].to_str().unwrap().to_string();
    let page = officer.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("请A001号到1号窗口办理") && page.contains("id=\"current-number\">A001<"), "{page}");
    assert!(page.contains("本次要办的事项：出生登记、出生登记"));
    let again = form("call_next").await;
    let page = officer.get(app.url(again.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"console-error\""), "a busy window cannot call again");
    // Parking sets the visitor aside: the window may call the next one, and resumes them later.
    let id = app.store.active_tickets("SF01").await.unwrap()[0].id.to_string();
    for action in ["start", "park"] {
        officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", action), ("ticket", id.as_str())]).send().await.unwrap();
    }
    let page = app.page(&officer, "/console/1").await;
    assert!(page.contains("id=\"console-resume-A001\"") && page.contains("id=\"console-call-next\""), "{page}");
    officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", "resume"), ("ticket", id.as_str())]).send().await.unwrap();
    assert!(app.page(&officer, "/console/1").await.contains("id=\"console-finish\""));

    let manager = app.client();
    let manager_csrf = app.sign_in(&manager, "manager").await;
    manager.post(app.url("/console/2")).form(&[("csrf", manager_csrf.as_str()), ("action", "open")]).send().await.unwrap();
    // Handed to the duty leader's window (避免僵局): it leaves this console and waits, marked, at window 2.
    let page = app.page(&officer, "/console/1").await;
    assert!(page.contains("id=\"transfer-window\"") && page.contains("<option value=\"2\">2号窗口 · manager姓名</option>"), "{page}");
    officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", "transfer"), ("ticket", id.as_str()), ("queue", ""), ("to_window", "2")]).send().await.unwrap();
    assert!(app.page(&officer, "/console/1").await.contains("id=\"console-call-next\""));
    assert!(app.page(&manager, "/console/2").await.contains("A001 转来"));
    let overview = manager.get(app.url("/manage/hall")).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("light-green") && overview.contains("officer姓名"));
    let board = app.client().get(app.url("/board")).send().await.unwrap().text().await.unwrap();
    assert!(board.contains("A001") && !board.contains("officer姓名"), "the board shows calls, no names");
    let refused = officer.get(app.url("/manage/hall")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"logout\"") && page.contains("id=\"error-message\""), "a refusal keeps the officer's own frame: {page}");
}

#[tokio::test]
async fn ticket_pages_are_found_by_their_token_not_by_counting() {
    let app = spawn_app().await;
    let client = app.client();
    let taken: Value = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    let (id, token) = (taken["ticket"]["id"].as_i64().unwrap(), taken["ticket"]["token"].as_str().unwrap().to_string());
    assert_eq!(token.len(), 32, "128 random bits");
    let status: Value = client.get(app.url(&format!("/api/v1/tickets/{token}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["ticket"]["number"], "A001");
    assert!(app.page(&client, &format!("/tickets/{token}")).await.contains("A001"));
    for guess in [format!("/api/v1/tickets/{id}"), format!("/tickets/{id}"), format!("/tickets/{id}/print")] {
        assert_eq!(client.get(app.url(&guess)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{guess}");
    }
}

#[tokio::test]
async fn text_with_a_nul_character_is_refused_clearly_on_every_database() {
    for app in spawn_apps().await {
        let client = app.client();
        let refused = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A\u{0}" })).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "queue", "the field is named");
        let (officer, csrf) = api_officer(&app, "officer").await;
        let pause = post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "paused", "reason": "午休\u{0}" })).await;
        assert_eq!(pause.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let query = client.get(app.url("/api/v1/items?q=%00")).send().await.unwrap();
        assert_eq!(query.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "q");
        // Text that only looks like a NUL is ordinary text: a typed 「%00」 or 「\u0000」.
        let typed = client.get(app.url("/api/v1/items?q=%2500")).send().await.unwrap();
        assert_eq!(typed.status(), StatusCode::OK);
        let typed = client.post(app.url("/api/v1/tickets")).header("content-type", "application/json").body(r#"{"queue":"A","phone":"\\u0000"}"#).send().await.unwrap();
        assert_eq!(typed.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "phone", "refused for being no phone number, not as a NUL");
        assert!(app.store.active_tickets("SF01").await.unwrap().is_empty(), "nothing was written");
    }
}

#[tokio::test]
async fn the_duty_leader_closes_an_absent_officers_window_and_others_may_not() {
    for app in spawn_apps().await {
        let client = app.client();
        client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
        let (officer, csrf) = api_officer(&app, "officer").await;
        post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
        let called: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
        assert_eq!(called["ticket"]["number"], "A001");
        let id = called["ticket"]["id"].as_i64().unwrap();

        // Another window's officer may not touch the ticket, nor close the window.
        let (manager, manager_csrf) = api_officer(&app, "manager").await;
        post(&manager, &manager_csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "open" })).await;
        let meddling = post(&manager, &manager_csrf, app.url(&format!("/api/v1/windows/2/tickets/{id}")), json!({ "action": "no_show" })).await;
        assert_eq!(meddling.json::<Value>().await.unwrap()["error"]["message"], "A001号在1号窗口");
        assert_eq!(post(&officer, &csrf, app.url("/api/v1/windows/1/force-close"), json!({ "reason": "x" })).await.status(), StatusCode::FORBIDDEN);
        let no_reason = post(&manager, &manager_csrf, app.url("/api/v1/windows/1/force-close"), json!({ "reason": "" })).await;
        assert_eq!(no_reason.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "reason");

        let closed: Value = post(&manager, &manager_csrf, app.url("/api/v1/windows/1/force-close"), json!({ "reason": "工作人员离岗" })).await.json().await.unwrap();
        assert_eq!(closed["window"]["status"], "closed");
        assert_eq!(closed["returned"][0]["state"]["state"], "waiting");
        let finish = post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), json!({ "action": "start" })).await;
        assert_eq!(finish.json::<Value>().await.unwrap()["error"]["message"], "请先在1号窗口签到");
        let audit = app.store.audit_log(None, 5).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "set_status" && e.entity_id == "SF01/1" && e.before.as_ref().unwrap()["status"] == "open"));
    }
}

#[tokio::test]
async fn an_officer_checks_an_appointment_in_and_it_goes_ahead_of_walk_ins() {
    let app = spawn_app().await;
    let kiosk = app.client();
    kiosk.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
    let forged = kiosk.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A", "priority": "appointment", "booking": "YY0001" })).send().await.unwrap();
    assert_eq!(forged.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "priority", "the kiosk cannot claim an appointment");

    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", "open")]).send().await.unwrap();
    let no_booking = officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", "check_in"), ("queue", "A"), ("booking", " ")]).send().await.unwrap();
    assert!(no_booking.headers()["location"].to_str().unwrap().contains("error="));
    let checked_in = officer.post(app.url("/console/1")).form(&[("csrf", csrf.as_str()), ("action", "check_in"), ("queue", "A"), ("booking", "YY0001")]).send().await.unwrap();
    let page = app.page(&officer, checked_in.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("预约已签到，号码 A002"), "{page}");
    let called: Value = officer.post(app.url("/api/v1/windows/1/call-next")).header("X-CSRF-Token", &csrf).send().await.unwrap().json().await.unwrap();
    assert_eq!(called["ticket"]["number"], "A002", "the checked-in appointment goes ahead of the earlier walk-in");
    assert_eq!(called["ticket"]["priority"], "appointment");
}

#[tokio::test]
async fn an_officer_hands_a_visitor_to_a_colleagues_window_who_calls_them_next() {
    for app in spawn_apps().await {
        let client = app.client();
        for _ in 0..3 {
            client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap();
        }
        let (officer, csrf) = api_officer(&app, "officer").await;
        let (leader, leader_csrf) = api_officer(&app, "manager").await;
        post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
        post(&leader, &leader_csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "open" })).await;
        let called: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
        let id = called["ticket"]["id"].as_i64().unwrap();
        let act = |body: Value| post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), body);
        act(json!({ "action": "start" })).await;

        let nowhere = act(json!({ "action": "transfer" })).await;
        assert_eq!(nowhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(nowhere.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "queue");
        let handed = act(json!({ "action": "transfer", "window": 2 })).await;
        assert_eq!(handed.status(), StatusCode::OK);
        let handed: Value = handed.json().await.unwrap();
        let handed = &handed["ticket"];
        assert_eq!((handed["state"]["state"].as_str(), handed["for_window"].as_i64(), handed["queue"].as_str()), (Some("waiting"), Some(2), Some("A")));

        // The ticket's page says where to go; the duty leader's window calls the visitor first.
        let status: Value = client.get(app.url(&format!("/api/v1/tickets/{}", called["ticket"]["token"].as_str().unwrap()))).send().await.unwrap().json().await.unwrap();
        assert_eq!(status["ticket"]["for_window"], 2);
        let next: Value = post(&leader, &leader_csrf, app.url("/api/v1/windows/2/call-next"), json!({})).await.json().await.unwrap();
        assert_eq!(next["ticket"]["number"], "A001", "handed to window 2, ahead of A002 and A003");
    }
}

/// Two visitors of two queues handed to one window: the second's page counts the first, whom that
/// window calls before them. Before, it counted only its own queue and said no one was ahead.
#[tokio::test]
async fn a_ticket_handed_to_a_window_counts_what_that_window_calls_first_on_both_databases() {
    for app in spawn_apps().await {
        let client = app.client();
        let mut tokens = Vec::new();
        for queue in ["A", "B"] {
            let taken: Value = client.post(app.url("/api/v1/tickets")).json(&json!({ "queue": queue })).send().await.unwrap().json().await.unwrap();
            tokens.push(taken["ticket"]["token"].as_str().unwrap().to_string());
        }
        let (officer, csrf) = api_officer(&app, "officer").await;
        let (leader, leader_csrf) = api_officer(&app, "manager").await;
        post(&officer, &csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await;
        post(&leader, &leader_csrf, app.url("/api/v1/windows/2/status"), json!({ "status": "open" })).await;
        for expected in ["A001", "B001"] {
            let called: Value = post(&officer, &csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
            assert_eq!(called["ticket"]["number"], expected);
            let act = |body: Value| post(&officer, &csrf, app.url(&format!("/api/v1/windows/1/tickets/{}", called["ticket"]["id"])), body);
            act(json!({ "action": "start" })).await;
            assert_eq!(act(json!({ "action": "transfer", "window": 2 })).await.status(), StatusCode::OK);
        }
        let ahead = |token: String| {
            let client = client.clone();
            let url = app.url(&format!("/api/v1/tickets/{token}"));
            async move { client.get(url).send().await.unwrap().json::<Value>().await.unwrap()["ahead"].as_i64() }
        };
        assert_eq!((ahead(tokens[0].clone()).await, ahead(tokens[1].clone()).await), (Some(0), Some(1)), "window 2 calls A001, then B001");
        // What window 2 holds, as a console reads it: nobody at it, the two in the order it calls them.
        let holding: Value = leader.get(app.url("/api/v1/windows/2")).send().await.unwrap().json().await.unwrap();
        let numbers: Vec<&str> = holding["waiting"].as_array().unwrap().iter().map(|t| t["number"].as_str().unwrap()).collect();
        assert_eq!((holding["current"].is_null(), numbers), (true, vec!["A001", "B001"]), "{holding}");
        assert!(holding["waiting"][0]["id"].is_i64() && holding["window"]["number"] == 2);
        assert_eq!(app.client().get(app.url("/api/v1/windows/2")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn the_manager_asks_what_if_and_sees_the_waits_and_the_windows_each_half_hour_needs() {
    let app = spawn_app().await;
    let manager = app.client();
    app.sign_in(&manager, "manager").await;
    let form = app.page(&manager, "/manage/simulate").await;
    assert!(form.contains("id=\"what-if\"") && form.contains("name=\"share_A\"") && !form.contains("id=\"wait-chart\""), "{form}");
    // The centre's windows as they are, then one window more.
    let windows = form.split("id=\"sim-windows\" name=\"windows\" rows=\"8\" cols=\"30\">").nth(1).unwrap().split("</textarea>").next().unwrap().to_string();
    assert!(windows.starts_with("1 A"), "{windows}");
    let query = |windows: &str| {
        let pairs = [("run", "1"), ("days", "5"), ("visitors", "200"), ("open", "09:00"), ("close", "12:00"), ("weights", "1, 2, 1"), ("priority", "0.1"), ("share_A", "0.6"), ("service_A", "5"), ("share_B", "0.4"), ("service_B", "8"), ("windows", windows)];
        format!("/manage/simulate?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
    };
    let ran = app.page(&manager, &query("1 A B\n2 B A")).await;
    assert!(ran.contains("id=\"wait-chart\"") && ran.contains("<rect") && ran.contains("id=\"sim-plan\"") && ran.contains("09:30"), "{ran}");
    assert!(ran.contains("id=\"sim-windows-result\""));
    let plan = ran.split("id=\"sim-plan\"").nth(1).unwrap();
    assert!(plan.contains("按本中心窗口模拟核定") && plan.contains('%'), "the plan checked by simulation: {plan}");
    let huge = app.page(&manager, &query("1 A B").replace("visitors=200", "visitors=100000000")).await;
    assert!(huge.contains("visitors: 每日来访人数应为 1 到 5000 人"), "a what-if stays small enough to answer at once");
    let wrong = app.page(&manager, &query("1 A Z")).await;
    assert!(wrong.contains("id=\"sim-problems\"") && wrong.contains("window[0].serves: 没有队列“Z”"), "{wrong}");
    let officer = app.client();
    app.sign_in(&officer, "officer").await;
    assert_eq!(officer.get(app.url("/manage/simulate")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_forecast_learns_from_the_halls_history_and_plans_the_windows() {
    let app = spawn_app().await;
    let manager = app.client();
    app.sign_in(&manager, "manager").await;
    let empty = app.page(&manager, "/manage/forecast").await;
    assert!(empty.contains("id=\"forecast-problem\""), "no history yet: {empty}");

    // Eight weeks of working days: mornings busier, queue A twice queue B.
    use chrono::{Datelike, Duration as Days, Local, TimeZone};
    let calendar = banshi_domain::calendar::WorkingCalendar::china();
    let today = Local::now().date_naive();
    let mut n = 0u32;
    for back in 1..=56 {
        let day = today - Days::days(back);
        if !calendar.day(day).working {
            continue;
        }
        for hour in 9..17u32 {
            let per_queue = if hour < 12 { [6, 3] } else { [3, 2] };
            for (queue, count) in ["A", "B"].into_iter().zip(per_queue) {
                for i in 0..count {
                    n += 1;
                    let at = Local.from_local_datetime(&day.and_hms_opt(hour, (i * 9) % 60, 0).unwrap()).unwrap().with_timezone(&chrono::Utc);
                    let ticket = banshi_storage::NewTicket {
                        centre_code: "SF01".into(),
                        queue: queue.into(),
                        priority: None,
                        items: vec![],
                        phone_cipher: None,
                        arrived_at: at,
                        token: format!("history-{n}"),
                        issuer: banshi_storage::Actor::system("kiosk"),
                        booking: None,
                        daily_quota: None,
                        phone_limit: None,
                    };
                    app.store.take_ticket(&ticket).await.unwrap();
                }
            }
        }
    }
    // The hall opens on Saturday mornings too (延时服务), and people came: three an hour in queue A.
    let (admin, admin_csrf) = app.signed_in("admin").await;
    let mut setup: Value = admin.get(app.url("/api/v1/hall/setup")).send().await.unwrap().json().await.unwrap();
    setup["hours"] = json!({ "working_days": "09:00-12:00, 13:30-17:00", "extended": { "saturday": "09:00-12:00" }, "day_close": "23:59" });
    assert_eq!(admin.put(app.url("/api/v1/hall/setup")).header("X-CSRF-Token", &admin_csrf).json(&setup).send().await.unwrap().status(), StatusCode::OK);
    let ordinary_saturday = |day: &chrono::NaiveDate| day.weekday() == chrono::Weekday::Sat && !calendar.day(*day).working && calendar.day(*day).reason == banshi_domain::calendar::DayReason::Weekend;
    for back in 1..=56 {
        let day = today - Days::days(back);
        if !ordinary_saturday(&day) {
            continue;
        }
        for hour in 9..12u32 {
            for i in 0..3u32 {
                let at = Local.from_local_datetime(&day.and_hms_opt(hour, i * 20, 0).unwrap()).unwrap().with_timezone(&chrono::Utc);
                let ticket = banshi_storage::NewTicket { centre_code: "SF01".into(), queue: "A".into(), priority: None, items: vec![], phone_cipher: None, arrived_at: at, token: format!("saturday-{back}-{hour}-{i}"), issuer: banshi_storage::Actor::system("kiosk"), booking: None, daily_quota: None, phone_limit: None };
                app.store.take_ticket(&ticket).await.unwrap();
            }
        }
    }
    // Around a long holiday both Saturdays ahead may be holidays or make-up days: then only the rest.
    let saturday = (0..14).map(|ahead| today + Days::days(ahead)).find(ordinary_saturday);

    // Someone tried the kiosk late one evening: the forecast reaches 21:30, and in the evening
    // hours between, where it expects next to nobody (0.0), it plans no window.
    let late = Local.from_local_datetime(&(today - Days::days(7)).and_hms_opt(21, 40, 0).unwrap()).unwrap().with_timezone(&chrono::Utc);
    let stray = banshi_storage::NewTicket { centre_code: "SF01".into(), queue: "A".into(), priority: None, items: vec![], phone_cipher: None, arrived_at: late, token: "history-late".into(), issuer: banshi_storage::Actor::system("kiosk"), booking: None, daily_quota: None, phone_limit: None };
    app.store.take_ticket(&stray).await.unwrap();
    let page = app.page(&manager, "/manage/forecast").await;
    assert!(!page.contains("id=\"forecast-problem\""), "{page}");
    let evening = page.split("<tr><td>19:00</td>").nth(1).and_then(|row| row.split("</tr>").next()).unwrap_or_else(|| panic!("a 19:00 row: {page}"));
    assert!(evening.starts_with("<td>0.0</td><td>0</td>") && evening.ends_with("<td><strong>0</strong></td>"), "no window for nobody: {evening}");
    assert!(page.contains("id=\"forecast-days\"") && page.contains("id=\"forecast-plan\"") && page.contains("09:00"), "{page}");
    let mape = page.split("<td>A 户籍办理</td><td>").nth(1).and_then(|rest| rest.split('%').next()).unwrap_or_default().to_string();
    let mape: f64 = mape.parse().unwrap_or_else(|_| panic!("a backtest error for queue A: {page}"));
    assert!(mape < 30.0, "a regular history is forecast closely: {mape}%");
    // The Saturday is a forecast day, planned from the Saturdays before (at :00, :20 and :40 of
    // each morning hour: two in its first half hour, one in its second); closed in the afternoon.
    if let Some(saturday) = saturday {
        assert!(page.contains(&format!("value=\"{saturday}\"")), "the Saturday is among the forecast days: {page}");
        let plan = app.page(&manager, &format!("/manage/forecast?day={saturday}")).await;
        let row = |slot: &str| plan.split(&format!("<tr><td>{slot}</td>")).nth(1).and_then(|row| row.split("</tr>").next()).unwrap_or_else(|| panic!("a {slot} row: {plan}")).to_string();
        assert!(row("09:00").starts_with("<td>2.0</td><td>1</td>") && row("09:30").starts_with("<td>1.0</td><td>1</td>"), "{} / {}", row("09:00"), row("09:30"));
        assert!(row("14:00").ends_with("<td><strong>0</strong></td>"), "{}", row("14:00"));
    }

    // The what-if starts from the same history: queue A had 33 of every 52 arrivals.
    let what_if = app.page(&manager, "/manage/simulate").await;
    let share_a = what_if.split("name=\"share_A\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).and_then(|v| v.parse::<f64>().ok());
    assert!(share_a.is_some_and(|share| share > 0.6 && share < 0.7), "queue A's share, about 0.64: {share_a:?}");
    let officer = app.client();
    app.sign_in(&officer, "officer").await;
    assert_eq!(officer.get(app.url("/manage/forecast")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}
