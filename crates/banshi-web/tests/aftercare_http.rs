//! After the visit over HTTP: the pad and the ticket's rating (once), the bad-rating ledger with
//! its callback, appeal and fix, the public figures, the code schemes, a case rated once on its
//! progress page, the complaint desk and the online box with their limits, follow-ups from the
//! eligibility rules.

mod common;

use banshi_domain::calendar::WorkingCalendar;
use chrono::Local;
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

/// A ticket taken, called, served and finished at window 1 by `officer`; its token.
async fn finished_visit(app: &TestApp, officer: &reqwest::Client, csrf: &str) -> String {
    let taken: Value = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    let token = taken["ticket"]["token"].as_str().unwrap().to_string();
    assert_eq!(post(officer, csrf, app.url("/api/v1/windows/1/status"), json!({ "status": "open" })).await.status(), StatusCode::OK);
    let called: Value = post(officer, csrf, app.url("/api/v1/windows/1/call-next"), json!({})).await.json().await.unwrap();
    let id = called["ticket"]["id"].as_i64().unwrap();
    for action in [json!({ "action": "start" }), json!({ "action": "finish", "outcome": "done" })] {
        assert_eq!(post(officer, csrf, app.url(&format!("/api/v1/windows/1/tickets/{id}")), action).await.status(), StatusCode::OK);
    }
    token
}

fn today_plus(days: u32) -> String {
    WorkingCalendar::china().add_working_days(Local::now().date_naive(), days).date.to_string()
}

