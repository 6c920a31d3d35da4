//! The pages and the API over real HTTP: the public guide and self-check, sign-in, roles, CSRF,
//! notices, catalogue import, the audit log, and bad input that must change nothing.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn public_pages_show_the_catalogue_and_the_guide() {
    let app = spawn_app().await;
    let client = app.client();
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(home.contains("示范市示范区政务服务中心") && home.contains("出生登记"));
    assert!(home.contains("id=\"windows\"") && home.contains("2号窗口"), "the hall's windows are listed");

    let found = app.page(&client, "/guide?q=出生").await;
    assert!(found.contains("id=\"item-count\">1<"), "{found}");
    let none = app.page(&client, "/guide?q=护照").await;
    assert!(none.contains("id=\"item-count\">0<"));

    let guide = app.page(&client, "/guide/T-BIRTH").await;
    for fact in ["办理流程", "法定办结时限", "20 个工作日", "承诺办结时限", "5 个工作日", "监督电话", "12345", "亲子鉴定证明", "是否在医院出生：医院外出生", "可容缺", "可告知承诺", "办理情形与适用政策", "医院外出生的，须提供亲子鉴定证明"] {
        assert!(guide.contains(fact), "guide lacks {fact}");
    }
    let missing = client.get(app.url("/guide/NOPE")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("没有找到"));
}

