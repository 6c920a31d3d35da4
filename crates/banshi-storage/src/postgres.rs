//! The PostgreSQL store, for a city or a province: several banshi instances share one database.
//! Migrations take PostgreSQL's advisory lock, so instances starting together migrate once.

use crate::records::*;
use crate::rows::{self, AuditRow, NoticeRow, StaffRow};
use crate::postgres_queue::QueueBatcher;
use crate::sql_store::impl_sql_store;
use crate::{conflict_or, to_json, Store, StoreResult};
use async_trait::async_trait;
use banshi_domain::queue::{QueuePolicy, TicketEvent, TicketState};
use banshi_domain::{catalog_changes, Catalog, Item, CATALOG_SCHEMA_VERSION};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

pub struct PostgresStore {
    pub(crate) read: PgPool,
    /// The same pool as `read`: PostgreSQL serialises conflicting writes itself.
    write: PgPool,
    events: tokio::sync::broadcast::Sender<String>,
    /// The queue's writes, batched per centre (`postgres_queue`).
    pub(crate) queue: QueueBatcher,
}

/// The per-centre lock every queue write holds until it commits, on every instance.
pub(crate) const LOCK_CENTRE_SQL: &str = "SELECT pg_advisory_xact_lock(hashtext($1))";

/// The NOTIFY channel all instances on one database share.
const EVENT_CHANNEL: &str = "banshi_events";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The databases on one server share its roles: two migrating at once (a province's centres, the
/// tests) may both find `banshi_app` missing and both create it, and one of migration 18's
/// CREATE ROLE fails on the other's. Created here first, where losing that race or lacking the
/// right is no error, migration 18 finds it and only grants.
const APPLICATION_ROLE_SQL: &str = "DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'banshi_app') THEN CREATE ROLE banshi_app NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN NULL;
END $$";

/// Migrates the database when the role connecting owns its tables (or it has none yet); a server
/// running as the application role (docs/security.md) may not, and only checks that the owner
/// has run every migration it knows.
async fn migrate_if_owner(pool: &PgPool) -> StoreResult<()> {
    let owner: Option<bool> = sqlx::query_scalar("SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables WHERE tablename = 'audit_log' AND schemaname = current_schema()")
        .fetch_optional(pool)
        .await?;
    if owner != Some(false) {
        if owner.is_some() {
            tracing::info!("connected as the owner of the tables: fit to migrate, not to serve (docs/security.md)");
        }
        sqlx::query(APPLICATION_ROLE_SQL).execute(pool).await?;
        return Ok(MIGRATOR.run(pool).await?);
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(pool).await?;
    let missing: Vec<String> = MIGRATOR.iter().filter(|m| !applied.contains(&m.version)).map(|m| format!("{} {}", m.version, m.description)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(crate::StoreError::Corrupt(format!("the database lacks migrations ({}): run `banshi migrate` as the owner of its tables", missing.join(", "))))
    }
}

impl PostgresStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url.parse()?).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        migrate_if_owner(&pool).await?;
        let events = tokio::sync::broadcast::channel(crate::EVENT_BUFFER).0;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(EVENT_CHANNEL).await?;
        let forward = events.clone();
        tokio::spawn(async move {
            // PgListener reconnects by itself; an error here is logged and the loop goes on.
            loop {
                match listener.recv().await {
                    Ok(notification) => {
                        let _ = forward.send(notification.payload().to_string());
                    }
                    Err(err) => {
                        tracing::warn!(%err, "PostgreSQL event listener");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(PostgresStore { read: pool.clone(), queue: QueueBatcher::new(pool.clone()), write: pool, events })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        Ok(self.write.begin().await?)
    }

    async fn commit(&self, tx: Transaction<'static, Postgres>) -> StoreResult<()> {
        Ok(tx.commit().await?)
    }

    async fn publish_event(&self, event: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(EVENT_CHANNEL).bind(event).execute(&self.write).await?;
        Ok(())
    }
}

impl_sql_store!(PostgresStore, Postgres, "postgres", LOCK_CENTRE_SQL);
crate::sql_aftercare::impl_aftercare_store!(PostgresStore, Postgres);
crate::sql_hall::impl_hall_store!(PostgresStore, Postgres);
