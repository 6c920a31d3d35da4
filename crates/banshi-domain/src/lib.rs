//! banshi's domain rules, free of I/O: the service catalogue and its validation, situation-guided
//! materials and the one-time notice, staff roles, the masking of personal data on screens, the
//! ticket queue and China's working-day calendar.

pub mod calendar;
pub mod case;
pub mod catalog;
pub mod checklist;
pub mod complaint;
pub mod deadline;
pub mod eligibility;
pub mod erlang;
pub mod hall;
pub mod id_number;
pub mod privacy;
pub mod query_code;
pub mod queue;
pub mod rating;
pub mod staff;
pub mod trips;
pub mod validate;

pub use catalog::*;
pub use checklist::*;
pub use staff::{Region, Role};
pub use validate::{parse_catalog, validate_catalog, Fault, Problem};
