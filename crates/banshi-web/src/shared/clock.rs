//! The time the hall's rules read (opening hours, ticket issue, the day's close): the system's,
//! or one fixed for every handle of an instance, so that tests of the hours run at any hour.

use chrono::{DateTime, Local, NaiveDateTime, Utc};
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.read().ok().and_then(|fixed| *fixed).unwrap_or_else(Utc::now)
    }

    /// The centre's local time now (the server's time zone, as everywhere in banshi).
    pub fn local(&self) -> NaiveDateTime {
        self.now().with_timezone(&Local).naive_local()
    }

    /// From now on, for this instance's every handle, the time is `at`.
    pub fn fix(&self, at: DateTime<Utc>) {
        if let Ok(mut fixed) = self.fixed.write() {
            *fixed = Some(at);
        }
    }
}
