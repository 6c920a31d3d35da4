//! PostgreSQL's queue hot path: the writes batched per centre, the reads plain.
//!
//! A queue write must hold the centre's advisory lock from its first read to its commit, and each
//! statement is a round trip: done one write per transaction, the lock was held across nine of them
//! and a commit (a log flush) per write, which capped a hall near 1,300 writes a second. Here each
//! instance keeps a task per centre that takes every write waiting for that centre and runs them
//! in one transaction under one lock, with one commit: a batch costs three round trips more than
//! its writes, and each write is two to four (its checks merged into one read, its change and its
//! history into one statement). New tickets go in a second stream beside it, without the lock
//! (see [`Stream`]). Answers go out after the commit, so nothing is acknowledged that could still
//! be lost.
//!
//! A write refused by its checks (a busy window, a ticket of another window) or failing in the
//! database makes the whole transaction roll back: the refused write gets its answer and the rest of
//! the batch runs again without it. That is why a write here is a function that can run more than
//! once: it reads the state afresh each time, with its inputs (the time included) fixed.

use crate::queue_rules;
use crate::records::*;
use crate::rows::{self, TicketRow, WindowLiveRow};
use crate::postgres::PostgresStore;
use crate::{conflict_or, to_json, StoreError, StoreResult};
use banshi_domain::queue::{QueuePolicy, TicketEvent, TicketState};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// The most writes one batch takes, so the lock is let go now and then.
const MAX_BATCH: usize = 64;

type Running<'c, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>;

/// A queue write: runs on the batch's connection, inside its transaction and under its lock.
pub(crate) trait QueueWork<T>: for<'c> Fn(&'c mut PgConnection) -> Running<'c, T> + Send + Sync + 'static {}
impl<T, F: for<'c> Fn(&'c mut PgConnection) -> Running<'c, T> + Send + Sync + 'static> QueueWork<T> for F {}

/// A write waiting for its batch, whatever it answers.
trait Job: Send {
    /// Runs the write; its result is kept for the answer. False when it failed.
    fn run<'c>(&'c mut self, db: &'c mut PgConnection) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>>;
    /// Answers with the kept result, or with `failure` when the batch could not commit.
    fn answer(self: Box<Self>, failure: Option<&str>);
}

struct Write<T, F> {
    work: F,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T: Send + 'static, F: QueueWork<T>> Job for Write<T, F> {
    fn run<'c>(&'c mut self, db: &'c mut PgConnection) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>> {
        Box::pin(async move {
            let result = (self.work)(db).await;
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
    }

    fn answer(self: Box<Self>, failure: Option<&str>) {
        let result = match (failure, self.result) {
            (Some(failure), _) => Err(StoreError::Direct(failure.to_string())),
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Direct("the write did not run".into())),
        };
        // The caller may have gone (a closed request); the write stands all the same.
        let _ = self.reply.send(result);
    }
}

/// Which of a centre's two batch streams a write goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Stream {
    /// Calls and ticket actions: under the centre's lock, since each decides from what the others
    /// wrote (who is free, who is next).
    Locked,
    /// New tickets: numbered by their queue's counter row, which PostgreSQL locks by itself, and
    /// they decide nothing about other tickets; so they run beside the locked stream, not in it.
    Unlocked,
}

/// Two batching tasks per centre (see [`Stream`]), started on the centre's first write.
pub(crate) struct QueueBatcher {
    pool: PgPool,
    centres: Mutex<HashMap<(String, Stream), Inbox>>,
}

/// Where a batching task takes its writes from.
type Inbox = mpsc::UnboundedSender<Box<dyn Job>>;

impl QueueBatcher {
    pub(crate) fn new(pool: PgPool) -> QueueBatcher {
        QueueBatcher { pool, centres: Mutex::new(HashMap::new()) }
    }

    /// Runs `work` in the centre's next batch; answers once the batch is committed.
    pub(crate) async fn write<T: Send + 'static>(&self, centre_code: &str, stream: Stream, work: impl QueueWork<T>) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Write { work, result: None, reply });
        {
            let mut centres = self.centres.lock().map_err(|_| StoreError::Direct("the queue writers are unusable".into()))?;
            let inbox = centres.entry((centre_code.to_string(), stream)).or_insert_with(|| {
                let (inbox, jobs) = mpsc::unbounded_channel();
                tokio::spawn(write_loop(self.pool.clone(), Arc::from(centre_code), stream, jobs));
                inbox
            });
            if let Err(mpsc::error::SendError(job)) = inbox.send(job) {
                // The task ended (its runtime shut down): start a fresh one for this write.
                let (fresh, jobs) = mpsc::unbounded_channel();
                tokio::spawn(write_loop(self.pool.clone(), Arc::from(centre_code), stream, jobs));
                fresh.send(job).map_err(|_| StoreError::Direct("the queue writer has stopped".into()))?;
                *inbox = fresh;
            }
        }
        answer.await.map_err(|_| StoreError::Direct("the queue writer has stopped".into()))?
    }
}