#[tokio::test]
async fn a_visit_is_rated_once_and_a_bad_rating_is_worked_through_the_ledger() {
    for app in spawn_apps().await {
        let (officer, officer_csrf) = signed_in(&app, "officer").await;
        let before = finished_visit(&app, &officer, &officer_csrf).await;
        let token = finished_visit(&app, &officer, &officer_csrf).await;
        // The pad is a device of its window: the manager, signed in on it, sets it up, and is
        // signed out there; before, it was the officer's own session, which could rate their visit.
        assert_eq!(officer.get(app.url("/pad/1")).send().await.unwrap().status(), StatusCode::CONFLICT, "an officer's session is no pad");
        let pad = app.client();
        app.sign_in(&pad, "manager").await;
        let set_up_csrf = app.form_token(&pad, "/manage/pads").await;
        assert_eq!(post(&officer, &officer_csrf, app.url("/api/v1/pads/1"), json!({})).await.status(), StatusCode::FORBIDDEN, "not the officer's to set up");
        let set_up = pad.post(app.url("/manage/pads/1")).form(&[("csrf", set_up_csrf.as_str())]).send().await.unwrap();
        assert_eq!(set_up.headers()["location"], "/pad/1");
        assert_eq!(pad.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "the manager is signed out on the pad");
        // The pad offers the newest visit finished at its window, with the five grades.
        let page = app.page(&pad, "/pad/1").await;
        assert!(page.contains("id=\"grade-satisfied\"") && page.contains(&token) && !page.contains(&before), "{page}");
        assert_eq!(app.client().get(app.url("/pad/1")).send().await.unwrap().status(), StatusCode::CONFLICT, "another browser is no pad");
        assert_eq!(pad.get(app.url("/pad/2")).send().await.unwrap().status(), StatusCode::CONFLICT, "nor is window 1's pad window 2's");
        // A pad app reads the same visit from the API, with the pad's cookie only.
        let offered: Value = pad.get(app.url("/api/v1/pads/1/visit")).send().await.unwrap().json().await.unwrap();
        assert_eq!(offered["visit"]["token"], token.as_str(), "{offered}");
        assert_eq!(app.client().get(app.url("/api/v1/pads/1/visit")).send().await.unwrap().status(), StatusCode::CONFLICT, "another device is no pad");
        // The holder reads the visit's steps by the ticket's token, in words and with the window.
        let history: Value = app.client().get(app.url(&format!("/api/v1/tickets/{token}/history"))).send().await.unwrap().json().await.unwrap();
        let steps: Vec<(&str, &str)> = history.as_array().unwrap().iter().map(|s| (s["event"].as_str().unwrap(), s["words"].as_str().unwrap())).collect();
        assert_eq!(steps, [("issued", "取号"), ("called", "叫号"), ("started", "开始办理"), ("finished", "办结")], "{history}");
        assert_eq!((history[1]["window"].as_i64(), history[3]["window"].as_i64()), (Some(1), Some(1)));
        assert!(!history.to_string().contains("officer"), "the holder's read names no officer");
        // An officer who signs in on the pad device cannot rate their visit through it.
        let officer_csrf_on_pad = app.sign_in(&pad, "officer").await;
        let own = pad.post(app.url("/pad/1")).form(&[("csrf", officer_csrf_on_pad.as_str()), ("ticket", token.as_str()), ("grade", "very_satisfied")]).send().await.unwrap();
        assert_eq!(own.status(), StatusCode::FORBIDDEN);
        pad.post(app.url("/logout")).form(&[("csrf", officer_csrf_on_pad.as_str())]).send().await.unwrap();

        let anyone = app.client();
        let rating = json!({ "ticket": token, "grade": "dissatisfied", "reasons": ["waiting", "attitude"], "comment": "等了很久", "phone": "13812345678" });
        let rated = anyone.post(app.url("/api/v1/ratings")).json(&rating).send().await.unwrap();
        assert_eq!(rated.status(), StatusCode::CREATED);
        let rated: Value = rated.json().await.unwrap();
        assert_eq!((rated["window"].as_i64(), rated["real_name"].as_bool()), (Some(1), Some(true)), "{rated}");
        assert!(rated.get("contact_cipher").is_none() && !rated.to_string().contains("13812345678"));
        assert!(rated.get("officer_name").is_none() && rated.get("officer_id").is_none(), "the public answer names no officer");
        let again = anyone.post(app.url("/api/v1/ratings")).json(&json!({ "ticket": token, "grade": "satisfied" })).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
        assert_eq!(again.json::<Value>().await.unwrap()["error"]["message"], "本次服务已评价过（一次一评）");
        assert!(app.page(&pad, "/pad/1").await.contains("id=\"pad-idle\""), "a rated visit leaves the pad");
        let offered: Value = pad.get(app.url("/api/v1/pads/1/visit")).send().await.unwrap().json().await.unwrap();
        assert_eq!(offered["visit"], Value::Null, "and the pad's API");

        // The ledger: open, due tomorrow (a working day on), the phone masked.
        let (manager, manager_csrf) = signed_in(&app, "manager").await;
        let ledger: Value = manager.get(app.url("/api/v1/ratings/bad")).send().await.unwrap().json().await.unwrap();
        let id = ledger[0]["rating"]["id"].as_i64().unwrap();
        assert_eq!((ledger[0]["step"].as_str(), ledger[0]["due"]["due"].as_str(), ledger[0]["contact"].as_str()), (Some("open"), Some(today_plus(1).as_str()), Some("138****5678")), "{ledger}");
        let events = |id: i64| app.url(&format!("/api/v1/ratings/bad/{id}/events"));
        let officer_verifies = post(&officer, &officer_csrf, events(id), json!({ "kind": "verified", "called_back": true, "note": "x" })).await;
        assert_eq!(officer_verifies.status(), StatusCode::FORBIDDEN, "the desk verifies, not the rated officer");
        // To call back, the duty leader asks for the whole number: the rated officer cannot, and the
        // asking is in the audit log. Before, the callback had no way to the number at all.
        let contact = |id: i64| app.url(&format!("/api/v1/ratings/bad/{id}/contact"));
        assert_eq!(post(&officer, &officer_csrf, contact(id), json!({})).await.status(), StatusCode::FORBIDDEN);
        let number: Value = post(&manager, &manager_csrf, contact(id), json!({})).await.json().await.unwrap();
        assert_eq!(number["phone"], "13812345678");
        let asked = app.store.audit_log(Some("SF01"), 5).await.unwrap();
        assert!(asked.iter().any(|e| e.action == "show_contact" && e.entity_id == id.to_string() && e.actor.contains("manager")), "{asked:?}");
        assert!(!serde_json::to_string(&asked).unwrap().contains("13812345678"), "the record says that it was shown, not what");
        let page = manager.post(app.url(&format!("/manage/ratings/{id}/contact"))).form(&[("csrf", manager_csrf.as_str())]).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("id=\"contact-{id}\">13812345678<")), "{page}");
        let not_called = post(&manager, &manager_csrf, events(id), json!({ "kind": "verified", "called_back": false, "note": "看了录像" })).await;
        assert_eq!(not_called.status(), StatusCode::CONFLICT, "a real-name rating is called back");
        let verified = post(&manager, &manager_csrf, events(id), json!({ "kind": "verified", "called_back": true, "note": "已电话回访" })).await;
        assert_eq!(verified.json::<Value>().await.unwrap()["due"]["due"], today_plus(5), "then five working days to fix");
        let manager_appeals = post(&manager, &manager_csrf, events(id), json!({ "kind": "appealed", "reason": "x" })).await;
        assert_eq!(manager_appeals.status(), StatusCode::FORBIDDEN, "only the rated officer appeals");
        let appealed: Value = post(&officer, &officer_csrf, events(id), json!({ "kind": "appealed", "reason": "恶意差评" })).await.json().await.unwrap();
        assert_eq!(appealed["step"], "appealed");
        let decided: Value = post(&manager, &manager_csrf, events(id), json!({ "kind": "appeal_decided", "upheld": false, "note": "录像显示确实等候过久" })).await.json().await.unwrap();
        assert_eq!(decided["step"], "verified");
        post(&manager, &manager_csrf, events(id), json!({ "kind": "fixed", "note": "高峰增开窗口" })).await;
        let closed: Value = post(&manager, &manager_csrf, events(id), json!({ "kind": "closed", "citizen_satisfied": true, "note": "群众认可" })).await.json().await.unwrap();
        assert_eq!((closed["step"].as_str(), closed["steps"].as_array().unwrap().len()), (Some("closed"), 5));

        // The public figures, and the same counts in the reverse code.
        let satisfied = json!({ "ticket": before, "code": 5, "scheme": "reverse" });
        assert_eq!(anyone.post(app.url("/api/v1/ratings")).json(&satisfied).send().await.unwrap().status(), StatusCode::CREATED);
        let results: Value = anyone.get(app.url("/api/v1/results")).send().await.unwrap().json().await.unwrap();
        assert_eq!((results["overall"]["rated"].as_i64(), results["overall"]["percent"].as_f64()), (Some(2), Some(50.0)), "{results}");
        assert_eq!((results["bad_due"].as_i64(), results["on_time_percent"].as_f64()), (Some(1), Some(100.0)));
        let export: Value = manager.get(app.url("/api/v1/ratings/export?scheme=reverse")).send().await.unwrap().json().await.unwrap();
        let mut codes: Vec<i64> = export["counts"].as_array().unwrap().iter().map(|c| c["code"].as_i64().unwrap()).collect();
        codes.sort();
        assert_eq!(codes, [2, 5], "不满意 is 2 and 非常满意 5 in the reverse code");
        let each: Vec<(i64, &str)> = export["ratings"].as_array().unwrap().iter().map(|r| (r["code"].as_i64().unwrap(), r["grade"].as_str().unwrap())).collect();
        assert_eq!(each, [(2, "dissatisfied"), (5, "very_satisfied")], "each rating in the reverse code, in order");
        assert!(!export.to_string().contains("13812345678"), "no phone numbers in the export");
        let national: Value = manager.get(app.url("/api/v1/ratings/export")).send().await.unwrap().json().await.unwrap();
        assert_eq!(national["ratings"][0]["code"], 4, "不满意 is 4 in the national code");
        assert!(app.page(&anyone, "/results").await.contains("id=\"results-rate\">50.0%<"));
        assert!(app.page(&anyone, "/board").await.contains("id=\"board-results\""));
        assert!(app.page(&manager, "/manage/ratings").await.contains("已办结"));
    }
}

