//! The one implementation of [`Store`](crate::Store) in SQL that both databases share, written once
//! and instantiated for each. Both accept the same statements (`$N` placeholders, `ON CONFLICT`,
//! `RETURNING`); what differs (connection set-up, column types, migrations) stays in `sqlite.rs`
//! and `postgres.rs`. A store type passed in has a `read` pool, a `write` pool and `begin()`.

macro_rules! impl_sql_store {
    ($store:ty, $db:ty, $backend:literal) => {
        async fn audit(tx: &mut Transaction<'_, $db>, actor: &Actor, entry: AuditWrite<'_>) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before, after)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(chrono::Utc::now())
            .bind(actor.staff_id)
            .bind(&actor.label)
            .bind(entry.action)
            .bind(entry.entity)
            .bind(entry.entity_id)
            .bind(entry.before.map(Json))
            .bind(entry.after.map(Json))
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn save_centre(&self, actor: &Actor, centre: &Centre) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<Centre> = sqlx::query_as("SELECT * FROM centres WHERE code = $1")
                    .bind(&centre.code)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO centres (code, name, address, hours, consult_phone, supervision_phone)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, address = excluded.address,
                         hours = excluded.hours, consult_phone = excluded.consult_phone,
                         supervision_phone = excluded.supervision_phone",
                )
                .bind(&centre.code)
                .bind(&centre.name)
                .bind(&centre.address)
                .bind(&centre.hours)
                .bind(&centre.consult_phone)
                .bind(&centre.supervision_phone)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "centre"))?;
                let entry = AuditWrite {
                    action: "save",
                    entity: "centre",
                    entity_id: &centre.code,
                    before: before.as_ref().map(to_json),
                    after: Some(to_json(centre)),
                };
                audit(&mut tx, actor, entry).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn centre(&self, code: &str) -> StoreResult<Option<Centre>> {
                Ok(sqlx::query_as("SELECT * FROM centres WHERE code = $1").bind(code).fetch_optional(&self.read).await?)
            }

            async fn default_centre(&self) -> StoreResult<Option<Centre>> {
                Ok(sqlx::query_as("SELECT * FROM centres ORDER BY code LIMIT 1").fetch_optional(&self.read).await?)
            }

            async fn save_window(&self, actor: &Actor, window: &Window) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<Window> = sqlx::query_as("SELECT * FROM windows WHERE centre_code = $1 AND number = $2")
                    .bind(&window.centre_code)
                    .bind(window.number)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO windows (centre_code, number, name) VALUES ($1, $2, $3)
                     ON CONFLICT (centre_code, number) DO UPDATE SET name = excluded.name",
                )
                .bind(&window.centre_code)
                .bind(window.number)
                .bind(&window.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "window"))?;
                let id = format!("{}/{}", window.centre_code, window.number);
                let entry = AuditWrite {
                    action: "save",
                    entity: "window",
                    entity_id: &id,
                    before: before.as_ref().map(to_json),
                    after: Some(to_json(window)),
                };
                audit(&mut tx, actor, entry).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn windows(&self, centre_code: &str) -> StoreResult<Vec<Window>> {
                Ok(sqlx::query_as("SELECT * FROM windows WHERE centre_code = $1 ORDER BY number")
                    .bind(centre_code)
                    .fetch_all(&self.read)
                    .await?)
            }

            async fn create_staff(&self, actor: &Actor, staff: &NewStaff) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let row: StaffRow = sqlx::query_as(
                    "INSERT INTO staff (username, name, badge_number, role, centre_code, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                )
                .bind(&staff.username)
                .bind(&staff.name)
                .bind(&staff.badge_number)
                .bind(staff.role.as_str())
                .bind(&staff.centre_code)
                .bind(&staff.password_hash)
                .bind(chrono::Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, &format!("staff account \"{}\"", staff.username)))?;
                let created = row.into_staff()?;
                let id = created.id.to_string();
                let entry = AuditWrite { action: "create", entity: "staff", entity_id: &id, before: None, after: Some(to_json(&created)) };
                audit(&mut tx, actor, entry).await?;
                tx.commit().await?;
                Ok(created)
            }

            async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffLogin>> {
                let row: Option<StaffRow> =
                    sqlx::query_as("SELECT * FROM staff WHERE username = $1").bind(username).fetch_optional(&self.read).await?;
                row.map(StaffRow::into_login).transpose()
            }

            async fn list_staff(&self) -> StoreResult<Vec<Staff>> {
                let rows: Vec<StaffRow> = sqlx::query_as("SELECT * FROM staff ORDER BY id").fetch_all(&self.read).await?;
                rows.into_iter().map(StaffRow::into_staff).collect()
            }

            async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&session.token_hash)
                .bind(session.staff_id)
                .bind(&session.csrf_token)
                .bind(session.created_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "session"))?;
                let actor = Actor { staff_id: Some(session.staff_id), label: format!("staff {}", session.staff_id) };
                let id = session.staff_id.to_string();
                let after = serde_json::json!({ "expires_at": session.expires_at });
                audit(&mut tx, &actor, AuditWrite { action: "sign_in", entity: "staff", entity_id: &id, before: None, after: Some(after) }).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(&self, token_hash: &str) -> StoreResult<Option<(Session, Staff)>> {
                let row: Option<rows::SessionRow> = sqlx::query_as(
                    "SELECT s.token_hash, s.csrf_token, s.expires_at, st.*
                     FROM sessions s JOIN staff st ON st.id = s.staff_id
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND st.active",
                )
                .bind(token_hash)
                .bind(chrono::Utc::now())
                .fetch_optional(&self.read)
                .await?;
                row.map(rows::SessionRow::into_pair).transpose()
            }

            async fn delete_session(&self, actor: &Actor, token_hash: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let deleted = sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
                if deleted.rows_affected() > 0 {
                    let id = actor.staff_id.map(|id| id.to_string()).unwrap_or_default();
                    audit(&mut tx, actor, AuditWrite { action: "sign_out", entity: "staff", entity_id: &id, before: None, after: None }).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn replace_catalog(&self, actor: &Actor, catalog: &Catalog) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let old: Vec<(Json<serde_json::Value>,)> =
                    sqlx::query_as("SELECT document FROM catalog_items ORDER BY position").fetch_all(&mut *tx).await?;
                let old: Vec<Item> = old.into_iter().map(|(doc,)| crate::from_json("catalog item", doc.0)).collect::<StoreResult<_>>()?;
                sqlx::query("DELETE FROM catalog_items").execute(&mut *tx).await?;
                for (position, item) in catalog.items.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO catalog_items (code, position, name, category, department, document)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&item.code)
                    .bind(position as i32)
                    .bind(&item.name)
                    .bind(&item.category)
                    .bind(&item.department)
                    .bind(Json(to_json(item)))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, &format!("item \"{}\"", item.code)))?;
                }
                for change in catalog_changes(&old, &catalog.items) {
                    let action = match (change.before, change.after) {
                        (None, _) => "create",
                        (_, None) => "delete",
                        _ => "update",
                    };
                    let entry = AuditWrite {
                        action,
                        entity: "catalog_item",
                        entity_id: change.code,
                        before: change.before.map(to_json),
                        after: change.after.map(to_json),
                    };
                    audit(&mut tx, actor, entry).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn catalog(&self) -> StoreResult<Catalog> {
                let docs: Vec<(Json<serde_json::Value>,)> =
                    sqlx::query_as("SELECT document FROM catalog_items ORDER BY position").fetch_all(&self.read).await?;
                let items = docs.into_iter().map(|(doc,)| crate::from_json("catalog item", doc.0)).collect::<StoreResult<_>>()?;
                Ok(Catalog { schema_version: CATALOG_SCHEMA_VERSION, items })
            }

            async fn item(&self, code: &str) -> StoreResult<Option<Item>> {
                let doc: Option<(Json<serde_json::Value>,)> =
                    sqlx::query_as("SELECT document FROM catalog_items WHERE code = $1").bind(code).fetch_optional(&self.read).await?;
                doc.map(|(doc,)| crate::from_json("catalog item", doc.0)).transpose()
            }

            async fn issue_notice(&self, actor: &Actor, notice: &NewNotice) -> StoreResult<Notice> {
                let mut tx = self.begin().await?;
                let day = notice.issued_at.with_timezone(&chrono::Local).date_naive();
                let (sequence,): (i64,) = sqlx::query_as(
                    "INSERT INTO notice_sequences (centre_code, day, last) VALUES ($1, $2, 1)
                     ON CONFLICT (centre_code, day) DO UPDATE SET last = notice_sequences.last + 1
                     RETURNING last",
                )
                .bind(&notice.centre_code)
                .bind(day)
                .fetch_one(&mut *tx)
                .await?;
                let number = banshi_domain::notice_number(&notice.centre_code, day, sequence as u32);
                let row: NoticeRow = sqlx::query_as(
                    "INSERT INTO notices (number, centre_code, item_code, item_name, officer_id, officer_name,
                                          officer_badge, applicant_name, assessment, issued_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
                )
                .bind(&number)
                .bind(&notice.centre_code)
                .bind(&notice.item_code)
                .bind(&notice.item_name)
                .bind(notice.officer.id)
                .bind(&notice.officer.name)
                .bind(&notice.officer.badge_number)
                .bind(&notice.applicant_name)
                .bind(Json(to_json(&notice.assessment)))
                .bind(notice.issued_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, &format!("notice {number}")))?;
                let stored = row.into_notice()?;
                let entry = AuditWrite { action: "create", entity: "notice", entity_id: &number, before: None, after: Some(to_json(&stored)) };
                audit(&mut tx, actor, entry).await?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn notice(&self, number: &str) -> StoreResult<Option<Notice>> {
                let row: Option<NoticeRow> =
                    sqlx::query_as("SELECT * FROM notices WHERE number = $1").bind(number).fetch_optional(&self.read).await?;
                row.map(NoticeRow::into_notice).transpose()
            }

            async fn notice_counts(&self) -> StoreResult<Vec<NoticeCount>> {
                Ok(sqlx::query_as(rows::NOTICE_COUNTS_SQL).fetch_all(&self.read).await?)
            }

            async fn audit_log(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> =
                    sqlx::query_as("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(AuditRow::into_entry).collect())
            }
        }
    };
}

pub(crate) use impl_sql_store;
