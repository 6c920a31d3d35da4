//! The demo in a real browser (headless Chromium through chromedriver): a citizen does the
//! self-check; an officer signs in, issues a one-time notice and opens its printable pages; a ticket
//! is called and finished; a ticket becomes a case, taken to completion and followed by the citizen;
//! a finished visit is rated on the window's pad and reaches the manager's bad-rating ledger; a new
//! hall, from an empty database and its first admin, is set up on its pages and takes its first ticket.
//!
//! Skipped, with a message, where chromedriver is not installed; `.ci/run` installs it and sets
//! BANSHI_REQUIRE_BROWSER=1 so that there a missing browser fails instead.

mod demo_process;
mod serve_process;
#[path = "../../banshi-web/tests/common/totp_codes.rs"]
mod totp_codes;

use demo_process::DemoProcess;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIRTH_REGISTRATION_LINK: &str = "//ul[@class='items']//a[contains(., '出生登记')]";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<String> {
    let candidates = [std::env::var("BANSHI_CHROMEDRIVER").unwrap_or_default(), "/usr/bin/chromedriver".into()];
    candidates.into_iter().find(|path| !path.is_empty() && std::path::Path::new(path).exists())
}

fn start_driver() -> Option<(Driver, String)> {
    let Some(driver_path) = chromedriver() else {
        assert!(std::env::var("BANSHI_REQUIRE_BROWSER").is_err(), "BANSHI_REQUIRE_BROWSER is set but chromedriver is not installed");
        eprintln!("browser test skipped: chromedriver is not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver_path).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
    Some((Driver(child), format!("http://127.0.0.1:{port}")))
}

/// A browser session of its own (its own profile, so its own cookies).
async fn session(url: &str, profile: &std::path::Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    let args = [
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1280,1600".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut options = serde_json::json!({ "args": args });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        options["binary"] = "/usr/bin/chromium".into();
    }
    capabilities.insert("goog:chromeOptions".into(), options);
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(url).await {
            Ok(client) => return client,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not answer on {url}");
}

async fn text_of(client: &Client, css: &str) -> String {
    client.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Answers every situation question on the page with its first option, step by step, until the
/// material ticks appear.
async fn answer_all_questions(client: &Client, next_button: &str) {
    for _ in 0..10 {
        if client.find(Locator::Css("input[name=have]")).await.is_ok() {
            return;
        }
        for group in client.find_all(Locator::Css("#questions fieldset")).await.unwrap() {
            let first = group.find(Locator::Css("input[type=radio]")).await.unwrap();
            first.click().await.unwrap();
        }
        click_and_wait(client, Locator::Css(next_button)).await;
    }
    panic!("the materials never appeared");
}

/// Clicks what leads to another page and waits until the browser is there, so that nothing is
/// looked for on the page being left.
async fn click_and_wait(client: &Client, target: Locator<'_>) {
    let before = client.current_url().await.unwrap();
    client.wait().for_element(target).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if client.current_url().await.unwrap() != before {
            client.wait().for_element(Locator::Css("body")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page did not change from {before}");
}

/// The text of `css` once it shows `expected`, for a page nobody reloads (the event stream changes
/// it), or what it showed when 10 s ran out.
async fn live_text(client: &Client, css: &str, expected: &str) -> String {
    let mut shown = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            shown = element.text().await.unwrap_or_default();
            if shown.contains(expected) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shown
}

/// Submits a form that answers on the same address (a refusal shown with the form) and waits for
/// what the answer shows.
async fn submit_and_wait_for(client: &Client, button: &str, shown: &str) {
    client.find(Locator::Css(button)).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Css(shown)).await.unwrap_or_else(|e| panic!("{shown} after {button}: {e}"));
}

/// Signs the demo's staff member in through the login form, with the code of its second factor.
async fn sign_in(client: &Client, demo: &DemoProcess, username: &str) {
    let code = totp_codes::fresh_code(demo.totp_secret(username));
    sign_in_at(client, &demo.base, username, demo.password(username), Some(&code)).await;
}

async fn sign_in_at(client: &Client, base: &str, username: &str, password: &str, totp: Option<&str>) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Css("#username")).await.unwrap().send_keys(username).await.unwrap();
    client.find(Locator::Css("#password")).await.unwrap().send_keys(password).await.unwrap();
    if let Some(code) = totp {
        client.find(Locator::Css("#totp")).await.unwrap().send_keys(code).await.unwrap();
    }
    click_and_wait(client, Locator::Css("#login-submit")).await;
}

/// Types into the fields of a form, by their CSS selectors, replacing what they held.
async fn fill(client: &Client, fields: &[(&str, &str)]) {
    for (css, value) in fields {
        let field = client.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
}

/// axe-core's script, installed by `.ci/run` from the npm registry (BANSHI_AXE names another copy).
fn axe_script() -> Option<String> {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/axe/node_modules/axe-core/axe.min.js").to_string();
    let path = std::env::var("BANSHI_AXE").unwrap_or(default);
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(_) => {
            assert!(std::env::var("BANSHI_REQUIRE_BROWSER").is_err(), "BANSHI_REQUIRE_BROWSER is set but axe-core is not at {path}");
            eprintln!("accessibility audit skipped: axe-core is not at {path} (npm install --prefix target/axe axe-core@4)");
            None
        }
    }
}

/// Runs axe-core over the page as it stands: no critical or serious violation.
async fn assert_accessible(client: &Client, state: &str) {
    let Some(script) = axe_script() else { return };
    client.execute(&script, vec![]).await.unwrap();
    let found = client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
               done(result.violations.filter(function (v) { return v.impact === 'critical' || v.impact === 'serious'; })
                 .map(function (v) { return v.impact + ' ' + v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found, serde_json::json!([]), "accessibility violations on {state}");
}

/// Makes the page's viewport (not the window) `width`×`height` CSS pixels.
async fn set_viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client.execute("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]", vec![]).await.unwrap();
    let extra = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
    client.set_window_size(width + extra(0), height + extra(1)).await.unwrap();
}

/// Nothing on the page is wider than the viewport: it never scrolls sideways.
async fn assert_fits_width(client: &Client, page: &str) {
    let sizes = client.execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]", vec![]).await.unwrap();
    assert!(sizes[0].as_u64() <= sizes[1].as_u64(), "{page} scrolls sideways at {} px: {sizes}", sizes[2]);
}

/// How many A4 sheets the page prints on, as Chromium prints it (WebDriver's Print Page, its PDF's
/// pages counted).
async fn printed_a4_sheets(client: &Client, driver: &str) -> usize {
    use base64::Engine;
    let session = client.session_id().await.unwrap().expect("a session");
    let asked = serde_json::json!({ "page": { "width": 21.0, "height": 29.7 }, "margin": { "top": 0, "bottom": 0, "left": 0, "right": 0 }, "background": true });
    let answer: serde_json::Value = reqwest::Client::new().post(format!("{driver}/session/{session}/print")).json(&asked).send().await.unwrap().json().await.unwrap();
    let pdf = base64::engine::general_purpose::STANDARD.decode(answer["value"].as_str().expect("a PDF")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    text.match_indices("/Type /Page").filter(|(at, _)| !text[at + 11..].starts_with('s')).count()
}

/// A state of a journey a person sees: audited for accessibility, and saved as a screenshot when
/// BANSHI_SCREENSHOTS names a folder.
async fn page_state(client: &Client, name: &str) {
    assert_accessible(client, name).await;
    if let Ok(folder) = std::env::var("BANSHI_SCREENSHOTS") {
        let png = client.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&folder).join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test]
async fn self_check_then_an_officer_prints_a_one_time_notice() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, driver)) = start_driver() else { return };
    let client = session(&driver, &folder.path().join("profile")).await;
    let demo = DemoProcess::start(folder.path());

    // A citizen finds 出生登记 and checks what to bring.
    client.goto(&demo.url("/")).await.unwrap();
    assert!(client.source().await.unwrap().contains("示范市示范区政务服务中心"));
    assert_eq!(client.find_all(Locator::Css("#windows li")).await.unwrap().len(), 12, "the demo hall has 12 windows");
    client.find(Locator::Css("#q")).await.unwrap().send_keys("出生登记").await.unwrap();
    click_and_wait(&client, Locator::Css("form.search button")).await;
    click_and_wait(&client, Locator::XPath(BIRTH_REGISTRATION_LINK)).await;
    assert!(text_of(&client, "#public-facts").await.contains("监督电话"));
    click_and_wait(&client, Locator::Css("#start-check")).await;
    answer_all_questions(&client, "#check-submit").await;
    // The application form is handed out at the window: said so, not a box to tick.
    assert!(text_of(&client, "#at-window").await.contains("《出生登记申请表》"));
    assert!(client.find(Locator::Css("input[name=have][value=application_form]")).await.is_err());
    let ticks = client.find_all(Locator::Css("input[name=have]")).await.unwrap();
    assert!(ticks.len() >= 2, "materials to tick");
    ticks[0].click().await.unwrap();
    click_and_wait(&client, Locator::Css("#check-submit")).await;
    let checklist = text_of(&client, "#checklist").await;
    assert!(checklist.contains("我的材料清单") && checklist.contains("已备齐"), "{checklist}");
    assert!(text_of(&client, "#verdict").await.contains("受理"));
    page_state(&client, "self-check").await;
    assert_eq!(printed_a4_sheets(&client, &driver).await, 1, "the checklist prints on one A4 sheet");

    // The officer at the window signs in and issues the notice for what is missing.
    sign_in(&client, &demo, "chenjing").await;
    click_and_wait(&client, Locator::XPath(BIRTH_REGISTRATION_LINK)).await;
    answer_all_questions(&client, "#situation-next").await;
    client.find(Locator::Css("#applicant_name")).await.unwrap().send_keys("王小明").await.unwrap();
    click_and_wait(&client, Locator::Css("#notice-submit")).await;
    let number = text_of(&client, "#notice-number").await;
    assert!(number.starts_with("SF01-"), "{number}");
    let notice = text_of(&client, "#notice").await;
    for fact in ["一次性告知单", "出生登记", "须补齐的材料", "陈静", "310125", "12345", "王**"] {
        assert!(notice.contains(fact), "the notice lacks {fact}: {notice}");
    }
    page_state(&client, "notice-a4").await;
    assert_eq!(printed_a4_sheets(&client, &driver).await, 1, "the notice prints on one A4 sheet");
    click_and_wait(&client, Locator::Css("#receipt-link")).await;
    assert_eq!(text_of(&client, ".receipt #notice-number").await, number);
    let page = client.execute("return getComputedStyle(document.body).page", vec![]).await.unwrap();
    assert_eq!(page, "receipt", "the receipt prints on the 80 mm roll's @page");
    page_state(&client, "notice-receipt").await;

    // The same notice is found again by its number.
    client.goto(&demo.url(&format!("/staff/notices/find?number={number}"))).await.unwrap();
    assert_eq!(text_of(&client, "#notice-number").await, number);
    client.close().await.unwrap();
}

#[tokio::test]
async fn take_a_ticket_see_it_called_on_the_board_and_finish_it_at_the_console() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let board = session(&url, &folder.path().join("board")).await;
    let desk = session(&url, &folder.path().join("desk")).await;

    // The officer signs in at window 1 before anyone has come: nobody is waiting.
    sign_in(&desk, &demo, "chenjing").await;
    desk.goto(&demo.url("/console")).await.unwrap();
    click_and_wait(&desk, Locator::Css("#open-window-1")).await;
    assert!(desk.find(Locator::Css("#waiting .chip")).await.is_err(), "nobody waits yet");

    // A visitor takes a ticket for 户籍办理 (queue A) at the kiosk.
    board.goto(&demo.url("/kiosk")).await.unwrap();
    click_and_wait(&board, Locator::Css("#take-A")).await;
    let number = text_of(&board, "#ticket-number").await;
    assert_eq!(number, "A001");
    page_state(&board, "ticket").await;
    board.goto(&demo.url("/board")).await.unwrap();
    board.wait().for_element(Locator::Css("#queue-table")).await.unwrap();

    // The console, which nobody reloads, shows the new ticket waiting, from the event stream.
    let waiting = live_text(&desk, "#waiting", &number).await;
    assert!(waiting.contains(&number), "the console's waiting list shows {waiting:?}");
    click_and_wait(&desk, Locator::Css("#console-call-next")).await;
    assert_eq!(text_of(&desk, "#current-number").await, number);

    // The board, never reloaded, shows the call pushed over the event stream.
    let shown = live_text(&board, "#current-calls li:first-child", &number).await;
    assert!(shown.contains(&number) && shown.contains("1号窗口"), "the board shows {shown:?}");
    page_state(&board, "board").await;

    click_and_wait(&desk, Locator::Css("#console-start")).await;
    // The visitor lacks a material: the officer issues the notice for this visit from the console,
    // and back at the console it is listed with the visit.
    assert!(text_of(&desk, "#console-notice-1").await.contains("一次性告知"), "the console offers the one-time notice");
    let console = desk.current_url().await.unwrap().to_string();
    click_and_wait(&desk, Locator::Css("#console-notice-1")).await;
    click_and_wait(&desk, Locator::XPath(BIRTH_REGISTRATION_LINK)).await;
    assert!(text_of(&desk, "#notice-ticket").await.contains(&number), "the notice form names the visit");
    answer_all_questions(&desk, "#situation-next").await;
    click_and_wait(&desk, Locator::Css("#notice-submit")).await;
    let notice = text_of(&desk, "#notice-number").await;
    assert!(text_of(&desk, "#notice-ticket").await.contains(&number), "the printed notice names the visit");
    desk.goto(&console).await.unwrap();
    assert!(text_of(&desk, "#console-notices").await.contains(&notice), "the console lists the visit's notice");
    click_and_wait(&desk, Locator::Css("#console-finish")).await;
    assert!(text_of(&desk, "#console-message").await.contains(&number));
    assert!(desk.find(Locator::Css("#console-call-next")).await.is_ok(), "the window is free again");
    page_state(&desk, "console").await;
    board.close().await.unwrap();
    desk.close().await.unwrap();
}

