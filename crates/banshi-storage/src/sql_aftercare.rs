//! [`AftercareStore`](crate::AftercareStore) in the SQL both databases share, instantiated beside
//! `impl_sql_store!` in `sqlite.rs` and `postgres.rs` (it uses that expansion's `audit` and
//! `lock_centre`).

use crate::aftercare::*;
use crate::{from_json, StoreError, StoreResult};
use banshi_domain::complaint::FeedbackStage;
use banshi_domain::rating::{BadRatingState, Grade, GradeCode};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;

pub(crate) const RATING_SQL: &str = "
    SELECT r.id, r.centre_code, r.ticket_id, r.case_id, r.grade, r.channel, r.window_number, r.officer_id, s.name AS officer_name,
           r.item_code, r.reasons, r.comment, r.contact_cipher, r.rated_at, r.day
    FROM ratings r LEFT JOIN staff s ON s.id = r.officer_id";

#[derive(sqlx::FromRow)]
pub(crate) struct RatingRow {
    id: i64,
    centre_code: String,
    ticket_id: Option<i64>,
    case_id: Option<i64>,
    grade: i32,
    channel: String,
    window_number: Option<i32>,
    officer_id: Option<i64>,
    officer_name: Option<String>,
    item_code: Option<String>,
    reasons: Json<Vec<String>>,
    comment: Option<String>,
    contact_cipher: Option<String>,
    rated_at: DateTime<Utc>,
    day: NaiveDate,
}

impl RatingRow {
    pub(crate) fn into_rating(self) -> StoreResult<Rating> {
        let grade = u8::try_from(self.grade).ok().and_then(|g| Grade::from_code(g, GradeCode::National)).ok_or_else(|| StoreError::Corrupt(format!("rating {}: grade {}", self.id, self.grade)))?;
        Ok(Rating {
            id: self.id,
            centre_code: self.centre_code,
            ticket_id: self.ticket_id,
            case_id: self.case_id,
            grade,
            channel: self.channel,
            window: self.window_number,
            officer_id: self.officer_id,
            officer_name: self.officer_name,
            item_code: self.item_code,
            reasons: self.reasons.0,
            comment: self.comment,
            real_name: self.contact_cipher.is_some(),
            contact_cipher: self.contact_cipher,
            rated_at: self.rated_at,
            day: self.day,
        })
    }
}

pub(crate) const BAD_RATING_COLUMNS: &str = "b.rating_id, b.state, b.verify_by, b.fix_by, b.fixed_on, b.citizen_satisfied";

