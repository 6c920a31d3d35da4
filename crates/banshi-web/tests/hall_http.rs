//! The hall as its people set it up, over HTTP: the setup replaced through the API and the page,
//! bad input refused by field in Chinese with nothing written; the kiosk following the hall's
//! hours, lunch break, quota and staffed windows on a fixed clock; and yesterday's leftover tickets
//! closed when an instance starts.

mod common;

use chrono::{Local, NaiveDate, TimeZone, Utc};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn signed_in(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = app.client();
    let csrf = app.sign_in(&client, username).await;
    (client, csrf)
}

/// A Tuesday that is a working day, at the local time given.
fn tuesday_at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let naive = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(hour, minute, 0).unwrap();
    Local.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
}

fn real_hall() -> Value {
    json!({
        "hours": { "working_days": "09:00-12:00, 13:30-17:00", "extended": { "saturday": "09:00-12:00" }, "day_close": "20:00" },
        "queue": [
            { "prefix": "A", "name": "户籍办理", "items": ["T-BIRTH"], "daily_quota": 2 },
            { "prefix": "B", "name": "社保医保", "issue_until": "16:00" }
        ],
        "window": [
            { "number": 1, "queues": ["A", "B"], "call_order": "arrival" },
            { "number": 2, "name": "社保窗口", "queues": ["B"] }
        ]
    })
}

#[tokio::test]
async fn the_setup_is_replaced_whole_and_a_bad_one_changes_nothing() {
    for app in spawn_apps().await {
        let (admin, csrf) = signed_in(&app, "admin").await;
        let before: Value = admin.get(app.url("/api/v1/hall/setup")).send().await.unwrap().json().await.unwrap();
        let bad = json!({
            "hours": { "working_days": "9点到12点", "day_close": "25:00" },
            "queue": [{ "prefix": "a1", "name": "", "items": ["NOPE"] }],
            "window": [{ "number": 0, "queues": ["Z"] }]
        });
        let refused = admin.put(app.url("/api/v1/hall/setup")).header("X-CSRF-Token", &csrf).json(&bad).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused: Value = refused.json().await.unwrap();
        let problems: Vec<(&str, &str)> = refused["error"]["problems"].as_array().unwrap().iter().map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap())).collect();
        let paths: Vec<&str> = problems.iter().map(|(path, _)| *path).collect();
        assert_eq!(paths, ["hours.working_days", "hours.day_close", "queue[0].prefix", "queue[0].name", "queue[0].items[0]", "window[0].number", "window[0].queues[0]"]);
        assert!(problems[0].1.contains("不是营业时间") && problems[4].1.contains("NOPE"), "{problems:?}");
        let after: Value = admin.get(app.url("/api/v1/hall/setup")).send().await.unwrap().json().await.unwrap();
        assert_eq!(after, before, "nothing written");

        let saved = admin.put(app.url("/api/v1/hall/setup")).header("X-CSRF-Token", &csrf).json(&real_hall()).send().await.unwrap();
        assert_eq!(saved.status(), StatusCode::OK, "{}", saved.text().await.unwrap());
        let setup: Value = admin.get(app.url("/api/v1/hall/setup")).send().await.unwrap().json().await.unwrap();
        assert_eq!(setup["queue"][0]["daily_quota"], 2);
        assert_eq!(setup["window"][0]["call_order"], "arrival");
        assert_eq!(setup["window"][0]["name"], "1号窗口");
        let officer = signed_in(&app, "officer").await;
        let not_theirs = officer.0.put(app.url("/api/v1/hall/setup")).header("X-CSRF-Token", &officer.1).json(&real_hall()).send().await.unwrap();
        assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_kiosk_follows_the_hours_the_quota_and_the_staffed_windows() {
    let app = spawn_app().await;
    let (admin, csrf) = signed_in(&app, "admin").await;
    let saved = admin.put(app.url("/api/v1/hall/setup")).header("X-CSRF-Token", &csrf).json(&real_hall()).send().await.unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let citizen = app.client();
    let take = |queue: &'static str| {
        let citizen = citizen.clone();
        let url = app.url("/api/v1/tickets");
        async move { citizen.post(url).json(&json!({ "queue": queue })).send().await.unwrap() }
    };
    let queues = || async { citizen.get(app.url("/api/v1/queues")).send().await.unwrap().json::<Value>().await.unwrap() };

    app.clock.fix(tuesday_at(12, 15));
    let now = queues().await;
    assert_eq!((now[0]["issuing"].clone(), now[0]["refusal"].clone()), (json!(false), json!("queue_closed")), "the lunch break");
    assert!(now[0]["message"].as_str().unwrap().contains("今天13:30起可取号"), "{now}");
    let lunch = take("A").await;
    assert_eq!(lunch.status(), StatusCode::CONFLICT);
    assert_eq!(lunch.json::<Value>().await.unwrap()["error"]["code"], "queue_closed");
    let kiosk = citizen.get(app.url("/kiosk")).send().await.unwrap().text().await.unwrap();
    assert!(!kiosk.contains("id=\"take-A\"") && kiosk.contains("id=\"closed-A\""), "the kiosk offers only what is open");

    app.clock.fix(tuesday_at(10, 0));
    let nobody = take("A").await;
    assert_eq!(nobody.json::<Value>().await.unwrap()["error"]["code"], "no_window_open", "no officer at a window serving A");
    let (officer, officer_csrf) = signed_in(&app, "officer").await;
    let open = officer.post(app.url("/api/v1/windows/1/status")).header("X-CSRF-Token", &officer_csrf).json(&json!({ "status": "open" })).send().await.unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    assert_eq!(take("A").await.status(), StatusCode::CREATED);
    assert_eq!(take("A").await.status(), StatusCode::CREATED);
    let third = take("A").await;
    assert_eq!(third.status(), StatusCode::CONFLICT);
    let third: Value = third.json().await.unwrap();
    assert_eq!(third["error"]["code"], "quota_reached");
    assert!(third["error"]["message"].as_str().unwrap().contains("今日2个号已取完，明天09:00起可取号"), "{third}");
    assert_eq!(take("B").await.status(), StatusCode::CREATED, "another queue goes on");

    app.clock.fix(tuesday_at(16, 30));
    let late: Value = take("B").await.json().await.unwrap();
    assert_eq!(late["error"]["code"], "issue_stopped");
    app.clock.fix(tuesday_at(19, 0));
    assert_eq!(take("B").await.json::<Value>().await.unwrap()["error"]["code"], "queue_closed", "after hours");
    let desk = officer.post(app.url("/api/v1/tickets")).header("X-CSRF-Token", &officer_csrf).json(&json!({ "queue": "B", "priority": "appointment", "booking": "YY-1" })).send().await.unwrap();
    assert_eq!(desk.status(), StatusCode::CREATED, "an officer at the desk checks an appointment in whatever the hour");
}