async fn write_loop(pool: PgPool, centre: Arc<str>, stream: Stream, mut jobs: mpsc::UnboundedReceiver<Box<dyn Job>>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        while !batch.is_empty() {
            match run_batch(&pool, &centre, stream, &mut batch).await {
                Ok(None) => {
                    for job in batch.drain(..) {
                        job.answer(None);
                    }
                }
                // Rolled back: the failed write has its answer; the others run again without it.
                Ok(Some(failed)) => batch.remove(failed).answer(None),
                Err(err) => {
                    tracing::error!(%err, centre = %centre, writes = batch.len(), "a batch of queue writes failed");
                    let failure = err.to_string();
                    for job in batch.drain(..) {
                        job.answer(Some(&failure));
                    }
                }
            }
        }
    }
}

/// Runs the batch in one transaction, under the centre's lock for the locked stream. `Some(i)`:
/// write `i` failed and everything was rolled back.
async fn run_batch(pool: &PgPool, centre: &str, stream: Stream, batch: &mut [Box<dyn Job>]) -> StoreResult<Option<usize>> {
    let mut tx = pool.begin().await?;
    if stream == Stream::Locked {
        sqlx::query(crate::postgres::LOCK_CENTRE_SQL).bind(centre).execute(&mut *tx).await?;
    }
    for (index, job) in batch.iter_mut().enumerate() {
        if !job.run(&mut tx).await {
            tx.rollback().await?;
            return Ok(Some(index));
        }
    }
    tx.commit().await?;
    Ok(None)
}

/// A window's live row with the ticket called or served there (other than `except`), in one read.
#[derive(sqlx::FromRow)]
struct WindowBusyRow {
    #[sqlx(flatten)]
    live: WindowLiveRow,
    busy_with: Option<String>,
}

async fn window_and_busy(db: &mut PgConnection, centre_code: &str, number: i32, except: Option<i64>) -> StoreResult<(WindowLive, Option<String>)> {
    let sql = format!(
        "SELECT live.*, (SELECT t.number FROM tickets t WHERE t.centre_code = $1 AND t.window_number = live.number AND t.id <> $3
                         AND t.state IN ('called', 'serving') ORDER BY t.id LIMIT 1) AS busy_with
         FROM ({} AND w.number = $2) live",
        rows::WINDOWS_LIVE_SQL
    );
    let row: Option<WindowBusyRow> = sqlx::query_as(&sql).bind(centre_code).bind(number).bind(except.unwrap_or(0)).fetch_optional(db).await?;
    let row = row.ok_or_else(|| crate::not_found("thing_window", number))?;
    Ok((row.live.into_live()?, row.busy_with))
}

async fn load_ticket(db: &mut PgConnection, ticket_id: i64) -> StoreResult<Ticket> {
    let row: Option<TicketRow> = sqlx::query_as(&format!("SELECT {} FROM tickets WHERE id = $1", rows::TICKET_COLUMNS)).bind(ticket_id).fetch_optional(db).await?;
    row.ok_or_else(|| crate::not_found("thing_ticket", ticket_id))?.into_ticket()
}

/// Writes the change `event` makes and appends it to the ticket's history, in one statement.
async fn apply_ticket_event(db: &mut PgConnection, actor: &Actor, ticket: Ticket, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
    let change = queue_rules::ticket_change(&ticket, event, policy, now)?;
    sqlx::query(
        "WITH changed AS (
             UPDATE tickets SET state = $2, state_doc = $3, window_number = $4, queue_prefix = $5,
                 called_at = COALESCE($6, called_at), started_at = COALESCE($7, started_at), finished_at = COALESCE($8, finished_at),
                 for_window = $13
             WHERE id = $1 RETURNING id)
         INSERT INTO ticket_events (ticket_id, at, actor_id, actor, event) SELECT id, $9, $10, $11, $12 FROM changed",
    )
    .bind(ticket.id)
    .bind(change.next.name())
    .bind(Json(to_json(&change.next)))
    .bind(change.next.window())
    .bind(&change.queue)
    .bind(change.called_at)
    .bind(change.started_at)
    .bind(change.finished_at)
    .bind(now)
    .bind(actor.staff_id)
    .bind(&actor.label)
    .bind(Json(change.recorded))
    .bind(change.for_window)
    .execute(db)
    .await?;
    Ok(Ticket { state: change.next, queue: change.queue, for_window: change.for_window, ..ticket })
}

