//! The pieces every capability stands on, importing none of them: the instance's state, the page
//! frame and navigation, sign-in and roles, CSRF, errors and flash messages, forms and extractors,
//! templates and texts, the live-events hub, the calendar deadlines are counted on, the hall
//! settings, caches, throttles and the sealing of personal data.

pub mod actors;
pub mod api_errors;
pub mod applicant;
pub mod auth;
pub mod cache;
pub mod calendar;
pub mod centre;
pub mod clock;
pub mod error;
pub mod events;
pub mod extract;
pub mod flash;
pub mod forms;
pub mod frame;
pub mod headers;
pub mod hours;
pub mod input_guard;
pub mod limits;
pub mod links;
pub mod metrics;
pub mod password_checks;
pub mod roles;
pub mod second_factor;
pub mod sealing;
pub mod settings;
pub mod state;
pub mod templates;
pub mod texts;
pub mod throttle;

pub use state::AppState;