#[tokio::test]
async fn from_a_ticket_to_a_case_to_completion_and_the_citizens_query() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let desk = session(&url, &folder.path().join("desk")).await;
    let citizen = session(&url, &folder.path().join("citizen")).await;

    // The applicant takes a ticket; the officer calls it, starts, and opens the case from the console.
    citizen.goto(&demo.url("/kiosk")).await.unwrap();
    click_and_wait(&citizen, Locator::Css("#take-A")).await;
    let ticket = text_of(&citizen, "#ticket-number").await;
    sign_in(&desk, &demo, "chenjing").await;
    desk.goto(&demo.url("/console")).await.unwrap();
    click_and_wait(&desk, Locator::Css("#open-window-1")).await;
    click_and_wait(&desk, Locator::Css("#console-call-next")).await;
    click_and_wait(&desk, Locator::Css("#console-start")).await;
    click_and_wait(&desk, Locator::Css("#console-open-case")).await;
    assert!(text_of(&desk, "#case-ticket").await.contains(&ticket), "the case form names the ticket {ticket}");
    desk.find(Locator::Css("#case-name")).await.unwrap().send_keys("王小明").await.unwrap();
    desk.find(Locator::Css("#case-id")).await.unwrap().send_keys("11010519491231002X").await.unwrap();
    click_and_wait(&desk, Locator::Css("#open-case")).await;
    assert_eq!(text_of(&desk, "#case-state").await, "申办");
    let number = desk.current_url().await.unwrap().path().trim_start_matches("/cases/").to_string();
    assert!(number.starts_with("SF01-"), "{number}");

    click_and_wait(&desk, Locator::Css("#case-accept")).await;
    assert_eq!(text_of(&desk, "#case-state").await, "受理");
    assert!(!text_of(&desk, "#case-due").await.is_empty(), "the due date shows once accepted");
    page_state(&desk, "case-accepted").await;
    // The approver's inbox is open before the case comes, and nobody reloads it.
    let approver = session(&url, &folder.path().join("approver")).await;
    sign_in(&approver, &demo, "zhaoqiang").await;
    approver.goto(&demo.url("/cases/inbox")).await.unwrap();
    assert!(approver.find(Locator::Css(&format!("#inbox-{number}"))).await.is_err(), "not routed yet");
    // Routed to the approval section (a choice, not free text); its approver decides it.
    desk.find(Locator::Css("#case-assignee")).await.unwrap().select_by_value("department:综合审批科").await.unwrap();
    click_and_wait(&desk, Locator::Css("#case-route")).await;
    assert!(text_of(&desk, "#case-review").await.contains("科室 综合审批科"), "{}", text_of(&desk, "#case-review").await);
    assert!(text_of(&desk, "#case-steps").await.contains("已转审批：科室 综合审批科"), "the history says to whom");
    page_state(&desk, "case-routed").await;
    let inbox = live_text(&approver, "#inbox", &number).await;
    assert!(inbox.contains(&number), "the inbox shows the routed case from the event stream: {inbox}");
    click_and_wait(&approver, Locator::Css(&format!("#inbox-{number} a"))).await;
    click_and_wait(&approver, Locator::Css("#case-approve")).await;
    assert_eq!(text_of(&approver, "#case-state").await, "办结");
    approver.close().await.unwrap();
    desk.goto(&demo.url(&format!("/cases/{number}"))).await.unwrap();
    desk.find(Locator::Css("input[name=how]")).await.unwrap().send_keys("窗口领取").await.unwrap();
    click_and_wait(&desk, Locator::Css("#case-deliver")).await;
    assert_eq!(text_of(&desk, "#case-state").await, "送达领取");
    click_and_wait(&desk, Locator::Css("#case-receipt")).await;
    assert!(text_of(&desk, "#case-paper").await.contains("受理回执"));
    let code = text_of(&desk, "#receipt-query-code").await;
    assert_eq!(code.len(), 9, "the receipt prints the query code: {code}");

    // The citizen, from the receipt's QR code (the number filled in), types the query code.
    citizen.goto(&demo.url(&format!("/progress?case={number}"))).await.unwrap();
    assert_eq!(citizen.find(Locator::Css("#progress-case")).await.unwrap().prop("value").await.unwrap().as_deref(), Some(number.as_str()));
    citizen.find(Locator::Css("#progress-code")).await.unwrap().send_keys(&code).await.unwrap();
    click_and_wait(&citizen, Locator::Css("#progress-query")).await;
    assert_eq!(text_of(&citizen, "#progress-state").await, "送达领取");
    let steps = text_of(&citizen, "#progress-steps").await;
    for step in ["已提交申请", "已受理", "已办结：准予办理", "结果已送达或领取"] {
        assert!(steps.contains(step), "{step} missing from {steps}");
    }
    page_state(&citizen, "progress").await;
    // On a phone: nothing wider than its 390 px.
    citizen.set_window_size(390, 844).await.unwrap();
    let fits = citizen.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await.unwrap();
    assert_eq!(fits, serde_json::Value::Bool(true), "the progress page fits a phone");
    page_state(&citizen, "progress-390").await;
    // Without the receipt: the ID tail and a code by SMS, behind its own heading.
    citizen.find(Locator::Css("#progress-phone summary")).await.unwrap().click().await.unwrap();
    assert!(citizen.find(Locator::Css("#phone-id-tail")).await.unwrap().is_displayed().await.unwrap());
    let fits = citizen.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await.unwrap();
    assert_eq!(fits, serde_json::Value::Bool(true), "the phone-code form fits a phone");
    page_state(&citizen, "progress-phone-390").await;
    desk.close().await.unwrap();
    citizen.close().await.unwrap();
}

