//! The audit log's hash chain on both databases: a log nobody touched verifies; an entry deleted
//! or changed behind the store's back (its triggers dropped or disabled by the database's owner)
//! is found, at the entry after the deleted one or at the changed one. Before, `DROP TRIGGER` then
//! `DELETE` rewrote the log unnoticed.

use banshi_storage::testing::fresh_stores;
use banshi_storage::{Actor, BreakKind, Centre, Store};

async fn write_some(store: &dyn Store) {
    let actor = Actor::system("test");
    for (code, name) in [("SF01", "示范中心"), ("SF02", "第二中心")] {
        let centre = Centre { code: code.into(), name: name.into(), address: "民生路88号".into(), hours: "工作日".into(), consult_phone: "1".into(), supervision_phone: "2".into(), ..Default::default() };
        store.save_centre(&actor, &centre).await.unwrap();
    }
    for round in 0..3 {
        for code in ["SF01", "SF02"] {
            let centre = Centre { code: code.into(), name: format!("中心{round}"), address: "民生路88号".into(), hours: "工作日".into(), consult_phone: "1".into(), supervision_phone: "2".into(), ..Default::default() };
            store.save_centre(&actor, &centre).await.unwrap();
        }
    }
}

/// Lifts the database's own guard on the audit log, as its owner can.
async fn lift_guards(test: &banshi_storage::testing::TestStore) {
    if test.sqlite_files().is_empty() {
        test.execute_raw("ALTER TABLE audit_log DISABLE TRIGGER USER").await.unwrap();
    } else {
        test.execute_raw("DROP TRIGGER audit_log_no_delete").await.unwrap();
        test.execute_raw("DROP TRIGGER audit_log_no_update").await.unwrap();
    }
}

#[tokio::test]
async fn an_untouched_log_verifies_and_a_deleted_entry_is_found_at_the_next_of_its_chain_on_both_databases() {
    for test in fresh_stores().await {
        write_some(test.store.as_ref()).await;
        let report = test.store.verify_audit_chain().await.unwrap();
        assert_eq!((report.entries, report.older_than_chain, report.first_break.clone()), (8, 0, None), "{report:?}");
        assert_eq!(report.heads.len(), 2, "one chain per centre");

        lift_guards(&test).await;
        let ids: Vec<i64> = test.store.audit_log(Some("SF01"), 10).await.unwrap().iter().map(|e| e.id).collect();
        let (newest, middle) = (ids[0], ids[2]);
        assert_eq!(test.execute_raw(&format!("DELETE FROM audit_log WHERE id = {middle}")).await.unwrap(), 1);
        let report = test.store.verify_audit_chain().await.unwrap();
        let broken = report.first_break.expect("the deletion is found");
        assert_eq!((broken.centre_code.as_deref(), broken.kind), (Some("SF01"), BreakKind::EntryBeforeRemoved));
        assert!(broken.id > middle && broken.id <= newest, "{broken:?}");
    }
}

#[tokio::test]
async fn a_changed_entry_is_found_at_itself_on_both_databases() {
    for test in fresh_stores().await {
        write_some(test.store.as_ref()).await;
        lift_guards(&test).await;
        let target = test.store.audit_log(Some("SF02"), 10).await.unwrap()[1].id;
        assert_eq!(test.execute_raw(&format!("UPDATE audit_log SET actor = 'someone else' WHERE id = {target}")).await.unwrap(), 1);
        let broken = test.store.verify_audit_chain().await.unwrap().first_break.expect("the change is found");
        assert_eq!((broken.id, broken.kind), (target, BreakKind::EntryChanged));
    }
}

/// An installation of the national algorithms (国密) chains its audit log with SM3 from its first
/// entry; the choice is made once, before anything is written, and kept.
#[tokio::test]
async fn an_installation_of_the_national_algorithms_chains_with_sm3_and_keeps_its_choice_on_both_databases() {
    use banshi_storage::CryptoSuite;
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        assert_eq!(store.crypto_suite().await.unwrap(), None);
        assert_eq!(store.choose_crypto_suite(CryptoSuite::National).await.unwrap(), CryptoSuite::National);
        assert_eq!(store.choose_crypto_suite(CryptoSuite::Standard).await.unwrap(), CryptoSuite::National, "chosen once");
        write_some(store).await;
        let report = store.verify_audit_chain().await.unwrap();
        assert_eq!(report.first_break, None, "{report:?}");
        assert!(report.heads.iter().all(|(_, head)| head.starts_with("sm3:")), "{report:?}");

        // A database that has entries already was set up with the standard algorithms.
        let later = fresh_stores().await.into_iter().find(|other| other.sqlite_files().is_empty() == test.sqlite_files().is_empty()).unwrap();
        write_some(later.store.as_ref()).await;
        assert_eq!(later.store.choose_crypto_suite(CryptoSuite::National).await.unwrap(), CryptoSuite::Standard);
    }
}
