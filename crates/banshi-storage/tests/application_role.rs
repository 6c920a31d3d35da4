//! On PostgreSQL the servers run as a role that owns no table (`banshi_app`): it does the hall's
//! work, but cannot delete from, change, truncate or unguard the append-only tables. Before, the
//! application's role owned the tables: it could disable the triggers and delete the audit log,
//! and `TRUNCATE case_events` succeeded.

use banshi_storage::testing::fresh_postgres;
use banshi_storage::{Actor, Centre, PostgresStore, Store};

#[tokio::test]
async fn the_application_role_works_the_hall_but_cannot_rewrite_what_is_append_only() {
    let Ok(url) = std::env::var(banshi_storage::testing::POSTGRES_URL_VARIABLE) else {
        eprintln!("PostgreSQL tests skipped: {} is not set", banshi_storage::testing::POSTGRES_URL_VARIABLE);
        return;
    };
    let owner = fresh_postgres(&url).await;
    let login = owner.application_login().await.expect("PostgreSQL");
    let server = PostgresStore::connect_with(login.clone()).await.expect("the application role connects without migrating");
    let centre = Centre { code: "SF01".into(), name: "示范中心".into(), address: "民生路88号".into(), hours: "工作日".into(), consult_phone: "1".into(), supervision_phone: "2".into(), ..Default::default() };
    server.save_centre(&Actor::system("test"), &centre).await.expect("it writes the data and its audit");
    assert_eq!(server.verify_audit_chain().await.unwrap().entries, 1);

    use sqlx::Connection;
    let mut raw = sqlx::PgConnection::connect_with(&login).await.unwrap();
    for statement in [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor = 'x'",
        "TRUNCATE audit_log",
        "TRUNCATE case_events",
        "DELETE FROM ticket_events",
        "UPDATE case_events SET actor = actor",
        "DELETE FROM bad_rating_events",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_rewrite ON audit_log",
        "DROP TABLE audit_log",
        "DELETE FROM _sqlx_migrations",
    ] {
        let refused = sqlx::query(statement).execute(&mut raw).await.expect_err(statement);
        let message = refused.to_string();
        assert!(message.contains("permission denied") || message.contains("must be owner"), "{statement}: {message}");
    }
    raw.close().await.unwrap();

    // A migration the owner has not run: the application role refuses to start instead of
    // trying it (it could not).
    owner.execute_raw("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)").await.unwrap();
    let refused = PostgresStore::connect_with(login.clone()).await.err().expect("a missing migration is refused");
    assert!(refused.to_string().contains("banshi migrate"), "{refused}");
}