#[tokio::test]
async fn bad_ratings_are_refused_clearly_and_change_nothing() {
    let app = spawn_app().await;
    let anyone = app.client();
    let problems = |value: Value| value["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let taken: Value = anyone.post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
    let token = taken["ticket"]["token"].as_str().unwrap();
    for (body, expected) in [
        (json!({ "ticket": token }), vec!["grade"]),
        (json!({ "ticket": token, "code": 6 }), vec!["grade"]),
        (json!({ "ticket": token, "grade": "satisfied", "reasons": ["waiting"] }), vec!["reasons"]),
        (json!({ "ticket": token, "grade": "dissatisfied", "reasons": ["bored"], "phone": "123" }), vec!["reasons", "phone"]),
        (json!({ "grade": "satisfied" }), vec!["ticket"]),
    ] {
        let refused = anyone.post(app.url("/api/v1/ratings")).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problems(refused.json().await.unwrap()), expected, "{body}");
    }
    let unfinished = anyone.post(app.url("/api/v1/ratings")).json(&json!({ "ticket": token, "grade": "satisfied" })).send().await.unwrap();
    assert_eq!(unfinished.status(), StatusCode::CONFLICT, "a waiting visit is not rated yet");
    let results: Value = anyone.get(app.url("/api/v1/results")).send().await.unwrap().json().await.unwrap();
    assert_eq!(results["overall"]["rated"], 0);
}

