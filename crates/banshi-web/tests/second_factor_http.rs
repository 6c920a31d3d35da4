//! The staff's second factor (TOTP, RFC 6238): required for the admin, manager, auditor and
//! regional roles, which enrol at their first sign-in and can reach nothing else before; the code
//! travels with the password in one sign-in request and is taken once; recovery codes for a lost
//! phone, each once; an admin removes a lost second factor. Before, no role had a second factor.

mod common;

use common::totp_codes::fresh_code;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn sign_in_api(app: &TestApp, username: &str, totp: &str) -> (reqwest::Client, reqwest::StatusCode, Value) {
    let client = app.client();
    let password = format!("password-{username}");
    let response = client.post(app.url("/api/v1/session")).json(&json!({ "username": username, "password": password, "totp": totp })).send().await.unwrap();
    let status = response.status();
    (client, status, response.json().await.unwrap_or(Value::Null))
}

/// Enrols `username` through the API; returns its secret and recovery codes.
async fn enrol(app: &TestApp, username: &str) -> (String, Vec<String>) {
    let (client, status, session) = sign_in_api(app, username, "").await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let csrf = session["csrf_token"].as_str().unwrap().to_string();
    let offer: Value = post_json(&client, &csrf, app.url("/api/v1/account/totp"), json!({})).await.json().await.unwrap();
    let secret = offer["secret"].as_str().unwrap().to_string();
    assert!(offer["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/banshi:"), "{offer}");
    let confirmed = post_json(&client, &csrf, app.url("/api/v1/account/totp/confirm"), json!({ "enrolment": offer["enrolment"], "code": fresh_code(&secret) })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let codes: Value = confirmed.json().await.unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    (secret, codes)
}

#[tokio::test]
async fn a_role_that_needs_a_second_factor_reaches_only_its_enrolment_until_it_has_one() {
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, banshi_web::HallSettings::default()).await;
    let (admin, status, session) = sign_in_api(&app, "admin", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["staff"]["second_factor"], false);
    let refused = admin.get(app.url("/api/v1/staff")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "second_factor_required");
    assert!(body["error"]["message"].as_str().unwrap().contains("动态口令"), "{body}");
    let page = admin.get(app.url("/staff")).send().await.unwrap();
    assert_eq!((page.status(), page.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/account/totp"));
    let standing: Value = admin.get(app.url("/api/v1/account/totp")).send().await.unwrap().json().await.unwrap();
    assert_eq!((standing["enrolled"].as_bool(), standing["required"].as_bool()), (Some(false), Some(true)));

    // A window officer's role does not need one: the password alone lets it in.
    let (officer, status, _) = sign_in_api(&app, "officer", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(officer.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(officer.get(app.url("/staff")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn an_enrolled_account_signs_in_with_a_fresh_code_or_a_recovery_code_once_on_both_databases() {
    for test_store in banshi_storage::testing::fresh_stores().await {
        let app = spawn_app_with(test_store, banshi_web::HallSettings::default()).await;
        let (secret, recovery) = enrol(&app, "manager").await;
        assert_eq!(recovery.len(), 10);

        // Without a code, or with a wrong one, the password alone does not do.
        for code in ["", "000000", "12345", "abcd-efgh"] {
            let (_, status, body) = sign_in_api(&app, "manager", code).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{code}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("动态验证码"), "{body}");
        }
        app.test_store.execute_raw("UPDATE staff SET failed_sign_ins = 0").await.unwrap();
        let code = fresh_code(&secret);
        let (manager, status, session) = sign_in_api(&app, "manager", &code).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["staff"]["second_factor"], true);
        assert_eq!(manager.get(app.url("/staff")).send().await.unwrap().status(), StatusCode::OK);
        // The same code again (seen over a shoulder, replayed): refused.
        let (_, status, _) = sign_in_api(&app, "manager", &code).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a code is taken once");

        // A recovery code, typed as it comes or in capitals without its dash, once.
        let (_, status, _) = sign_in_api(&app, "manager", &recovery[0].to_uppercase().replace('-', "")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, status, _) = sign_in_api(&app, "manager", &recovery[0]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a recovery code is used up");
        let standing: Value = manager.get(app.url("/api/v1/account/totp")).send().await.unwrap().json().await.unwrap();
        assert_eq!(standing["recovery_codes_left"], 9);

        // Nothing of the secret or the codes is in the database as given.
        let plain = app.test_store.execute_raw(&format!("UPDATE staff SET name = name WHERE totp_secret LIKE '%{secret}%'")).await.unwrap();
        let codes = app.test_store.execute_raw(&format!("UPDATE recovery_codes SET staff_id = staff_id WHERE code_hash = '{}'", recovery[1])).await.unwrap();
        assert_eq!((plain, codes), (0, 0));
        let entries = app.store.audit_log(Some("SF01"), 50).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"enrol_second_factor") && actions.contains(&"use_recovery_code"), "{actions:?}");
    }
}

#[tokio::test]
async fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, banshi_web::HallSettings::default()).await;
    let (secret, _) = enrol(&app, "auditor").await;
    for _ in 0..5 {
        let (_, status, _) = sign_in_api(&app, "auditor", "111111").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, status, body) = sign_in_api(&app, "auditor", &fresh_code(&secret)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn an_offer_is_confirmed_only_by_its_own_account_and_only_with_its_code() {
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, banshi_web::HallSettings::default()).await;
    let (admin, _, session) = sign_in_api(&app, "admin", "").await;
    let admin_csrf = session["csrf_token"].as_str().unwrap().to_string();
    let offer: Value = post_json(&admin, &admin_csrf, app.url("/api/v1/account/totp"), json!({})).await.json().await.unwrap();
    let secret = offer["secret"].as_str().unwrap();

    let wrong = post_json(&admin, &admin_csrf, app.url("/api/v1/account/totp/confirm"), json!({ "enrolment": offer["enrolment"], "code": "123456" })).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["problems"][0]["path"], "code");

    let (officer, officer_csrf) = app.signed_in("officer").await;
    let foreign = post_json(&officer, &officer_csrf, app.url("/api/v1/account/totp/confirm"), json!({ "enrolment": offer["enrolment"], "code": fresh_code(secret) })).await;
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(foreign.json::<Value>().await.unwrap()["error"]["problems"][0]["path"], "enrolment");
    assert!(!app.store.staff_by_username("officer").await.unwrap().unwrap().staff.second_factor);
    assert!(!app.store.staff_by_username("admin").await.unwrap().unwrap().staff.second_factor);
}

#[tokio::test]
async fn an_admin_removes_a_lost_second_factor_and_the_account_enrols_again() {
    let app = spawn_app_with(banshi_storage::testing::fresh_sqlite().await, banshi_web::HallSettings::default()).await;
    let (admin_secret, _) = enrol(&app, "admin").await;
    let (manager_secret, _) = enrol(&app, "manager").await;
    let (manager, status, manager_session) = sign_in_api(&app, "manager", &fresh_code(&manager_secret)).await;
    assert_eq!(status, StatusCode::OK);
    let (admin, status, session) = sign_in_api(&app, "admin", &fresh_code(&admin_secret)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = session["csrf_token"].as_str().unwrap();
    let id = app.store.staff_by_username("manager").await.unwrap().unwrap().staff.id;

    // Only an admin: the manager cannot remove its own (or anyone's).
    let own = manager.delete(app.url(&format!("/api/v1/staff/{id}/totp"))).header("X-CSRF-Token", manager_session["csrf_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let removed = admin.delete(app.url(&format!("/api/v1/staff/{id}/totp"))).header("X-CSRF-Token", csrf).send().await.unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(removed.json::<Value>().await.unwrap()["second_factor"], false);
    assert_eq!(manager.get(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "its sessions ended");
    let (again, status, _) = sign_in_api(&app, "manager", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again.get(app.url("/api/v1/staff")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "it enrols again first");
}