#[tokio::test]
async fn the_manager_asks_what_if_a_window_is_added_and_reads_the_forecast() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let manager = session(&url, &folder.path().join("manager")).await;
    sign_in(&manager, &demo, "wangjg").await;
    manager.goto(&demo.url("/manage/simulate")).await.unwrap();
    // The centre's windows are filled in; the manager adds one that serves A and runs.
    let windows = manager.find(Locator::Css("#sim-windows")).await.unwrap();
    let current = windows.prop("value").await.unwrap().unwrap_or_default();
    assert!(!current.trim().is_empty(), "the centre's windows are filled in");
    windows.send_keys("\n99 A").await.unwrap();
    click_and_wait(&manager, Locator::Css("#sim-run")).await;
    assert!(manager.find(Locator::Css("#wait-chart rect")).await.is_ok(), "the wait distribution is drawn");
    let windows_result = text_of(&manager, "#sim-windows-result").await;
    assert!(windows_result.contains("99"), "{windows_result}");
    assert!(!text_of(&manager, "#sim-plan").await.is_empty(), "the half-hour staffing plan is shown");
    page_state(&manager, "what-if").await;

    // The forecast from the demo's eight weeks of arrivals, and a day's staffing plan.
    manager.goto(&demo.url("/manage/forecast")).await.unwrap();
    let days = text_of(&manager, "#forecast-days").await;
    assert!(days.contains("%"), "each queue's backtest error is shown: {days}");
    click_and_wait(&manager, Locator::Css("#plan-day-form button")).await;
    assert!(text_of(&manager, "#forecast-plan").await.contains("09:00"), "the plan runs through the day's half hours");
    page_state(&manager, "forecast").await;
    manager.close().await.unwrap();
}