#[derive(sqlx::FromRow)]
pub(crate) struct BadRatingRow {
    pub(crate) rating_id: i64,
    state: Json<BadRatingState>,
    verify_by: NaiveDate,
    fix_by: NaiveDate,
    fixed_on: Option<NaiveDate>,
    citizen_satisfied: Option<bool>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct BadRatingEventRow {
    pub(crate) rating_id: i64,
    at: DateTime<Utc>,
    actor: String,
    actor_id: Option<i64>,
    event: Json<serde_json::Value>,
}

/// Puts the ledger's rows together: each item with its rating and history.
pub(crate) fn bad_ratings_of(rows: Vec<BadRatingRow>, ratings: Vec<RatingRow>, events: Vec<BadRatingEventRow>) -> StoreResult<Vec<BadRating>> {
    let mut ratings: std::collections::HashMap<i64, Rating> = ratings.into_iter().map(|r| r.into_rating().map(|r| (r.id, r))).collect::<StoreResult<_>>()?;
    let mut histories: std::collections::HashMap<i64, Vec<BadRatingEntry>> = std::collections::HashMap::new();
    for row in events {
        let event = from_json("bad rating event", row.event.0)?;
        histories.entry(row.rating_id).or_default().push(BadRatingEntry { at: row.at, actor: row.actor, actor_id: row.actor_id, event });
    }
    rows.into_iter()
        .map(|row| {
            let rating = ratings.remove(&row.rating_id).ok_or_else(|| StoreError::Corrupt(format!("bad rating {} without its rating", row.rating_id)))?;
            Ok(BadRating {
                rating,
                state: row.state.0,
                verify_by: row.verify_by,
                fix_by: row.fix_by,
                fixed_on: row.fixed_on,
                citizen_satisfied: row.citizen_satisfied,
                history: histories.remove(&row.rating_id).unwrap_or_default(),
            })
        })
        .collect()
}

pub(crate) const FEEDBACK_SQL: &str = "
    SELECT f.id, f.centre_code, f.kind, f.channel, f.subject, f.body, f.person_name, f.contact_cipher, f.owner_id, s.name AS owner_name, f.about_staff_id,
           f.stage, f.received_at, f.received_on, f.due_on, f.answered_on
    FROM feedback f LEFT JOIN staff s ON s.id = f.owner_id";

#[derive(sqlx::FromRow)]
pub(crate) struct FeedbackRow {
    pub(crate) id: i64,
    centre_code: String,
    kind: String,
    channel: String,
    subject: String,
    body: String,
    person_name: Option<String>,
    contact_cipher: Option<String>,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    about_staff_id: Option<i64>,
    stage: String,
    received_at: DateTime<Utc>,
    received_on: NaiveDate,
    due_on: NaiveDate,
    answered_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct FeedbackStepRow {
    pub(crate) feedback_id: i64,
    stage: String,
    note: String,
    actor: String,
    at: DateTime<Utc>,
}

pub(crate) fn stage_name(stage: FeedbackStage) -> String {
    crate::to_json(&stage).as_str().expect("stages serialise as names").to_string()
}

pub(crate) fn feedback_of(rows: Vec<FeedbackRow>, steps: Vec<FeedbackStepRow>) -> StoreResult<Vec<Feedback>> {
    let mut by_feedback: std::collections::HashMap<i64, Vec<FeedbackStep>> = std::collections::HashMap::new();
    for step in steps {
        let stage = from_json("feedback stage", serde_json::Value::String(step.stage))?;
        by_feedback.entry(step.feedback_id).or_default().push(FeedbackStep { stage, note: step.note, actor: step.actor, at: step.at });
    }
    rows.into_iter()
        .map(|row| {
            Ok(Feedback {
                id: row.id,
                centre_code: row.centre_code,
                kind: from_json("feedback kind", serde_json::Value::String(row.kind))?,
                channel: row.channel,
                subject: row.subject,
                body: row.body,
                person_name: row.person_name,
                contact_cipher: row.contact_cipher,
                owner_id: row.owner_id,
                owner_name: row.owner_name,
                about_staff_id: row.about_staff_id,
                stage: from_json("feedback stage", serde_json::Value::String(row.stage))?,
                received_at: row.received_at,
                received_on: row.received_on,
                due_on: row.due_on,
                answered_on: row.answered_on,
                steps: by_feedback.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct ResidentRow {
    id: i64,
    centre_code: String,
    name: String,
    phone_cipher: Option<String>,
    facts: Json<serde_json::Map<String, serde_json::Value>>,
    updated_at: DateTime<Utc>,
}

impl ResidentRow {
    pub(crate) fn into_resident(self) -> Resident {
        Resident { id: self.id, centre_code: self.centre_code, name: self.name, phone_cipher: self.phone_cipher, facts: self.facts.0, updated_at: self.updated_at }
    }
}

pub(crate) const FOLLOW_UP_SQL: &str = "
    SELECT u.id, u.centre_code, u.kind, u.source, u.resident_id, r.name AS resident_name, u.case_id, c.number AS case_number,
           u.title, u.reason, u.assignee_id, s.name AS assignee_name, u.due_on, u.done_at, u.outcome, u.created_at
    FROM follow_ups u LEFT JOIN residents r ON r.id = u.resident_id LEFT JOIN cases c ON c.id = u.case_id LEFT JOIN staff s ON s.id = u.assignee_id";

pub(crate) const CONTACT_SQL: &str = "
    SELECT k.id, k.resident_id, k.follow_up_id, s.name AS staff_name, k.channel, k.note, k.at
    FROM contacts k JOIN staff s ON s.id = k.staff_id";

/// What a rating reads off the visit it rates: the ticket's state, the last change's actor and
/// event (which names the window it was finished at), and its items.
#[derive(sqlx::FromRow)]
pub(crate) struct VisitRow {
    pub(crate) ticket_id: i64,
    pub(crate) token: String,
    pub(crate) number: String,
    pub(crate) centre_code: String,
    pub(crate) state: String,
    pub(crate) items: Json<Vec<String>>,
    pub(crate) finished_at: Option<DateTime<Utc>>,
    pub(crate) actor_id: Option<i64>,
    pub(crate) event: Option<Json<serde_json::Value>>,
    pub(crate) rated: i64,
}

pub(crate) const VISIT_SQL: &str = "
    SELECT t.id AS ticket_id, t.token, t.number, t.centre_code, t.state, t.items, t.finished_at, e.actor_id, e.event,
           (SELECT COUNT(*) FROM ratings r WHERE r.ticket_id = t.id) AS rated
    FROM tickets t LEFT JOIN ticket_events e ON e.id = (SELECT MAX(x.id) FROM ticket_events x WHERE x.ticket_id = t.id)";

impl VisitRow {
    pub(crate) fn window(&self) -> Option<i32> {
        self.event.as_ref().and_then(|e| e.0.get("window")).and_then(serde_json::Value::as_i64).and_then(|w| i32::try_from(w).ok())
    }

    pub(crate) fn into_visit(self) -> FinishedVisit {
        FinishedVisit { window: self.window(), ticket_id: self.ticket_id, token: self.token, number: self.number, officer_id: self.actor_id, finished_at: self.finished_at, rated: self.rated > 0 }
    }
}

macro_rules! impl_aftercare_store {
    ($store:ty, $db:ty) => {
        /// The expansion's own module: the store's private fields and the SQL store's helpers
        /// (`audit`, `lock_centre`) are visible here, and its imports stay apart.
        mod aftercare_sql {
            use super::*;
            use crate::aftercare::*;
            use crate::sql_aftercare::*;
            use crate::StoreError;
            use banshi_domain::complaint::FeedbackStage;
            use banshi_domain::rating::{BadRatingState, GradeCode};
            use chrono::NaiveDate;

        /// Which bad ratings or feedback a read is of.
        enum Which<'a> {
            Centre(&'a str, NaiveDate),
            Id(i64),
        }

        impl Which<'_> {
            /// The condition on `f` (feedback) or `b` and `r` (bad ratings and their ratings).
            fn condition(&self, id_column: &str, centre_condition: &str) -> String {
                match self {
                    Which::Centre(..) => centre_condition.to_string(),
                    Which::Id(_) => format!("{id_column} = $1"),
                }
            }

            fn bind<'q, O>(&self, query: sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments<'q>>) -> sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments<'q>> {
                match self {
                    Which::Centre(centre, from) => query.bind(centre.to_string()).bind(*from),
                    Which::Id(id) => query.bind(*id),
                }
            }
        }

        async fn bad_ratings_where(conn: &mut <$db as sqlx::Database>::Connection, which: Which<'_>) -> StoreResult<Vec<BadRating>> {
            let condition = which.condition("b.rating_id", "b.centre_code = $1 AND r.day >= $2");
            let rows: Vec<BadRatingRow> = which
                .bind(sqlx::query_as(&format!("SELECT {BAD_RATING_COLUMNS} FROM bad_ratings b JOIN ratings r ON r.id = b.rating_id WHERE {condition} ORDER BY b.rating_id DESC")))
                .fetch_all(&mut *conn)
                .await?;
            let ratings: Vec<RatingRow> = which
                .bind(sqlx::query_as(&format!("{RATING_SQL} WHERE r.id IN (SELECT b.rating_id FROM bad_ratings b JOIN ratings r ON r.id = b.rating_id WHERE {condition})")))
                .fetch_all(&mut *conn)
                .await?;
            let events: Vec<BadRatingEventRow> = which
                .bind(sqlx::query_as(&format!(
                    "SELECT e.rating_id, e.at, e.actor, e.actor_id, e.event FROM bad_rating_events e
                     WHERE e.rating_id IN (SELECT b.rating_id FROM bad_ratings b JOIN ratings r ON r.id = b.rating_id WHERE {condition}) ORDER BY e.id"
                )))
                .fetch_all(&mut *conn)
                .await?;
            bad_ratings_of(rows, ratings, events)
        }

        async fn one_bad_rating(conn: &mut <$db as sqlx::Database>::Connection, rating_id: i64) -> StoreResult<BadRating> {
            bad_ratings_where(conn, Which::Id(rating_id)).await?.pop().ok_or_else(|| crate::not_found("thing_bad_rating", rating_id))
        }

        async fn feedback_where(conn: &mut <$db as sqlx::Database>::Connection, which: Which<'_>) -> StoreResult<Vec<Feedback>> {
            let condition = which.condition("f.id", "f.centre_code = $1 AND (f.stage <> 'archived' OR f.answered_on >= $2)");
            let rows: Vec<FeedbackRow> = which.bind(sqlx::query_as(&format!("{FEEDBACK_SQL} WHERE {condition} ORDER BY f.due_on, f.id"))).fetch_all(&mut *conn).await?;
            let steps: Vec<FeedbackStepRow> = which
                .bind(sqlx::query_as(&format!(
                    "SELECT p.feedback_id, p.stage, p.note, p.actor, p.at FROM feedback_steps p WHERE p.feedback_id IN (SELECT f.id FROM feedback f WHERE {condition}) ORDER BY p.id"
                )))
                .fetch_all(&mut *conn)
                .await?;
            feedback_of(rows, steps)
        }

        async fn one_feedback(conn: &mut <$db as sqlx::Database>::Connection, id: i64) -> StoreResult<Feedback> {
            feedback_where(conn, Which::Id(id)).await?.pop().ok_or_else(|| crate::not_found("thing_feedback", id))
        }

        async fn follow_up_by_id(conn: &mut <$db as sqlx::Database>::Connection, id: i64) -> StoreResult<FollowUp> {
            let found: Option<FollowUp> = sqlx::query_as(&format!("{FOLLOW_UP_SQL} WHERE u.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
            found.ok_or_else(|| crate::not_found("thing_follow_up", id))
        }

        #[async_trait]
        impl AftercareStore for $store {
            async fn rate(&self, actor: &Actor, rating: &NewRating) -> StoreResult<Rating> {
                let mut tx = self.begin().await?;
                // Who and where the rating is of, read off the visit or the case itself.
                let (centre_code, window, officer_id, item_code) = match rating.rated {
                    Rated::Ticket(id) => {
                        let visit: Option<VisitRow> =
                            sqlx::query_as(&format!("{} WHERE t.id = $1", VISIT_SQL)).bind(id).fetch_optional(&mut *tx).await?;
                        let visit = visit.ok_or_else(|| crate::not_found("thing_ticket", id))?;
                        if visit.state != "done" {
                            return Err(StoreError::Rule { key: "rating_visit_not_done", values: vec![("number", visit.number.clone())] });
                        }
                        (visit.centre_code.clone(), visit.window(), visit.actor_id, visit.items.0.first().cloned())
                    }
                    Rated::Case(id) => {
                        let case: Option<(String, String, String, Option<i32>, Option<i64>)> =
                            sqlx::query_as("SELECT centre_code, state, item_code, window_number, created_by FROM cases WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                        let (centre_code, state, item_code, window, officer_id) = case.ok_or_else(|| crate::not_found("thing_case", id))?;
                        if state != "办结" && state != "送达领取" {
                            return Err(StoreError::Rule { key: "rating_case_not_done", values: vec![("state", state.clone())] });
                        }
                        (centre_code, window, officer_id, Some(item_code))
                    }
                };
                let (ticket_id, case_id) = match rating.rated {
                    Rated::Ticket(id) => (Some(id), None),
                    Rated::Case(id) => (None, Some(id)),
                };
                let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO ratings (centre_code, ticket_id, case_id, grade, channel, window_number, officer_id, item_code, reasons, comment, contact_cipher, rated_at, day)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(&centre_code)
                .bind(ticket_id)
                .bind(case_id)
                .bind(i32::from(rating.grade.code(GradeCode::National)))
                .bind(&rating.channel)
                .bind(window)
                .bind(officer_id)
                .bind(&item_code)
                .bind(Json(&rating.reasons))
                .bind(&rating.comment)
                .bind(&rating.contact_cipher)
                .bind(rating.rated_at)
                .bind(rating.day)
                .fetch_one(&mut *tx)
                .await;
                let (id,) = inserted.map_err(|e| match e.as_database_error() {
                    Some(db) if db.is_unique_violation() => if case_id.is_some() { StoreError::Rule { key: "rating_case_rated_already", values: vec![] } } else { StoreError::Rule { key: "rating_visit_rated_already", values: vec![] } },
                    _ => conflict_or(e, "thing_rating", ""),
                })?;
                if rating.grade.is_bad() {
                    sqlx::query("INSERT INTO bad_ratings (rating_id, centre_code, state, verify_by, fix_by) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(&centre_code)
                        .bind(Json(BadRatingState::Open))
                        .bind(rating.verify_by)
                        .bind(rating.fix_by)
                        .execute(&mut *tx)
                        .await?;
                }
                let row: RatingRow = sqlx::query_as(&format!("{} WHERE r.id = $1", RATING_SQL)).bind(id).fetch_one(&mut *tx).await?;
                let created = row.into_rating()?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&created.centre_code), action: "rate", entity: "rating", entity_id: &entity_id, before: None, after: Some(to_json(&created)) }).await?;
                self.commit(tx).await?;
                Ok(created)
            }

            async fn rating_of(&self, rated: Rated) -> StoreResult<Option<Rating>> {
                let (column, id) = match rated {
                    Rated::Ticket(id) => ("ticket_id", id),
                    Rated::Case(id) => ("case_id", id),
                };
                let row: Option<RatingRow> =
                    sqlx::query_as(&format!("{} WHERE r.{column} = $1", RATING_SQL)).bind(id).fetch_optional(&self.read).await?;
                row.map(RatingRow::into_rating).transpose()
            }

            async fn ratings(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<Rating>> {
                let rows: Vec<RatingRow> =
                    sqlx::query_as(&format!("{RATING_SQL} WHERE r.centre_code = $1 AND r.day >= $2 ORDER BY r.id")).bind(centre_code).bind(from).fetch_all(&self.read).await?;
                rows.into_iter().map(RatingRow::into_rating).collect()
            }

            async fn finished_visits(&self, centre_code: &str, day: NaiveDate, limit: i64) -> StoreResult<Vec<FinishedVisit>> {
                let rows: Vec<VisitRow> = sqlx::query_as(&format!(
                    "{} WHERE t.centre_code = $1 AND t.day = $2 AND t.state = 'done' ORDER BY t.finished_at DESC, t.id DESC LIMIT $3",
                    VISIT_SQL
                ))
                .bind(centre_code)
                .bind(day)
                .bind(limit)
                .fetch_all(&self.read)
                .await?;
                Ok(rows.into_iter().map(VisitRow::into_visit).collect())
            }

            async fn finished_visit(&self, ticket_id: i64) -> StoreResult<Option<FinishedVisit>> {
                let row: Option<VisitRow> =
                    sqlx::query_as(&format!("{} WHERE t.id = $1 AND t.state = 'done'", VISIT_SQL)).bind(ticket_id).fetch_optional(&self.read).await?;
                Ok(row.map(VisitRow::into_visit))
            }

            async fn rating_counts(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<RatingCount>> {
                Ok(sqlx::query_as(
                    "SELECT r.item_code, r.window_number, r.grade,
                            CASE WHEN b.state = $3 THEN TRUE ELSE FALSE END AS voided,
                            COUNT(*) AS count
                     FROM ratings r LEFT JOIN bad_ratings b ON b.rating_id = r.id
                     WHERE r.centre_code = $1 AND r.day >= $2
                     GROUP BY r.item_code, r.window_number, r.grade, voided ORDER BY r.item_code, r.window_number, r.grade",
                )
                .bind(centre_code)
                .bind(from)
                .bind(Json(BadRatingState::Voided))
                .fetch_all(&self.read)
                .await?)
            }

            async fn bad_ratings(&self, centre_code: &str, from: NaiveDate) -> StoreResult<Vec<BadRating>> {
                bad_ratings_where(&mut *self.read.acquire().await?, Which::Centre(centre_code, from)).await
            }

            async fn bad_rating(&self, rating_id: i64) -> StoreResult<Option<BadRating>> {
                Ok(bad_ratings_where(&mut *self.read.acquire().await?, Which::Id(rating_id)).await?.pop())
            }

            async fn act_on_bad_rating(&self, actor: &Actor, rating_id: i64, event: &banshi_domain::rating::BadRatingEvent, at: DateTime<Utc>, day: NaiveDate) -> StoreResult<BadRating> {
                let mut tx = self.begin().await?;
                let centre: Option<(String,)> = sqlx::query_as("SELECT centre_code FROM bad_ratings WHERE rating_id = $1").bind(rating_id).fetch_optional(&mut *tx).await?;
                let (centre_code,) = centre.ok_or_else(|| crate::not_found("thing_bad_rating", rating_id))?;
                lock_centre(&mut tx, &centre_code).await?;
                let before = one_bad_rating(&mut *tx, rating_id).await?;
                let (state, facts) = banshi_domain::rating::replay(before.rating.real_name, before.history.iter().map(|h| &h.event)).map_err(|e| StoreError::Corrupt(format!("bad rating {rating_id}: {e}")))?;
                let next = banshi_domain::rating::apply(state, facts, event).map_err(|e| StoreError::rating_refused(&e))?;
                use banshi_domain::rating::BadRatingEvent as E;
                // A fix dates the item; a citizen unconvinced by it undoes the date, to be fixed again.
                let (fixed_on, citizen_satisfied) = match event {
                    E::Fixed { .. } | E::Explained { .. } => (Some(day), before.citizen_satisfied),
                    E::Closed { citizen_satisfied, .. } => (if *citizen_satisfied { before.fixed_on } else { None }, Some(*citizen_satisfied)),
                    _ => (before.fixed_on, before.citizen_satisfied),
                };
                sqlx::query("UPDATE bad_ratings SET state = $2, fixed_on = $3, citizen_satisfied = $4 WHERE rating_id = $1")
                    .bind(rating_id)
                    .bind(Json(next))
                    .bind(fixed_on)
                    .bind(citizen_satisfied)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO bad_rating_events (rating_id, at, day, actor_id, actor, event) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(rating_id)
                    .bind(at)
                    .bind(day)
                    .bind(actor.staff_id)
                    .bind(&actor.label)
                    .bind(Json(event))
                    .execute(&mut *tx)
                    .await?;
                let after = one_bad_rating(&mut *tx, rating_id).await?;
                let entity_id = rating_id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.rating.centre_code), action: event.name(), entity: "bad_rating", entity_id: &entity_id, before: Some(to_json(&before.state)), after: Some(to_json(&after.state)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn create_feedback(&self, actor: &Actor, feedback: &NewFeedback) -> StoreResult<Feedback> {
                let mut tx = self.begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO feedback (centre_code, kind, channel, subject, body, person_name, contact_cipher, owner_id, first_owner_id, stage, received_at, received_on, due_on, about_staff_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(&feedback.centre_code)
                .bind(to_json(&feedback.kind).as_str().unwrap_or_default().to_string())
                .bind(&feedback.channel)
                .bind(&feedback.subject)
                .bind(&feedback.body)
                .bind(&feedback.person_name)
                .bind(&feedback.contact_cipher)
                // A complaint about the one recording it waits for someone else to take it.
                .bind(actor.staff_id.filter(|id| feedback.about_staff_id != Some(*id)))
                .bind(stage_name(FeedbackStage::Received))
                .bind(feedback.received_at)
                .bind(feedback.received_on)
                .bind(feedback.due_on)
                .bind(feedback.about_staff_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_feedback", ""))?;
                sqlx::query("INSERT INTO feedback_steps (feedback_id, stage, note, actor_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id)
                    .bind(stage_name(FeedbackStage::Received))
                    .bind(&feedback.subject)
                    .bind(actor.staff_id)
                    .bind(&actor.label)
                    .bind(feedback.received_at)
                    .execute(&mut *tx)
                    .await?;
                let created = one_feedback(&mut *tx, id).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&created.centre_code), action: "create", entity: "feedback", entity_id: &entity_id, before: None, after: Some(to_json(&created)) }).await?;
                self.commit(tx).await?;
                Ok(created)
            }

            async fn feedback(&self, id: i64) -> StoreResult<Option<Feedback>> {
                Ok(feedback_where(&mut *self.read.acquire().await?, Which::Id(id)).await?.pop())
            }

            async fn feedback_list(&self, centre_code: &str, archived_since: NaiveDate) -> StoreResult<Vec<Feedback>> {
                feedback_where(&mut *self.read.acquire().await?, Which::Centre(centre_code, archived_since)).await
            }

            async fn take_feedback(&self, actor: &Actor, id: i64, over_owner: bool) -> StoreResult<Feedback> {
                let staff_id = actor.staff_id.ok_or_else(|| StoreError::Rule { key: "store_staff_only", values: vec![] })?;
                let mut tx = self.begin().await?;
                let before = one_feedback(&mut *tx, id).await?;
                let taken = sqlx::query(
                    "UPDATE feedback SET owner_id = $2, first_owner_id = COALESCE(first_owner_id, $2)
                     WHERE id = $1 AND stage <> 'archived' AND (owner_id IS NULL OR ($3 AND owner_id <> $2)) AND (about_staff_id IS NULL OR about_staff_id <> $2)",
                )
                .bind(id)
                .bind(staff_id)
                .bind(over_owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let after = one_feedback(&mut *tx, id).await?;
                if taken == 0 {
                    return Err(StoreError::Rule { key: "feedback_taken_already", values: vec![("id", id.to_string()), ("owner", after.owner_name.unwrap_or_default())] });
                }
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "take", entity: "feedback", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn advance_feedback(&self, actor: &Actor, id: i64, to: FeedbackStage, note: &str, at: DateTime<Utc>, day: NaiveDate) -> StoreResult<Feedback> {
                let mut tx = self.begin().await?;
                let before = one_feedback(&mut *tx, id).await?;
                if before.owner_id.is_none() || before.owner_id != actor.staff_id {
                    return Err(match &before.owner_name {
                        Some(owner) => StoreError::Rule { key: "feedback_not_yours", values: vec![("id", id.to_string()), ("owner", owner.clone())] },
                        None => StoreError::Rule { key: "feedback_take_first", values: vec![("id", id.to_string())] },
                    });
                }
                let next = banshi_domain::complaint::advance(before.stage, to, note).map_err(|e| StoreError::feedback_refused(&e))?;
                let answered_on = (next == FeedbackStage::Answered).then_some(day);
                // Only from the stage just read: a second submit of the same step finds it taken.
                let moved = sqlx::query("UPDATE feedback SET stage = $2, answered_on = COALESCE($3, answered_on) WHERE id = $1 AND stage = $4")
                    .bind(id)
                    .bind(stage_name(next))
                    .bind(answered_on)
                    .bind(stage_name(before.stage))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved == 0 {
                    return Err(StoreError::Rule { key: "feedback_changed_meanwhile", values: vec![("id", id.to_string())] });
                }
                sqlx::query("INSERT INTO feedback_steps (feedback_id, stage, note, actor_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id)
                    .bind(stage_name(next))
                    .bind(note.trim())
                    .bind(actor.staff_id)
                    .bind(&actor.label)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                let after = one_feedback(&mut *tx, id).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: next.name(), entity: "feedback", entity_id: &entity_id, before: Some(to_json(&before.stage)), after: Some(to_json(&after.stage)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn save_resident(&self, actor: &Actor, id: Option<i64>, resident: &NewResident) -> StoreResult<Resident> {
                let mut tx = self.begin().await?;
                let before: Option<ResidentRow> = match id {
                    Some(id) => Some(
                        sqlx::query_as("SELECT id, centre_code, name, phone_cipher, facts, updated_at FROM residents WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or_else(|| crate::not_found("thing_resident", id))?,
                    ),
                    None => None,
                };
                let now = Utc::now();
                let (saved,): (i64,) = match id {
                    Some(id) => sqlx::query_as("UPDATE residents SET name = $2, phone_cipher = COALESCE($3, phone_cipher), facts = $4, updated_at = $5 WHERE id = $1 RETURNING id")
                        .bind(id)
                        .bind(&resident.name)
                        .bind(&resident.phone_cipher)
                        .bind(Json(&resident.facts))
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?,
                    None => sqlx::query_as("INSERT INTO residents (centre_code, name, phone_cipher, facts, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                        .bind(&resident.centre_code)
                        .bind(&resident.name)
                        .bind(&resident.phone_cipher)
                        .bind(Json(&resident.facts))
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, "thing_resident", ""))?,
                };
                let row: ResidentRow =
                    sqlx::query_as("SELECT id, centre_code, name, phone_cipher, facts, updated_at FROM residents WHERE id = $1").bind(saved).fetch_one(&mut *tx).await?;
                let after = row.into_resident();
                let entity_id = saved.to_string();
                let before = before.map(|b| to_json(&b.into_resident()));
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: if before.is_some() { "update" } else { "create" }, entity: "resident", entity_id: &entity_id, before, after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn residents(&self, centre_code: &str) -> StoreResult<Vec<Resident>> {
                let rows: Vec<ResidentRow> =
                    sqlx::query_as("SELECT id, centre_code, name, phone_cipher, facts, updated_at FROM residents WHERE centre_code = $1 ORDER BY id").bind(centre_code).fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(ResidentRow::into_resident).collect())
            }

            async fn create_follow_up(&self, actor: &Actor, follow_up: &NewFollowUp) -> StoreResult<Option<FollowUp>> {
                let mut tx = self.begin().await?;
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO follow_ups (centre_code, kind, source, resident_id, case_id, title, reason, assignee_id, due_on, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source) DO NOTHING RETURNING id",
                )
                .bind(&follow_up.centre_code)
                .bind(&follow_up.kind)
                .bind(&follow_up.source)
                .bind(follow_up.resident_id)
                .bind(follow_up.case_id)
                .bind(&follow_up.title)
                .bind(&follow_up.reason)
                .bind(follow_up.assignee_id)
                .bind(follow_up.due_on)
                .bind(follow_up.created_at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_follow_up", ""))?;
                let Some((id,)) = inserted else {
                    return Ok(None);
                };
                let created = follow_up_by_id(&mut *tx, id).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&created.centre_code), action: "create", entity: "follow_up", entity_id: &entity_id, before: None, after: Some(to_json(&created)) }).await?;
                self.commit(tx).await?;
                Ok(Some(created))
            }

            async fn follow_up(&self, id: i64) -> StoreResult<Option<FollowUp>> {
                Ok(sqlx::query_as(&format!("{FOLLOW_UP_SQL} WHERE u.id = $1")).bind(id).fetch_optional(&self.read).await?)
            }

            async fn follow_ups(&self, centre_code: &str, assignee_id: Option<i64>, done_since: DateTime<Utc>) -> StoreResult<Vec<FollowUp>> {
                Ok(sqlx::query_as(&format!(
                    "{} WHERE u.centre_code = $1 AND ($2 IS NULL OR u.assignee_id = $2 OR u.assignee_id IS NULL)
                     AND (u.done_at IS NULL OR u.done_at >= $3) ORDER BY u.done_at IS NOT NULL, u.due_on, u.id",
                    FOLLOW_UP_SQL
                ))
                .bind(centre_code)
                .bind(assignee_id)
                .bind(done_since)
                .fetch_all(&self.read)
                .await?)
            }

            async fn complete_follow_up(&self, actor: &Actor, id: i64, outcome: &str, at: DateTime<Utc>) -> StoreResult<FollowUp> {
                let mut tx = self.begin().await?;
                let before = follow_up_by_id(&mut *tx, id).await?;
                if before.done_at.is_some() {
                    return Err(StoreError::Rule { key: "follow_up_done_already", values: vec![("id", id.to_string())] });
                }
                let completed = sqlx::query("UPDATE follow_ups SET done_at = $2, outcome = $3, assignee_id = COALESCE(assignee_id, $4) WHERE id = $1 AND done_at IS NULL")
                    .bind(id)
                    .bind(at)
                    .bind(outcome)
                    .bind(actor.staff_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if completed == 0 {
                    return Err(StoreError::Rule { key: "follow_up_done_already", values: vec![("id", id.to_string())] });
                }
                let after = follow_up_by_id(&mut *tx, id).await?;
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: Some(&after.centre_code), action: "complete", entity: "follow_up", entity_id: &entity_id, before: Some(to_json(&before)), after: Some(to_json(&after)) }).await?;
                self.commit(tx).await?;
                Ok(after)
            }

            async fn record_contact(&self, actor: &Actor, resident_id: Option<i64>, follow_up_id: Option<i64>, channel: &str, note: &str, at: DateTime<Utc>) -> StoreResult<Contact> {
                let staff_id = actor.staff_id.ok_or_else(|| StoreError::Rule { key: "store_staff_only", values: vec![] })?;
                let mut tx = self.begin().await?;
                let (id,): (i64,) = sqlx::query_as("INSERT INTO contacts (resident_id, follow_up_id, staff_id, channel, note, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                    .bind(resident_id)
                    .bind(follow_up_id)
                    .bind(staff_id)
                    .bind(channel)
                    .bind(note)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, "thing_contact", ""))?;
                let created: Contact = sqlx::query_as(&format!("{} WHERE k.id = $1", CONTACT_SQL)).bind(id).fetch_one(&mut *tx).await?;
                let centre: Option<String> = sqlx::query_as::<_, (String,)>(
                    "SELECT centre_code FROM follow_ups WHERE id = $1 UNION ALL SELECT centre_code FROM residents WHERE id = $2",
                )
                .bind(follow_up_id)
                .bind(resident_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|(c,)| c);
                let entity_id = id.to_string();
                audit(&mut tx, actor, AuditWrite { centre: centre.as_deref(), action: "create", entity: "contact", entity_id: &entity_id, before: None, after: Some(to_json(&created)) }).await?;
                self.commit(tx).await?;
                Ok(created)
            }

            async fn contacts(&self, resident_id: Option<i64>, follow_up_id: Option<i64>) -> StoreResult<Vec<Contact>> {
                Ok(sqlx::query_as(&format!("{} WHERE k.resident_id = $1 OR k.follow_up_id = $2 ORDER BY k.id", CONTACT_SQL))
                    .bind(resident_id)
                    .bind(follow_up_id)
                    .fetch_all(&self.read)
                    .await?)
            }

            async fn eligibility_rules(&self, centre_code: &str) -> StoreResult<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT document FROM eligibility_rules WHERE centre_code = $1").bind(centre_code).fetch_optional(&self.read).await?;
                Ok(row.map(|(document,)| document))
            }

            async fn save_eligibility_rules(&self, actor: &Actor, centre_code: &str, text: &str) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let before: Option<(String,)> = sqlx::query_as("SELECT document FROM eligibility_rules WHERE centre_code = $1").bind(centre_code).fetch_optional(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO eligibility_rules (centre_code, document, loaded_by, loaded_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (centre_code) DO UPDATE SET document = excluded.document, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at",
                )
                .bind(centre_code)
                .bind(text)
                .bind(&actor.label)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "thing_eligibility_rules", ""))?;
                audit(&mut tx, actor, AuditWrite { centre: Some(centre_code), action: "load", entity: "eligibility_rules", entity_id: centre_code, before: before.map(|(b,)| serde_json::Value::String(b)), after: Some(serde_json::Value::String(text.to_string())) }).await?;
                self.commit(tx).await
            }
        }
        }
    };
}

pub(crate) use impl_aftercare_store;
