//! [`HallStore`](crate::HallStore) in the SQL both databases share, instantiated beside
//! `impl_sql_store!` in `sqlite.rs` and `postgres.rs` (it uses that expansion's `audit`,
//! `lock_centre`, `apply_ticket_event` and `write_window_status`).

use banshi_domain::hall::{Hours, Minute};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

/// What `centres.hall` keeps: the hall-wide part of its setup.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct CentreHall {
    pub hours: Hours,
    pub day_close: Option<Minute>,
    pub issue_without_open_window: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct QueueSetupRow {
    pub prefix: String,
    pub name: String,
    pub item_codes: Json<Vec<String>>,
    pub daily_quota: Option<i32>,
    pub issue_until: Option<i32>,
    pub hours: Option<Json<Hours>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct WindowSetupRow {
    pub number: i32,
    pub name: String,
    pub queues: Json<Vec<String>>,
    pub green_channel: bool,
    pub call_order: String,
}

macro_rules! impl_hall_store {
    ($store:ty, $db:ty) => {
        /// The expansion's own module, beside the SQL store's helpers.
        mod hall_sql {
            use super::*;
            use crate::hall::{DayFigures, HallStore};
            use crate::sql_hall::*;
            use crate::StoreError;
            use banshi_domain::hall::{hall_file, HallSetup, Minute, QueueSetup, WindowSetup};
            use chrono::NaiveDate;

            async fn read_hall(conn: &mut <$db as sqlx::Database>::Connection, centre_code: &str) -> StoreResult<HallSetup> {
                let centre: Option<(Option<Json<CentreHall>>,)> = sqlx::query_as("SELECT hall FROM centres WHERE code = $1").bind(centre_code).fetch_optional(&mut *conn).await?;
                let Some((stored,)) = centre else { return Err(crate::not_found("thing_centre", centre_code)) };
                let queues: Vec<QueueSetupRow> =
                    sqlx::query_as("SELECT prefix, name, item_codes, daily_quota, issue_until, hours FROM queues WHERE centre_code = $1 ORDER BY position, prefix")
                        .bind(centre_code)
                        .fetch_all(&mut *conn)
                        .await?;
                let windows: Vec<WindowSetupRow> = sqlx::query_as("SELECT number, name, queues, green_channel, call_order FROM windows WHERE centre_code = $1 ORDER BY number")
                    .bind(centre_code)
                    .fetch_all(&mut *conn)
                    .await?;
                // A centre whose hall was never set up but has queues (made some other way) is not
                // limited by hours or staffed windows; a new one starts with the documented rules.
                let legacy = CentreHall { issue_without_open_window: !queues.is_empty(), ..CentreHall::default() };
                let CentreHall { hours, day_close, issue_without_open_window } = stored.map_or(legacy, |j| j.0);
                let queues = queues
                    .into_iter()
                    .map(|q| QueueSetup {
                        prefix: q.prefix,
                        name: q.name,
                        items: q.item_codes.0,
                        daily_quota: q.daily_quota.map(|n| n as u32),
                        issue_until: q.issue_until.map(|m| m as Minute),
                        hours: q.hours.map(|h| h.0),
                    })
                    .collect();
                let windows = windows
                    .into_iter()
                    .map(|w| Ok(WindowSetup { number: w.number, name: w.name, queues: w.queues.0, call_order: rows::call_order(&w.call_order)?, green_channel: w.green_channel }))
                    .collect::<StoreResult<_>>()?;
                Ok(HallSetup { hours, day_close, issue_without_open_window, queues, windows })
            }

            #[async_trait]
            impl HallStore for $store {
                async fn hall(&self, centre_code: &str) -> StoreResult<HallSetup> {
                    let mut conn = self.read.acquire().await?;
                    read_hall(&mut conn, centre_code).await
                }

                async fn replace_hall(&self, actor: &Actor, centre_code: &str, hall: &HallSetup, today: NaiveDate) -> StoreResult<()> {
                    let mut tx = self.begin().await?;
                    lock_centre(&mut tx, centre_code).await?;
                    let before = read_hall(&mut tx, centre_code).await?;
                    for gone in before.queues.iter().filter(|q| hall.queue(&q.prefix).is_none()) {
                        let (tickets,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE centre_code = $1 AND queue_prefix = $2 AND day = $3")
                            .bind(centre_code)
                            .bind(&gone.prefix)
                            .bind(today)
                            .fetch_one(&mut *tx)
                            .await?;
                        if tickets > 0 {
                            return Err(StoreError::Rule { key: "hall_queue_has_tickets", values: vec![("queue", gone.prefix.clone()), ("count", tickets.to_string())] });
                        }
                        sqlx::query("DELETE FROM queues WHERE centre_code = $1 AND prefix = $2").bind(centre_code).bind(&gone.prefix).execute(&mut *tx).await?;
                    }
                    let staffed: Vec<(i32,)> = sqlx::query_as("SELECT number FROM windows WHERE centre_code = $1 AND status <> 'closed'").bind(centre_code).fetch_all(&mut *tx).await?;
                    for gone in before.windows.iter().filter(|w| !hall.windows.iter().any(|n| n.number == w.number)) {
                        if staffed.iter().any(|(number,)| *number == gone.number) {
                            return Err(StoreError::Rule { key: "hall_window_staffed", values: vec![("window", gone.number.to_string())] });
                        }
                        sqlx::query("DELETE FROM windows WHERE centre_code = $1 AND number = $2").bind(centre_code).bind(gone.number).execute(&mut *tx).await?;
                    }
                    for (position, queue) in hall.queues.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO queues (centre_code, prefix, name, item_codes, position, daily_quota, issue_until, hours)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                             ON CONFLICT (centre_code, prefix) DO UPDATE SET name = excluded.name, item_codes = excluded.item_codes,
                                 position = excluded.position, daily_quota = excluded.daily_quota, issue_until = excluded.issue_until, hours = excluded.hours",
                        )
                        .bind(centre_code)
                        .bind(&queue.prefix)
                        .bind(&queue.name)
                        .bind(Json(&queue.items))
                        .bind(position as i32)
                        .bind(queue.daily_quota.map(|n| n as i32))
                        .bind(queue.issue_until.map(i32::from))
                        .bind(queue.hours.as_ref().map(Json))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, "thing_queue", queue.prefix.clone()))?;
                    }
                    for window in &hall.windows {
                        sqlx::query(
                            "INSERT INTO windows (centre_code, number, name, queues, green_channel, call_order) VALUES ($1, $2, $3, $4, $5, $6)
                             ON CONFLICT (centre_code, number) DO UPDATE SET name = excluded.name, queues = excluded.queues,
                                 green_channel = excluded.green_channel, call_order = excluded.call_order",
                        )
                        .bind(centre_code)
                        .bind(window.number)
                        .bind(&window.name)
                        .bind(Json(&window.queues))
                        .bind(window.green_channel)
                        .bind(window.call_order.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, "thing_window", window.number.to_string()))?;
                    }
                    let centre_hall = CentreHall { hours: hall.hours.clone(), day_close: hall.day_close, issue_without_open_window: hall.issue_without_open_window };
                    sqlx::query("UPDATE centres SET hall = $2 WHERE code = $1").bind(centre_code).bind(Json(&centre_hall)).execute(&mut *tx).await?;
                    let entry = AuditWrite { centre: Some(centre_code), action: "replace", entity: "hall", entity_id: centre_code, before: Some(to_json(&hall_file(&before))), after: Some(to_json(&hall_file(hall))) };
                    audit(&mut tx, actor, entry).await?;
                    self.commit(tx).await
                }

                async fn issued_counts(&self, centre_code: &str, day: NaiveDate) -> StoreResult<Vec<(String, u32)>> {
                    let counts: Vec<(String, i64)> =
                        sqlx::query_as("SELECT prefix, last FROM ticket_sequences WHERE centre_code = $1 AND day = $2").bind(centre_code).bind(day).fetch_all(&self.read).await?;
                    Ok(counts.into_iter().map(|(prefix, last)| (prefix, last as u32)).collect())
                }

                async fn close_day(&self, actor: &Actor, centre_code: &str, day: NaiveDate, now: DateTime<Utc>, sign_out_windows: bool) -> StoreResult<Option<DayFigures>> {
                    let mut tx = self.begin().await?;
                    lock_centre(&mut tx, centre_code).await?;
                    let claimed = sqlx::query("INSERT INTO day_closes (centre_code, day, closed_at, figures) VALUES ($1, $2, $3, $4) ON CONFLICT (centre_code, day) DO NOTHING")
                        .bind(centre_code)
                        .bind(day)
                        .bind(now)
                        .bind(Json(serde_json::json!({})))
                        .execute(&mut *tx)
                        .await?;
                    if claimed.rows_affected() == 0 {
                        return Ok(None);
                    }
                    let open: Vec<rows::TicketRow> = sqlx::query_as(&format!(
                        "SELECT {} FROM tickets WHERE centre_code = $1 AND state IN ('waiting', 'called', 'serving', 'parked') AND day <= $2 ORDER BY id",
                        rows::TICKET_COLUMNS
                    ))
                    .bind(centre_code)
                    .bind(day)
                    .fetch_all(&mut *tx)
                    .await?;
                    let expired = open.len() as i64;
                    for row in open {
                        apply_ticket_event(&mut tx, actor, row.into_ticket()?, &TicketEvent::Expired, &QueuePolicy::default(), now).await?;
                    }
                    let staffed: Vec<rows::WindowLiveRow> = if sign_out_windows {
                        sqlx::query_as(&format!("{} AND w.status <> 'closed' ORDER BY w.number", rows::WINDOWS_LIVE_SQL)).bind(centre_code).fetch_all(&mut *tx).await?
                    } else {
                        Vec::new()
                    };
                    let windows_signed_out = staffed.len() as i64;
                    for row in staffed {
                        write_window_status(&mut tx, actor, centre_code, row.into_live()?, WindowStatus::Closed, None, None).await?;
                    }
                    let states: Vec<(String, i64)> = sqlx::query_as("SELECT state, COUNT(*) FROM tickets WHERE centre_code = $1 AND day = $2 GROUP BY state")
                        .bind(centre_code)
                        .bind(day)
                        .fetch_all(&mut *tx)
                        .await?;
                    let count = |state: &str| states.iter().filter(|(s, _)| s == state).map(|(_, n)| n).sum::<i64>();
                    let figures = DayFigures {
                        day,
                        closed_at: now,
                        taken: states.iter().map(|(_, n)| n).sum(),
                        served: count("done"),
                        no_show: count("no_show"),
                        cancelled: count("cancelled"),
                        expired,
                        windows_signed_out,
                    };
                    sqlx::query("UPDATE day_closes SET figures = $3 WHERE centre_code = $1 AND day = $2").bind(centre_code).bind(day).bind(Json(&figures)).execute(&mut *tx).await?;
                    let id = format!("{centre_code}/{day}");
                    audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "close", entity: "day", entity_id: &id, before: None, after: Some(to_json(&figures)) }).await?;
                    self.commit(tx).await?;
                    Ok(Some(figures))
                }

                async fn unclosed_days(&self, centre_code: &str, before: NaiveDate) -> StoreResult<Vec<NaiveDate>> {
                    let days: Vec<(NaiveDate,)> = sqlx::query_as(
                        "SELECT DISTINCT t.day FROM tickets t WHERE t.centre_code = $1 AND t.day < $2
                         AND NOT EXISTS (SELECT 1 FROM day_closes c WHERE c.centre_code = t.centre_code AND c.day = t.day) ORDER BY t.day",
                    )
                    .bind(centre_code)
                    .bind(before)
                    .fetch_all(&self.read)
                    .await?;
                    Ok(days.into_iter().map(|(day,)| day).collect())
                }

                async fn closed_days(&self, centre_code: &str, limit: i64) -> StoreResult<Vec<DayFigures>> {
                    let rows: Vec<(Json<DayFigures>,)> =
                        sqlx::query_as("SELECT figures FROM day_closes WHERE centre_code = $1 ORDER BY day DESC LIMIT $2").bind(centre_code).bind(limit).fetch_all(&self.read).await?;
                    Ok(rows.into_iter().map(|(figures,)| figures.0).collect())
                }
            }
        }
    };
}

pub(crate) use impl_hall_store;