async fn take_ticket(db: &mut PgConnection, ticket: &NewTicket) -> StoreResult<Ticket> {
    let day = ticket.arrived_at.with_timezone(&chrono::Local).date_naive();
    if let Some(limit) = &ticket.phone_limit {
        let (taken,): (i64,) = sqlx::query_as("SELECT count(*) FROM tickets WHERE centre_code = $1 AND day = $2 AND phone_key = $3")
            .bind(&ticket.centre_code)
            .bind(day)
            .bind(&limit.key)
            .fetch_one(&mut *db)
            .await?;
        if taken >= i64::from(limit.per_day) {
            return Err(crate::StoreError::Rule { key: "ticket_phone_limit", values: vec![("limit", limit.per_day.to_string())] });
        }
    }
    // The next number of the queue today, if the queue exists.
    let sequence: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO ticket_sequences (centre_code, prefix, day, last)
         SELECT $1, $2, $3, 1 WHERE EXISTS (SELECT 1 FROM queues WHERE centre_code = $1 AND prefix = $2)
         ON CONFLICT (centre_code, prefix, day) DO UPDATE SET last = ticket_sequences.last + 1
         RETURNING last",
    )
    .bind(&ticket.centre_code)
    .bind(&ticket.queue)
    .bind(day)
    .fetch_optional(&mut *db)
    .await?;
    let Some((sequence,)) = sequence else {
        return Err(crate::not_found("thing_queue", &ticket.queue));
    };
    if let Some(quota) = ticket.daily_quota.filter(|quota| sequence > i64::from(*quota)) {
        return Err(crate::StoreError::QuotaReached(quota));
    }
    let number = banshi_domain::queue::ticket_number(&ticket.queue, sequence as u32);
    let state = TicketState::Waiting;
    let row: TicketRow = sqlx::query_as(&format!(
        "WITH issued AS (
             INSERT INTO tickets (centre_code, day, number, queue_prefix, arrived_at, priority_reason, items, phone_cipher, state, state_doc, token, phone_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $15) RETURNING {columns}),
         history AS (
             INSERT INTO ticket_events (ticket_id, at, actor_id, actor, event) SELECT id, $5, $12, $13, $14 FROM issued)
         SELECT {columns} FROM issued",
        columns = rows::TICKET_COLUMNS
    ))
    .bind(&ticket.centre_code)
    .bind(day)
    .bind(&number)
    .bind(&ticket.queue)
    .bind(ticket.arrived_at)
    .bind(ticket.priority.map(|p| p.as_str()))
    .bind(Json(&ticket.items))
    .bind(&ticket.phone_cipher)
    .bind(state.name())
    .bind(Json(to_json(&state)))
    .bind(&ticket.token)
    .bind(ticket.issuer.staff_id)
    .bind(&ticket.issuer.label)
    .bind(Json(queue_rules::issued_event(ticket)))
    .bind(ticket.phone_limit.as_ref().map(|limit| &limit.key))
    .fetch_one(db)
    .await
    .map_err(|e| conflict_or(e, "thing_ticket", number.to_string()))?;
    row.into_ticket()
}

async fn call_next(db: &mut PgConnection, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
    let (live, busy_with) = window_and_busy(db, centre_code, window, None).await?;
    queue_rules::require_signed_in(&live, actor)?;
    queue_rules::require_open(&live)?;
    if let Some(number) = busy_with {
        return Err(queue_rules::window_busy(window, &number));
    }
    let today = now.with_timezone(&chrono::Local).date_naive();
    // Only what the call rule reads; the chosen ticket is read whole.
    let candidates: Vec<WaitingTicket> = sqlx::query_as(rows::WAITING_SQL).bind(centre_code).bind(today).fetch_all(&mut *db).await?;
    let view: Vec<banshi_domain::queue::Waiting> = candidates.iter().map(WaitingTicket::view).collect();
    let preference: Vec<&str> = live.queues.iter().map(String::as_str).collect();
    let Some(chosen) = banshi_domain::queue::next_ticket(banshi_domain::queue::Caller { window, queues: &preference, order: live.call_order }, &view, now, policy) else {
        return Ok(None);
    };
    let ticket = load_ticket(db, candidates[chosen].id).await?;
    let event = TicketEvent::Called { window, out_of_order_reason: None };
    apply_ticket_event(db, actor, ticket, &event, policy, now).await.map(Some)
}

