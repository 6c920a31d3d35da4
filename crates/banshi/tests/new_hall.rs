//! A new hall from an empty database, as its own people set it up without `banshi demo`: the
//! first admin from the command line, then only the pages a browser would post — the catalogue,
//! the hours, a queue, a window, an officer — until a ticket is taken, called and finished.

mod serve_process;
#[path = "../../banshi-web/tests/common/totp_codes.rs"]
mod totp_codes;

use serve_process::{first_admin, Server};

const DEMO_CATALOG: &str = "../../catalog/demo.json";

/// A browser-like client: keeps cookies, does not follow redirects (the test looks at them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn page(client: &reqwest::Client, url: String) -> String {
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

/// The value that follows `before` in a page, up to the closing quote.
fn value_of(html: &str, before: &str) -> String {
    let start = html.find(before).unwrap_or_else(|| panic!("{before} is not on the page")) + before.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn csrf_in(html: &str) -> String {
    value_of(html, "name=\"csrf\" value=\"")
}

async fn sign_in(server: &Server, username: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let csrf = csrf_in(&page(&client, server.url("/login")).await);
    let form = [("csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/staff")];
    let response = client.post(server.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 303, "{username} signs in");
    client
}

/// Posts a page's form (with the CSRF token the page gave); the status of the post and the page
/// answered (where a redirect led).
async fn submit(client: &reqwest::Client, server: &Server, page_path: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let csrf = csrf_in(&page(client, server.url(page_path)).await);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(server.url(action)).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    match location {
        Some(location) => (status, page(client, server.url(&location)).await),
        None => (status, response.text().await.unwrap()),
    }
}

#[tokio::test]
async fn a_new_hall_set_up_through_its_pages_takes_calls_and_finishes_a_ticket() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("banshi.db");
    let database = database.to_str().unwrap();
    first_admin(database, "zhangli", "first-admin-password");
    let server = Server::start(database, &[]).await.unwrap();
    let anonymous = browser();
    let kiosk = page(&anonymous, server.url("/kiosk")).await;
    assert!(!kiosk.contains("id=\"take-"), "a hall nobody set up offers no queue");

    let admin = sign_in(&server, "zhangli", "first-admin-password").await;
    // An admin enrols a second factor before anything else: every page leads to the enrolment.
    let to_enrol = admin.get(server.url("/admin")).send().await.unwrap();
    assert_eq!(to_enrol.headers()["location"], "/account/totp");
    let enrolment = page(&admin, server.url("/account/totp")).await;
    let secret = value_of(&enrolment, "id=\"totp-secret\" class=\"secret\">").split('<').next().unwrap().to_string();
    // As a browser reads the attribute: the page escapes the sealed offer's slashes.
    let offer = value_of(&enrolment, "name=\"enrolment\" value=\"").replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&#x2b;", "+");
    let code = totp_codes::fresh_code(&secret);
    let (status, done) = submit(&admin, &server, "/account/totp", "/account/totp", &[("enrolment", &offer), ("code", &code)]).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("id=\"recovery-codes\""));

    // The catalogue, pasted into the admin page; a broken one is refused whole, with what was typed kept.
    let (status, refused) = submit(&admin, &server, "/admin", "/admin/catalog", &[("catalog", "{\"items\": [")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("目录有问题，未导入任何内容") && refused.contains("{&quot;items&quot;: ["), "{refused}");
    let catalog = std::fs::read_to_string(DEMO_CATALOG).unwrap();
    let (status, imported) = submit(&admin, &server, "/admin", "/admin/catalog", &[("catalog", &catalog)]).await;
    assert_eq!(status, 303);
    assert!(imported.contains("目录已导入"), "{imported}");

    // The hours: a working day with a lunch break, a Saturday morning of 延时服务, and (so that this
    // test passes at whatever hour it runs) the self-service area's round-the-clock issue.
    let hours = [
        ("action", "hours"),
        ("working_days", "09:00-12:00, 13:30-17:00"),
        ("extended_saturday", "09:00-12:00"),
        ("every_day", "00:00-24:00"),
        ("day_close", "23:59"),
    ];
    let (status, _) = submit(&admin, &server, "/admin/hall", "/admin/hall", &[("action", "hours"), ("working_days", "9点到5点")]).await;
    assert_eq!(status, 422, "hours that are no hours are refused");
    let (status, saved) = submit(&admin, &server, "/admin/hall", "/admin/hall", &hours).await;
    assert_eq!(status, 303, "{saved}");
    assert!(saved.contains("id=\"hall-gaps\"") && saved.contains("大厅至少要有一个队列"), "the page says what the hall still lacks");

    // A queue for household registration with a daily quota, and a generalist window that serves it.
    let queue = [("action", "save_queue"), ("original", ""), ("prefix", "A"), ("name", "户籍办理"), ("items", "GA-HJ-001"), ("items", "GA-HJ-002"), ("daily_quota", "100")];
    let (status, saved) = submit(&admin, &server, "/admin/hall", "/admin/hall", &queue).await;
    assert_eq!(status, 303, "{saved}");
    assert!(saved.contains("队列“A”没有窗口办理"), "a queue before its window");
    let window = [("action", "save_window"), ("original", ""), ("number", "1"), ("name", "1号综合窗口"), ("queues", "A Z"), ("call_order", "arrival")];
    let (status, refused) = submit(&admin, &server, "/admin/hall", "/admin/hall", &window).await;
    assert_eq!(status, 422);
    assert!(refused.contains("id=\"error-queues\""), "the wrong field is named: {refused}");
    let window = [("action", "save_window"), ("original", ""), ("number", "1"), ("name", "1号综合窗口"), ("queues", "A"), ("call_order", "arrival")];
    let (status, saved) = submit(&admin, &server, "/admin/hall", "/admin/hall", &window).await;
    assert_eq!(status, 303, "{saved}");
    assert!(!saved.contains("id=\"hall-gaps\""), "the hall is whole");

    // An officer for the window; a bad account is refused by field with what was typed kept.
    let bad = [("username", "Li Min"), ("name", "李敏"), ("badge_number", "310125"), ("role", "window_staff"), ("centre", "XQ01"), ("password", "short")];
    let (status, refused) = submit(&admin, &server, "/admin", "/admin/staff", &bad).await;
    assert_eq!(status, 422);
    assert!(refused.contains("id=\"error-username\"") && refused.contains("id=\"error-password\"") && refused.contains("value=\"李敏\""), "{refused}");
    let officer = [("username", "limin"), ("name", "李敏"), ("badge_number", "310125"), ("role", "window_staff"), ("centre", "XQ01"), ("password", "officer-password")];
    let (status, created) = submit(&admin, &server, "/admin", "/admin/staff", &officer).await;
    assert_eq!(status, 303);
    assert!(created.contains("已新增工作人员：李敏（limin）"), "{created}");

    // The hall as set, read back through its API.
    let setup: serde_json::Value = admin.get(server.url("/api/v1/hall/setup")).send().await.unwrap().json().await.unwrap();
    assert_eq!(setup["queue"][0]["items"], serde_json::json!(["GA-HJ-001", "GA-HJ-002"]));
    assert_eq!(setup["window"][0]["call_order"], "arrival");
    assert_eq!(setup["hours"]["working_days"], "09:00-12:00, 13:30-17:00");

    // Until an officer signs in at a window serving it, the kiosk says the queue has no window.
    let kiosk = page(&anonymous, server.url("/kiosk")).await;
    assert!(kiosk.contains("id=\"closed-A\"") && kiosk.contains("暂无窗口办理"), "{kiosk}");
    let officer = sign_in(&server, "limin", "officer-password").await;
    let (status, console) = submit(&officer, &server, "/console", "/console/1", &[("action", "open")]).await;
    assert_eq!(status, 303);
    assert!(console.contains("1号综合窗口"), "{console}");

    // A visitor takes a ticket at the kiosk; the officer calls it, starts and finishes it.
    let (status, ticket) = submit(&anonymous, &server, "/kiosk", "/kiosk", &[("queue", "A")]).await;
    assert_eq!(status, 303);
    assert!(ticket.contains("A001"), "{ticket}");
    let (_, called) = submit(&officer, &server, "/console/1", "/console/1", &[("action", "call_next")]).await;
    assert!(called.contains("id=\"current-number\">A001<"), "{called}");
    let id = value_of(&called, "name=\"ticket\" value=\"");
    let (_, serving) = submit(&officer, &server, "/console/1", "/console/1", &[("action", "start"), ("ticket", &id)]).await;
    assert!(serving.contains("id=\"console-finish\""), "{serving}");
    let (_, finished) = submit(&officer, &server, "/console/1", "/console/1", &[("action", "finish"), ("ticket", &id), ("outcome", "done")]).await;
    assert!(finished.contains("id=\"console-message\"") && finished.contains("A001"), "{finished}");

    let queues: serde_json::Value = anonymous.get(server.url("/api/v1/queues")).send().await.unwrap().json().await.unwrap();
    assert_eq!((&queues[0]["prefix"], &queues[0]["issuing"]), (&"A".into(), &true.into()));
    let audit = page(&admin, server.url("/admin/audit")).await;
    for entity in ["<td>事项 ", "<td>大厅设置 XQ01</td>", "<td>工作人员 "] {
        assert!(audit.contains(entity), "the audit log has {entity}");
    }
    server.stop();
}
