//! The hall as its own people set it up: opening hours (the lunch break, extended hours, the
//! calendar's closures and extra days), queues (items, daily quota, when issue stops, their own
//! hours) and windows (their queues in order of preference, calling by preference or by arrival),
//! on a page, through the API and as a file (docs/hall.md); and the day's close (日结).

mod api;
mod pages;
mod steps;

pub use steps::{close_days_regularly, import_toml};

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::setup, api::replace))
        .routes(routes!(api::closed_days))
        .route("/admin/hall", get(pages::page).post(pages::action))
        .route("/admin/hall/hall.toml", get(pages::export))
}
