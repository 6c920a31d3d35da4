//! The storage story, run on every backend: SQLite always, PostgreSQL when
//! BANSHI_TEST_DATABASE_URL is set.

use banshi_domain::{assess, parse_catalog, Answers, Role};
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{Duration, Utc};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

const FIXTURE: &str = include_str!("../../banshi-domain/tests/fixture.json");

fn centre() -> Centre {
    Centre {
        code: "SF01".into(),
        name: "示范市示范区政务服务中心".into(),
        address: "示范路1号".into(),
        hours: "工作日 9:00-17:00".into(),
        consult_phone: "0000-1234567".into(),
        supervision_phone: "12345".into(),
        ..Default::default()
    }
}

fn new_staff(username: &str, role: Role) -> NewStaff {
    NewStaff {
        department: String::new(),
        username: username.into(),
        name: "李敏".into(),
        badge_number: "012345".into(),
        role,
        centre_code: "SF01".into(),
        password_hash: "not-a-real-hash".into(),
    }
}

async fn seeded(store: &dyn Store) -> Staff {
    let system = Actor::system("test");
    store.save_centre(&system, &centre()).await.unwrap();
    store.create_staff(&system, &new_staff("limin", Role::WindowStaff)).await.unwrap()
}

#[tokio::test]
async fn centre_windows_and_staff() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let staff = seeded(store).await;
        assert_eq!(store.default_centre().await.unwrap(), Some(centre()));
        let mut renamed = centre();
        renamed.name = "示范中心".into();
        store.save_centre(&Actor::staff(&staff), &renamed).await.unwrap();
        assert_eq!(store.centre("SF01").await.unwrap().unwrap().name, "示范中心");

        for number in [2, 1] {
            let window = Window { centre_code: "SF01".into(), number, name: format!("{number}号窗口") };
            store.save_window(&Actor::staff(&staff), &window).await.unwrap();
        }
        let numbers: Vec<i32> = store.windows("SF01").await.unwrap().iter().map(|w| w.number).collect();
        assert_eq!(numbers, [1, 2], "{}", store.backend());
        let bad_window = Window { centre_code: "NOPE".into(), number: 1, name: "x".into() };
        assert!(matches!(store.save_window(&Actor::staff(&staff), &bad_window).await, Err(StoreError::Rule { key: "store_refers_to_nothing", .. })));

        let found = store.staff_by_username("limin").await.unwrap().unwrap();
        assert_eq!(found.staff, staff);
        assert_eq!(found.staff.role, Role::WindowStaff);
        let duplicate = store.create_staff(&Actor::system("test"), &new_staff("limin", Role::Admin)).await;
        match duplicate {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("store_exists_already", vec![("what", "thing_staff_account".to_string()), ("id", "“limin”".to_string())])),
            other => panic!("{}: expected a conflict, got {other:?}", store.backend()),
        }
        assert_eq!(store.list_staff(None).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn sessions_expire_and_end() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let staff = seeded(store).await;
        let now = Utc::now();
        for (hash, expires_at) in [("live", now + Duration::hours(8)), ("old", now - Duration::seconds(1))] {
            let session = NewSession { token_hash: hash.into(), staff_id: staff.id, centre_code: staff.centre_code.clone(), csrf_token: format!("csrf-{hash}"), created_at: now, expires_at, idle_until: expires_at, source: serde_json::Value::Null };
            store.create_session(&session).await.unwrap();
        }
        let (session, who) = store.session("live").await.unwrap().expect("live session");
        assert_eq!((session.csrf_token.as_str(), who.id), ("csrf-live", staff.id));
        assert!(store.session("old").await.unwrap().is_none(), "expired session must not count");
        store.delete_session(&Actor::staff(&staff), "live").await.unwrap();
        assert!(store.session("live").await.unwrap().is_none());
        let actions: Vec<String> = store.audit_log(None, 10).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(&actions[..3], ["sign_out", "sign_in", "sign_in"], "{}", store.backend());
    }
}

#[tokio::test]
async fn catalogue_replaced_whole_and_audited_per_item() {
    let catalog = parse_catalog(FIXTURE).unwrap();
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let admin = Actor::system("import");
        store.replace_catalog(&admin, &catalog).await.unwrap();
        assert_eq!(store.catalog().await.unwrap(), catalog, "{}", store.backend());
        assert_eq!(store.item("T-BIRTH").await.unwrap().unwrap(), catalog.items[0]);
        assert!(store.item("NOPE").await.unwrap().is_none());

        // Importing the same catalogue again changes nothing and writes no audit entry.
        let entries_before = store.audit_log(None, 100).await.unwrap().len();
        store.replace_catalog(&admin, &catalog).await.unwrap();
        assert_eq!(store.audit_log(None, 100).await.unwrap().len(), entries_before);

        let mut changed = catalog.clone();
        changed.items[0].name = "出生登记（修订）".into();
        store.replace_catalog(&admin, &changed).await.unwrap();
        let entry = &store.audit_log(None, 1).await.unwrap()[0];
        assert_eq!((entry.action.as_str(), entry.entity.as_str(), entry.entity_id.as_str()), ("update", "catalog_item", "T-BIRTH"));
        assert_eq!(entry.before.as_ref().unwrap()["name"], "出生登记");
        assert_eq!(entry.after.as_ref().unwrap()["name"], "出生登记（修订）");
        assert_eq!(store.catalog().await.unwrap(), changed);
    }
}

