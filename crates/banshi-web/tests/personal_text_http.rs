//! ID and mobile numbers typed into free text — an agent's authorisation, a complaint, a rating's
//! comment, an inquiry — are masked before they are kept: not in the database, not in its audit
//! log, not on any answer. Before, an authorisation note held a full ID number, shown as typed and
//! copied into the append-only audit log.

mod common;

use common::*;
use serde_json::{json, Value};

const ID: &str = "11010519491231002X";
const AGENT_ID: &str = "110105195001010012";
const PHONE: &str = "13987654321";

#[tokio::test]
async fn numbers_in_free_text_are_masked_before_they_are_kept_on_both_databases() {
    for app in spawn_apps().await {
        let (officer, csrf) = app.signed_in("officer").await;
        let note = format!("委托书：李四（身份证{AGENT_ID}，电话{PHONE}）代为办理");
        let opened = post_json(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三", "id_number": ID, "agent_name": "李四", "agent_id_number": AGENT_ID, "authorisation": note })).await;
        let opened: Value = opened.json().await.unwrap();
        assert_eq!(opened["case"]["authorisation"], "委托书：李四（身份证110105********0012，电话139****4321）代为办理", "{opened}");

        let complaint = app.client().post(app.url("/api/v1/feedback")).json(&json!({ "kind": "complaint", "subject": format!("打{PHONE}没人接"), "body": format!("我的身份证是{ID}，请回电{PHONE}") })).send().await.unwrap();
        assert_eq!(complaint.status(), 201, "{}", complaint.text().await.unwrap());
        let inquiry = post_json(&officer, &csrf, app.url("/api/v1/inquiries"), json!({ "channel": "phone", "subject": format!("{ID}的社保怎么转"), "asker": format!("来电 {PHONE}") })).await;
        let inquiry: Value = inquiry.json().await.unwrap();
        assert_eq!((inquiry["subject"].as_str(), inquiry["asker"].as_str()), (Some("110105********002X的社保怎么转"), Some("来电 139****4321")));

        // The free text of a case's events and of a complaint's steps, too.
        let number = opened["case"]["number"].as_str().unwrap();
        let refused = post_json(&officer, &csrf, app.url(&format!("/api/v1/cases/{number}/events")), json!({ "event": "refused", "reason": format!("经核实申请人{PHONE}不在辖区"), "legal_basis": "《行政许可法》第三十二条" })).await;
        let refused: Value = refused.json().await.unwrap();
        assert!(refused.to_string().contains("139****4321") && !refused.to_string().contains(PHONE), "{refused}");
        let complaint_id = complaint_id(&app).await;
        let (manager, manager_csrf) = app.signed_in("manager").await;
        post_json(&manager, &manager_csrf, app.url(&format!("/api/v1/feedback/{complaint_id}/take")), json!({})).await;
        let stepped = post_json(&manager, &manager_csrf, app.url(&format!("/api/v1/feedback/{complaint_id}/steps")), json!({ "stage": "investigating", "note": format!("已致电{PHONE}") })).await;
        let stepped: Value = stepped.json().await.unwrap();
        assert!(stepped.to_string().contains("已致电139****4321"), "{stepped}");

        // Nothing of the numbers as typed, anywhere the store keeps text: the audit log included.
        let log = serde_json::to_string(&app.store.audit_log(None, 1000).await.unwrap()).unwrap();
        for number in [AGENT_ID, PHONE, ID] {
            assert!(!log.contains(number), "{number} is in the audit log");
            for table in ["cases WHERE authorisation", "feedback WHERE body", "feedback WHERE subject", "inquiries WHERE subject", "inquiries WHERE asker"] {
                let found = app.test_store.execute_raw(&format!("UPDATE {} LIKE '%{number}%'", table.replace("WHERE", "SET centre_code = centre_code WHERE"))).await.unwrap();
                assert_eq!(found, 0, "{number} in {table}");
            }
        }
    }
}

/// The newest complaint's number.
async fn complaint_id(app: &TestApp) -> i64 {
    app.store.feedback_list("SF01", chrono::Local::now().date_naive() - chrono::Duration::days(1)).await.unwrap().iter().map(|f| f.id).max().unwrap()
}

/// Citizens' names are kept masked in the audit log's before and after; the staff's stay whole.
/// Before, a case's applicant and agent were copied into the append-only log as typed.
#[tokio::test]
async fn the_audit_log_keeps_citizens_names_masked_on_both_databases() {
    for app in spawn_apps().await {
        let (officer, csrf) = app.signed_in("officer").await;
        let opened = post_json(&officer, &csrf, app.url("/api/v1/cases"), json!({ "item": "T-BIRTH", "applicant_kind": "person", "applicant_name": "张三丰", "id_number": ID, "agent_name": "李四", "agent_id_number": AGENT_ID, "authorisation": "授权委托书一份" })).await;
        assert_eq!(opened.status(), 201);
        let opened: Value = opened.json().await.unwrap();
        assert_eq!(opened["case"]["applicant_name"], "张三丰", "the officer serving the case sees the name");
        let log = serde_json::to_string(&app.store.audit_log(Some("SF01"), 50).await.unwrap()).unwrap();
        assert!(log.contains(r#""applicant_name":"张**""#) && log.contains(r#""agent_name":"李*""#), "{log}");
        assert!(!log.contains("张三丰") && !log.contains("李四"), "{log}");
        assert!(log.contains("officer姓名"), "who did it stays whole: {log}");
    }
}
