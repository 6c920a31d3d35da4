//! Staff accounts for their whole life, over HTTP on every backend: edited, moved to another
//! centre, disabled (its session ends at once, on another instance within seconds), locked after
//! failed sign-ins and unlocked, reset to a one-time password that must be changed first; and a
//! bad edit refused by field in Chinese with nothing changed.

mod common;

use banshi_storage::{Actor, Centre, Store};
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

async fn api_sign_in(app: &TestApp, username: &str, password: &str) -> (StatusCode, reqwest::Client, Value) {
    let client = app.client();
    let response = client.post(app.url("/api/v1/session")).json(&json!({ "username": username, "password": password })).send().await.unwrap();
    let status = response.status();
    (status, client, response.json().await.unwrap_or(Value::Null))
}

async fn second_centre(store: &dyn Store) {
    let centre = Centre { code: "SF02".into(), name: "示范市第二政务服务中心".into(), address: "二路2号".into(), hours: "工作日".into(), consult_phone: "0000-2".into(), supervision_phone: "12345".into(), ..Centre::default() };
    store.save_centre(&Actor::system("test"), &centre).await.unwrap();
}

#[tokio::test]
async fn an_account_is_edited_disabled_unlocked_reset_and_moved() {
    for app in spawn_apps().await {
        second_centre(app.store.as_ref()).await;
        let (admin, csrf) = signed_in(&app, "admin").await;
        let officer_id = app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id;
        let staff_url = |path: &str| app.url(&format!("/api/v1/staff/{officer_id}{path}"));

        let bad = post(&admin, &csrf, staff_url(""), json!({ "name": "", "badge_number": "!!", "role": "king", "centre": "NOPE" })).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad: Value = bad.json().await.unwrap();
        let problems: Vec<(&str, &str)> = bad["error"]["problems"].as_array().unwrap().iter().map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap())).collect();
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), ["name", "badge_number", "role", "centre"]);
        assert!(problems[3].1.contains("没有中心“NOPE”"), "{problems:?}");
        assert_eq!(app.store.staff_member(officer_id).await.unwrap().unwrap().name, "officer姓名", "nothing changed");

        let edited: Value = post(&admin, &csrf, staff_url(""), json!({ "name": "李敏", "badge_number": "310125", "role": "window_staff", "centre": "SF01" })).await.json().await.unwrap();
        assert_eq!((edited["name"].as_str(), edited["badge_number"].as_str()), (Some("李敏"), Some("310125")));

        // Disabled: the officer's session ends at once.
        let (officer, _) = signed_in(&app, "officer").await;
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::OK);
        let disabled: Value = post(&admin, &csrf, staff_url("/disable"), json!({})).await.json().await.unwrap();
        assert_eq!(disabled["active"], false);
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(api_sign_in(&app, "officer", "password-officer").await.0, StatusCode::UNAUTHORIZED, "a disabled account does not sign in");
        post(&admin, &csrf, staff_url("/enable"), json!({})).await;
        assert_eq!(api_sign_in(&app, "officer", "password-officer").await.0, StatusCode::OK);

        // Locked after five wrong passwords, on every instance alike; unlocked by the admin.
        for _ in 0..5 {
            assert_eq!(api_sign_in(&app, "officer", "wrong-password").await.0, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(api_sign_in(&app, "officer", "password-officer").await.0, StatusCode::TOO_MANY_REQUESTS);
        let unlocked: Value = post(&admin, &csrf, staff_url("/unlock"), json!({})).await.json().await.unwrap();
        assert_eq!(unlocked["locked_until"], Value::Null);
        assert_eq!(api_sign_in(&app, "officer", "password-officer").await.0, StatusCode::OK);

        // A one-time password: everything but changing it is refused until it is changed.
        let reset: Value = post(&admin, &csrf, staff_url("/reset-password"), json!({})).await.json().await.unwrap();
        let one_time = reset["one_time_password"].as_str().unwrap().to_string();
        assert_eq!(one_time.len(), 12);
        assert_eq!(api_sign_in(&app, "officer", "password-officer").await.0, StatusCode::UNAUTHORIZED, "the old password is gone");
        let (status, officer, session) = api_sign_in(&app, "officer", &one_time).await;
        assert_eq!(status, StatusCode::OK);
        let officer_csrf = session["csrf_token"].as_str().unwrap().to_string();
        let refused = officer.get(app.url("/api/v1/inquiries")).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "password_change_required");
        let page = officer.get(app.url("/staff")).send().await.unwrap();
        assert_eq!(page.headers()["location"], "/account/password", "pages send it to change the password");
        let wrong = post(&officer, &officer_csrf, app.url("/api/v1/account/password"), json!({ "current_password": "nope", "new_password": "short" })).await;
        let wrong: Value = wrong.json().await.unwrap();
        assert_eq!(wrong["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect::<Vec<_>>(), ["current_password", "new_password"]);
        let changed = post(&officer, &officer_csrf, app.url("/api/v1/account/password"), json!({ "current_password": one_time, "new_password": "a-new-password" })).await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        assert_eq!(officer.get(app.url("/api/v1/inquiries")).send().await.unwrap().status(), StatusCode::OK, "the same session goes on");

        // Moved to the other centre: out of this centre's list, its admin no longer finds it.
        post(&admin, &csrf, staff_url(""), json!({ "name": "李敏", "badge_number": "310125", "role": "window_staff", "centre": "SF02" })).await;
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "a move signs the account out");
        let listed: Value = admin.get(app.url("/api/v1/staff")).send().await.unwrap().json().await.unwrap();
        assert!(!listed.as_array().unwrap().iter().any(|s| s["id"] == officer_id));
        assert_eq!(post(&admin, &csrf, staff_url("/disable"), json!({})).await.status(), StatusCode::NOT_FOUND);

        let audit: Value = admin.get(app.url("/api/v1/audit?limit=100")).send().await.unwrap().json().await.unwrap();
        let actions: Vec<&str> = audit.as_array().unwrap().iter().filter(|e| e["entity"] == "staff").map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["update", "disable", "enable", "lock", "unlock", "reset_password", "change_password"] {
            assert!(actions.contains(&action), "{action} is audited: {actions:?}");
        }
        let (manager, manager_csrf) = signed_in(&app, "manager").await;
        assert_eq!(post(&manager, &manager_csrf, app.url("/api/v1/staff/1/disable"), json!({})).await.status(), StatusCode::FORBIDDEN, "a manager keeps no accounts");
    }
}