fn fixture_assessment() -> banshi_domain::Assessment {
    let catalog = parse_catalog(FIXTURE).unwrap();
    let answers: Answers = [("born_in_hospital", "no"), ("parents_married", "no")].iter().map(|(q, a)| (q.to_string(), a.to_string())).collect();
    assess(&catalog.items[0], &answers, &BTreeSet::from(["household_register".to_string()])).unwrap()
}

fn new_notice(officer: &Staff) -> NewNotice {
    NewNotice {
        centre_code: "SF01".into(),
        item_code: "T-BIRTH".into(),
        item_name: "出生登记".into(),
        officer: officer.clone(),
        applicant_name: Some("王小明".into()),
        assessment: fixture_assessment(),
        issued_at: Utc::now(),
        ticket_id: None,
    }
}

#[tokio::test]
async fn notices_are_numbered_uniquely_under_concurrency_and_counted() {
    for test in fresh_stores().await {
        let store: Arc<dyn Store> = test.store.clone();
        let officer = seeded(store.as_ref()).await;
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let store = store.clone();
                let officer = officer.clone();
                tokio::spawn(async move { store.issue_notice(&Actor::staff(&officer), &new_notice(&officer)).await.unwrap() })
            })
            .collect();
        let mut numbers = HashSet::new();
        for task in tasks {
            let notice = task.await.unwrap();
            assert!(notice.number.starts_with("SF01-"), "{}", notice.number);
            assert!(numbers.insert(notice.number.clone()), "{}: number {} given twice", store.backend(), notice.number);
        }
        assert!(numbers.iter().any(|n| n.ends_with("-0024")), "{numbers:?}");

        let any = numbers.iter().next().unwrap();
        let stored = store.notice(any).await.unwrap().unwrap();
        assert_eq!(stored.assessment, fixture_assessment());
        assert_eq!((stored.officer_name.as_str(), stored.officer_badge.as_str()), ("李敏", "012345"));
        assert!(store.notice("SF01-20000101-0001").await.unwrap().is_none());

        let counts = store.notice_counts("SF01").await.unwrap();
        assert_eq!(counts.len(), 1);
        assert_eq!((counts[0].item_code.as_str(), counts[0].officer_id, counts[0].notices), ("T-BIRTH", officer.id, 24));
        let notice_entries = store.audit_log(None, 100).await.unwrap().into_iter().filter(|e| e.entity == "notice").count();
        assert_eq!(notice_entries, 24, "every notice is audited");
    }
}

#[tokio::test]
async fn a_notice_by_an_unknown_officer_writes_nothing() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officer = seeded(store).await;
        let mut ghost = officer.clone();
        ghost.id = 999_999;
        let entries = store.audit_log(None, 100).await.unwrap().len();
        let result = store.issue_notice(&Actor::staff(&ghost), &new_notice(&ghost)).await;
        assert!(matches!(result, Err(StoreError::Rule { key: "store_refers_to_nothing", .. })), "{}: {result:?}", store.backend());
        assert_eq!(store.audit_log(None, 100).await.unwrap().len(), entries, "a failed write leaves no audit entry");
        assert!(store.notice_counts("SF01").await.unwrap().is_empty());
        // The failed attempt's sequence number was rolled back with it.
        let notice = store.issue_notice(&Actor::staff(&officer), &new_notice(&officer)).await.unwrap();
        assert!(notice.number.ends_with("-0001"), "{}", notice.number);
    }
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        seeded(store).await;
        let entries = store.audit_log(None, 100).await.unwrap();
        assert_eq!(entries.len(), 2, "centre and staff were audited");
        assert_eq!(entries[0].entity, "staff");
        assert!(entries[0].after.as_ref().unwrap().get("password_hash").is_none(), "no password hash in the audit log");
        for rewrite in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"] {
            assert!(test.execute_raw(rewrite).await.is_err(), "{}: {rewrite} was allowed", store.backend());
        }
        assert_eq!(store.audit_log(None, 100).await.unwrap(), entries);
    }
}