#[tokio::test]
async fn a_case_is_rated_once_on_its_progress_page() {
    const ID: &str = "11010519491231002X";
    let app = spawn_app().await;
    let (officer, csrf) = signed_in(&app, "officer").await;
    let opened: Value = post(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    let code = opened["query_code"].as_str().unwrap().to_string();
    for event in [json!({ "event": "accepted" }), json!({ "event": "decided", "approved": true })] {
        assert_eq!(post(&officer, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), event).await.status(), StatusCode::OK);
    }
    let citizen = app.client();
    let form_csrf = app.form_token(&citizen, "/progress").await;
    let progress = citizen.post(app.url("/progress")).form(&[("csrf", form_csrf.as_str()), ("case", number.as_str()), ("query_code", code.as_str())]).send().await.unwrap().text().await.unwrap();
    assert!(progress.contains("id=\"rating-form\""), "a finished case offers its rating");
    let form = [("csrf", form_csrf.as_str()), ("case", number.as_str()), ("query_code", code.as_str()), ("grade", "very_satisfied")];
    let rated = citizen.post(app.url("/ratings")).form(&form).send().await.unwrap();
    assert_eq!(rated.status(), StatusCode::SEE_OTHER);
    let back = rated.headers()["location"].to_str().unwrap().to_string();
    let page = app.page(&citizen, &back).await;
    assert!(page.contains("id=\"rating-message\"") && page.contains(&format!("value=\"{number}\"")), "{page}");
    assert!(!back.contains(&code), "the query code never travels in an address: {back}");
    let again = citizen.post(app.url("/api/v1/ratings")).json(&json!({ "case": number, "query_code": code, "grade": "fair" })).send().await.unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["error"]["message"], "本办件已评价过（一事一评）");
    let wrong_code = citizen.post(app.url("/api/v1/ratings")).json(&json!({ "case": number, "query_code": "aaaa-aaaa", "grade": "fair" })).send().await.unwrap();
    assert_eq!(wrong_code.status(), StatusCode::NOT_FOUND, "the query code proves it is the applicant");
}