#[tokio::test]
async fn a_centre_admin_makes_no_installation_admin_and_nobody_disables_themself() {
    let app = spawn_app().await;
    let admin = app.store.staff_by_username("admin").await.unwrap().unwrap().staff;
    let centre_admin = banshi_storage::NewStaff { department: String::new(), username: "centreadmin".into(), name: "中心管理员".into(), badge_number: "C1".into(), role: banshi_domain::Role::Admin, centre_code: "SF01".into(), password_hash: banshi_web::hash_password("password-centreadmin") };
    app.store.create_staff(&Actor::system("test"), &centre_admin).await.unwrap();
    let (client, csrf) = signed_in(&app, "centreadmin").await;
    let made = post(&client, &csrf, app.url("/api/v1/staff"), json!({ "username": "boss", "name": "总管", "badge_number": "B1", "role": "system_admin", "password": "long-enough-pw" })).await;
    assert_eq!(made.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(made.json::<Value>().await.unwrap()["error"]["problems"][0]["message"].as_str().unwrap().contains("只有系统管理员"));
    let me = app.store.staff_by_username("centreadmin").await.unwrap().unwrap().staff.id;
    assert_eq!(post(&client, &csrf, app.url(&format!("/api/v1/staff/{me}/disable")), json!({})).await.status(), StatusCode::CONFLICT);
    let catalog = client.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).header("content-type", "application/json").body(FIXTURE).send().await.unwrap();
    assert_eq!(catalog.status(), StatusCode::FORBIDDEN, "the base catalogue is the installation's");
    let (system, system_csrf) = signed_in(&app, "admin").await;
    let catalog = system.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &system_csrf).header("content-type", "application/json").body(FIXTURE).send().await.unwrap();
    assert_eq!(catalog.status(), StatusCode::OK);
    assert!(admin.role == banshi_domain::Role::SystemAdmin);
}

#[tokio::test]
async fn disabling_an_account_on_one_instance_ends_its_session_on_another_within_five_seconds() {
    for app in spawn_apps().await {
        let Some(second_store) = app.test_store.second_instance().await else { continue };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let second = format!("http://{}", listener.local_addr().unwrap());
        let state = banshi_web::AppState::new(second_store, banshi_web::sealing::Sealer::from_hex(&banshi_web::sealing::Sealer::generate_key()).unwrap());
        tokio::spawn(banshi_web::serve(listener, state, std::future::pending()));
        let officer = app.client();
        let signed = officer.post(format!("{second}/api/v1/session")).json(&json!({ "username": "officer", "password": "password-officer" })).send().await.unwrap();
        assert_eq!(signed.status(), StatusCode::OK);
        // The second instance has the session in its cache now.
        assert_eq!(officer.get(format!("{second}/api/v1/session")).send().await.unwrap().status(), StatusCode::OK);

        let (admin, csrf) = signed_in(&app, "admin").await;
        let officer_id = app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id;
        let started = std::time::Instant::now();
        assert_eq!(post(&admin, &csrf, app.url(&format!("/api/v1/staff/{officer_id}/disable")), json!({})).await.status(), StatusCode::OK);
        loop {
            let status = officer.get(format!("{second}/api/v1/session")).send().await.unwrap().status();
            if status == StatusCode::UNAUTHORIZED {
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "still signed in on the second instance after 5 s");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