async fn update_ticket(db: &mut PgConnection, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
    // Another centre's ticket is not found, whatever the window's state.
    let ticket = load_ticket(db, ticket_id).await?;
    queue_rules::require_same_centre(at, &ticket)?;
    let (live, busy_with) = window_and_busy(db, at.centre_code, at.window, Some(ticket_id)).await?;
    queue_rules::require_signed_in(&live, actor)?;
    queue_rules::require_window_may_act(&live, at, &ticket, event)?;
    match event {
        TicketEvent::Called { .. } => {
            queue_rules::require_open(&live)?;
            if let Some(number) = busy_with {
                return Err(queue_rules::window_busy(at.window, &number));
            }
        }
        TicketEvent::Resumed => {
            if let Some(number) = busy_with {
                return Err(queue_rules::resume_busy(at.window, &number));
            }
        }
        TicketEvent::Transferred { to_queue, to_window } => {
            if let Some(to_queue) = to_queue {
                let exists: Option<(String,)> =
                    sqlx::query_as("SELECT prefix FROM queues WHERE centre_code = $1 AND prefix = $2").bind(at.centre_code).bind(to_queue).fetch_optional(&mut *db).await?;
                if exists.is_none() {
                    return Err(crate::not_found("thing_queue", to_queue));
                }
            }
            if let Some(to_window) = to_window {
                let (target, _) = window_and_busy(db, at.centre_code, *to_window, None).await?;
                queue_rules::require_handover_target(at.window, &target)?;
            }
        }
        _ => {}
    }
    apply_ticket_event(db, actor, ticket, event, policy, now).await
}

impl PostgresStore {
    pub(crate) async fn queue_take_ticket(&self, ticket: &NewTicket) -> StoreResult<Ticket> {
        let ticket = Arc::new(ticket.clone());
        let centre = ticket.centre_code.clone();
        self.queue.write(&centre, Stream::Unlocked, move |db| {
            let ticket = ticket.clone();
            Box::pin(async move { take_ticket(db, &ticket).await })
        })
        .await
    }

    pub(crate) async fn queue_call_next(&self, actor: &Actor, centre_code: &str, window: i32, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Option<Ticket>> {
        let inputs = Arc::new((actor.clone(), centre_code.to_string(), policy.clone()));
        self.queue
            .write(centre_code, Stream::Locked, move |db| {
                let inputs = inputs.clone();
                Box::pin(async move {
                    let (actor, centre_code, policy) = &*inputs;
                    call_next(db, actor, centre_code, window, policy, now).await
                })
            })
            .await
    }

    pub(crate) async fn queue_update_ticket(&self, actor: &Actor, at: AtWindow<'_>, ticket_id: i64, event: &TicketEvent, policy: &QueuePolicy, now: DateTime<Utc>) -> StoreResult<Ticket> {
        let inputs = Arc::new((actor.clone(), at.centre_code.to_string(), event.clone(), policy.clone()));
        let window = at.window;
        self.queue
            .write(at.centre_code, Stream::Locked, move |db| {
                let inputs = inputs.clone();
                Box::pin(async move {
                    let (actor, centre_code, event, policy) = &*inputs;
                    update_ticket(db, actor, AtWindow { centre_code, window }, ticket_id, event, policy, now).await
                })
            })
            .await
    }

    pub(crate) async fn queue_windows_live(&self, centre_code: &str) -> StoreResult<Vec<WindowLive>> {
        let rows: Vec<WindowLiveRow> = sqlx::query_as(&format!("{} ORDER BY w.number", rows::WINDOWS_LIVE_SQL)).bind(centre_code).fetch_all(&self.read).await?;
        rows.into_iter().map(WindowLiveRow::into_live).collect()
    }

    pub(crate) async fn queue_waiting_tickets(&self, centre_code: &str, queue: Option<&str>) -> StoreResult<Vec<WaitingTicket>> {
        let today = chrono::Local::now().date_naive();
        Ok(match queue {
            Some(queue) => {
                let sql = format!("{} AND queue_prefix = $3", rows::WAITING_SQL);
                sqlx::query_as(&sql).bind(centre_code).bind(today).bind(queue).fetch_all(&self.read).await?
            }
            None => sqlx::query_as(rows::WAITING_SQL).bind(centre_code).bind(today).fetch_all(&self.read).await?,
        })
    }

    pub(crate) async fn queue_has_unnotified_phones(&self, centre_code: &str) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM tickets WHERE centre_code = $1 AND state = 'waiting' AND phone_cipher IS NOT NULL AND NOT notified LIMIT 1")
            .bind(centre_code)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }
}