async fn step(app: &TestApp, client: &reqwest::Client, csrf: &str, id: i64, stage: &str) -> reqwest::Response {
    post(client, csrf, app.url(&format!("/api/v1/feedback/{id}/steps")), json!({ "stage": stage, "note": "处理情况" })).await
}

#[tokio::test]
async fn complaints_run_to_their_limits_under_their_first_owner() {
    for app in spawn_apps().await {
        let citizen = app.client();
        let sent = citizen.post(app.url("/api/v1/feedback")).json(&json!({ "kind": "complaint", "subject": "窗口态度差", "body": "1号窗口", "phone": "13900001111" })).send().await.unwrap();
        assert_eq!(sent.status(), StatusCode::CREATED);
        let sent: Value = sent.json().await.unwrap();
        assert_eq!(sent["due_on"], today_plus(15), "a complaint: 15 working days");
        let staff_only = citizen.post(app.url("/api/v1/feedback")).json(&json!({ "kind": "complaint", "channel": "phone", "subject": "x" })).send().await.unwrap();
        assert_eq!(staff_only.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = citizen.post(app.url("/api/v1/feedback")).json(&json!({ "kind": "grumble", "subject": "" })).send().await.unwrap();
        let bad: Value = bad.json().await.unwrap();
        assert_eq!(bad["error"]["problems"].as_array().unwrap().len(), 2, "{bad}");

        let (officer, officer_csrf) = signed_in(&app, "officer").await;
        let recorded: Value = post(&officer, &officer_csrf, app.url("/api/v1/feedback"), json!({ "kind": "inquiry", "channel": "phone", "subject": "社保卡补办要带什么" })).await.json().await.unwrap();
        assert_eq!(recorded["due_on"], today_plus(2), "an inquiry: 2 working days");
        let id = sent["id"].as_i64().unwrap();
        let (manager, manager_csrf) = signed_in(&app, "manager").await;
        assert_eq!(step(&app, &manager, &manager_csrf, id, "investigating").await.status(), StatusCode::CONFLICT, "the online item is taken first");
        assert_eq!(post(&manager, &manager_csrf, app.url(&format!("/api/v1/feedback/{id}/take")), json!({})).await.status(), StatusCode::OK);
        assert_eq!(step(&app, &officer, &officer_csrf, id, "investigating").await.status(), StatusCode::CONFLICT, "only its owner takes it forward");
        assert_eq!(step(&app, &manager, &manager_csrf, id, "answered").await.status(), StatusCode::CONFLICT, "no step is skipped");
        for stage in ["investigating", "handled", "answered", "archived"] {
            assert_eq!(step(&app, &manager, &manager_csrf, id, stage).await.status(), StatusCode::OK, "{stage}");
        }
        let desk: Value = manager.get(app.url("/api/v1/feedback")).send().await.unwrap().json().await.unwrap();
        let archived = desk.as_array().unwrap().iter().find(|f| f["id"] == id).unwrap();
        assert_eq!((archived["stage"].as_str(), archived["contact"].as_str(), archived["steps"].as_array().unwrap().len()), (Some("archived"), Some("139****1111"), 5), "{archived}");
        assert!(app.page(&officer, "/feedback").await.contains("社保卡补办要带什么"));
        assert!(app.page(&citizen, "/feedback/new").await.contains("id=\"feedback-box\""));
    }
}

#[tokio::test]
async fn a_resident_the_rules_match_becomes_a_follow_up_with_the_reason() {
    for app in spawn_apps().await {
        let (officer, csrf) = signed_in(&app, "officer").await;
        // The article's 53-year-old: born 53 years and 5 months ago, unemployed, special work type.
        let birth = (Local::now().date_naive() - chrono::Months::new(53 * 12 + 5)).to_string();
        let resident = json!({ "name": "赵六", "phone": "13700001234", "facts": { "birth": birth, "sex": "male", "work_type": "special", "employment": "unemployed" } });
        let saved = post(&officer, &csrf, app.url("/api/v1/residents"), resident).await;
        assert_eq!(saved.status(), StatusCode::CREATED);
        assert_eq!(saved.json::<Value>().await.unwrap()["tasks_made"], 1);
        let bad = post(&officer, &csrf, app.url("/api/v1/residents"), json!({ "name": "", "facts": { "birth": "1973-13-01", "Bad Name": 1 } })).await;
        let bad: Value = bad.json().await.unwrap();
        let paths: Vec<&str> = bad["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["name", "facts.Bad Name", "facts.birth"], "{bad}");

        let tasks: Value = officer.get(app.url("/api/v1/follow-ups")).send().await.unwrap().json().await.unwrap();
        assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
        let task = &tasks[0];
        assert!(task["reason"].as_str().unwrap().contains("特殊工种") && task["reason"].as_str().unwrap().contains("现年53岁5个月"), "{task}");
        assert_eq!(task["resident"], "赵*");
        let id = task["id"].as_i64().unwrap();
        let contact = post(&officer, &csrf, app.url(&format!("/api/v1/follow-ups/{id}/contacts")), json!({ "channel": "phone", "note": "已电话告知可提前退休" })).await;
        assert_eq!(contact.status(), StatusCode::CREATED);
        let done = post(&officer, &csrf, app.url(&format!("/api/v1/follow-ups/{id}/complete")), json!({ "outcome": "下周来办理" })).await;
        assert_eq!(done.status(), StatusCode::OK);

        // A policy that starts tomorrow makes no task today; a broken file is refused.
        let (manager, manager_csrf) = signed_in(&app, "manager").await;
        let tomorrow = (Local::now().date_naive() + chrono::Days::new(1)).to_string();
        let future = format!("[[policy]]\nid = \"future\"\ntitle = \"新政策\"\nreason = \"明天起可申领\"\neffective = \"{tomorrow}\"\nwhen = [{{ fact = \"sex\", is = \"male\" }}]\n");
        let loaded: Value = manager.put(app.url("/api/v1/eligibility/rules")).header("X-CSRF-Token", &manager_csrf).json(&json!({ "rules": future })).send().await.unwrap().json().await.unwrap();
        assert_eq!(loaded["tasks_made"], 0, "{loaded}");
        let broken = manager.put(app.url("/api/v1/eligibility/rules")).header("X-CSRF-Token", &manager_csrf).json(&json!({ "rules": "[[policy]]\nid = \"x\"\n" })).send().await.unwrap();
        assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let officer_loads = officer.put(app.url("/api/v1/eligibility/rules")).header("X-CSRF-Token", &csrf).json(&json!({ "rules": future })).send().await.unwrap();
        assert_eq!(officer_loads.status(), StatusCode::FORBIDDEN);
        let page = app.page(&manager, "/followups").await;
        assert!(page.contains("id=\"rules-form\"") && page.contains("明天起可申领"), "the manager sees the rules in force");
    }
}

#[tokio::test]
async fn an_item_past_its_deadline_escalates_to_the_manager() {
    let app = spawn_app().await;
    let (officer, csrf) = signed_in(&app, "officer").await;
    let opened: Value = post(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": "11010519491231002X" })).await.json().await.unwrap();
    let number = opened["case"]["number"].as_str().unwrap().to_string();
    for event in [json!({ "event": "accepted" }), json!({ "event": "decided", "approved": true })] {
        post(&officer, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), event).await;
    }
    // Rated badly a week ago: its callback was due days ago.
    let week_ago = Local::now().date_naive() - chrono::Days::new(7);
    let case_id = app.store.case(&number).await.unwrap().unwrap().id;
    let rating = banshi_storage::NewRating {
        rated: banshi_storage::Rated::Case(case_id),
        grade: banshi_domain::rating::Grade::VeryDissatisfied,
        channel: "progress".into(),
        reasons: vec![],
        comment: None,
        contact_cipher: None,
        rated_at: chrono::Utc::now(),
        day: week_ago,
        verify_by: week_ago + chrono::Days::new(1),
        fix_by: week_ago + chrono::Days::new(5),
    };
    app.store.rate(&banshi_storage::Actor::system("test"), &rating).await.unwrap();
    let (manager, _) = signed_in(&app, "manager").await;
    let home = app.page(&manager, "/staff").await;
    assert!(home.contains("id=\"overdue-ratings\""), "the manager's workspace heads with it");
    assert!(app.page(&manager, "/manage/ratings").await.contains("已超期·督办"));
    assert!(!app.page(&officer, "/staff").await.contains("id=\"overdue-ratings\""), "escalated to the manager, not the officer's home");

    // A rated manager appeals like any officer, and does not work the item about themself.
    let (manager, manager_csrf) = signed_in(&app, "manager").await;
    let mine: Value = post(&manager, &manager_csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "李四", "id_number": "11010519491231002X" })).await.json().await.unwrap();
    let (mine, mine_code) = (mine["case"]["number"].as_str().unwrap().to_string(), mine["query_code"].as_str().unwrap().to_string());
    for event in [json!({ "event": "accepted" }), json!({ "event": "decided", "approved": true })] {
        post(&manager, &manager_csrf, app.url(&format!("/api/v1/cases/{mine}/events")), event).await;
    }
    let rated: Value = app.client().post(app.url("/api/v1/ratings")).json(&json!({ "case": mine, "query_code": mine_code, "grade": "very_dissatisfied" })).send().await.unwrap().json().await.unwrap();
    let events = app.url(&format!("/api/v1/ratings/bad/{}/events", rated["id"]));
    let own = post(&manager, &manager_csrf, events.clone(), json!({ "kind": "verified", "called_back": false, "note": "自己核实" })).await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    assert_eq!(post(&manager, &manager_csrf, events, json!({ "kind": "appealed", "reason": "恶意" })).await.status(), StatusCode::OK);

    // A callback due yesterday reminds its officer on their workspace.
    let officer_id = app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id;
    let task = banshi_storage::NewFollowUp {
        centre_code: "SF01".into(),
        kind: "callback".into(),
        source: format!("case:{number}"),
        resident_id: None,
        case_id: Some(case_id),
        title: "办结回访".into(),
        reason: "回访申请人".into(),
        assignee_id: Some(officer_id),
        due_on: Local::now().date_naive() - chrono::Days::new(1),
        created_at: chrono::Utc::now(),
    };
    app.store.create_follow_up(&banshi_storage::Actor::system("test"), &task).await.unwrap().unwrap();
    assert!(app.page(&officer, "/staff").await.contains("id=\"follow-ups-due\""), "the officer is reminded");
}

