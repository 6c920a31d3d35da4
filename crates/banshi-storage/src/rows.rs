//! Rows as both databases return them, and their conversion to records. Role names and JSON
//! documents are checked on the way in: a row that does not read is reported, never guessed at.

use crate::records::*;
use crate::{from_json, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: i64,
    username: String,
    name: String,
    badge_number: String,
    role: String,
    centre_code: String,
    password_hash: String,
    active: bool,
}

impl StaffRow {
    pub(crate) fn into_staff(self) -> StoreResult<Staff> {
        Ok(self.into_login()?.staff)
    }

    pub(crate) fn into_login(self) -> StoreResult<StaffLogin> {
        let role = self.role.parse().map_err(StoreError::Corrupt)?;
        Ok(StaffLogin {
            staff: Staff {
                id: self.id,
                username: self.username,
                name: self.name,
                badge_number: self.badge_number,
                role,
                centre_code: self.centre_code,
                active: self.active,
            },
            password_hash: self.password_hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    staff: StaffRow,
}

impl SessionRow {
    pub(crate) fn into_pair(self) -> StoreResult<(Session, Staff)> {
        let staff = self.staff.into_staff()?;
        let session = Session { token_hash: self.token_hash, staff_id: staff.id, csrf_token: self.csrf_token, expires_at: self.expires_at };
        Ok((session, staff))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoticeRow {
    number: String,
    centre_code: String,
    item_code: String,
    item_name: String,
    officer_id: i64,
    officer_name: String,
    officer_badge: String,
    applicant_name: Option<String>,
    assessment: Json<serde_json::Value>,
    issued_at: DateTime<Utc>,
}

impl NoticeRow {
    pub(crate) fn into_notice(self) -> StoreResult<Notice> {
        Ok(Notice {
            assessment: from_json(&format!("notice {}", self.number), self.assessment.0)?,
            number: self.number,
            centre_code: self.centre_code,
            item_code: self.item_code,
            item_name: self.item_name,
            officer_id: self.officer_id,
            officer_name: self.officer_name,
            officer_badge: self.officer_badge,
            applicant_name: self.applicant_name,
            issued_at: self.issued_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<Json<serde_json::Value>>,
    after: Option<Json<serde_json::Value>>,
}

impl AuditRow {
    pub(crate) fn into_entry(self) -> AuditEntry {
        AuditEntry {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: self.before.map(|j| j.0),
            after: self.after.map(|j| j.0),
        }
    }
}

pub(crate) const NOTICE_COUNTS_SQL: &str = "
    SELECT item_code, MAX(item_name) AS item_name, officer_id, MAX(officer_name) AS officer_name,
           MAX(officer_badge) AS officer_badge, COUNT(*) AS notices
    FROM notices GROUP BY item_code, officer_id ORDER BY item_code, officer_id";
