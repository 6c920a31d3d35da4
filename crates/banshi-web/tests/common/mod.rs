//! `spawn_app`: the real router on port 0 over a fresh store, seeded with a centre, the test
//! catalogue and one account per role (password `password-<username>`).

#![allow(dead_code)]

pub mod totp_codes;

use banshi_domain::{parse_catalog, Role};
use banshi_storage::testing::{fresh_sqlite, fresh_stores, TestStore};
use banshi_storage::{Actor, Centre, NewStaff, Queue, Store, Window, WindowSkills};
use banshi_web::AppState;
use std::sync::Arc;

pub const FIXTURE: &str = include_str!("../../../banshi-domain/tests/fixture.json");

pub struct TestApp {
    pub address: String,
    pub store: Arc<dyn Store>,
    pub test_store: TestStore,
    /// The time the hall's rules read: fix it to test the hours at any hour.
    pub clock: banshi_web::Clock,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(fresh_sqlite().await).await
}

/// One app per available backend.
pub async fn spawn_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for test_store in fresh_stores().await {
        apps.push(spawn_app_on(test_store).await);
    }
    apps
}

pub async fn spawn_app_on(test_store: TestStore) -> TestApp {
    spawn_app_with(test_store, settings()).await
}

/// The default hall settings but for the second factor, which has tests of its own
/// (second_factor_http.rs): elsewhere every account signs in with its password alone.
pub fn settings() -> banshi_web::HallSettings {
    banshi_web::HallSettings { totp_required_for: Vec::new(), ..Default::default() }
}

/// The app with these hall settings (its limits, say).
pub async fn spawn_app_with(test_store: TestStore, settings: banshi_web::HallSettings) -> TestApp {
    let store = test_store.store.clone();
    seed(store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::with_settings(store.clone(), banshi_web::sealing::Sealer::from_hex(&banshi_web::sealing::Sealer::generate_key()).unwrap(), settings);
    let clock = state.clock.clone();
    tokio::spawn(banshi_web::serve(listener, state, std::future::pending()));
    TestApp { address, store, test_store, clock }
}

pub const ACCOUNTS: [(&str, Role); 5] = [
    ("admin", Role::SystemAdmin),
    ("manager", Role::Manager),
    ("officer", Role::WindowStaff),
    ("approver", Role::Approver),
    ("auditor", Role::Auditor),
];

pub async fn seed(store: &dyn Store) {
    let actor = Actor::system("test");
    let centre = Centre {
        code: "SF01".into(),
        name: "示范市示范区政务服务中心".into(),
        address: "民生路88号".into(),
        hours: "工作日 9:00-17:00".into(),
        consult_phone: "0000-1234567".into(),
        supervision_phone: "0000-12345".into(),
        ..Default::default()
    };
    store.save_centre(&actor, &centre).await.unwrap();
    store.replace_catalog(&actor, &parse_catalog(FIXTURE).unwrap()).await.unwrap();
    for (position, (prefix, name)) in [("A", "户籍办理"), ("B", "社保医保")].into_iter().enumerate() {
        let queue = Queue { centre_code: "SF01".into(), prefix: prefix.into(), name: name.into(), item_codes: vec![], position: position as i32 };
        store.save_queue(&actor, &queue).await.unwrap();
    }
    for number in 1..=2 {
        store.save_window(&actor, &Window { centre_code: "SF01".into(), number, name: format!("{number}号窗口") }).await.unwrap();
        let queues = if number == 1 { vec!["A".into(), "B".into()] } else { vec!["B".into()] };
        store.save_window_skills(&actor, &WindowSkills { centre_code: "SF01".into(), number, queues, green_channel: false }).await.unwrap();
    }
    for (username, role) in ACCOUNTS {
        let staff = NewStaff {
            department: String::new(),
            username: username.into(),
            name: format!("{username}姓名"),
            badge_number: format!("B{}", username.len()),
            role,
            centre_code: "SF01".into(),
            password_hash: banshi_web::hash_password(&format!("password-{username}")),
        };
        store.create_staff(&actor, &staff).await.unwrap();
    }
}

/// Every refusal a test provoked must have read as Chinese (the app, in a debug build, keeps those
/// that did not). Tests share the process, so a message may be reported by a neighbour's app.
impl Drop for TestApp {
    fn drop(&mut self) {
        let unworded = banshi_web::take_unworded_messages();
        if !std::thread::panicking() {
            assert!(unworded.is_empty(), "messages shown to people that are not Chinese: {unworded:#?}");
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// A page's HTML as `client` sees it.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> String {
        client.get(self.url(path)).send().await.unwrap().text().await.unwrap()
    }

    /// The CSRF token of the form on a page, as a browser would submit it.
    pub async fn form_token(&self, client: &reqwest::Client, path: &str) -> String {
        let html = self.page(client, path).await;
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF field on {path}"))
    }

    /// Signs in through the login form; returns the session's CSRF token.
    pub async fn sign_in(&self, client: &reqwest::Client, username: &str) -> String {
        let token = self.form_token(client, "/login").await;
        let password = format!("password-{username}");
        let form = [("csrf", token.as_str()), ("username", username), ("password", &password), ("next", "/staff")];
        let response = client.post(self.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 303, "sign-in of {username}");
        self.form_token(client, "/staff").await
    }

    /// A new client signed in as `username`, with its session's CSRF token.
    pub async fn signed_in(&self, username: &str) -> (reqwest::Client, String) {
        let client = self.client();
        let csrf = self.sign_in(&client, username).await;
        (client, csrf)
    }
}

/// A JSON POST carrying the session's CSRF token.
pub async fn post_json(client: &reqwest::Client, csrf: &str, url: String, body: serde_json::Value) -> reqwest::Response {
    client.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[start..start + 64].to_string())
}