#[tokio::test]
async fn each_instance_runs_the_rules_when_it_starts_and_hourly() {
    let test_store = banshi_storage::testing::fresh_sqlite().await;
    let store = test_store.store.clone();
    seed(store.as_ref()).await;
    // A resident saved behind the web layer's back: only the regular run finds them.
    let facts = json!({ "birth": "1975-02-01", "employment": "unemployed", "insured_months": 5, "benefit_months_left": 1, "serious_illness": true });
    let resident = banshi_storage::NewResident { centre_code: "SF01".into(), name: "吴秀英".into(), phone_cipher: None, facts: facts.as_object().unwrap().clone() };
    store.save_resident(&banshi_storage::Actor::system("test"), None, &resident).await.unwrap();
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    assert!(store.follow_ups("SF01", None, since).await.unwrap().is_empty());
    let _state = banshi_web::AppState::new(store.clone(), banshi_web::sealing::Sealer::from_hex(&banshi_web::sealing::Sealer::generate_key()).unwrap());
    let mut made = Vec::new();
    for _ in 0..50 {
        made = store.follow_ups("SF01", None, since).await.unwrap();
        if !made.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(made.iter().map(|t| t.source.split(':').nth(1).unwrap()).collect::<Vec<_>>(), ["unemployment-benefit-medical-cover"]);
}
