//! Staff sign-in toward ASVS L2: passwords of 12 characters and not a common one, a session that
//! ends when left unused (30 minutes by default) on every instance, kept alive by use, and ended
//! sessions removed. Before, `12345678` was accepted and a session lasted 12 hours however idle.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_weak_password_is_refused_with_the_reason_and_nothing_changes() {
    let app = spawn_app().await;
    let (officer, csrf) = app.signed_in("officer").await;
    for (weak, says) in [("12345678", "新密码至少12位"), ("123456789012", "太常见或太有规律"), ("Password1234", "太常见或太有规律"), ("officer-at-window-3", "不能包含用户名")] {
        let refused = post_json(&officer, &csrf, app.url("/api/v1/account/password"), json!({ "current_password": "password-officer", "new_password": weak })).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["problems"][0]["path"], "new_password");
        assert!(body["error"]["problems"][0]["message"].as_str().unwrap().contains(says), "{weak}: {body}");
    }
    // The old password still signs in: nothing was changed.
    let (_, _) = app.signed_in("officer").await;

    let (admin, admin_csrf) = app.signed_in("admin").await;
    let refused = post_json(&admin, &admin_csrf, app.url("/api/v1/staff"), json!({ "username": "newbie", "name": "新人", "badge_number": "N1", "role": "window_staff", "password": "qwertyuiop12" })).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "password");
    assert!(app.store.staff_by_username("newbie").await.unwrap().is_none());
}

#[tokio::test]
async fn a_session_left_unused_ends_and_one_in_use_is_kept_alive_on_both_databases() {
    for app in spawn_apps().await {
        let (officer, _) = app.signed_in("officer").await;
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::OK);
        // Used 29 minutes ago: still alive, and the use moves its end on.
        let soon = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
        app.test_store.execute_raw(&format!("UPDATE sessions SET idle_until = '{soon}'")).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(6)).await; // past the instance's session cache
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::OK);
        let later = (chrono::Utc::now() + chrono::Duration::minutes(20)).to_rfc3339();
        let moved_on = app.test_store.execute_raw(&format!("UPDATE sessions SET csrf_token = csrf_token WHERE idle_until > '{later}'")).await.unwrap();
        assert_eq!(moved_on, 1, "the use moved the session's idle end on by the idle timeout");
        // Left unused past its idle end: refused, and removed by the purge.
        let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
        app.test_store.execute_raw(&format!("UPDATE sessions SET idle_until = '{past}'")).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(6)).await; // past the instance's session cache
        assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert!(app.store.purge_sessions(chrono::Utc::now()).await.unwrap() >= 1);
    }
}

#[tokio::test]
async fn refused_sign_ins_are_in_the_audit_log_with_where_they_came_from_on_both_databases() {
    for app in spawn_apps().await {
        let client = reqwest::Client::builder().user_agent("Guesser/1.0").build().unwrap();
        for (username, password) in [("officer", "wrong-password-1"), ("nobody-here", "wrong-password-2")] {
            let refused = client.post(app.url("/api/v1/session")).json(&json!({ "username": username, "password": password })).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        }
        let (auditor, _) = app.signed_in("auditor").await;
        let log: Value = auditor.get(app.url("/api/v1/audit")).send().await.unwrap().json().await.unwrap();
        let refused: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "sign_in_refused").collect();
        let officer = refused.iter().find(|e| e["after"]["username"] == "officer").expect("the officer's refused sign-in is in its centre's log");
        assert_eq!(officer["after"]["source"]["address"], "127.0.0.1");
        assert_eq!(officer["after"]["source"]["user_agent"], "Guesser/1.0");
        assert!(!officer.to_string().contains("wrong-password"), "the password tried is never kept");
        // A name that is no account belongs to no centre: the installation's admin reads it.
        let (admin, _) = app.signed_in("admin").await;
        let all: Value = admin.get(app.url("/api/v1/audit")).send().await.unwrap().json().await.unwrap();
        assert!(all.to_string().contains("nobody-here"), "{all}");
        // A sign-in that succeeds says where from, too.
        let signed_in = log.as_array().unwrap().iter().find(|e| e["action"] == "sign_in").unwrap();
        assert_eq!(signed_in["after"]["source"]["address"], "127.0.0.1");
    }
}

#[tokio::test]
async fn an_owner_and_their_centres_admin_list_and_end_sessions_on_both_databases() {
    for app in spawn_apps().await {
        let (desk, desk_csrf) = app.signed_in("officer").await;
        let (home, _) = app.signed_in("officer").await;
        let mine: Value = desk.get(app.url("/api/v1/account/sessions")).send().await.unwrap().json().await.unwrap();
        let mine = mine.as_array().unwrap().clone();
        assert_eq!(mine.len(), 2, "{mine:?}");
        assert_eq!(mine.iter().filter(|s| s["current"] == true).count(), 1);
        assert!(mine.iter().all(|s| s["id"].as_str().unwrap().len() == 16), "a short id, never the token");
        let other = mine.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
        // The owner ends the other browser's session: it is signed out at once on this instance.
        let ended = desk.delete(app.url(&format!("/api/v1/account/sessions/{other}"))).header("X-CSRF-Token", &desk_csrf).send().await.unwrap();
        assert_eq!(ended.status(), StatusCode::NO_CONTENT);
        assert_eq!(home.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let again = desk.delete(app.url(&format!("/api/v1/account/sessions/{other}"))).header("X-CSRF-Token", &desk_csrf).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        // The page lists them too.
        let page = app.page(&desk, "/account/password").await;
        assert!(page.contains("id=\"sessions\"") && page.contains("当前设备"), "{page}");

        // The centre's admin sees and ends the officer's session; another officer may not.
        let officer_id = app.store.staff_by_username("officer").await.unwrap().unwrap().staff.id;
        let (admin, admin_csrf) = app.signed_in("admin").await;
        let theirs: Value = admin.get(app.url(&format!("/api/v1/staff/{officer_id}/sessions"))).send().await.unwrap().json().await.unwrap();
        let id = theirs[0]["id"].as_str().unwrap().to_string();
        let (approver, approver_csrf) = app.signed_in("approver").await;
        let refused = approver.delete(app.url(&format!("/api/v1/staff/{officer_id}/sessions/{id}"))).header("X-CSRF-Token", &approver_csrf).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let ended = admin.delete(app.url(&format!("/api/v1/staff/{officer_id}/sessions/{id}"))).header("X-CSRF-Token", &admin_csrf).send().await.unwrap();
        assert_eq!(ended.status(), StatusCode::NO_CONTENT);
        assert_eq!(desk.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let audit: Value = admin.get(app.url("/api/v1/audit?action=session_ended")).send().await.unwrap().json().await.unwrap();
        assert_eq!(audit.as_array().unwrap().len(), 2);
    }
}
