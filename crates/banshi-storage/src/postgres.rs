//! The PostgreSQL store, for a city or a province: several banshi instances share one database.
//! Migrations take PostgreSQL's advisory lock, so instances starting together migrate once.

use crate::records::*;
use crate::rows::{self, AuditRow, NoticeRow, StaffRow};
use crate::sql_store::{impl_sql_store, past_tense};
use crate::{conflict_or, to_json, Store, StoreResult};
use async_trait::async_trait;
use banshi_domain::queue::{QueuePolicy, TicketEvent};
use banshi_domain::{catalog_changes, Catalog, Item, CATALOG_SCHEMA_VERSION};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

pub struct PostgresStore {
    read: PgPool,
    /// The same pool as `read`: PostgreSQL serialises conflicting writes itself.
    write: PgPool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

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
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { read: pool.clone(), write: pool })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        Ok(self.write.begin().await?)
    }
}

impl_sql_store!(PostgresStore, Postgres, "postgres", "SELECT pg_advisory_xact_lock(hashtext($1))");
