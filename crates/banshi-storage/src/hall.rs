//! The hall as its own people set it up (queues, windows, hours: `banshi_domain::hall`), and the
//! day closed (日结): a part of [`Store`](crate::Store) of its own, both databases with the same SQL
//! (`sql_hall.rs`).

use crate::records::Actor;
use crate::StoreResult;
use async_trait::async_trait;
use banshi_domain::hall::HallSetup;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A closed day's final figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayFigures {
    pub day: NaiveDate,
    pub closed_at: DateTime<Utc>,
    /// Tickets taken that day.
    pub taken: i64,
    /// Visits finished at a window.
    pub served: i64,
    pub no_show: i64,
    pub cancelled: i64,
    /// Still waiting, called or at a window when the day closed (this day's and any left over).
    pub expired: i64,
    /// Windows signed out by the close.
    pub windows_signed_out: i64,
}

#[async_trait]
pub trait HallStore: Send + Sync {
    /// The centre's hall: its hours, its queues with their rules, its windows and how they call.
    async fn hall(&self, centre_code: &str) -> StoreResult<HallSetup>;
    /// Replaces the centre's hall in one audited transaction, the windows' live state kept. A queue
    /// that has tickets on `today`, or a window someone is signed in at, is not removed: the whole
    /// change is refused, naming it.
    async fn replace_hall(&self, actor: &Actor, centre_code: &str, hall: &HallSetup, today: NaiveDate) -> StoreResult<()>;
    /// How many tickets each of the centre's queues issued on `day`.
    async fn issued_counts(&self, centre_code: &str, day: NaiveDate) -> StoreResult<Vec<(String, u32)>>;
    /// Closes the centre's `day` (日结), once whichever instance asks first: tickets of that day or
    /// before still waiting, called or at a window expire (过期, with their event), the windows are
    /// signed out when `sign_out_windows` (the close at the day's end, not a missed day's later),
    /// and the day's figures are kept. `None` when the day was closed already.
    async fn close_day(&self, actor: &Actor, centre_code: &str, day: NaiveDate, now: DateTime<Utc>, sign_out_windows: bool) -> StoreResult<Option<DayFigures>>;
    /// The days before `before` with tickets and no close: the days an instance missed.
    async fn unclosed_days(&self, centre_code: &str, before: NaiveDate) -> StoreResult<Vec<NaiveDate>>;
    /// The centre's closed days, newest first.
    async fn closed_days(&self, centre_code: &str, limit: i64) -> StoreResult<Vec<DayFigures>>;
}