#[tokio::test]
async fn a_finished_visit_is_rated_on_the_pad_and_lands_in_the_managers_ledger() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let desk = session(&url, &folder.path().join("desk")).await;
    let pad = session(&url, &folder.path().join("pad")).await;
    let manager = session(&url, &folder.path().join("manager")).await;

    desk.goto(&demo.url("/kiosk")).await.unwrap();
    click_and_wait(&desk, Locator::Css("#take-A")).await;
    let number = text_of(&desk, "#ticket-number").await;
    sign_in(&desk, &demo, "chenjing").await;
    desk.goto(&demo.url("/console")).await.unwrap();
    click_and_wait(&desk, Locator::Css("#open-window-1")).await;
    click_and_wait(&desk, Locator::Css("#console-call-next")).await;
    click_and_wait(&desk, Locator::Css("#console-start")).await;

    // The window's rating pad waits, facing the citizen: the duty leader set the tablet up as
    // window 1's pad, which signed them out of it; no one is signed in on it.
    sign_in(&pad, &demo, "wangjg").await;
    pad.goto(&demo.url("/manage/pads")).await.unwrap();
    click_and_wait(&pad, Locator::Css("#set-up-pad-1")).await;
    assert!(pad.current_url().await.unwrap().path().ends_with("/pad/1"));
    pad.wait().for_element(Locator::Css("#pad-idle")).await.unwrap();

    // The duty leader's ledger is open, still empty, and nobody will reload it.
    sign_in(&manager, &demo, "wangjg").await;
    manager.goto(&demo.url("/manage/ratings")).await.unwrap();
    manager.wait().for_element(Locator::Css("#ledger-empty")).await.unwrap();

    // The officer finishes; the pad, never reloaded by hand, asks for the rating.
    click_and_wait(&desk, Locator::Css("#console-finish")).await;
    let mut asked = false;
    for _ in 0..100 {
        if pad.find(Locator::Css("#pad-ask")).await.is_ok() {
            asked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(asked, "the pad shows the grades once the visit is finished");
    assert!(pad.source().await.unwrap().contains(&number));
    page_state(&pad, "pad").await;
    click_and_wait(&pad, Locator::Css("#grade-dissatisfied")).await;
    pad.wait().for_element(Locator::Css("#reason-waiting")).await.unwrap().click().await.unwrap();
    pad.find(Locator::Css("#pad-phone")).await.unwrap().send_keys("13812345678").await.unwrap();
    click_and_wait(&pad, Locator::Css("#pad-submit")).await;
    assert!(text_of(&pad, "#pad-message").await.contains("感谢"));

    // The manager's ledger, from the event stream, has it, to verify and call back by tomorrow.
    let item = live_text(&manager, "#ledger-rows", "不满意").await;
    assert!(item.contains("不满意") && item.contains("等候时间太长") && item.contains("138****5678") && item.contains("待核实回访"), "{item}");
    let note = manager.find(Locator::Css("section[id^=bad-rating-] input[name=note]")).await.unwrap();
    note.send_keys("已电话回访，高峰时段等候较久").await.unwrap();
    manager.find(Locator::Css("section[id^=bad-rating-] input[name=yes]")).await.unwrap().click().await.unwrap();
    click_and_wait(&manager, Locator::Css("button[id^=verify-]")).await;
    assert!(text_of(&manager, "#ledger-message").await.contains("待整改"));
    page_state(&manager, "ledger").await;
    // Fixed (a window opened at the peak), and closed once the citizen says they are satisfied.
    manager.find(Locator::Css("section[id^=bad-rating-] input[name=note]")).await.unwrap().send_keys("高峰时段增开一个户籍窗口").await.unwrap();
    click_and_wait(&manager, Locator::Css("button[id^=fix-]")).await;
    assert!(text_of(&manager, "#ledger-message").await.contains("待反馈"));
    manager.find(Locator::Css("section[id^=bad-rating-] input[name=note]")).await.unwrap().send_keys("电话回访，群众表示满意").await.unwrap();
    click_and_wait(&manager, Locator::Css("button[id^=close-]")).await;
    assert!(text_of(&manager, "#ledger-message").await.contains("已办结"), "the bad rating is fixed and closed");
    page_state(&manager, "ledger-closed").await;
    for client in [desk, pad, manager] {
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_new_hall_is_set_up_on_its_pages_and_takes_calls_and_finishes_its_first_ticket() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let database = folder.path().join("banshi.db");
    let database = database.to_str().unwrap();
    serve_process::first_admin(database, "zhangli", "first-admin-password");
    let server = serve_process::Server::start(database, &[]).await.unwrap();
    let admin = session(&url, &folder.path().join("admin")).await;
    sign_in_at(&admin, &server.base, "zhangli", "first-admin-password", None).await;

    // An admin must have a second factor: the first sign-in leads to its enrolment and nowhere else.
    assert!(admin.current_url().await.unwrap().path().ends_with("/account/totp"), "enrolment first");
    assert!(text_of(&admin, "#totp-required").await.contains("动态验证码"));
    assert!(admin.find(Locator::Css("#totp-qr svg")).await.is_ok(), "the QR code is drawn");
    let secret = text_of(&admin, "#totp-secret").await;
    admin.goto(&server.url("/admin")).await.unwrap();
    assert!(admin.current_url().await.unwrap().path().ends_with("/account/totp"), "nothing else before enrolment");
    let secret_again = text_of(&admin, "#totp-secret").await;
    fill(&admin, &[("#totp-code", "000000")]).await;
    admin.find(Locator::Css("#totp-confirm")).await.unwrap().click().await.unwrap();
    assert!(text_of(&admin, "#error-code").await.contains("动态验证码不对"));
    assert_eq!(admin.find(Locator::Css("#totp-code")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("000000"), "kept as typed");
    assert_eq!(text_of(&admin, "#totp-secret").await, secret_again, "the same secret offered again");
    page_state(&admin, "totp-enrolment").await;
    fill(&admin, &[("#totp-code", &totp_codes::fresh_code(&secret_again))]).await;
    admin.find(Locator::Css("#totp-confirm")).await.unwrap().click().await.unwrap();
    let codes = text_of(&admin, "#recovery-codes").await;
    assert_eq!(codes.lines().filter(|line| line.len() == 9).count(), 10, "{codes}");
    page_state(&admin, "totp-recovery-codes").await;
    click_and_wait(&admin, Locator::Css("#totp-continue")).await;
    assert!(admin.current_url().await.unwrap().path().ends_with("/staff"));
    assert_ne!(secret, secret_again, "each visit offers a fresh secret until one is confirmed");

    // Signed in again elsewhere: the password alone is refused, the password and the app's code let in.
    let again = session(&url, &folder.path().join("admin-again")).await;
    again.goto(&server.url("/login")).await.unwrap();
    fill(&again, &[("#username", "zhangli"), ("#password", "first-admin-password")]).await;
    again.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    assert!(text_of(&again, "#login-error").await.contains("动态验证码"));
    sign_in_at(&again, &server.base, "zhangli", "first-admin-password", Some(&totp_codes::fresh_code(&secret_again))).await;
    assert!(again.current_url().await.unwrap().path().ends_with("/staff"), "signed in with the second factor");
    again.close().await.unwrap();

    // The catalogue, pasted into the admin page (set by script: typing 100 KB key by key is slow).
    admin.goto(&server.url("/admin")).await.unwrap();
    let catalog = std::fs::read_to_string("../../catalog/demo.json").unwrap();
    admin.execute("document.getElementById('catalog').value = arguments[0]", vec![catalog.into()]).await.unwrap();
    click_and_wait(&admin, Locator::Css("#import-catalog")).await;
    assert!(text_of(&admin, "#admin-message").await.contains("目录已导入"));

    // The hours (open around the clock too, so that the test passes at any hour), a queue and its window.
    admin.goto(&server.url("/admin/hall")).await.unwrap();
    assert!(text_of(&admin, "#hall-gaps").await.contains("大厅至少要有一个队列"));
    assert!(!admin.find(Locator::Css("#hours-without-window")).await.unwrap().is_selected().await.unwrap(), "a new hall issues only while a window is staffed");
    fill(&admin, &[("#hours-working-days", "09:00-12:00, 13:30-17:00"), ("#hours-extended-saturday", "09:00-12:00"), ("#hours-every-day", "00:00-24:00"), ("#hours-day-close", "23:59")]).await;
    click_and_wait(&admin, Locator::Css("#save-hours")).await;
    assert!(text_of(&admin, "#hall-message").await.contains("已保存"));
    admin.goto(&server.url("/admin/hall")).await.unwrap();
    fill(&admin, &[("#queue-prefix-new", "A"), ("#queue-name-new", "户籍办理"), ("#queue-quota-new", "100")]).await;
    admin.find(Locator::Css("#queue-items-new option[value='GA-HJ-001']")).await.unwrap().click().await.unwrap();
    click_and_wait(&admin, Locator::Css("#add-queue")).await;
    assert!(text_of(&admin, "#hall-gaps").await.contains("队列“A”没有窗口办理"));
    admin.goto(&server.url("/admin/hall")).await.unwrap();
    fill(&admin, &[("#window-number-new", "1"), ("#window-name-new", "1号综合窗口"), ("#window-queues-new", "A")]).await;
    admin.find(Locator::Css("#window-order-new")).await.unwrap().select_by_value("arrival").await.unwrap();
    click_and_wait(&admin, Locator::Css("#add-window")).await;
    assert!(admin.find(Locator::Css("#hall-gaps")).await.is_err(), "the hall is whole");
    page_state(&admin, "new-hall-setup").await;

    // An officer: a wrong username is refused beside its field, with the rest kept as typed.
    admin.goto(&server.url("/admin")).await.unwrap();
    fill(&admin, &[("#new-username", "Li Min"), ("#new-name", "李敏"), ("#new-badge", "310125"), ("#new-password", "officer-password")]).await;
    admin.find(Locator::Css("#add-staff")).await.unwrap().click().await.unwrap();
    assert!(text_of(&admin, "#error-username").await.contains("用户名"));
    assert_eq!(admin.find(Locator::Css("#new-name")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("李敏"));
    fill(&admin, &[("#new-username", "limin"), ("#new-password", "officer-password")]).await;
    click_and_wait(&admin, Locator::Css("#add-staff")).await;
    assert!(text_of(&admin, "#admin-message").await.contains("李敏（limin）"));

    // The officer signs in at window 1; a visitor takes a ticket; it is called, started, finished.
    let kiosk = session(&url, &folder.path().join("kiosk")).await;
    kiosk.goto(&server.url("/kiosk")).await.unwrap();
    assert!(text_of(&kiosk, "#closed-A").await.contains("暂无窗口办理"), "no ticket before an officer is at a window");
    let desk = session(&url, &folder.path().join("desk")).await;
    sign_in_at(&desk, &server.base, "limin", "officer-password", None).await;
    desk.goto(&server.url("/console")).await.unwrap();
    click_and_wait(&desk, Locator::Css("#open-window-1")).await;
    kiosk.goto(&server.url("/kiosk")).await.unwrap();
    click_and_wait(&kiosk, Locator::Css("#take-A")).await;
    assert_eq!(text_of(&kiosk, "#ticket-number").await, "A001");
    click_and_wait(&desk, Locator::Css("#console-call-next")).await;
    assert_eq!(text_of(&desk, "#current-number").await, "A001");
    click_and_wait(&desk, Locator::Css("#console-start")).await;
    click_and_wait(&desk, Locator::Css("#console-finish")).await;
    assert!(text_of(&desk, "#console-message").await.contains("A001"));
    page_state(&desk, "new-hall-console").await;
    for client in [admin, desk, kiosk] {
        client.close().await.unwrap();
    }
    server.stop();
}

#[tokio::test]
async fn the_halls_own_kiosk_gives_the_green_channel_only_to_whom_it_is_for_and_returns_to_the_start() {
    let folder = tempfile::tempdir().unwrap();
    let Some((driver, url)) = start_driver() else { return };
    let _driver = driver;
    let demo = DemoProcess::start(folder.path());
    let kiosk = session(&url, &folder.path().join("kiosk")).await;
    set_viewport(&kiosk, 1080, 1920).await;

    // The machine in the hall: no site menu, the green channel open above the queues.
    kiosk.goto(&demo.url("/kiosk?kiosk=1")).await.unwrap();
    assert!(!kiosk.find(Locator::Css("header.top")).await.unwrap().is_displayed().await.unwrap(), "no site menu on the hall's kiosk");
    assert_eq!(kiosk.find(Locator::Css("#kiosk-options")).await.unwrap().attr("open").await.unwrap().as_deref(), Some("true"));
    let above = kiosk.execute("return document.getElementById('priority').getBoundingClientRect().top < document.getElementById('take-A').getBoundingClientRect().top", vec![]).await.unwrap();
    assert_eq!(above, serde_json::Value::Bool(true), "the green channel comes before the queues");
    page_state(&kiosk, "kiosk-unattended").await;

    // 老年人 with the ID number of someone born in 1990: refused, said why, the choices kept.
    kiosk.find(Locator::Css("#priority")).await.unwrap().select_by_value("elderly").await.unwrap();
    fill(&kiosk, &[("#id_number", "110105199003071239")]).await;
    submit_and_wait_for(&kiosk, "#take-A", "#kiosk-errors").await;
    let error = text_of(&kiosk, "#kiosk-errors").await;
    assert!(error.contains("老年人") || error.contains("年龄"), "{error}");
    let focused = kiosk.execute("return document.activeElement.getAttribute('role')", vec![]).await.unwrap();
    assert_eq!(focused, serde_json::json!("alert"), "the error is focused");
    assert_eq!(kiosk.find(Locator::Css("#priority")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("elderly"), "the choice is kept");
    assert_eq!(kiosk.find(Locator::Css("#id_number")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("110105199003071239"));
    assert_accessible(&kiosk, "the kiosk's refusal").await;

    // Born in 1949: a green ticket, printed; the page offers no way into the ticket's status.
    fill(&kiosk, &[("#id_number", "11010519491231002X")]).await;
    click_and_wait(&kiosk, Locator::Css("#take-A")).await;
    assert!(text_of(&kiosk, "#ticket").await.contains("绿色通道"));
    assert!(kiosk.find(Locator::Css("#status-link")).await.is_err(), "the next person cannot open this ticket's page");
    page_state(&kiosk, "kiosk-ticket").await;

    // By itself, 30 seconds later, back to the start for the next person.
    let mut back = false;
    for _ in 0..45 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let at = kiosk.current_url().await.unwrap();
        if at.path() == "/kiosk" && at.query() == Some("kiosk=1") {
            back = true;
            break;
        }
    }
    assert!(back, "the kiosk returns to the start");
    assert!(kiosk.find(Locator::Css("#take-A")).await.is_ok());
    kiosk.close().await.unwrap();
}

const CITIZEN_PAGES: [&str; 9] = ["/", "/guide", "/guide/GA-HJ-001", "/guide/GA-HJ-001/check", "/kiosk", "/progress", "/results", "/feedback/new", "/login"];

#[tokio::test]
async fn citizen_pages_fit_a_phone_in_both_text_sizes_and_the_board_fits_its_screen() {
    let folder = tempfile::tempdir().unwrap();
    let Some((driver, url)) = start_driver() else { return };
    let _driver = driver;
    let demo = DemoProcess::start(folder.path());
    let phone = session(&url, &folder.path().join("phone")).await;

    for width in [390, 320] {
        set_viewport(&phone, width, 844).await;
        for page in CITIZEN_PAGES {
            phone.goto(&demo.url(page)).await.unwrap();
            assert_fits_width(&phone, page).await;
            if width == 390 {
                assert_accessible(&phone, page).await;
            }
        }
    }
    page_state(&phone, "login-320").await;

    // 关怀版: chosen once, kept on the next pages, and those still fit.
    set_viewport(&phone, 390, 844).await;
    phone.goto(&demo.url("/")).await.unwrap();
    let standard = phone.execute("return parseFloat(getComputedStyle(document.documentElement).fontSize)", vec![]).await.unwrap();
    phone.find(Locator::Css("#text-size")).await.unwrap().click().await.unwrap();
    assert_eq!(phone.find(Locator::Css("#text-size")).await.unwrap().attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    for page in CITIZEN_PAGES {
        phone.goto(&demo.url(page)).await.unwrap();
        let large = phone.execute("return parseFloat(getComputedStyle(document.documentElement).fontSize)", vec![]).await.unwrap();
        assert!(large.as_f64() > standard.as_f64(), "{page} keeps the larger text: {large} against {standard}");
        assert_fits_width(&phone, page).await;
    }
    page_state(&phone, "guide-large-text-390").await;

    // A refused query: the error is announced and focused.
    phone.goto(&demo.url("/progress")).await.unwrap();
    fill(&phone, &[("#progress-case", "SF01-20260101-0001"), ("#progress-code", "ABCD-2345")]).await;
    submit_and_wait_for(&phone, "#progress-query", "#progress-error").await;
    let focused = phone.execute("return document.activeElement.getAttribute('role')", vec![]).await.unwrap();
    assert_eq!(focused, serde_json::json!("alert"), "the refusal is focused");
    assert_fits_width(&phone, "/progress refused").await;
    assert_accessible(&phone, "/progress refused").await;
    phone.close().await.unwrap();

    // The board, with the most it shows (three calls and five recent), on either screen, unscrolled.
    let board = session(&url, &folder.path().join("board")).await;
    for (width, height) in [(1920, 1080), (1366, 768)] {
        set_viewport(&board, width, height).await;
        board.goto(&demo.url("/board?kiosk=1")).await.unwrap();
        board.wait().for_element(Locator::Css("#queue-table")).await.unwrap();
        board
            .execute(
                "var calls = document.getElementById('current-calls'), recent = document.getElementById('recent-calls');
                 for (var i = 0; i < 3; i++) { var li = document.createElement('li'); li.innerHTML = '<span class=num>A10' + i + '</span><span class=arrow>→</span><span class=win>12号窗口</span>'; calls.appendChild(li); }
                 for (var j = 0; j < 5; j++) { var line = document.createElement('li'); line.textContent = 'B10' + j + ' → 11号窗口'; recent.appendChild(line); }",
                vec![],
            )
            .await
            .unwrap();
        let sizes = board.execute("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight, window.innerWidth, window.innerHeight, document.getElementById('recent-calls').getBoundingClientRect().bottom]", vec![]).await.unwrap();
        assert!(sizes[0].as_f64() <= sizes[2].as_f64() && sizes[1].as_f64() <= sizes[3].as_f64() && sizes[4].as_f64() <= sizes[3].as_f64(), "the board fits {width}×{height}: {sizes}");
        assert!(!board.find(Locator::Css("#enable-sound")).await.unwrap().is_displayed().await.unwrap(), "the unattended board speaks without a button");
        assert_accessible(&board, "the board").await;
        page_state(&board, &format!("board-{width}")).await;
    }
    board.close().await.unwrap();
}

#[tokio::test]
async fn a_complaint_from_the_box_keeps_what_was_written_and_is_worked_through_to_the_archive() {
    let folder = tempfile::tempdir().unwrap();
    let Some((driver, url)) = start_driver() else { return };
    let _driver = driver;
    let demo = DemoProcess::start(folder.path());
    let citizen = session(&url, &folder.path().join("citizen")).await;

    citizen.goto(&demo.url("/feedback/new")).await.unwrap();
    citizen.find(Locator::Css("input[name=kind][value=complaint]")).await.unwrap().click().await.unwrap();
    fill(&citizen, &[("#box-subject", "窗口人员态度"), ("#box-body", "上午十点在3号窗口，工作人员不耐烦"), ("input[name=phone]", "1381234")]).await;
    submit_and_wait_for(&citizen, "#feedback-send", "#feedback-error").await;
    let error = text_of(&citizen, "#feedback-error").await;
    assert!(error.contains("手机"), "the phone number is what is wrong: {error}");
    assert_eq!(citizen.find(Locator::Css("#box-subject")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("窗口人员态度"), "the subject is kept");
    assert_eq!(citizen.find(Locator::Css("#box-body")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("上午十点在3号窗口，工作人员不耐烦"), "the text is kept");
    assert!(citizen.find(Locator::Css("input[name=kind][value=complaint]")).await.unwrap().is_selected().await.unwrap(), "the kind is kept");
    assert_accessible(&citizen, "the complaints box, refused").await;
    fill(&citizen, &[("input[name=phone]", "13812345678")]).await;
    submit_and_wait_for(&citizen, "#feedback-send", "#feedback-message").await;
    let received = text_of(&citizen, "#feedback-message").await;
    let id: String = received.split('#').nth(1).unwrap_or_default().chars().take_while(char::is_ascii_digit).collect();
    assert!(!id.is_empty(), "the citizen is given its number: {received}");
    citizen.close().await.unwrap();

    // The duty leader takes it and works it through each step to the archive.
    let manager = session(&url, &folder.path().join("manager")).await;
    sign_in(&manager, &demo, "wangjg").await;
    manager.goto(&demo.url("/feedback")).await.unwrap();
    click_and_wait(&manager, Locator::Css(&format!("#take-{id}"))).await;
    for note in ["调取3号窗口录像", "与当事窗口人员谈话", "已电话告知处理结果", "归档"] {
        let section = format!("#feedback-{id}");
        manager.wait().for_element(Locator::Css(&format!("{section} input[name=note]"))).await.unwrap().send_keys(note).await.unwrap();
        click_and_wait(&manager, Locator::Css(&format!("#step-{id}"))).await;
    }
    let item = text_of(&manager, &format!("#feedback-{id}")).await;
    assert!(item.contains("归档"), "{item}");
    assert!(!item.contains("received") && !item.contains("investigating"), "the history is in Chinese: {item}");
    page_state(&manager, "complaint-archived").await;
    manager.close().await.unwrap();
}

/// 首问负责: the officer first asked records a phone inquiry, hands it to the colleague who knows,
/// keeps seeing it (followed, held by whom) until that colleague answers it; the auditor then
/// reads the trail in the hall's words.
#[tokio::test]
async fn an_inquiry_is_handed_on_followed_and_answered_and_the_auditor_reads_the_trail() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let first = session(&url, &folder.path().join("first")).await;
    let colleague = session(&url, &folder.path().join("colleague")).await;

    sign_in(&first, &demo, "chenjing").await;
    first.goto(&demo.url("/inquiries")).await.unwrap();
    first.find(Locator::Css("input[name=channel][value=phone]")).await.unwrap().click().await.unwrap();
    fill(&first, &[("#inquiry-asker", "张女士"), ("#inquiry-subject", "外地户口的孩子能否在本区办理入学所需的户籍证明")]).await;
    click_and_wait(&first, Locator::Css("#inquiry-record")).await;
    let section = first.find(Locator::Css("section[id^=inquiry-]")).await.unwrap();
    let id = section.attr("id").await.unwrap().unwrap().trim_start_matches("inquiry-").to_string();
    page_state(&first, "inquiry-recorded").await;

    // Handed to 李敏, who knows household registration, with the reason.
    first.find(Locator::Css(&format!("#inquiry-{id} select[name=to]"))).await.unwrap().select_by_value("limin").await.unwrap();
    fill(&first, &[(&format!("#inquiry-{id} input[name=reason]"), "户籍证明由李敏负责")]).await;
    click_and_wait(&first, Locator::Css(&format!("#hand-over-{id}"))).await;
    let followed = text_of(&first, &format!("#inquiry-followed-{id}")).await;
    assert!(followed.contains("李敏"), "the first officer still follows it, held by 李敏: {followed}");
    assert!(first.find(Locator::Css(&format!("#answer-{id}"))).await.is_err(), "only the one holding it answers");
    page_state(&first, "inquiry-followed").await;

    sign_in(&colleague, &demo, "limin").await;
    colleague.goto(&demo.url("/inquiries")).await.unwrap();
    assert!(text_of(&colleague, &format!("#inquiry-{id}")).await.contains("户籍证明由李敏负责"), "the reason travels with it");
    fill(&colleague, &[(&format!("#inquiry-{id} input[name=answer]"), "可以，持监护人户口簿到户籍窗口开具")]).await;
    click_and_wait(&colleague, Locator::Css(&format!("#answer-{id}"))).await;
    assert!(colleague.find(Locator::Css(&format!("#inquiry-{id}"))).await.is_err(), "answered, it leaves the list");
    page_state(&colleague, "inquiry-answered").await;
    first.refresh().await.unwrap();
    assert!(first.find(Locator::Css(&format!("#inquiry-{id}"))).await.is_err(), "answered, the first officer is done with it too");
    colleague.close().await.unwrap();

    // The auditor reads who did what, in words: 咨询, 转交, people by name.
    let auditor = first;
    auditor.delete_all_cookies().await.unwrap();
    sign_in(&auditor, &demo, "sunli").await;
    auditor.goto(&demo.url("/admin/audit")).await.unwrap();
    let log = text_of(&auditor, "#audit-table").await;
    for words in ["咨询", "转交", "陈静", "李敏"] {
        assert!(log.contains(words), "the audit log says {words}: {log}");
    }
    for code in ["hand_over", "inquiry", "staff 3", "owner_name"] {
        assert!(!log.contains(code), "no raw code {code} in the audit log: {log}");
    }
    page_state(&auditor, "audit-log").await;
    auditor.close().await.unwrap();
}

/// The manager's and the admin's own pages, each audited for accessibility as they stand, and the
/// admin's account form refusing a taken username beside its field, keeping what was typed.
#[tokio::test]
async fn the_managers_and_the_admins_pages_read_well_and_the_account_form_keeps_what_was_typed() {
    let folder = tempfile::tempdir().unwrap();
    let Some((_driver, url)) = start_driver() else { return };
    let demo = DemoProcess::start(folder.path());
    let manager = session(&url, &folder.path().join("manager")).await;
    sign_in(&manager, &demo, "wangjg").await;
    for (path, shown, state) in [
        ("/manage/hall", "#hall-legend", "manage-hall"),
        ("/manage/notices", "h1", "manage-notices"),
        ("/manage/trips", "h1", "manage-trips"),
        ("/manage/ratings", "h1", "manage-ratings"),
        ("/manage/pads", "h1", "manage-pads"),
        ("/followups", "h1", "followups"),
        ("/feedback", "h1", "feedback-desk"),
        ("/cases", "h1", "deadline-board"),
    ] {
        manager.goto(&demo.url(path)).await.unwrap();
        manager.wait().for_element(Locator::Css(shown)).await.unwrap_or_else(|e| panic!("{path}: {e}"));
        page_state(&manager, state).await;
    }
    manager.close().await.unwrap();

    let admin = session(&url, &folder.path().join("admin")).await;
    sign_in(&admin, &demo, "admin").await;
    for (path, state) in [("/admin", "admin-accounts"), ("/admin/items", "admin-items"), ("/admin/calendar", "admin-calendar"), ("/admin/hall", "admin-hall")] {
        admin.goto(&demo.url(path)).await.unwrap();
        admin.wait().for_element(Locator::Css("h1")).await.unwrap();
        page_state(&admin, state).await;
    }
    admin.goto(&demo.url("/admin")).await.unwrap();
    fill(&admin, &[("#new-username", "limin"), ("#new-name", "李敏二"), ("#new-badge", "S0099"), ("#new-password", "a-long-enough-password")]).await;
    submit_and_wait_for(&admin, "#add-staff", "#admin-problems").await;
    assert!(text_of(&admin, "#error-username").await.contains("已有人使用"), "the taken username is named beside its field");
    assert_eq!(admin.find(Locator::Css("#new-name")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("李敏二"), "the name is kept");
    let focused = admin.execute("return document.activeElement.getAttribute('role')", vec![]).await.unwrap();
    assert_eq!(focused, "alert", "the error is announced and focused");
    page_state(&admin, "admin-account-refused").await;
    admin.close().await.unwrap();
}
