//! The one implementation of [`Store`](crate::Store) in SQL that both databases share, written once
//! and instantiated for each. Both accept the same statements (`$N` placeholders, `ON CONFLICT`,
//! `RETURNING`); what differs (connection set-up, column types, migrations) stays in `sqlite.rs`
//! and `postgres.rs`. A store type passed in has a `read` pool, a `write` pool, `begin()` and
//! `commit()` (which returns only once the write is durable), and
//! `$lock_centre` is the statement that serialises the queue changes of one centre (PostgreSQL's
//! transaction-scoped advisory lock), or empty where the single writer connection already does
//! (SQLite) — one statement fewer per queue write there.

macro_rules! impl_sql_store {
    ($store:ty, $db:ty, $backend:literal, $lock_centre:expr) => {
        /// Appends an entry to its centre's chain of the audit log (`audit_chain`): under the
        /// centre's lock, so that entries of one centre are chained in the order they commit.
        async fn audit(tx: &mut Transaction<'_, $db>, actor: &Actor, entry: AuditWrite<'_>) -> StoreResult<()> {
            let centre_code: Option<String> = match entry.centre {
                Some(centre) => Some(centre.to_string()),
                None => sqlx::query_scalar("SELECT centre_code FROM staff WHERE id = $1").bind(actor.staff_id).fetch_optional(&mut **tx).await?,
            };
            lock_centre(tx, centre_code.as_deref().unwrap_or("")).await?;
            let prev: Option<Option<String>> = match &centre_code {
                Some(centre) => sqlx::query_scalar("SELECT row_hash FROM audit_log WHERE centre_code = $1 ORDER BY id DESC LIMIT 1").bind(centre).fetch_optional(&mut **tx).await?,
                None => sqlx::query_scalar("SELECT row_hash FROM audit_log WHERE centre_code IS NULL ORDER BY id DESC LIMIT 1").fetch_optional(&mut **tx).await?,
            };
            let prev = prev.flatten().unwrap_or_default();
            // A chain keeps the algorithm it began with; a new one begins with the installation's.
            let suite = if prev.is_empty() {
                let chosen: Option<String> = sqlx::query_scalar("SELECT value FROM installation WHERE name = 'crypto_suite'").fetch_optional(&mut **tx).await?;
                chosen.as_deref().and_then(crate::CryptoSuite::parse).unwrap_or_default()
            } else {
                crate::audit_chain::suite_of(&prev)
            };
            // To the microsecond, as both databases keep it, so that the hash reads back the same.
            let now = chrono::Utc::now();
            let at = chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
            let record = AuditEntry {
                id: 0,
                at,
                actor_id: actor.staff_id,
                actor: actor.label.clone(),
                action: entry.action.to_string(),
                entity: entry.entity.to_string(),
                entity_id: entry.entity_id.to_string(),
                before: entry.before.map(crate::audit_chain::masked_names),
                after: entry.after.map(crate::audit_chain::masked_names),
                centre_code,
            };
            let hash = crate::audit_chain::row_hash(&prev, &record, suite);
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before, after, centre_code, prev_hash, row_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(record.at)
            .bind(record.actor_id)
            .bind(&record.actor)
            .bind(&record.action)
            .bind(&record.entity)
            .bind(&record.entity_id)
            .bind(record.before.map(Json))
            .bind(record.after.map(Json))
            .bind(&record.centre_code)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Takes the centre's queue lock for the rest of the transaction, where the backend needs one.
        async fn lock_centre(tx: &mut Transaction<'_, $db>, centre_code: &str) -> StoreResult<()> {
            if !$lock_centre.is_empty() {
                sqlx::query($lock_centre).bind(centre_code).execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// A window's live row, read inside the transaction (under the centre's lock).
        async fn window_in_tx(tx: &mut Transaction<'_, $db>, centre_code: &str, number: i32) -> StoreResult<WindowLive> {
            let row: Option<rows::WindowLiveRow> = sqlx::query_as(&format!("{} AND w.number = $2", rows::WINDOWS_LIVE_SQL))
                .bind(centre_code)
                .bind(number)
                .fetch_optional(&mut **tx)
                .await?;
            row.ok_or_else(|| crate::not_found("thing_window", number))?.into_live()
        }

        /// The number of a ticket held at a window in one of `states`, other than `except`.
        async fn held_at_window(tx: &mut Transaction<'_, $db>, centre_code: &str, window: i32, except: Option<i64>, states: &[&str]) -> StoreResult<Option<String>> {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT number, state FROM tickets WHERE centre_code = $1 AND window_number = $2 AND id <> $3
                 AND state IN ('called', 'serving', 'parked')",
            )
            .bind(centre_code)
            .bind(window)
            .bind(except.unwrap_or(0))
            .fetch_all(&mut **tx)
            .await?;
            Ok(rows.into_iter().find(|(_, state)| states.contains(&state.as_str())).map(|(number, _)| number))
        }

        /// An open inquiry the actor owns, read in the transaction; refused clearly otherwise.
        async fn open_inquiry_owned_by(tx: &mut Transaction<'_, $db>, actor: &Actor, id: i64) -> StoreResult<Inquiry> {
            let inquiry: Option<Inquiry> = sqlx::query_as(&format!("{} WHERE i.id = $1", rows::INQUIRY_SQL)).bind(id).fetch_optional(&mut **tx).await?;
            let inquiry = inquiry.ok_or_else(|| crate::not_found("thing_inquiry", id))?;
            if inquiry.handled_at.is_some() {
                return Err(crate::StoreError::Rule { key: "inquiry_handled_already", values: vec![("id", id.to_string())] });
            }
            if Some(inquiry.owner_id) != actor.staff_id {
                return Err(crate::StoreError::Rule { key: "inquiry_not_yours", values: vec![("id", id.to_string()), ("owner", inquiry.owner_name.clone())] });
            }
            Ok(inquiry)
        }

        /// Writes a window's status and who is signed in, audited with the state before and after.
        async fn write_window_status(
            tx: &mut Transaction<'_, $db>,
            actor: &Actor,
            centre_code: &str,
            before: WindowLive,
            status: WindowStatus,
            reason: Option<&str>,
            staff_id: Option<i64>,
        ) -> StoreResult<WindowLive> {
            sqlx::query("UPDATE windows SET status = $3, pause_reason = $4, staff_id = $5 WHERE centre_code = $1 AND number = $2")
                .bind(centre_code)
                .bind(before.number)
                .bind(status.as_str())
                .bind(reason)
                .bind(staff_id)
                .execute(&mut **tx)
                .await?;
            let after = window_in_tx(tx, centre_code, before.number).await?;
            let id = format!("{centre_code}/{}", before.number);
            let entry = AuditWrite { centre: Some(centre_code), action: "set_status", entity: "window", entity_id: &id, before: Some(to_json(&before)), after: Some(to_json(&after)) };
            audit(tx, actor, entry).await?;
            Ok(after)
        }

        /// Folds `event` onto the ticket's state (read in this transaction, under the centre's lock)
        /// with the domain's rules, writes the new state and appends the event.
        async fn apply_ticket_event(
            tx: &mut Transaction<'_, $db>,
            actor: &Actor,
            ticket: Ticket,
            event: &TicketEvent,
            policy: &QueuePolicy,
            now: DateTime<Utc>,
        ) -> StoreResult<Ticket> {
            let change = crate::queue_rules::ticket_change(&ticket, event, policy, now)?;
            sqlx::query(
                "UPDATE tickets SET state = $2, state_doc = $3, window_number = $4, queue_prefix = $5,
                     called_at = COALESCE($6, called_at), started_at = COALESCE($7, started_at), finished_at = COALESCE($8, finished_at),
                     for_window = $9
                 WHERE id = $1",
            )
            .bind(ticket.id)
            .bind(change.next.name())
            .bind(Json(to_json(&change.next)))
            .bind(change.next.window())
            .bind(&change.queue)
            .bind(change.called_at)
            .bind(change.started_at)
            .bind(change.finished_at)
            .bind(change.for_window)
            .execute(&mut **tx)
            .await?;
            sqlx::query("INSERT INTO ticket_events (ticket_id, at, actor_id, actor, event) VALUES ($1, $2, $3, $4, $5)")
                .bind(ticket.id)
                .bind(now)
                .bind(actor.staff_id)
                .bind(&actor.label)
                .bind(Json(change.recorded))
                .execute(&mut **tx)
                .await?;
            Ok(Ticket { state: change.next, queue: change.queue, for_window: change.for_window, ..ticket })
        }

        async fn staff_in_tx(tx: &mut Transaction<'_, $db>, id: i64) -> StoreResult<Staff> {
            let row: Option<StaffRow> = sqlx::query_as("SELECT * FROM staff WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
            row.ok_or_else(|| crate::not_found("thing_staff", id))?.into_staff()
        }

        /// Ends a staff member's sessions, but the one kept (the one changing its own password).
        async fn end_sessions(tx: &mut Transaction<'_, $db>, staff_id: i64, keep: Option<&str>) -> StoreResult<()> {
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2").bind(staff_id).bind(keep.unwrap_or("")).execute(&mut **tx).await?;
            Ok(())
        }

        /// Signs a staff member out of any window they are at, so nobody stays signed in there
        /// who may no longer be: the window keeps its tickets for the duty leader.
        async fn release_windows(tx: &mut Transaction<'_, $db>, actor: &Actor, staff: &Staff) -> StoreResult<()> {
            let windows: Vec<(i32,)> = sqlx::query_as("SELECT number FROM windows WHERE centre_code = $1 AND staff_id = $2").bind(&staff.centre_code).bind(staff.id).fetch_all(&mut **tx).await?;
            for (number,) in windows {
                let before = window_in_tx(tx, &staff.centre_code, number).await?;
                write_window_status(tx, actor, &staff.centre_code, before, WindowStatus::Closed, Some("account changed"), None).await?;
            }
            Ok(())
        }

        /// Tickets handed to a window that closes go back to their queues (nobody would call them).
        async fn release_handed_to(tx: &mut Transaction<'_, $db>, actor: &Actor, centre_code: &str, window: i32, now: DateTime<Utc>) -> StoreResult<Vec<Ticket>> {
            let handed: Vec<rows::TicketRow> = sqlx::query_as(&format!(
                "SELECT {} FROM tickets WHERE centre_code = $1 AND for_window = $2 AND state = 'waiting'",
                rows::TICKET_COLUMNS
            ))
            .bind(centre_code)
            .bind(window)
            .fetch_all(&mut **tx)
            .await?;
            let mut released = Vec::new();
            for row in handed {
                let event = TicketEvent::Transferred { to_queue: None, to_window: None };
                released.push(apply_ticket_event(tx, actor, row.into_ticket()?, &event, &QueuePolicy::default(), now).await?);
            }
            Ok(released)
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
                    "INSERT INTO centres (code, name, address, hours, consult_phone, supervision_phone, district, city)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, address = excluded.address,
                         hours = excluded.hours, consult_phone = excluded.consult_phone,
                         supervision_phone = excluded.supervision_phone, district = excluded.district, city = excluded.city",
                )
                .bind(&centre.code)
                .bind(&centre.name)
                .bind(&centre.address)
                .bind(&centre.hours)
                .bind(&centre.consult_phone)
                .bind(&centre.supervision_phone)
                .bind(&centre.district)
                .bind(&centre.city)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_centre", &centre.code))?;
                let entry = AuditWrite { centre: Some(&centre.code),
                    action: "save",
                    entity: "centre",
                    entity_id: &centre.code,
                    before: before.as_ref().map(to_json),
                    after: Some(to_json(centre)),
                };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn centre(&self, code: &str) -> StoreResult<Option<Centre>> {
                Ok(sqlx::query_as("SELECT * FROM centres WHERE code = $1").bind(code).fetch_optional(&self.read).await?)
            }

            async fn default_centre(&self) -> StoreResult<Option<Centre>> {
                Ok(sqlx::query_as("SELECT * FROM centres ORDER BY code LIMIT 1").fetch_optional(&self.read).await?)
            }

            async fn centres(&self) -> StoreResult<Vec<Centre>> {
                Ok(sqlx::query_as("SELECT * FROM centres ORDER BY code").fetch_all(&self.read).await?)
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
                .map_err(|e| conflict_or(e, "thing_window", window.number.to_string()))?;
                let id = format!("{}/{}", window.centre_code, window.number);
                let entry = AuditWrite { centre: Some(&window.centre_code),
                    action: "save",
                    entity: "window",
                    entity_id: &id,
                    before: before.as_ref().map(to_json),
                    after: Some(to_json(window)),
                };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await?;
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
                    "INSERT INTO staff (username, name, badge_number, role, centre_code, password_hash, created_at, department)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                )
                .bind(&staff.username)
                .bind(&staff.name)
                .bind(&staff.badge_number)
                .bind(staff.role.as_str())
                .bind(&staff.centre_code)
                .bind(&staff.password_hash)
                .bind(chrono::Utc::now())
                .bind(staff.department.trim())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_staff_account", crate::quoted(&staff.username)))?;
                let created = row.into_staff()?;
                let id = created.id.to_string();
                let entry = AuditWrite { centre: Some(&staff.centre_code), action: "create", entity: "staff", entity_id: &id, before: None, after: Some(to_json(&created)) };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await?;
                Ok(created)
            }

            async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffLogin>> {
                let row: Option<StaffRow> =
                    sqlx::query_as("SELECT * FROM staff WHERE username = $1").bind(username).fetch_optional(&self.read).await?;
                row.map(StaffRow::into_login).transpose()
            }

            async fn list_staff(&self, centre_code: Option<&str>) -> StoreResult<Vec<Staff>> {
                let rows: Vec<StaffRow> = sqlx::query_as("SELECT * FROM staff WHERE $1 IS NULL OR centre_code = $1 ORDER BY id").bind(centre_code).fetch_all(&self.read).await?;
                rows.into_iter().map(StaffRow::into_staff).collect()
            }

            async fn staff_member(&self, id: i64) -> StoreResult<Option<Staff>> {
                let row: Option<StaffRow> = sqlx::query_as("SELECT * FROM staff WHERE id = $1").bind(id).fetch_optional(&self.read).await?;
                row.map(StaffRow::into_staff).transpose()
            }

            async fn update_staff(&self, actor: &Actor, id: i64, change: &StaffChange) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let before = staff_in_tx(&mut tx, id).await?;
                let row: StaffRow = sqlx::query_as("UPDATE staff SET name = $2, badge_number = $3, role = $4, centre_code = $5, department = $6 WHERE id = $1 RETURNING *")
                    .bind(id)
                    .bind(&change.name)
                    .bind(&change.badge_number)
                    .bind(change.role.as_str())
                    .bind(&change.centre_code)
                    .bind(change.department.trim())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, "thing_staff_account", ""))?;
                let after = row.into_staff()?;
                // A new role or centre takes effect at once: the account signs in again.
                if before.role != after.role || before.centre_code != after.centre_code {
                    end_sessions(&mut tx, id, None).await?;
                    release_windows(&mut tx, actor, &before).await?;
                }
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&before.centre_code), action: "update", entity: "staff", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                if before.centre_code != after.centre_code {
                    audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "move_in", entity: "staff", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                }
                self.commit(tx).await?;
                Ok(after)
            }

            async fn set_staff_active(&self, actor: &Actor, id: i64, active: bool) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let before = staff_in_tx(&mut tx, id).await?;
                let row: StaffRow = sqlx::query_as("UPDATE staff SET active = $2 WHERE id = $1 RETURNING *").bind(id).bind(active).fetch_one(&mut *tx).await?;
                let after = row.into_staff()?;
                if !active {
                    end_sessions(&mut tx, id, None).await?;
                    release_windows(&mut tx, actor, &before).await?;
                }
                let entity_id = id.to_string();
                let action = if active { "enable" } else { "disable" };
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action, entity: "staff", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn set_password(&self, actor: &Actor, id: i64, password_hash: &str, must_change: bool, keep_session: Option<&str>) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let row: Option<StaffRow> =
                    sqlx::query_as("UPDATE staff SET password_hash = $2, must_change_password = $3, failed_sign_ins = 0, locked_until = NULL WHERE id = $1 RETURNING *")
                        .bind(id)
                        .bind(password_hash)
                        .bind(must_change)
                        .fetch_optional(&mut *tx)
                        .await?;
                let after = row.ok_or_else(|| crate::not_found("thing_staff", id))?.into_staff()?;
                end_sessions(&mut tx, id, keep_session).await?;
                let entity_id = id.to_string();
                let action = if must_change { "reset_password" } else { "change_password" };
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action, entity: "staff", entity_id: &entity_id, before: None, after: None }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn record_sign_in(&self, staff_id: i64, succeeded: bool, now: DateTime<Utc>, lock_after: u32, lock_for: chrono::Duration) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                if succeeded {
                    sqlx::query("UPDATE staff SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1 AND (failed_sign_ins <> 0 OR locked_until IS NOT NULL)").bind(staff_id).execute(&mut *tx).await?;
                } else {
                    let (failed,): (i32,) = sqlx::query_as("UPDATE staff SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins").bind(staff_id).fetch_one(&mut *tx).await?;
                    if failed as u32 >= lock_after {
                        sqlx::query("UPDATE staff SET locked_until = $2, failed_sign_ins = 0 WHERE id = $1").bind(staff_id).bind(now + lock_for).execute(&mut *tx).await?;
                        let actor = Actor::system("sign-in");
                        let entity_id = staff_id.to_string();
                        let after = serde_json::json!({ "locked_until": now + lock_for });
                        audit(&mut tx, &actor, AuditWrite { centre: None, action: "lock", entity: "staff", entity_id: &entity_id, before: None, after: Some(after) }).await?;
                    }
                }
                self.commit(tx).await
            }

            async fn unlock_staff(&self, actor: &Actor, id: i64) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let row: Option<StaffRow> = sqlx::query_as("UPDATE staff SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1 RETURNING *").bind(id).fetch_optional(&mut *tx).await?;
                let after = row.ok_or_else(|| crate::not_found("thing_staff", id))?.into_staff()?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "unlock", entity: "staff", entity_id: &entity_id, before: None, after: None }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at, idle_until) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&session.token_hash)
                .bind(session.staff_id)
                .bind(&session.csrf_token)
                .bind(session.created_at)
                .bind(session.expires_at)
                .bind(session.idle_until)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_session", ""))?;
                // Signed in, as the log names every staff member: `username (name)`.
                let (username, name): (String, String) = sqlx::query_as("SELECT username, name FROM staff WHERE id = $1").bind(session.staff_id).fetch_one(&mut *tx).await?;
                let actor = Actor { staff_id: Some(session.staff_id), label: format!("{username} ({name})") };
                let id = session.staff_id.to_string();
                let after = serde_json::json!({ "expires_at": session.expires_at, "source": session.source });
                audit(&mut tx, &actor, AuditWrite { centre: Some(&session.centre_code), action: "sign_in", entity: "staff", entity_id: &id, before: None, after: Some(after) }).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn enrol_second_factor(&self, actor: &Actor, staff_id: i64, enrolment: &SecondFactorEnrolment<'_>) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let row: Option<StaffRow> = sqlx::query_as("UPDATE staff SET totp_secret = $2, totp_last_step = $3 WHERE id = $1 RETURNING *")
                    .bind(staff_id)
                    .bind(enrolment.sealed_secret)
                    .bind(enrolment.first_step)
                    .fetch_optional(&mut *tx)
                    .await?;
                let after = row.ok_or_else(|| crate::not_found("thing_staff", staff_id))?.into_staff()?;
                sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
                for hash in enrolment.recovery_code_hashes {
                    sqlx::query("INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)").bind(staff_id).bind(hash).execute(&mut *tx).await?;
                }
                end_sessions(&mut tx, staff_id, enrolment.keep_session).await?;
                let entity_id = staff_id.to_string();
                let change = serde_json::json!({ "recovery_codes": enrolment.recovery_code_hashes.len() });
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "enrol_second_factor", entity: "staff", entity_id: &entity_id, before: None, after: Some(change) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn use_totp_step(&self, staff_id: i64, step: i64) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let used = sqlx::query("UPDATE staff SET totp_last_step = $2 WHERE id = $1 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)")
                    .bind(staff_id)
                    .bind(step)
                    .execute(&mut *tx)
                    .await?;
                self.commit(tx).await?;
                Ok(used.rows_affected() == 1)
            }

            async fn use_recovery_code(&self, staff_id: i64, code_hash: &str) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let used = sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1 AND code_hash = $2").bind(staff_id).bind(code_hash).execute(&mut *tx).await?;
                if used.rows_affected() == 1 {
                    let staff = staff_in_tx(&mut tx, staff_id).await?;
                    let entity_id = staff_id.to_string();
                    audit(&mut tx, &Actor::staff(&staff), AuditWrite { centre: Some(&staff.centre_code), action: "use_recovery_code", entity: "staff", entity_id: &entity_id, before: None, after: None }).await?;
                }
                self.commit(tx).await?;
                Ok(used.rows_affected() == 1)
            }

            async fn recovery_codes_left(&self, staff_id: i64) -> StoreResult<u32> {
                let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1").bind(staff_id).fetch_one(&self.read).await?;
                Ok(left.max(0) as u32)
            }

            async fn remove_second_factor(&self, actor: &Actor, staff_id: i64) -> StoreResult<Staff> {
                let mut tx = self.begin().await?;
                let row: Option<StaffRow> = sqlx::query_as("UPDATE staff SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1 RETURNING *").bind(staff_id).fetch_optional(&mut *tx).await?;
                let after = row.ok_or_else(|| crate::not_found("thing_staff", staff_id))?.into_staff()?;
                sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
                end_sessions(&mut tx, staff_id, None).await?;
                let entity_id = staff_id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "remove_second_factor", entity: "staff", entity_id: &entity_id, before: None, after: None }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn session(&self, token_hash: &str) -> StoreResult<Option<(Session, Staff)>> {
                let row: Option<rows::SessionRow> = sqlx::query_as(
                    "SELECT s.token_hash, s.csrf_token, s.expires_at, s.idle_until, st.*
                     FROM sessions s JOIN staff st ON st.id = s.staff_id
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND (s.idle_until IS NULL OR s.idle_until > $2) AND st.active",
                )
                .bind(token_hash)
                .bind(chrono::Utc::now())
                .fetch_optional(&self.read)
                .await?;
                row.map(rows::SessionRow::into_pair).transpose()
            }

            async fn audit_refused_sign_in(&self, username: &str, staff: Option<(i64, &str)>, source: &serde_json::Value) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let entity_id = staff.map_or_else(|| username.to_string(), |(id, _)| id.to_string());
                let after = serde_json::json!({ "username": username, "source": source });
                let entry = AuditWrite { centre: staff.map(|(_, centre)| centre), action: "sign_in_refused", entity: "staff", entity_id: &entity_id, before: None, after: Some(after) };
                audit(&mut tx, &Actor::system("sign-in"), entry).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn sessions_of(&self, staff_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<SessionInfo>> {
                Ok(sqlx::query_as(
                    "SELECT substr(token_hash, 1, 16) AS id, created_at, expires_at, idle_until FROM sessions
                     WHERE staff_id = $1 AND expires_at > $2 AND (idle_until IS NULL OR idle_until > $2) ORDER BY created_at DESC",
                )
                .bind(staff_id)
                .bind(now)
                .fetch_all(&self.read)
                .await?)
            }

            async fn end_session(&self, actor: &Actor, staff_id: i64, session_id: &str) -> StoreResult<bool> {
                if session_id.len() != 16 || !session_id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Ok(false);
                }
                let mut tx = self.begin().await?;
                let ended = sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND substr(token_hash, 1, 16) = $2").bind(staff_id).bind(session_id).execute(&mut *tx).await?;
                if ended.rows_affected() > 0 {
                    let entity_id = staff_id.to_string();
                    let after = serde_json::json!({ "session": session_id });
                    audit(&mut tx, actor, AuditWrite { centre: None, action: "session_ended", entity: "staff", entity_id: &entity_id, before: None, after: Some(after) }).await?;
                }
                self.commit(tx).await?;
                Ok(ended.rows_affected() > 0)
            }

            async fn keep_session_alive(&self, token_hash: &str, idle_until: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query("UPDATE sessions SET idle_until = $2 WHERE token_hash = $1").bind(token_hash).bind(idle_until).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn purge_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let purged = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR idle_until <= $1").bind(now).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(purged.rows_affected())
            }

            async fn delete_session(&self, actor: &Actor, token_hash: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let deleted = sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
                if deleted.rows_affected() > 0 {
                    let id = actor.staff_id.map(|id| id.to_string()).unwrap_or_default();
                    audit(&mut tx, actor, AuditWrite { centre: None, action: "sign_out", entity: "staff", entity_id: &id, before: None, after: None }).await?;
                }
                self.commit(tx).await?;
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
                    .map_err(|e| conflict_or(e, "thing_item", crate::quoted(&item.code)))?;
                }
                for change in catalog_changes(&old, &catalog.items) {
                    let action = match (change.before, change.after) {
                        (None, _) => "create",
                        (_, None) => "delete",
                        _ => "update",
                    };
                    let entry = AuditWrite { centre: None,
                        action,
                        entity: "catalog_item",
                        entity_id: change.code,
                        before: change.before.map(to_json),
                        after: change.after.map(to_json),
                    };
                    audit(&mut tx, actor, entry).await?;
                }
                self.commit(tx).await?;
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

            async fn local_items(&self, centre_code: &str) -> StoreResult<Vec<banshi_domain::LocalItem>> {
                let rows: Vec<(Json<banshi_domain::LocalItem>,)> =
                    sqlx::query_as("SELECT local FROM centre_items WHERE centre_code = $1 ORDER BY position").bind(centre_code).fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(|(local,)| local.0).collect())
            }

            async fn save_local_items(&self, actor: &Actor, centre_code: &str, items: &[banshi_domain::LocalItem]) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Vec<(Json<banshi_domain::LocalItem>,)> =
                    sqlx::query_as("SELECT local FROM centre_items WHERE centre_code = $1 ORDER BY position").bind(centre_code).fetch_all(&mut *tx).await?;
                sqlx::query("DELETE FROM centre_items WHERE centre_code = $1").bind(centre_code).execute(&mut *tx).await?;
                for (position, item) in items.iter().enumerate() {
                    sqlx::query("INSERT INTO centre_items (centre_code, item_code, position, local) VALUES ($1, $2, $3, $4)")
                        .bind(centre_code)
                        .bind(&item.code)
                        .bind(position as i32)
                        .bind(Json(item))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, "thing_item", crate::quoted(&item.code)))?;
                }
                let before: Vec<banshi_domain::LocalItem> = before.into_iter().map(|(l,)| l.0).collect();
                let entry = AuditWrite { centre: Some(centre_code), action: "replace", entity: "centre_items", entity_id: centre_code, before: Some(to_json(&before)), after: Some(to_json(&items)) };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await
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
                                          officer_badge, applicant_name, assessment, issued_at, ticket_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
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
                .bind(notice.ticket_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_notice", number.to_string()))?;
                let stored = row.into_notice()?;
                let entry = AuditWrite { centre: Some(&notice.centre_code), action: "create", entity: "notice", entity_id: &number, before: None, after: Some(to_json(&stored)) };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await?;
                Ok(stored)
            }

            async fn notice(&self, number: &str) -> StoreResult<Option<Notice>> {
                let row: Option<NoticeRow> =
                    sqlx::query_as("SELECT * FROM notices WHERE number = $1").bind(number).fetch_optional(&self.read).await?;
                row.map(NoticeRow::into_notice).transpose()
            }

            async fn notices_for_ticket(&self, ticket_id: i64) -> StoreResult<Vec<Notice>> {
                let rows: Vec<NoticeRow> = sqlx::query_as("SELECT * FROM notices WHERE ticket_id = $1 ORDER BY issued_at, number")
                    .bind(ticket_id)
                    .fetch_all(&self.read)
                    .await?;
                rows.into_iter().map(NoticeRow::into_notice).collect()
            }

            async fn notice_counts(&self, centre_code: &str) -> StoreResult<Vec<NoticeCount>> {
                Ok(sqlx::query_as(rows::NOTICE_COUNTS_SQL).bind(centre_code).fetch_all(&self.read).await?)
            }

            async fn progress_wait(&self, keys: &[String], now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
                let mut latest: Option<DateTime<Utc>> = None;
                for key in keys {
                    let until: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT wait_until FROM progress_attempts WHERE key = $1 AND wait_until > $2").bind(key).bind(now).fetch_optional(&self.read).await?;
                    latest = latest.max(until);
                }
                Ok(latest)
            }

            async fn progress_failed(&self, key: &str, now: DateTime<Utc>, wait_seconds: fn(u32) -> u64) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let (failures,): (i32,) = sqlx::query_as(
                    "INSERT INTO progress_attempts (key, failures, wait_until, last_at) VALUES ($1, 1, $2, $2)
                     ON CONFLICT (key) DO UPDATE SET failures = progress_attempts.failures + 1, last_at = $2 RETURNING failures",
                )
                .bind(key)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let wait = chrono::Duration::seconds(i64::try_from(wait_seconds(failures.max(0) as u32)).unwrap_or(i64::MAX / 1000));
                sqlx::query("UPDATE progress_attempts SET wait_until = $2 WHERE key = $1").bind(key).bind(now + wait).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn progress_succeeded(&self, key: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query("DELETE FROM progress_attempts WHERE key = $1").bind(key).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn purge_progress_attempts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let purged = sqlx::query("DELETE FROM progress_attempts WHERE last_at < $1 AND wait_until < $1").bind(before).execute(&mut *tx).await?.rows_affected();
                sqlx::query("DELETE FROM progress_phone_codes WHERE expires_at < $1").bind(before).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(purged)
            }

            async fn send_progress_phone_code(&self, case_id: i64, code_hash: &str, expires_at: DateTime<Utc>, message: &CaseMessage) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let found: Option<(String, String, Option<String>)> = sqlx::query_as("SELECT number, centre_code, phone_cipher FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut *tx).await?;
                let Some((number, centre, Some(cipher))) = found else { return Ok(false) };
                sqlx::query("INSERT INTO progress_phone_codes (case_id, code_hash, expires_at) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at")
                    .bind(case_id)
                    .bind(code_hash)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO outbox (created_at, kind, recipient_cipher, message, case_id) VALUES ($1, $2, $3, $4, $5)")
                    .bind(chrono::Utc::now())
                    .bind(&message.kind)
                    .bind(&cipher)
                    .bind(&message.text)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
                // The kind only: the message holds the code.
                let after = serde_json::json!({ "kind": message.kind });
                audit(&mut tx, &Actor::system("progress-query"), AuditWrite { centre: Some(&centre), action: "queue_message", entity: "case", entity_id: &number, before: None, after: Some(after) }).await?;
                self.commit(tx).await?;
                Ok(true)
            }

            async fn use_progress_phone_code(&self, case_id: i64, code_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let used = sqlx::query("DELETE FROM progress_phone_codes WHERE case_id = $1 AND code_hash = $2 AND expires_at > $3").bind(case_id).bind(code_hash).bind(now).execute(&mut *tx).await?.rows_affected();
                self.commit(tx).await?;
                Ok(used == 1)
            }

            async fn set_up_pad(&self, actor: &Actor, centre_code: &str, window: i32, token_hash: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let known: Option<(i32,)> = sqlx::query_as("SELECT number FROM windows WHERE centre_code = $1 AND number = $2").bind(centre_code).bind(window).fetch_optional(&mut *tx).await?;
                if known.is_none() {
                    return Err(crate::not_found("thing_window", window));
                }
                let replaced = sqlx::query("DELETE FROM pads WHERE centre_code = $1 AND window_number = $2").bind(centre_code).bind(window).execute(&mut *tx).await?.rows_affected();
                sqlx::query("INSERT INTO pads (token_hash, centre_code, window_number, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(token_hash)
                    .bind(centre_code)
                    .bind(window)
                    .bind(actor.staff_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await?;
                let entity_id = window.to_string();
                let after = serde_json::json!({ "replaced": replaced > 0 });
                audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "set_up_pad", entity: "window", entity_id: &entity_id, before: None, after: Some(after) }).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn pad_of(&self, token_hash: &str) -> StoreResult<Option<(String, i32)>> {
                Ok(sqlx::query_as("SELECT centre_code, window_number FROM pads WHERE token_hash = $1").bind(token_hash).fetch_optional(&self.read).await?)
            }

            async fn pads(&self, centre_code: &str) -> StoreResult<Vec<i32>> {
                Ok(sqlx::query_scalar("SELECT window_number FROM pads WHERE centre_code = $1 ORDER BY window_number").bind(centre_code).fetch_all(&self.read).await?)
            }

            async fn remove_pad(&self, actor: &Actor, centre_code: &str, window: i32) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let removed = sqlx::query("DELETE FROM pads WHERE centre_code = $1 AND window_number = $2").bind(centre_code).bind(window).execute(&mut *tx).await?.rows_affected() > 0;
                if removed {
                    let entity_id = window.to_string();
                    audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "remove_pad", entity: "window", entity_id: &entity_id, before: None, after: None }).await?;
                }
                self.commit(tx).await?;
                Ok(removed)
            }

            async fn audit_access(&self, actor: &Actor, access: &Access<'_>) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let entry = AuditWrite { centre: access.centre, action: access.action, entity: access.entity, entity_id: access.entity_id, before: None, after: Some(access.detail.clone()) };
                audit(&mut tx, actor, entry).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn verify_audit_chain(&self) -> StoreResult<crate::audit_chain::ChainReport> {
                use futures_util::TryStreamExt;
                let mut walk = crate::audit_chain::ChainWalk::default();
                let mut rows = sqlx::query_as::<_, rows::ChainedAuditRow>("SELECT * FROM audit_log ORDER BY id").fetch(&self.read);
                while let Some(row) = rows.try_next().await? {
                    let (entry, prev, hash) = row.into_parts();
                    walk.step(&entry, prev.as_deref(), hash.as_deref());
                }
                Ok(walk.finish())
            }

            async fn audit_search(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
                // One statement for every filter: a filter left out is a NULL that matches all.
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT * FROM audit_log
                     WHERE ($1 IS NULL OR centre_code = $1) AND ($2 IS NULL OR actor LIKE '%' || $2 || '%')
                       AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR entity = $4) AND ($5 IS NULL OR entity_id = $5)
                       AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7) AND ($8 IS NULL OR id < $8)
                     ORDER BY id DESC LIMIT $9",
                )
                .bind(&filter.centre_code)
                .bind(&filter.actor)
                .bind(&filter.action)
                .bind(&filter.entity)
                .bind(&filter.entity_id)
                .bind(filter.from)
                .bind(filter.until)
                .bind(filter.before_id)
                .bind(filter.limit)
                .fetch_all(&self.read)
                .await?;
                Ok(rows.into_iter().map(AuditRow::into_entry).collect())
            }

            async fn save_queue(&self, actor: &Actor, queue: &Queue) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<rows::QueueRow> = sqlx::query_as("SELECT * FROM queues WHERE centre_code = $1 AND prefix = $2")
                    .bind(&queue.centre_code)
                    .bind(&queue.prefix)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO queues (centre_code, prefix, name, item_codes, position) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (centre_code, prefix) DO UPDATE SET name = excluded.name,
                         item_codes = excluded.item_codes, position = excluded.position",
                )
                .bind(&queue.centre_code)
                .bind(&queue.prefix)
                .bind(&queue.name)
                .bind(Json(&queue.item_codes))
                .bind(queue.position)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_queue", queue.prefix.clone()))?;
                let id = format!("{}/{}", queue.centre_code, queue.prefix);
                let before = before.map(|row| to_json(&row.into_queue()));
                audit(&mut tx, actor, AuditWrite { centre: Some(&queue.centre_code), action: "save", entity: "queue", entity_id: &id, before, after: Some(to_json(queue)) }).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn queues(&self, centre_code: &str) -> StoreResult<Vec<Queue>> {
                let rows: Vec<rows::QueueRow> = sqlx::query_as("SELECT * FROM queues WHERE centre_code = $1 ORDER BY position, prefix")
                    .bind(centre_code)
                    .fetch_all(&self.read)
                    .await?;
                Ok(rows.into_iter().map(rows::QueueRow::into_queue).collect())
            }

            async fn save_window_skills(&self, actor: &Actor, skills: &WindowSkills) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<(Json<Vec<String>>, bool)> =
                    sqlx::query_as("SELECT queues, green_channel FROM windows WHERE centre_code = $1 AND number = $2")
                        .bind(&skills.centre_code)
                        .bind(skills.number)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((Json(queues), green_channel)) = before else {
                    return Err(crate::not_found("thing_window", skills.number));
                };
                sqlx::query("UPDATE windows SET queues = $3, green_channel = $4 WHERE centre_code = $1 AND number = $2")
                    .bind(&skills.centre_code)
                    .bind(skills.number)
                    .bind(Json(&skills.queues))
                    .bind(skills.green_channel)
                    .execute(&mut *tx)
                    .await?;
                let id = format!("{}/{}", skills.centre_code, skills.number);
                let before = serde_json::json!({ "queues": queues, "green_channel": green_channel });
                audit(&mut tx, actor, AuditWrite { centre: Some(&skills.centre_code), action: "save_skills", entity: "window", entity_id: &id, before: Some(before), after: Some(to_json(skills)) }).await?;
                self.commit(tx).await
            }

            async fn set_window_status(&self, actor: &Actor, centre_code: &str, number: i32, status: WindowStatus, reason: Option<&str>) -> StoreResult<WindowLive> {
                let mut tx = self.begin().await?;
                lock_centre(&mut tx, centre_code).await?;
                let before = window_in_tx(&mut tx, centre_code, number).await?;
                if let Some(other) = before.staff_id.filter(|id| before.status != WindowStatus::Closed && Some(*id) != actor.staff_id) {
                    let name = before.staff_name.clone().unwrap_or_else(|| other.to_string());
                    return Err(crate::StoreError::Rule { key: "window_staffed_by", values: vec![("window", number.to_string()), ("name", name)] });
                }
                if status == WindowStatus::Closed {
                    if let Some(ticket) = held_at_window(&mut tx, centre_code, number, None, &["called", "serving", "parked"]).await? {
                        return Err(crate::StoreError::Rule { key: "window_leave_with", values: vec![("window", number.to_string()), ("number", ticket.to_string())] });
                    }
                    release_handed_to(&mut tx, actor, centre_code, number, Utc::now()).await?;
                } else if let Some(staff_id) = actor.staff_id {
                    let elsewhere: Option<(i32,)> = sqlx::query_as(
                        "SELECT number FROM windows WHERE centre_code = $1 AND staff_id = $2 AND status <> 'closed' AND number <> $3",
                    )
                    .bind(centre_code)
                    .bind(staff_id)
                    .bind(number)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((other,)) = elsewhere {
                        return Err(crate::StoreError::Rule { key: "window_signed_in_elsewhere", values: vec![("window", other.to_string())] });
                    }
                }
                let staff_id = if status == WindowStatus::Closed { None } else { actor.staff_id };
                let live = write_window_status(&mut tx, actor, centre_code, before, status, reason, staff_id).await?;
                self.commit(tx).await?;
                Ok(live)
            }

            async fn close_window_for(&self, actor: &Actor, centre_code: &str, number: i32, reason: &str, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<(WindowLive, Vec<Ticket>)> {
                let mut tx = self.begin().await?;
                lock_centre(&mut tx, centre_code).await?;
                let before = window_in_tx(&mut tx, centre_code, number).await?;
                let held: Vec<rows::TicketRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM tickets WHERE centre_code = $1 AND window_number = $2 AND state IN ('called', 'serving', 'parked') ORDER BY id",
                    rows::TICKET_COLUMNS
                ))
                .bind(centre_code)
                .bind(number)
                .fetch_all(&mut *tx)
                .await?;
                let mut returned = Vec::new();
                for row in held {
                    let ticket = row.into_ticket()?;
                    // A called visitor goes back to the queue; one being served keeps the original
                    // arrival time in the same queue, so the next window takes them up soon.
                    let event = match ticket.state {
                        TicketState::Called { .. } => TicketEvent::Returned,
                        _ => TicketEvent::Transferred { to_queue: None, to_window: None },
                    };
                    returned.push(apply_ticket_event(&mut tx, actor, ticket, &event, policy, now).await?);
                }
                returned.extend(release_handed_to(&mut tx, actor, centre_code, number, now).await?);
                let live = write_window_status(&mut tx, actor, centre_code, before, WindowStatus::Closed, Some(reason), None).await?;
                self.commit(tx).await?;
                Ok((live, returned))
            }

            async fn ticket(&self, id: i64) -> StoreResult<Option<Ticket>> {
                let row: Option<rows::TicketRow> = sqlx::query_as(&format!("SELECT {} FROM tickets WHERE id = $1", rows::TICKET_COLUMNS))
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await?;
                row.map(rows::TicketRow::into_ticket).transpose()
            }

            async fn ticket_by_token(&self, token: &str) -> StoreResult<Option<Ticket>> {
                let row: Option<rows::TicketRow> = sqlx::query_as(&format!("SELECT {} FROM tickets WHERE token = $1", rows::TICKET_COLUMNS))
                    .bind(token)
                    .fetch_optional(&self.read)
                    .await?;
                row.map(rows::TicketRow::into_ticket).transpose()
            }

            async fn active_tickets(&self, centre_code: &str) -> StoreResult<Vec<Ticket>> {
                let today = chrono::Local::now().date_naive();
                // Today's waiting tickets, and every ticket still held at a window whatever its day:
                // a visit that ran past midnight must still be finished at its window. Two parts, so
                // each reads its own index instead of the whole table.
                let rows: Vec<rows::TicketRow> = sqlx::query_as(&format!(
                    "SELECT {columns} FROM tickets WHERE centre_code = $1 AND state = 'waiting' AND day = $2
                     UNION ALL
                     SELECT {columns} FROM tickets WHERE centre_code = $1 AND window_number IS NOT NULL AND state IN ('called', 'serving', 'parked')
                     ORDER BY arrived_at, id",
                    columns = rows::TICKET_COLUMNS
                ))
                .bind(centre_code)
                .bind(today)
                .fetch_all(&self.read)
                .await?;
                rows.into_iter().map(rows::TicketRow::into_ticket).collect()
            }

            async fn arrivals(&self, centre_code: &str, from: chrono::NaiveDate) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
                Ok(sqlx::query_as("SELECT queue_prefix, arrived_at FROM tickets WHERE centre_code = $1 AND day >= $2 ORDER BY arrived_at")
                    .bind(centre_code)
                    .bind(from)
                    .fetch_all(&self.read)
                    .await?)
            }

            async fn recent_calls(&self, centre_code: &str, limit: i64) -> StoreResult<Vec<Call>> {
                let rows: Vec<rows::CallRow> = sqlx::query_as(
                    "SELECT e.ticket_id, t.number, e.at, e.event, t.window_number
                     FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                     WHERE t.centre_code = $1 AND e.id IN (
                         SELECT e2.id FROM ticket_events e2 JOIN tickets t2 ON t2.id = e2.ticket_id
                         WHERE t2.centre_code = $1 ORDER BY e2.id DESC LIMIT 500)
                     ORDER BY e.id DESC",
                )
                .bind(centre_code)
                .fetch_all(&self.read)
                .await?;
                let mut calls = Vec::new();
                for row in rows {
                    let name = row.event.0.get("event").and_then(|e| e.as_str()).unwrap_or_default().to_string();
                    let window = row.event.0.get("window").and_then(|w| w.as_i64()).map(|w| w as i32).or(row.window_number);
                    if let ("called" | "recalled", Some(window)) = (name.as_str(), window) {
                        calls.push(Call { ticket_id: row.ticket_id, number: row.number, window, at: row.at, recall: name == "recalled" });
                        if calls.len() as i64 >= limit {
                            break;
                        }
                    }
                }
                Ok(calls)
            }

            async fn mean_service_minutes(&self, centre_code: &str, queue: &str) -> StoreResult<Option<f64>> {
                let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT started_at, finished_at FROM tickets
                     WHERE centre_code = $1 AND queue_prefix = $2 AND started_at IS NOT NULL AND finished_at IS NOT NULL
                     ORDER BY finished_at DESC LIMIT 20",
                )
                .bind(centre_code)
                .bind(queue)
                .fetch_all(&self.read)
                .await?;
                if rows.len() < crate::SERVICE_SAMPLE_LEAST {
                    return Ok(None);
                }
                let total: f64 = rows.iter().map(|(start, end)| (*end - *start).num_seconds().max(0) as f64 / 60.0).sum();
                Ok(Some(total / rows.len() as f64))
            }

            async fn ticket_phone(&self, ticket_id: i64) -> StoreResult<Option<String>> {
                let row: Option<(Option<String>,)> = sqlx::query_as("SELECT phone_cipher FROM tickets WHERE id = $1").bind(ticket_id).fetch_optional(&self.read).await?;
                Ok(row.and_then(|(cipher,)| cipher))
            }

            async fn enqueue_notification(&self, ticket_id: i64, kind: &str, recipient_cipher: &str, message: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let marked = sqlx::query("UPDATE tickets SET notified = TRUE WHERE id = $1 AND NOT notified").bind(ticket_id).execute(&mut *tx).await?;
                if marked.rows_affected() == 1 {
                    sqlx::query("INSERT INTO outbox (created_at, kind, recipient_cipher, message, ticket_id) VALUES ($1, $2, $3, $4, $5)")
                        .bind(chrono::Utc::now())
                        .bind(kind)
                        .bind(recipient_cipher)
                        .bind(message)
                        .bind(ticket_id)
                        .execute(&mut *tx)
                        .await?;
                    // The message is audited without the recipient, which stays sealed in the outbox.
                    let centre: Option<String> = sqlx::query_as::<_, (String,)>("SELECT centre_code FROM tickets WHERE id = $1").bind(ticket_id).fetch_optional(&mut *tx).await?.map(|(c,)| c);
                    let actor = Actor::system("almost-your-turn");
                    let id = ticket_id.to_string();
                    let after = serde_json::json!({ "kind": kind, "message": message });
                    audit(&mut tx, &actor, AuditWrite { centre: centre.as_deref(), action: "queue_message", entity: "ticket", entity_id: &id, before: None, after: Some(after) }).await?;
                }
                self.commit(tx).await?;
                Ok(())
            }

            async fn pending_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>> {
                let rows: Vec<rows::NotificationRow> =
                    sqlx::query_as("SELECT id, created_at, kind, recipient_cipher, message, ticket_id, case_id FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1")
                        .bind(limit)
                        .fetch_all(&self.read)
                        .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| Notification { id: r.id, created_at: r.created_at, kind: r.kind, recipient_cipher: r.recipient_cipher, message: r.message, ticket_id: r.ticket_id, case_id: r.case_id })
                    .collect())
            }

            async fn create_case(&self, actor: &Actor, case: &NewCase) -> StoreResult<Case> {
                let mut tx = self.begin().await?;
                let day = case.created_at.with_timezone(&chrono::Local).date_naive();
                let (sequence,): (i64,) = sqlx::query_as(
                    "INSERT INTO case_sequences (centre_code, day, last) VALUES ($1, $2, 1)
                     ON CONFLICT (centre_code, day) DO UPDATE SET last = case_sequences.last + 1
                     RETURNING last",
                )
                .bind(&case.centre_code)
                .bind(day)
                .fetch_one(&mut *tx)
                .await?;
                let number = banshi_domain::case::case_number(&case.centre_code, day, sequence as u32);
                let state = banshi_domain::case::CaseState::Submitted;
                let row: rows::CaseRow = sqlx::query_as(&format!(
                    "INSERT INTO cases (number, centre_code, item_code, item_name, limit_days, applicant_kind, applicant_name,
                         applicant_id_cipher, agent_name, agent_id_cipher, authorisation, ticket_id, state, state_doc, created_by, created_at, phone_cipher, window_number, query_code_cipher)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING {}",
                    rows::CASE_COLUMNS
                ))
                .bind(&number)
                .bind(&case.centre_code)
                .bind(&case.item_code)
                .bind(&case.item_name)
                .bind(case.limit_days as i32)
                .bind(&case.applicant_kind)
                .bind(&case.applicant_name)
                .bind(&case.applicant_id_cipher)
                .bind(&case.agent_name)
                .bind(&case.agent_id_cipher)
                .bind(&case.authorisation)
                .bind(case.ticket_id)
                .bind(state.name())
                .bind(Json(to_json(&state)))
                .bind(actor.staff_id)
                .bind(case.created_at)
                .bind(&case.phone_cipher)
                .bind(case.window)
                .bind(&case.query_code_cipher)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_case", number.to_string()))?;
                let created = row.into_case()?;
                // The sealed numbers stay out of the audit log (the record skips them).
                let entry = AuditWrite { centre: Some(&case.centre_code), action: "create", entity: "case", entity_id: &number, before: None, after: Some(to_json(&created)) };
                audit(&mut tx, actor, entry).await?;
                if let (Some(message), Some(cipher)) = (&case.received_message, &case.phone_cipher) {
                    sqlx::query("INSERT INTO outbox (created_at, kind, recipient_cipher, message, case_id) VALUES ($1, $2, $3, $4, $5)")
                        .bind(case.created_at)
                        .bind(&message.kind)
                        .bind(cipher)
                        .bind(message.text.replace("{number}", &number))
                        .bind(created.id)
                        .execute(&mut *tx)
                        .await?;
                    // The kind only: the message holds the query code.
                    let after = serde_json::json!({ "kind": message.kind });
                    audit(&mut tx, actor, AuditWrite { centre: Some(&case.centre_code), action: "queue_message", entity: "case", entity_id: &number, before: None, after: Some(after) }).await?;
                }
                self.commit(tx).await?;
                Ok(created)
            }

            async fn replace_query_code(&self, actor: &Actor, number: &str, query_code_cipher: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let centre: Option<String> = sqlx::query_scalar("UPDATE cases SET query_code_cipher = $2 WHERE number = $1 RETURNING centre_code").bind(number).bind(query_code_cipher).fetch_optional(&mut *tx).await?;
                let centre = centre.ok_or_else(|| crate::not_found("thing_case", number))?;
                audit(&mut tx, actor, AuditWrite { centre: Some(&centre), action: "replace_query_code", entity: "case", entity_id: number, before: None, after: None }).await?;
                self.commit(tx).await?;
                Ok(())
            }

            async fn case(&self, number: &str) -> StoreResult<Option<Case>> {
                let row: Option<rows::CaseRow> = sqlx::query_as(&format!("SELECT {} FROM cases WHERE number = $1", rows::CASE_COLUMNS))
                    .bind(number)
                    .fetch_optional(&self.read)
                    .await?;
                row.map(rows::CaseRow::into_case).transpose()
            }

            async fn ticket_history(&self, ticket_id: i64) -> StoreResult<Vec<(DateTime<Utc>, serde_json::Value)>> {
                let rows: Vec<(DateTime<Utc>, Json<serde_json::Value>)> = sqlx::query_as("SELECT at, event FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
                    .bind(ticket_id)
                    .fetch_all(&self.read)
                    .await?;
                Ok(rows.into_iter().map(|(at, event)| (at, event.0)).collect())
            }

            async fn case_history(&self, case_id: i64) -> StoreResult<Vec<CaseHistoryEntry>> {
                let rows: Vec<rows::CaseHistoryRow> = sqlx::query_as("SELECT at, day, actor, event FROM case_events WHERE case_id = $1 ORDER BY id")
                    .bind(case_id)
                    .fetch_all(&self.read)
                    .await?;
                rows.into_iter()
                    .map(|row| Ok(CaseHistoryEntry { at: row.at, day: row.day, actor: row.actor, event: crate::from_json("case event", row.event.0)? }))
                    .collect()
            }

            async fn apply_case_event(&self, actor: &Actor, number: &str, event: &banshi_domain::case::CaseEvent, at: DateTime<Utc>, day: chrono::NaiveDate, message: Option<&CaseMessage>) -> StoreResult<Case> {
                let mut tx = self.begin().await?;
                let centre: Option<(String,)> = sqlx::query_as("SELECT centre_code FROM cases WHERE number = $1").bind(number).fetch_optional(&mut *tx).await?;
                let Some((centre,)) = centre else {
                    return Err(crate::not_found("thing_case", number));
                };
                lock_centre(&mut tx, &centre).await?;
                let row: rows::CaseRow = sqlx::query_as(&format!("SELECT {} FROM cases WHERE number = $1", rows::CASE_COLUMNS))
                    .bind(number)
                    .fetch_one(&mut *tx)
                    .await?;
                let case = row.into_case()?;
                let next = banshi_domain::case::apply(&case.state, event).map_err(|e| crate::StoreError::case_refused(number, &e))?;
                sqlx::query("UPDATE cases SET state = $2, state_doc = $3 WHERE id = $1")
                    .bind(case.id)
                    .bind(next.name())
                    .bind(Json(to_json(&next)))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO case_events (case_id, at, day, actor_id, actor, event) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(case.id)
                    .bind(at)
                    .bind(day)
                    .bind(actor.staff_id)
                    .bind(&actor.label)
                    .bind(Json(to_json(event)))
                    .execute(&mut *tx)
                    .await?;
                // The applicant's message is written with the event, or not at all.
                if let (Some(message), Some(cipher)) = (message, &case.phone_cipher) {
                    sqlx::query("INSERT INTO outbox (created_at, kind, recipient_cipher, message, case_id) VALUES ($1, $2, $3, $4, $5)")
                        .bind(at)
                        .bind(&message.kind)
                        .bind(cipher)
                        .bind(&message.text)
                        .bind(case.id)
                        .execute(&mut *tx)
                        .await?;
                    let after = serde_json::json!({ "kind": message.kind, "message": message.text });
                    audit(&mut tx, actor, AuditWrite { centre: Some(&case.centre_code), action: "queue_message", entity: "case", entity_id: number, before: None, after: Some(after) }).await?;
                }
                self.commit(tx).await?;
                Ok(Case { state: next, ..case })
            }

            async fn record_visit(&self, actor: &Actor, number: &str) -> StoreResult<Case> {
                let mut tx = self.begin().await?;
                let row: Option<rows::CaseRow> = sqlx::query_as(&format!(
                    "UPDATE cases SET visits = visits + 1 WHERE number = $1 RETURNING {}",
                    rows::CASE_COLUMNS
                ))
                .bind(number)
                .fetch_optional(&mut *tx)
                .await?;
                let case = row.ok_or_else(|| crate::not_found("thing_case", number))?.into_case()?;
                if !case.state.counts_trips() {
                    return Err(crate::StoreError::Rule { key: "case_visit_decided", values: vec![("number", number.to_string()), ("state", case.state.name().to_string())] });
                }
                let after = serde_json::json!({ "visits": case.visits });
                audit(&mut tx, actor, AuditWrite { centre: Some(&case.centre_code), action: "visit", entity: "case", entity_id: number, before: None, after: Some(after) }).await?;
                self.commit(tx).await?;
                Ok(case)
            }

            async fn open_cases(&self, centre_code: &str) -> StoreResult<Vec<(Case, Vec<CaseHistoryEntry>)>> {
                let rows: Vec<rows::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM cases WHERE centre_code = $1 AND state NOT IN ('不予受理', '送达领取') ORDER BY id",
                    rows::CASE_COLUMNS
                ))
                .bind(centre_code)
                .fetch_all(&self.read)
                .await?;
                let events: Vec<rows::CaseEventRow> = sqlx::query_as(
                    "SELECT e.case_id, e.at, e.day, e.actor, e.event FROM case_events e JOIN cases c ON c.id = e.case_id
                     WHERE c.centre_code = $1 AND c.state NOT IN ('不予受理', '送达领取') ORDER BY e.id",
                )
                .bind(centre_code)
                .fetch_all(&self.read)
                .await?;
                let mut histories: std::collections::HashMap<i64, Vec<CaseHistoryEntry>> = std::collections::HashMap::new();
                for row in events {
                    let entry = CaseHistoryEntry { at: row.at, day: row.day, actor: row.actor, event: crate::from_json("case event", row.event.0)? };
                    histories.entry(row.case_id).or_default().push(entry);
                }
                rows.into_iter()
                    .map(|row| {
                        let case = row.into_case()?;
                        let history = histories.remove(&case.id).unwrap_or_default();
                        Ok((case, history))
                    })
                    .collect()
            }

            async fn finished_cases(&self, centre_code: &str) -> StoreResult<Vec<Case>> {
                let rows: Vec<rows::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM cases WHERE centre_code = $1 AND state IN ('办结', '送达领取') ORDER BY id",
                    rows::CASE_COLUMNS
                ))
                .bind(centre_code)
                .fetch_all(&self.read)
                .await?;
                rows.into_iter().map(rows::CaseRow::into_case).collect()
            }

            async fn create_inquiry(&self, actor: &Actor, inquiry: &NewInquiry) -> StoreResult<Inquiry> {
                let owner = actor.staff_id.ok_or_else(|| crate::StoreError::Rule { key: "store_staff_only", values: vec![] })?;
                let mut tx = self.begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO inquiries (centre_code, channel, subject, asker, owner_id, first_owner_id, created_at)
                     VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
                )
                .bind(&inquiry.centre_code)
                .bind(&inquiry.channel)
                .bind(&inquiry.subject)
                .bind(&inquiry.asker)
                .bind(owner)
                .bind(inquiry.created_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_inquiry", ""))?;
                let created: Inquiry = sqlx::query_as(&format!("{} WHERE i.id = $1", rows::INQUIRY_SQL)).bind(id).fetch_one(&mut *tx).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&created.centre_code), action: "create", entity: "inquiry", entity_id: &entity_id, before: None, after: Some(to_json(&created)) }).await?;
                self.commit(tx).await?;
                Ok(created)
            }

            async fn inquiry(&self, id: i64) -> StoreResult<Option<Inquiry>> {
                Ok(sqlx::query_as(&format!("{} WHERE i.id = $1", rows::INQUIRY_SQL)).bind(id).fetch_optional(&self.read).await?)
            }

            async fn open_inquiries(&self, staff_id: i64) -> StoreResult<Vec<Inquiry>> {
                Ok(sqlx::query_as(&format!("{} WHERE (i.owner_id = $1 OR i.first_owner_id = $1) AND i.handled_at IS NULL ORDER BY i.id", rows::INQUIRY_SQL))
                    .bind(staff_id)
                    .fetch_all(&self.read)
                    .await?)
            }

            async fn inquiry_handovers(&self, id: i64) -> StoreResult<Vec<Handover>> {
                Ok(sqlx::query_as(
                    "SELECT f.name AS from_name, t.name AS to_name, h.reason, h.at
                     FROM inquiry_handovers h JOIN staff f ON f.id = h.from_id JOIN staff t ON t.id = h.to_id
                     WHERE h.inquiry_id = $1 ORDER BY h.id",
                )
                .bind(id)
                .fetch_all(&self.read)
                .await?)
            }

            async fn hand_over_inquiry(&self, actor: &Actor, id: i64, to_staff_id: i64, reason: &str, at: DateTime<Utc>) -> StoreResult<Inquiry> {
                let mut tx = self.begin().await?;
                let before = open_inquiry_owned_by(&mut tx, actor, id).await?;
                let colleague: Option<(String, bool)> = sqlx::query_as("SELECT centre_code, active FROM staff WHERE id = $1").bind(to_staff_id).fetch_optional(&mut *tx).await?;
                match colleague {
                    Some((centre, true)) if centre == before.centre_code && to_staff_id != before.owner_id => {}
                    Some(_) if to_staff_id == before.owner_id => return Err(crate::StoreError::Rule { key: "inquiry_yours_already", values: vec![] }),
                    _ => return Err(crate::not_found("thing_colleague", to_staff_id)),
                }
                sqlx::query("UPDATE inquiries SET owner_id = $2 WHERE id = $1").bind(id).bind(to_staff_id).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO inquiry_handovers (inquiry_id, from_id, to_id, reason, at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(before.owner_id)
                    .bind(to_staff_id)
                    .bind(reason)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                let after: Inquiry = sqlx::query_as(&format!("{} WHERE i.id = $1", rows::INQUIRY_SQL)).bind(id).fetch_one(&mut *tx).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "hand_over", entity: "inquiry", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn handle_inquiry(&self, actor: &Actor, id: i64, answer: &str, at: DateTime<Utc>) -> StoreResult<Inquiry> {
                let mut tx = self.begin().await?;
                let before = open_inquiry_owned_by(&mut tx, actor, id).await?;
                sqlx::query("UPDATE inquiries SET answer = $2, handled_at = $3 WHERE id = $1").bind(id).bind(answer).bind(at).execute(&mut *tx).await?;
                let after: Inquiry = sqlx::query_as(&format!("{} WHERE i.id = $1", rows::INQUIRY_SQL)).bind(id).fetch_one(&mut *tx).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "handle", entity: "inquiry", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn calendar_years(&self) -> StoreResult<Vec<banshi_domain::calendar::HolidaySchedule>> {
                let rows: Vec<(Json<banshi_domain::calendar::HolidaySchedule>,)> = sqlx::query_as("SELECT schedule FROM calendar_years ORDER BY year").fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(|(schedule,)| schedule.0).collect())
            }

            async fn save_calendar_year(&self, actor: &Actor, schedule: &banshi_domain::calendar::HolidaySchedule) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<(Json<serde_json::Value>,)> = sqlx::query_as("SELECT schedule FROM calendar_years WHERE year = $1").bind(schedule.year).fetch_optional(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO calendar_years (year, schedule, loaded_by, loaded_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (year) DO UPDATE SET schedule = excluded.schedule, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at",
                )
                .bind(schedule.year)
                .bind(Json(schedule))
                .bind(&actor.label)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
                let entity_id = schedule.year.to_string();
                audit(&mut tx, actor, AuditWrite { centre: None, action: "load", entity: "calendar_year", entity_id: &entity_id, before: before.map(|(b,)| b.0), after: Some(to_json(schedule)) }).await?;
                self.commit(tx).await
            }

            async fn centre_days(&self, centre_code: &str) -> StoreResult<Vec<banshi_domain::calendar::LocalDay>> {
                let rows: Vec<(chrono::NaiveDate, bool, String)> =
                    sqlx::query_as("SELECT day, working, reason FROM centre_days WHERE centre_code = $1 ORDER BY day").bind(centre_code).fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(|(date, working, reason)| banshi_domain::calendar::LocalDay { date, working, reason }).collect())
            }

            async fn save_centre_day(&self, actor: &Actor, centre_code: &str, day: &banshi_domain::calendar::LocalDay) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<(bool, String)> =
                    sqlx::query_as("SELECT working, reason FROM centre_days WHERE centre_code = $1 AND day = $2").bind(centre_code).bind(day.date).fetch_optional(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO centre_days (centre_code, day, working, reason) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (centre_code, day) DO UPDATE SET working = excluded.working, reason = excluded.reason",
                )
                .bind(centre_code)
                .bind(day.date)
                .bind(day.working)
                .bind(&day.reason)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_centre_day", day.date.to_string()))?;
                let entity_id = format!("{centre_code}/{}", day.date);
                let before = before.map(|(working, reason)| serde_json::json!({ "working": working, "reason": reason }));
                audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "save", entity: "centre_day", entity_id: &entity_id, before, after: Some(to_json(day)) }).await?;
                self.commit(tx).await
            }

            async fn remove_centre_day(&self, actor: &Actor, centre_code: &str, date: chrono::NaiveDate) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<(bool, String)> =
                    sqlx::query_as("SELECT working, reason FROM centre_days WHERE centre_code = $1 AND day = $2").bind(centre_code).bind(date).fetch_optional(&mut *tx).await?;
                let Some((working, reason)) = before else {
                    return Err(crate::not_found("thing_centre_day", date));
                };
                sqlx::query("DELETE FROM centre_days WHERE centre_code = $1 AND day = $2").bind(centre_code).bind(date).execute(&mut *tx).await?;
                let entity_id = format!("{centre_code}/{date}");
                audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "remove", entity: "centre_day", entity_id: &entity_id, before: Some(serde_json::json!({ "working": working, "reason": reason })), after: None }).await?;
                self.commit(tx).await
            }

            async fn ready(&self) -> StoreResult<()> {
                let (applied,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&self.read).await?;
                let built = MIGRATOR.iter().map(|m| m.version).max();
                if applied != built {
                    return Err(crate::StoreError::Corrupt(format!("migrations applied up to {applied:?}, this build has up to {built:?}")));
                }
                Ok(())
            }

            async fn data_key_fingerprint(&self) -> StoreResult<Option<String>> {
                let found: Option<(String,)> = sqlx::query_as("SELECT value FROM installation WHERE name = 'data_key_fingerprint'").fetch_optional(&self.read).await?;
                Ok(found.map(|(value,)| value))
            }

            async fn crypto_suite(&self) -> StoreResult<Option<crate::CryptoSuite>> {
                let found: Option<(String,)> = sqlx::query_as("SELECT value FROM installation WHERE name = 'crypto_suite'").fetch_optional(&self.read).await?;
                found.map(|(value,)| crate::CryptoSuite::parse(&value).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown crypto suite \"{value}\"")))).transpose()
            }

            async fn choose_crypto_suite(&self, suite: crate::CryptoSuite) -> StoreResult<crate::CryptoSuite> {
                let mut tx = self.begin().await?;
                let kept: Option<String> = sqlx::query_scalar("SELECT value FROM installation WHERE name = 'crypto_suite'").fetch_optional(&mut *tx).await?;
                if let Some(kept) = kept {
                    return crate::CryptoSuite::parse(&kept).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown crypto suite \"{kept}\"")));
                }
                let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *tx).await?;
                let fingerprint: Option<String> = sqlx::query_scalar("SELECT value FROM installation WHERE name = 'data_key_fingerprint'").fetch_optional(&mut *tx).await?;
                let chosen = if entries == 0 && fingerprint.is_none() { suite } else { crate::CryptoSuite::Standard };
                sqlx::query("INSERT INTO installation (name, value) VALUES ('crypto_suite', $1)").bind(chosen.as_str()).execute(&mut *tx).await?;
                self.commit(tx).await?;
                Ok(chosen)
            }

            async fn record_data_key_fingerprint(&self, fingerprint: &str, suite: crate::CryptoSuite) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query("INSERT INTO installation (name, value) VALUES ('data_key_fingerprint', $1) ON CONFLICT (name) DO NOTHING").bind(fingerprint).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO installation (name, value) VALUES ('crypto_suite', $1) ON CONFLICT (name) DO NOTHING").bind(suite.as_str()).execute(&mut *tx).await?;
                self.commit(tx).await
            }

            async fn a_sealed_value(&self) -> StoreResult<Option<String>> {
                for (table, column) in crate::SEALED_COLUMNS {
                    let found: Option<(String,)> = sqlx::query_as(&format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 1")).fetch_optional(&self.read).await?;
                    if let Some((sealed,)) = found {
                        return Ok(Some(sealed));
                    }
                }
                Ok(None)
            }

            async fn reseal_all(&self, actor: &Actor, reseal: &(dyn for<'a> Fn(&'a str) -> Result<String, String> + Send + Sync), new_fingerprint: &str) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let mut count = 0;
                for (table, column) in crate::SEALED_COLUMNS {
                    let rows: Vec<(i64, String)> = sqlx::query_as(&format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).fetch_all(&mut *tx).await?;
                    for (id, sealed) in rows {
                        let resealed = reseal(&sealed).map_err(|e| crate::StoreError::Corrupt(format!("{table}.{column} of {id}: {e}")))?;
                        sqlx::query(&format!("UPDATE {table} SET {column} = $2 WHERE id = $1")).bind(id).bind(resealed).execute(&mut *tx).await?;
                        count += 1;
                    }
                }
                sqlx::query("INSERT INTO installation (name, value) VALUES ('data_key_fingerprint', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value").bind(new_fingerprint).execute(&mut *tx).await?;
                let after = serde_json::json!({ "resealed": count, "fingerprint": new_fingerprint });
                audit(&mut tx, actor, AuditWrite { centre: None, action: "rotate", entity: "data_key", entity_id: "data_key", before: None, after: Some(after) }).await?;
                self.commit(tx).await?;
                Ok(count)
            }

            async fn outbox_backlog(&self) -> StoreResult<i64> {
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetch_one(&self.read).await?;
                Ok(count)
            }

            async fn publish(&self, event: &str) -> StoreResult<()> {
                self.publish_event(event).await
            }

            fn subscribe(&self) -> tokio::sync::broadcast::Receiver<String> {
                self.events.subscribe()
            }

            // The queue's hot reads are each backend's own too (`queue_*`).
            async fn windows_live(&self, centre_code: &str) -> StoreResult<Vec<WindowLive>> {
                self.queue_windows_live(centre_code).await
            }

            async fn waiting_tickets(&self, centre_code: &str, queue: Option<&str>) -> StoreResult<Vec<WaitingTicket>> {
                self.queue_waiting_tickets(centre_code, queue).await
            }

            async fn has_unnotified_phones(&self, centre_code: &str) -> StoreResult<bool> {
                self.queue_has_unnotified_phones(centre_code).await
            }

            // The queue's hot writes are each backend's own (`queue_*`): `postgres_queue`, `sqlite_direct`.
            async fn take_ticket(&self, ticket: &NewTicket) -> StoreResult<Ticket> {
                self.queue_take_ticket(ticket).await
            }

            async fn call_next(&self, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
                self.queue_call_next(actor, centre_code, window, policy, now).await
            }

            async fn update_ticket(&self, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
                self.queue_update_ticket(actor, at, ticket_id, event, policy, now).await
            }
        }
    };
}

pub(crate) use impl_sql_store;