#[tokio::test]
async fn the_setup_page_keeps_a_refused_form_and_marks_its_fields() {
    let app = spawn_app().await;
    let client = app.client();
    app.sign_in(&client, "manager").await;
    let page = app.page(&client, "/admin/hall").await;
    assert!(page.contains("id=\"hours-form\"") && page.contains("id=\"new-queue-form\""), "the manager keeps the hall too");
    let token = csrf_in(&page).unwrap();
    let form = [("csrf", token.as_str()), ("action", "save_queue"), ("original", ""), ("prefix", "a1"), ("name", ""), ("daily_quota", "很多"), ("issue_until", "16:00")];
    let refused = client.post(app.url("/admin/hall")).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("value=\"很多\"") && refused.contains("id=\"error-daily_quota\""), "the quota as typed, and marked");
    let form = [("csrf", token.as_str()), ("action", "save_queue"), ("original", ""), ("prefix", "a1"), ("name", ""), ("issue_until", "16:00")];
    let refused = client.post(app.url("/admin/hall")).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(refused.contains("value=\"A1\"") && refused.contains("id=\"error-prefix\"") && refused.contains("id=\"error-name\""), "{refused}");
    assert!(refused.contains("请填写队列名称"), "in Chinese");
    assert_eq!(app.store.queues("SF01").await.unwrap().len(), 2, "nothing written");

    let form = [("csrf", token.as_str()), ("action", "save_queue"), ("original", ""), ("prefix", "C"), ("name", "综合"), ("items", "T-BIRTH")];
    assert_eq!(client.post(app.url("/admin/hall")).form(&form).send().await.unwrap().status(), StatusCode::SEE_OTHER, "a queue may come before its window");
    let page = app.page(&client, "/admin/hall").await;
    assert!(page.contains("id=\"hall-gaps\"") && page.contains("队列“C”没有窗口办理"), "and the page says what the hall still lacks");
    let kiosk: serde_json::Value = client.get(app.url("/api/v1/queues")).send().await.unwrap().json().await.unwrap();
    assert_eq!(kiosk[2]["refusal"], "no_window_open", "the kiosk gives no ticket nobody would call");
    let window = [("csrf", token.as_str()), ("action", "save_window"), ("original", "2"), ("number", "2"), ("name", ""), ("queues", "B A C"), ("call_order", "arrival")];
    assert_eq!(client.post(app.url("/admin/hall")).form(&window).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let hall = app.store.hall("SF01").await.unwrap();
    assert_eq!(hall.windows[1].queues, ["B", "A", "C"]);
    assert!(!app.page(&client, "/admin/hall").await.contains("id=\"hall-gaps\""), "the hall is whole again");
    assert_eq!(hall.windows[1].call_order, banshi_domain::queue::CallOrder::Arrival);
    let exported = client.get(app.url("/admin/hall/hall.toml")).send().await.unwrap().text().await.unwrap();
    assert!(exported.contains("[[window]]") && exported.contains("call_order = \"arrival\""), "{exported}");
}

#[tokio::test]
async fn an_instance_closes_the_days_it_missed_when_it_starts() {
    let test_store = banshi_storage::testing::fresh_sqlite().await;
    let store = test_store.store.clone();
    seed(store.as_ref()).await;
    // Tickets of two days ago nobody called, left by an instance that was down at the close.
    let missed = Local::now().date_naive() - chrono::Duration::days(2);
    for _ in 0..3 {
        let ticket = banshi_storage::NewTicket {
            centre_code: "SF01".into(),
            queue: "A".into(),
            priority: None,
            items: vec![],
            phone_cipher: None,
            arrived_at: Utc::now() - chrono::Duration::days(2),
            token: format!("left-{}", rand::random::<u64>()),
            issuer: banshi_storage::Actor::system("kiosk"),
            booking: None,
            daily_quota: None,
            phone_limit: None,
        };
        store.take_ticket(&ticket).await.unwrap();
    }
    let _instance = banshi_web::AppState::new(store.clone(), banshi_web::sealing::Sealer::from_hex(&banshi_web::sealing::Sealer::generate_key()).unwrap());
    let mut closed = Vec::new();
    // Seconds on a loaded machine; the loop ends as soon as the day is closed.
    for _ in 0..300 {
        closed = store.closed_days("SF01", 5).await.unwrap().into_iter().filter(|d| d.day == missed).collect();
        if !closed.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(closed.iter().map(|d| (d.day, d.taken, d.expired)).collect::<Vec<_>>(), [(missed, 3, 3)]);
    assert!(store.active_tickets("SF01").await.unwrap().is_empty());
}
