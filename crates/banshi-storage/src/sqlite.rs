//! The embedded SQLite store: one file, WAL journal, created with its folder on first use.
//!
//! Reads go through a pool of connections; writes through a single connection, so write
//! transactions queue in the process instead of failing with SQLITE_BUSY. One process owns the
//! file; several instances share a PostgreSQL database instead.

use crate::records::*;
use crate::rows::{self, AuditRow, NoticeRow, StaffRow};
use crate::sql_store::impl_sql_store;
use crate::sqlite_queue;
use crate::wal_sync::WalSync;
use crate::{conflict_or, to_json, Store, StoreError, StoreResult};
use async_trait::async_trait;
use banshi_domain::queue::{QueuePolicy, TicketEvent, TicketState};
use banshi_domain::{catalog_changes, Catalog, Item, CATALOG_SCHEMA_VERSION};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    events: tokio::sync::broadcast::Sender<String>,
    wal_sync: WalSync,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
    /// Opens (creating when missing) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL: a commit reaches the log, and `WalSync` flushes it before the write is
            // acknowledged (group commit), so an acknowledged write survives a power cut.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        MIGRATOR.run(&write).await?;
        // One reader thread per core: sqlx runs each SQLite connection on a thread of its own, and
        // more of them than cores only adds context switches (measured with `banshi bench queue`).
        let readers = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2) as u32;
        let read = SqlitePoolOptions::new().max_connections(readers).connect_with(options.read_only(true)).await?;
        let wal_sync = WalSync::start(path).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(SqliteStore { read, write, events: tokio::sync::broadcast::channel(crate::EVENT_BUFFER).0, wal_sync })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.write.begin().await?)
    }

    /// Runs `work` as one transaction on the writer connection, directly (see `sqlite_queue`), and
    /// returns once it is committed and flushed.
    async fn write_direct<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut connection = self.write.acquire().await?;
        let result = {
            let mut handle = connection.lock_handle().await?;
            // SAFETY: while `handle` lives, sqlx's connection thread makes no call on this SQLite
            // connection; the rusqlite view of it is dropped (without closing it) before `handle`.
            let db = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
            let result = sqlite_queue::in_transaction(&db, work);
            drop(db);
            result
        };
        drop(connection);
        let value = result?;
        self.wal_sync.durable().await?;
        Ok(value)
    }

    async fn queue_take_ticket(&self, ticket: &NewTicket) -> StoreResult<Ticket> {
        self.write_direct(|db| sqlite_queue::take_ticket(db, ticket)).await
    }

    async fn queue_call_next(&self, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
        self.write_direct(|db| sqlite_queue::call_next(db, actor, centre_code, window, policy, now)).await
    }

    async fn queue_update_ticket(&self, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
        self.write_direct(|db| sqlite_queue::update_ticket(db, actor, at, ticket_id, event, policy, now)).await
    }

    /// Commits, then waits for the log flush that makes the commit durable (see `wal_sync`).
    async fn commit(&self, tx: Transaction<'static, Sqlite>) -> StoreResult<()> {
        tx.commit().await?;
        self.wal_sync.durable().await
    }

    async fn publish_event(&self, event: &str) -> StoreResult<()> {
        // No receiver (no board connected) is not an error.
        let _ = self.events.send(event.to_string());
        Ok(())
    }
}

impl_sql_store!(SqliteStore, Sqlite, "sqlite", "");