#[tokio::test]
async fn self_check_asks_the_situation_then_lists_what_to_bring() {
    let app = spawn_app().await;
    let client = app.client();
    let step1 = app.page(&client, "/guide/T-BIRTH/check").await;
    assert!(step1.contains("是否在医院出生") && !step1.contains("结婚登记在哪里办理"));
    // Married parents: the follow-up question appears.
    let step2 = app.page(&client, "/guide/T-BIRTH/check?q.born_in_hospital=no&q.parents_married=yes").await;
    assert!(step2.contains("结婚登记在哪里办理") && !step2.contains("name=\"have\""));
    let step3 = app.page(&client, "/guide/T-BIRTH/check?q.born_in_hospital=no&q.parents_married=yes&q.marriage_abroad=domestic").await;
    assert!(step3.contains("value=\"dna_test\"") && !step3.contains("value=\"birth_certificate\""), "materials follow the answers");
    let list = app.page(&client, "/guide/T-BIRTH/check?q.born_in_hospital=no&q.parents_married=yes&q.marriage_abroad=domestic&have=dna_test&have=parent_id&done=1").await;
    assert!(list.contains("我的材料清单") && list.contains("材料不全，补齐后受理"));
    assert!(list.contains("医院外出生的，须提供亲子鉴定证明"), "the policy note is shown");
    assert!(list.contains("缺少，可容缺受理后补交"), "the marriage certificate may be tolerated");
    // A tampered link never breaks the page.
    let odd = client.get(app.url("/guide/T-BIRTH/check?q.nope=1&q.born_in_hospital=maybe&have=zzz&done=1")).send().await.unwrap();
    assert_eq!(odd.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_refuses_a_wrong_password_and_a_missing_csrf_token() {
    let app = spawn_app().await;
    let client = app.client();
    let token = app.form_token(&client, "/login").await;
    let wrong = client
        .post(app.url("/login"))
        .form(&[("csrf", token.as_str()), ("username", "officer"), ("password", "guess-guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("用户名、密码或动态验证码不正确"));
    let unknown = client.post(app.url("/login")).form(&[("csrf", token.as_str()), ("username", "nobody"), ("password", "x")]).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(client.get(app.url("/staff")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "still signed out");

    let no_token = client.post(app.url("/login")).form(&[("username", "officer"), ("password", "password-officer")]).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let bad_token = client
        .post(app.url("/login"))
        .form(&[("csrf", "0".repeat(64).as_str()), ("username", "officer"), ("password", "password-officer")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), StatusCode::FORBIDDEN);
    // A form from elsewhere, posted by a browser that never loaded our page, has no cookie either.
    let fresh = app.client();
    let forged = fresh.post(app.url("/login")).form(&[("csrf", token.as_str()), ("username", "officer"), ("password", "password-officer")]).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    app.sign_in(&client, "officer").await;
    assert_eq!(client.get(app.url("/staff")).send().await.unwrap().status(), StatusCode::OK);

    // `next` never leads off the site, not even through characters browsers drop.
    for next in ["/\t/evil.example", "/\n", "//evil.example", "https://evil.example"] {
        let other = app.client();
        let token = app.form_token(&other, "/login").await;
        let form = [("csrf", token.as_str()), ("username", "auditor"), ("password", "password-auditor"), ("next", next)];
        let response = other.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(response.headers()["location"], "/staff", "{next:?}");
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    let client = app.client();
    let token = app.form_token(&client, "/login").await;
    let attempt = |password: &'static str| {
        let request = client.post(app.url("/login")).form(&[("csrf", token.as_str()), ("username", "manager"), ("password", password)]);
        async move { request.send().await.unwrap() }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password").await.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = attempt("password-manager").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(locked.text().await.unwrap().contains("暂时锁定"));
    let api = app.client().post(app.url("/api/v1/session")).json(&json!({ "username": "manager", "password": "password-manager" })).send().await.unwrap();
    assert_eq!(api.json::<Value>().await.unwrap()["error"]["code"], "too_many_attempts");
    app.sign_in(&app.client(), "officer").await;
}

#[tokio::test]
async fn every_page_and_call_checks_the_role() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let to_login = anonymous.get(app.url("/admin")).send().await.unwrap();
    assert_eq!((to_login.status(), to_login.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let api = anonymous.get(app.url("/api/v1/staff")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.json::<Value>().await.unwrap()["error"]["code"], "unauthenticated");

    let officer = app.client();
    app.sign_in(&officer, "officer").await;
    for path in ["/admin", "/admin/audit", "/manage/notices"] {
        let page = officer.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(page.text().await.unwrap().contains("无权访问"));
    }
    for path in ["/api/v1/staff", "/api/v1/audit", "/api/v1/notices/counts"] {
        let call = officer.get(app.url(path)).send().await.unwrap();
        assert_eq!(call.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(call.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    }
    let auditor = app.client();
    app.sign_in(&auditor, "auditor").await;
    assert_eq!(auditor.get(app.url("/admin/audit")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(auditor.get(app.url("/admin")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(auditor.get(app.url("/staff/notices/new?item=T-BIRTH")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "auditors issue no notices");
}

#[tokio::test]
async fn a_signed_in_form_without_its_token_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.client();
    let csrf = app.sign_in(&admin, "admin").await;
    let staff_before = app.store.list_staff(None).await.unwrap().len();
    let form = [("username", "newbie"), ("name", "新人"), ("badge_number", "N1"), ("role", "window_staff"), ("password", "long-enough-pw")];
    let refused = admin.post(app.url("/admin/staff")).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The pre-session token is not the session's: it does not pass either.
    let mut with_other = form.to_vec();
    let other = "f".repeat(64);
    with_other.push(("csrf", &other));
    assert_eq!(admin.post(app.url("/admin/staff")).form(&with_other).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.list_staff(None).await.unwrap().len(), staff_before);

    let mut with_token = form.to_vec();
    with_token.push(("csrf", &csrf));
    let created = admin.post(app.url("/admin/staff")).form(&with_token).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let shown = app.page(&admin, created.headers()["location"].to_str().unwrap()).await;
    assert!(shown.contains("已新增工作人员：新人（newbie）"), "{shown}");
    assert_eq!(app.store.list_staff(None).await.unwrap().len(), staff_before + 1);
    // The same username again: a clear refusal, nothing added.
    let again = admin.post(app.url("/admin/staff")).form(&with_token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = again.text().await.unwrap();
    assert!(again.contains("未能新增工作人员") && again.contains("id=\"error-username\"") && again.contains("用户名“newbie”已有人使用"), "{again}");
    assert!(again.contains("value=\"新人\"") && !again.contains("long-enough-pw"), "what was typed is kept, but not the password");
    assert_eq!(app.store.list_staff(None).await.unwrap().len(), staff_before + 1);

    // API writes carry the token in a header.
    let body = json!({ "username": "apiuser", "name": "接口", "badge_number": "N2", "role": "auditor", "password": "long-enough-pw" });
    assert_eq!(admin.post(app.url("/api/v1/staff")).json(&body).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let created = admin.post(app.url("/api/v1/staff")).header("X-CSRF-Token", &csrf).json(&body).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_officer_issues_a_printable_notice_counted_per_item_and_officer() {
    for app in spawn_apps().await {
        let officer = app.client();
        let csrf = app.sign_in(&officer, "officer").await;
        let form = app.url("/staff/notices/new?item=T-BIRTH&q.born_in_hospital=yes&q.parents_married=no");
        let page = officer.get(form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"notice-form\"") && page.contains("value=\"birth_certificate\""));

        let fields = [
            ("csrf", csrf.as_str()),
            ("item", "T-BIRTH"),
            ("q.born_in_hospital", "yes"),
            ("q.parents_married", "no"),
            ("have", "household_register"),
            ("have", "parent_id"),
            ("applicant_name", "王小明"),
        ];
        let issued = officer.post(app.url("/staff/notices")).form(&fields).send().await.unwrap();
        assert_eq!(issued.status(), StatusCode::SEE_OTHER, "{}", app.store.backend());
        let location = issued.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/notices/SF01-"), "{location}");

        let notice = officer.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        for fact in ["一次性告知单", "示范市示范区政务服务中心", "出生登记", "出生医学证明", "助产医疗机构", "非婚生育说明", "可用书面承诺代替的材料", "officer姓名", "B7", "0000-12345", "第三十二条", "王**"] {
            assert!(notice.contains(fact), "notice lacks {fact}");
        }
        assert!(!notice.contains("王小明"), "the applicant's name is masked on screen");
        let receipt = officer.get(app.url(&format!("{location}?format=receipt"))).send().await.unwrap().text().await.unwrap();
        assert!(receipt.contains("class=\"receipt\"") && receipt.contains("出生医学证明"));

        let number = location.trim_start_matches("/notices/");
        let stored = app.store.notice(number).await.unwrap().unwrap();
        assert_eq!(stored.applicant_name.as_deref(), Some("王小明"));

        let manager = app.client();
        app.sign_in(&manager, "manager").await;
        let counts: Value = manager.get(app.url("/api/v1/notices/counts")).send().await.unwrap().json().await.unwrap();
        assert_eq!(counts[0]["item_code"], "T-BIRTH");
        assert_eq!(counts[0]["notices"], 1);
        let page = manager.get(app.url("/manage/notices")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("officer姓名"));
        let found = manager.get(app.url(&format!("/staff/notices/find?number={}", number.to_lowercase()))).send().await.unwrap();
        assert_eq!(found.headers()["location"].to_str().unwrap(), location);
        let by_api: Value = manager.get(app.url(&format!("/api/v1/notices/{number}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(by_api["applicant_name"], "王**", "masked in the API too");
    }
}

/// A notice issued at the window for the visitor being served names that visit: the notice says
/// its ticket, the console lists it, and so does the case opened from the same ticket. Its number
/// is never the day's case number. A ticket the centre does not have is refused by its field.
#[tokio::test]
async fn a_notice_issued_for_a_visit_is_found_from_the_console_and_the_case() {
    for app in spawn_apps().await {
        let (officer, csrf) = app.signed_in("officer").await;
        let taken: Value = app.client().post(app.url("/api/v1/tickets")).json(&json!({ "queue": "A" })).send().await.unwrap().json().await.unwrap();
        let ticket = &taken["ticket"];
        let ticket_id = ticket["id"].as_i64().unwrap();
        let body = json!({ "item_code": "T-BIRTH", "answers": { "born_in_hospital": "yes", "parents_married": "no" }, "present": ["household_register"], "ticket_id": ticket_id });
        let issued = post_json(&officer, &csrf, app.url("/api/v1/notices"), body.clone()).await;
        assert_eq!(issued.status(), StatusCode::CREATED);
        let notice: Value = issued.json().await.unwrap();
        let number = notice["number"].as_str().unwrap().to_string();
        assert_eq!(notice["ticket_id"], ticket_id);
        assert!(number.starts_with("SF01-GZ"), "{number}");
        let page = app.page(&officer, &format!("/notices/{number}")).await;
        assert!(page.contains(&format!("id=\"notice-ticket\">{}", ticket["number"].as_str().unwrap())), "the printed notice names the visit");

        let opened = post_json(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "王小明", "id_number": "11010519491231002X", "ticket": ticket["token"] })).await;
        assert_eq!(opened.status(), StatusCode::CREATED, "{}", app.store.backend());
        let case: Value = opened.json().await.unwrap();
        let case_number = case["case"]["number"].as_str().unwrap().to_string();
        assert_ne!(case_number, number, "a notice and a case of the same day are told apart");
        let read: Value = officer.get(app.url(&format!("/api/v1/cases/{case_number}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(read["notices"], json!([number]), "{read}");
        assert!(app.page(&officer, &format!("/cases/{case_number}")).await.contains(&format!("href=\"/notices/{number}\"")));

        let mut unknown = body;
        unknown["ticket_id"] = json!(999999);
        let refused = post_json(&officer, &csrf, app.url("/api/v1/notices"), unknown).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["error"]["problems"][0]["path"], "ticket_id", "{error}");
    }
}

#[tokio::test]
async fn a_notice_is_refused_when_nothing_is_missing_or_the_answers_are_wrong() {
    let app = spawn_app().await;
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let complete = [
        ("csrf", csrf.as_str()),
        ("item", "T-BIRTH"),
        ("q.born_in_hospital", "yes"),
        ("q.parents_married", "no"),
        ("have", "birth_certificate"),
        ("have", "household_register"),
        ("have", "unmarried_statement"),
        ("have", "parent_id"),
    ];
    let refused = officer.post(app.url("/staff/notices")).form(&complete).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("无需开具一次性告知单"));

    let api = |body: Value| {
        let officer = officer.clone();
        let csrf = csrf.clone();
        let url = app.url("/api/v1/notices");
        async move { officer.post(url).header("X-CSRF-Token", csrf).json(&body).send().await.unwrap() }
    };
    let wrong = api(json!({ "item_code": "T-BIRTH", "answers": { "born_in_hospital": "perhaps", "parents_married": "no" } })).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong["error"]["code"], "invalid_request");
    assert_eq!(wrong["error"]["problems"][0]["path"], "answers.born_in_hospital");
    let unknown = api(json!({ "item_code": "NOPE" })).await.json::<Value>().await.unwrap();
    assert_eq!((unknown["error"]["problems"][0]["path"].as_str(), unknown["error"]["problems"][0]["message"].as_str()), (Some("item_code"), Some("本中心的事项目录中没有这个事项编码")), "the field as sent, and the value not echoed back: {unknown}");
    let typo = api(json!({ "item_code": "T-BIRTH", "answer": {} })).await.json::<Value>().await.unwrap();
    assert_eq!((typo["error"]["problems"][0]["path"].as_str(), typo["error"]["problems"][0]["message"].as_str()), (Some("answer"), Some("没有这一项，请按接口文档填写")), "{typo}");
    let issued = api(json!({ "item_code": "T-BIRTH", "answers": { "born_in_hospital": "no", "parents_married": "no" }, "present": ["household_register"] })).await;
    assert_eq!(issued.status(), StatusCode::CREATED);
    assert_eq!(app.store.notice_counts("SF01").await.unwrap()[0].notices, 1, "only the valid notice was stored");
}

#[tokio::test]
async fn the_api_self_check_guides_question_by_question() {
    let app = spawn_app().await;
    let client = app.client();
    let url = app.url("/api/v1/items/T-BIRTH/check");
    let first: Value = client.post(&url).json(&json!({})).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["complete"], false);
    assert_eq!(first["unanswered"].as_array().unwrap().len(), 2);
    let done: Value = client
        .post(&url)
        .json(&json!({ "answers": { "born_in_hospital": "yes", "parents_married": "no" }, "present": ["birth_certificate", "household_register", "parent_id"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["verdict"], "acceptable_with_gaps", "{done}");
    let items: Value = client.get(app.url("/api/v1/items?q=出生")).send().await.unwrap().json().await.unwrap();
    assert_eq!(items["items"][0]["code"], "T-BIRTH");
    let broken = client.post(&url).header("content-type", "application/json").body("{ nope").send().await.unwrap();
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(broken.json::<Value>().await.unwrap()["error"]["code"], "invalid_request");
}

#[tokio::test]
async fn catalogue_import_is_all_or_nothing_and_round_trips() {
    let app = spawn_app().await;
    let admin = app.client();
    let csrf = app.sign_in(&admin, "admin").await;
    let exported = admin.get(app.url("/api/v1/catalog")).send().await.unwrap().text().await.unwrap();

    let mut bad: Value = serde_json::from_str(FIXTURE).unwrap();
    bad["items"][0]["materials"][2]["when"] = json!({ "born_in": ["yes"] });
    bad["items"][0]["name"] = json!("改过的名字");
    let refused = admin.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).header("content-type", "application/json").body(bad.to_string()).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["problems"][0]["path"], "items[0].materials[2].when");
    assert_eq!(refused["error"]["problems"][0]["message"], "没有问题“born_in”");
    assert_eq!(admin.get(app.url("/api/v1/catalog")).send().await.unwrap().text().await.unwrap(), exported, "nothing imported");

    // The admin page's form reports the same problems.
    let page = admin.post(app.url("/admin/catalog")).form(&[("csrf", csrf.as_str()), ("catalog", &bad.to_string())]).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().await.unwrap().contains("items[0].materials[2].when: 没有问题“born_in”"));

    let imported = admin.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).header("content-type", "application/json").body(exported.clone()).send().await.unwrap();
    assert_eq!(imported.json::<Value>().await.unwrap()["imported_items"], 1);
    assert_eq!(admin.get(app.url("/api/v1/catalog")).send().await.unwrap().text().await.unwrap(), exported);

    let officer = app.client();
    let officer_csrf = app.sign_in(&officer, "officer").await;
    let forbidden = officer.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", officer_csrf).header("content-type", "application/json").body(exported).send().await.unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_write_is_in_the_audit_log() {
    let app = spawn_app().await;
    let officer = app.client();
    let csrf = app.sign_in(&officer, "officer").await;
    let body = json!({ "item_code": "T-BIRTH", "answers": { "born_in_hospital": "no", "parents_married": "no" }, "present": [] });
    let notice: Value = officer.post(app.url("/api/v1/notices")).header("X-CSRF-Token", &csrf).json(&body).send().await.unwrap().json().await.unwrap();
    let logout = officer.post(app.url("/logout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert_eq!(officer.get(app.url("/staff")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "signed out");

    let auditor = app.client();
    app.sign_in(&auditor, "auditor").await;
    let entries: Value = auditor.get(app.url("/api/v1/audit?limit=50")).send().await.unwrap().json().await.unwrap();
    let actions: Vec<(String, String)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["entity"].as_str().unwrap().to_string()))
        .collect();
    for expected in [("sign_in", "staff"), ("create", "notice"), ("sign_out", "staff"), ("save", "centre")] {
        assert!(actions.contains(&(expected.0.into(), expected.1.into())), "no {expected:?} in {actions:?}");
    }
    // The shared base catalogue is the installation's: its admin reads those entries.
    let admin = app.client();
    app.sign_in(&admin, "admin").await;
    let installation: Value = admin.get(app.url("/api/v1/audit?limit=200")).send().await.unwrap().json().await.unwrap();
    assert!(installation.as_array().unwrap().iter().any(|e| e["action"] == "create" && e["entity"] == "catalog_item"));
    assert!(!actions.contains(&("create".into(), "catalog_item".into())), "a centre's auditor reads the centre's own entries");
    let notice_entry = entries.as_array().unwrap().iter().find(|e| e["entity"] == "notice").unwrap();
    assert_eq!(notice_entry["entity_id"], notice["number"]);
    assert!(notice_entry["actor"].as_str().unwrap().starts_with("officer"));
    let bad_limit = auditor.get(app.url("/api/v1/audit?limit=abc")).send().await.unwrap();
    assert_eq!(bad_limit.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_limit.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "query");
}

#[tokio::test]
async fn odd_requests_get_clear_answers_never_a_server_error() {
    let app = spawn_app().await;
    let admin = app.client();
    let csrf = app.sign_in(&admin, "admin").await;
    let long = "长".repeat(1_000);
    let requests = vec![
        admin.get(app.url(&format!("/guide?q={long}"))),
        admin.get(app.url("/guide/%FF%FE")),
        admin.get(app.url("/guide/T-BIRTH/check?q.born_in_hospital=%00&have=")),
        admin.get(app.url("/notices/..%2F..%2Fetc")),
        admin.get(app.url("/staff/notices/new")),
        admin.get(app.url("/api/v1/nothing-here")),
        admin.post(app.url("/api/v1/items/T-BIRTH/check")).header("content-type", "text/plain").body("hello"),
        admin.post(app.url("/api/v1/staff")).header("X-CSRF-Token", &csrf).json(&json!({ "username": "X Y", "name": "", "badge_number": "!", "role": "king", "password": "short" })),
        admin.post(app.url("/admin/staff")).form(&[("csrf", csrf.as_str()), ("username", "only")]),
        admin.post(app.url("/admin/catalog")).form(&[("csrf", csrf.as_str()), ("catalog", "not json")]),
        admin.put(app.url("/api/v1/catalog")).header("X-CSRF-Token", &csrf).header("content-type", "application/json").body(long.clone()),
        admin.get(app.url("/static/../Cargo.toml")),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        let status = response.status();
        let url = response.url().clone();
        assert!(status.is_client_error() || status.is_success(), "{url}: {status}");
    }
    let staff_problems: Value = admin
        .post(app.url("/api/v1/staff"))
        .header("X-CSRF-Token", &csrf)
        .json(&json!({ "username": "X Y", "name": "", "badge_number": "!", "role": "king", "password": "short" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = staff_problems["error"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["username", "name", "badge_number", "role", "password"]);
    assert_eq!(app.store.list_staff(None).await.unwrap().len(), ACCOUNTS.len(), "nothing was added");
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let app = spawn_app().await;
    let spec: Value = app.client().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/items/{code}/check",
        "/api/v1/catalog",
        "/api/v1/session",
        "/api/v1/notices",
        "/api/v1/notices/counts",
        "/api/v1/notices/{number}",
        "/api/v1/staff",
        "/api/v1/audit",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    // Every /api/v1 route is routed together with its documentation (`routes!` of a handler
    // annotated with `#[utoipa::path]`); a plain `.route("/api/…")` would serve it undocumented.
    let mut declared = std::collections::BTreeSet::new();
    for (file, source) in sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")) {
        assert!(!source.contains(".route(\"/api/v1/"), "{file}: an /api/v1 route outside the documented routes");
        declared.extend(source.match_indices("path = \"/api/v1/").map(|(at, _)| source[at + 8..].split('"').next().unwrap().to_string()));
    }
    let documented: std::collections::BTreeSet<String> = paths.keys().cloned().collect();
    assert_eq!(declared, documented, "every /api/v1 route is documented, and nothing else");
}

/// Every source file below `folder`, with its path.
fn sources(folder: &std::path::Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    found
}

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1_with_schemas_for_every_body() {
    let app = spawn_app().await;
    let spec: Value = app.client().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    // The specification's own schema for OpenAPI 3.1 documents (spec.openapis.org/oas/3.1/schema/2022-10-07).
    let schema: Value = serde_json::from_str(include_str!("openapi-3.1-schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&spec).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "the document is not valid OpenAPI 3.1: {errors:#?}");

    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let text = spec.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1).map(|rest| rest.split('"').next().unwrap()) {
        assert!(schemas.contains_key(reference), "a reference to the undefined schema {reference}");
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let answers: Vec<(&String, &Value)> = operation["responses"].as_object().unwrap().iter().filter(|(status, _)| status.starts_with('2')).collect();
            assert!(!answers.is_empty(), "{method} {path}: no success answer");
            for (status, answer) in answers {
                assert!(status == "204" || answer["content"].as_object().is_some_and(|c| c.values().all(|m| m.get("schema").is_some())), "{method} {path} {status}: no schema");
            }
            assert!(operation["responses"]["4XX"]["$ref"] == "#/components/responses/Error", "{method} {path}: refusals are not documented");
            if ["post", "put"].contains(&method.as_str()) {
                if let Some(body) = operation.get("requestBody") {
                    assert!(body["content"]["application/json"]["schema"].is_object(), "{method} {path}: the body has no schema");
                }
            }
        }
    }
    // Requests say which fields they need and refuse others, as the handlers do.
    assert_eq!(schemas["TicketRequest"]["required"], json!(["queue"]));
    assert_eq!(schemas["NoticeRequest"]["additionalProperties"], json!(false));
    assert_eq!(schemas["TicketRequest"]["properties"]["items"]["maxItems"], json!(20));
}
