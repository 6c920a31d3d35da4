//! The embedded SQLite store: one file, WAL journal, created with its folder on first use.
//!
//! Reads go through a pool of connections; writes through a single connection, beginning with the
//! write lock so they queue instead of failing with SQLITE_BUSY — except the queue's hot path,
//! which has a writer of its own (`sqlite_direct`). One process owns the file; several instances
//! share a PostgreSQL database instead.

use crate::records::*;
use crate::rows::{self, AuditRow, NoticeRow, StaffRow};
use crate::sql_store::impl_sql_store;
use crate::sqlite_direct::DirectDb;
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
    direct: DirectDb,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The database holds personal data: it, its log and its shared memory are readable by their owner
/// only (0600). A new file is made so before SQLite opens it (SQLite gives the log the database's
/// mode); an existing one is narrowed.
pub fn keep_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating when missing) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        keep_to_owner(path).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
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
        let direct = DirectDb::start(path)?;
        Ok(SqliteStore { read, write, events: tokio::sync::broadcast::channel(crate::EVENT_BUFFER).0, wal_sync, direct })
    }

    /// Begins with the write lock (`IMMEDIATE`): the queue's writer commits beside this connection,
    /// and a deferred transaction that read before it wrote would fail with SQLITE_BUSY instead of
    /// waiting its turn.
    async fn begin(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn queue_take_ticket(&self, ticket: &NewTicket) -> StoreResult<Ticket> {
        let ticket = ticket.clone();
        self.direct.write(move |db| sqlite_queue::take_ticket(db, &ticket)).await
    }

    async fn queue_call_next(&self, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
        let (actor, centre_code, policy) = (actor.clone(), centre_code.to_string(), policy.clone());
        self.direct.write(move |db| sqlite_queue::call_next(db, &actor, &centre_code, window, &policy, now)).await
    }

    async fn queue_update_ticket(&self, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
        let (actor, centre_code, window, event, policy) = (actor.clone(), at.centre_code.to_string(), at.window, event.clone(), policy.clone());
        self.direct
            .write(move |db| sqlite_queue::update_ticket(db, &actor, AtWindow { centre_code: &centre_code, window }, ticket_id, &event, &policy, now))
            .await
    }

    async fn queue_windows_live(&self, centre_code: &str) -> StoreResult<Vec<WindowLive>> {
        self.direct.read(|db| sqlite_queue::windows_live(db, centre_code))
    }

    async fn queue_waiting_tickets(&self, centre_code: &str, queue: Option<&str>) -> StoreResult<Vec<WaitingTicket>> {
        let today = chrono::Local::now().date_naive().format("%F").to_string();
        self.direct.read(|db| sqlite_queue::waiting_tickets(db, centre_code, &today, queue))
    }

    async fn queue_has_unnotified_phones(&self, centre_code: &str) -> StoreResult<bool> {
        self.direct.read(|db| sqlite_queue::has_unnotified_phones(db, centre_code))
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
crate::sql_aftercare::impl_aftercare_store!(SqliteStore, Sqlite);
crate::sql_hall::impl_hall_store!(SqliteStore, Sqlite);

/// A consistent copy of an SQLite database, taken while a server reads and writes it: SQLite's
/// `VACUUM INTO` reads one snapshot of everything committed (acknowledged) before it began.
pub fn backup_sqlite(database: &Path, to: &Path) -> StoreResult<()> {
    if to.exists() {
        return Err(StoreError::Rule { key: "backup_file_exists", values: vec![("file", to.display().to_string())] });
    }
    let db = rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    db.busy_timeout(Duration::from_secs(30))?;
    // An empty file of the owner's only: the copy holds the same personal data.
    keep_to_owner(to).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    db.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
    Ok(())
}

/// Puts a backup in a database's place (its write-ahead log with it); the caller has made sure no
/// server uses the database. The backup is checked to be a banshi database first.
pub fn restore_sqlite(from: &Path, database: &Path) -> StoreResult<()> {
    {
        let backup = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: String = backup.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!("{}: {check}", from.display())));
        }
        backup.query_row("SELECT COUNT(*) FROM _sqlx_migrations", [], |row| row.get::<_, i64>(0)).map_err(|_| StoreError::Corrupt(format!("{} is not a banshi database", from.display())))?;
    }
    for suffix in ["-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", database.display()));
        if file.exists() {
            std::fs::remove_file(&file).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
    }
    std::fs::copy(from, database).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    Ok(())
}
