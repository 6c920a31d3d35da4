//! Short-lived copies of what nearly every request reads and what rarely changes: the staff
//! member's session, a centre's queues, the hall's default centre, a queue's recent service time.
//! Without them every ticket taken or window action reads the database several times more. A copy
//! lives a few seconds; writes made through this instance forget theirs at once, so only changes
//! made on another instance sharing a PostgreSQL database show that much later (a signed-out or
//! deactivated account included: at most [`SESSION_SECONDS`]).

use super::error::AppError;
use super::calendar::{numbered, working_calendar, CentreCalendar};
use banshi_domain::hall::HallSetup;
use banshi_domain::{implemented, Catalog, Item};
use banshi_storage::{Queue, Session, Staff, Store};
use std::sync::Arc;
use moka::sync::Cache;
use std::time::Duration;

pub const SESSION_SECONDS: u64 = 5;
/// A change to a hall (its hours, queues, windows) reaches other instances' kiosks within this.
pub const HALL_SECONDS: u64 = 5;
/// A change to the catalogue or a centre's list of items reaches other instances within this.
pub const CATALOG_SECONDS: u64 = 10;
/// A calendar change (a year loaded, a centre's day) reaches other instances within this.
pub const CALENDAR_SECONDS: u64 = 60;

pub struct HallCache {
    sessions: Cache<String, Option<(Session, Staff)>>,
    queues: Cache<String, Vec<Queue>>,
    halls: Cache<String, Arc<HallSetup>>,
    catalogs: Cache<String, Arc<Catalog>>,
    default_centre: Cache<(), Option<String>>,
    service_minutes: Cache<(String, String), Option<f64>>,
    calendars: Cache<String, Arc<CentreCalendar>>,
}

impl Default for HallCache {
    fn default() -> Self {
        HallCache {
            sessions: lasting(SESSION_SECONDS),
            queues: lasting(5),
            halls: lasting(HALL_SECONDS),
            catalogs: lasting(CATALOG_SECONDS),
            default_centre: lasting(30),
            service_minutes: lasting(10),
            calendars: lasting(CALENDAR_SECONDS),
        }
    }
}

fn lasting<K, V>(seconds: u64) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(seconds)).build()
}

impl HallCache {
    /// The unexpired session with this token hash and its active staff member.
    pub async fn session(&self, store: &dyn Store, token_hash: &str) -> Result<Option<(Session, Staff)>, AppError> {
        if let Some(found) = self.sessions.get(token_hash) {
            let now = chrono::Utc::now();
            return Ok(found.filter(|(session, _)| session.expires_at > now && session.idle_until > now));
        }
        let found = store.session(token_hash).await?;
        self.sessions.insert(token_hash.to_string(), found.clone());
        Ok(found)
    }

    /// The centre's working-day calendar: built in, loaded years, its own days.
    pub async fn calendar(&self, store: &dyn Store, centre: &str) -> Result<Arc<CentreCalendar>, AppError> {
        if let Some(found) = self.calendars.get(centre) {
            return Ok(found);
        }
        let found = Arc::new(numbered(working_calendar(store, Some(centre)).await?));
        self.calendars.insert(centre.to_string(), found.clone());
        Ok(found)
    }

    pub fn forget_calendars(&self) {
        self.calendars.invalidate_all();
    }

    pub fn forget_session(&self, token_hash: &str) {
        self.sessions.invalidate(token_hash);
    }

    /// After an account changed (disabled, a new role or centre, a new password): this instance
    /// forgets its sessions at once; other instances within [`SESSION_SECONDS`].
    pub fn forget_sessions_of(&self, staff_id: i64) {
        let ended: Vec<String> = self.sessions.iter().filter(|(_, found)| found.as_ref().is_some_and(|(_, staff)| staff.id == staff_id)).map(|(hash, _)| (*hash).clone()).collect();
        for hash in ended {
            self.sessions.invalidate(&hash);
        }
    }

    pub async fn queues(&self, store: &dyn Store, centre: &str) -> Result<Vec<Queue>, AppError> {
        if let Some(found) = self.queues.get(centre) {
            return Ok(found);
        }
        let found = store.queues(centre).await?;
        self.queues.insert(centre.to_string(), found.clone());
        Ok(found)
    }

    /// The centre's hall: hours, queues with their rules, windows.
    pub async fn hall(&self, store: &dyn Store, centre: &str) -> Result<Arc<HallSetup>, AppError> {
        if let Some(found) = self.halls.get(centre) {
            return Ok(found);
        }
        let found = Arc::new(store.hall(centre).await?);
        self.halls.insert(centre.to_string(), found.clone());
        Ok(found)
    }

    /// The catalogue a centre offers: the base items its list names, with its own facts.
    pub async fn catalog(&self, store: &dyn Store, centre: &str) -> Result<Arc<Catalog>, AppError> {
        if let Some(found) = self.catalogs.get(centre) {
            return Ok(found);
        }
        let found = Arc::new(implemented(&store.catalog().await?, &store.local_items(centre).await?));
        self.catalogs.insert(centre.to_string(), found.clone());
        Ok(found)
    }

    /// An item as the centre offers it, if it does.
    pub async fn item(&self, store: &dyn Store, centre: &str, code: &str) -> Result<Option<Item>, AppError> {
        Ok(self.catalog(store, centre).await?.item(code).cloned())
    }

    /// After this instance changed the base catalogue or a centre's list.
    pub fn forget_catalogs(&self) {
        self.catalogs.invalidate_all();
    }

    /// After this instance changed a centre's hall.
    pub fn forget_hall(&self, centre: &str) {
        self.halls.invalidate(centre);
        self.queues.invalidate(centre);
    }

    pub async fn default_centre(&self, store: &dyn Store) -> Result<Option<String>, AppError> {
        if let Some(found) = self.default_centre.get(&()) {
            return Ok(found);
        }
        let found = store.default_centre().await?.map(|c| c.code);
        self.default_centre.insert((), found.clone());
        Ok(found)
    }

    /// The mean minutes from start to finish of a queue's last finished tickets, once there are
    /// enough of them (see the store's `mean_service_minutes`).
    pub async fn service_minutes(&self, store: &dyn Store, centre: &str, queue: &str) -> Result<Option<f64>, AppError> {
        let key = (centre.to_string(), queue.to_string());
        if let Some(found) = self.service_minutes.get(&key) {
            return Ok(found);
        }
        let found = store.mean_service_minutes(centre, queue).await?;
        self.service_minutes.insert(key, found);
        Ok(found)
    }
}
