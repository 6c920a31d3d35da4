//! banshi's hall simulator (no I/O): a scenario read from TOML ([`scenario`]), run as discrete
//! events with the live call rule ([`engine`]), summarised with confidence intervals ([`stats`]).

pub mod engine;
pub mod forecast;
pub mod scenario;
pub mod staffing;
pub mod stats;

pub use engine::{simulate, Outcome};
pub use scenario::{Scenario, ScenarioError};
