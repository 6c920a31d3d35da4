//! Test harness: a fresh, empty store on every backend this machine offers. SQLite always (a file
//! in a temporary folder); PostgreSQL when `BANSHI_TEST_DATABASE_URL` is set, in a database of its
//! own created for the test, so tests run in parallel without seeing each other's data.

use crate::{PostgresStore, SqliteStore, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::sync::Arc;

pub const POSTGRES_URL_VARIABLE: &str = "BANSHI_TEST_DATABASE_URL";

/// A store for one test, and what it takes to clean up after it.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    raw: RawAccess,
    /// The SQLite file's folder, removed when the test store is dropped.
    _folder: Option<tempfile::TempDir>,
}

/// How a test reaches the database behind the store's back.
enum RawAccess {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

impl TestStore {
    /// Another instance on the same database, as a second server would open it; `None` for
    /// SQLite, whose file one process owns.
    pub async fn second_instance(&self) -> Option<Arc<dyn Store>> {
        match &self.raw {
            RawAccess::Sqlite(_) => None,
            RawAccess::Postgres(options) => Some(Arc::new(PostgresStore::connect_with(options.clone()).await.expect("second instance connects"))),
        }
    }

    /// For PostgreSQL: a login role of this test's own, a member of the application role
    /// `banshi_app`, and its connection options; `None` for SQLite.
    pub async fn application_login(&self) -> Option<PgConnectOptions> {
        let RawAccess::Postgres(options) = &self.raw else { return None };
        let name = format!("banshi_server_{:016x}", rand::random::<u64>());
        self.execute_raw(&format!("CREATE ROLE {name} LOGIN IN ROLE banshi_app")).await.expect("a login role for the test");
        Some(options.clone().username(&name))
    }

    /// The SQLite database's files (the database and its write-ahead log), to check what lies on
    /// disk; none for PostgreSQL.
    pub fn sqlite_files(&self) -> Vec<std::path::PathBuf> {
        let Some(folder) = &self._folder else { return vec![] };
        std::fs::read_dir(folder.path()).map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default()
    }

    /// Runs a statement on a connection of its own, bypassing the store: for tests that check
    /// what the database itself refuses.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.raw {
            RawAccess::Sqlite(options) => {
                let mut conn = SqliteConnection::connect_with(options).await?;
                Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
            }
            RawAccess::Postgres(options) => {
                let mut conn = PgConnection::connect_with(options).await?;
                Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
            }
        }
    }
}

/// Fresh stores on SQLite and, when configured, PostgreSQL. Says so on stderr when PostgreSQL is skipped.
pub async fn fresh_stores() -> Vec<TestStore> {
    let mut stores = vec![fresh_sqlite().await];
    match std::env::var(POSTGRES_URL_VARIABLE) {
        Ok(url) if !url.is_empty() => stores.push(fresh_postgres(&url).await),
        _ => eprintln!("PostgreSQL tests skipped: {POSTGRES_URL_VARIABLE} is not set"),
    }
    stores
}

pub async fn fresh_sqlite() -> TestStore {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("banshi.db");
    let store = SqliteStore::open(&path).await.expect("SQLite store opens");
    let raw = RawAccess::Sqlite(SqliteConnectOptions::new().filename(&path));
    TestStore { store: Arc::new(store), raw, _folder: Some(folder) }
}

/// A new database on the server `url` names, migrated and empty.
pub async fn fresh_postgres(url: &str) -> TestStore {
    let name = format!("banshi_test_{}_{:016x}", std::process::id(), rand::random::<u64>());
    let mut admin = PgConnection::connect(url).await.expect("PostgreSQL at BANSHI_TEST_DATABASE_URL answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("test database created");
    admin.close().await.ok();
    let options: PgConnectOptions = url.parse::<PgConnectOptions>().expect("a PostgreSQL URL").database(&name);
    let store = PostgresStore::connect_with(options.clone()).await.expect("PostgreSQL store connects");
    TestStore { store: Arc::new(store), raw: RawAccess::Postgres(options), _folder: None }
}
