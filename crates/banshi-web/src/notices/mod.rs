//! One-time notices (一次性告知单): the officer's form (the situation, then the materials brought),
//! the printable notice (A4 or an 80 mm receipt), the counts per item and officer for managers,
//! and the same through the API.

mod api;
mod pages;
mod steps;
mod views;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::issue_notice))
        .routes(routes!(api::notice_counts))
        .routes(routes!(api::get_notice))
        .route("/staff/notices/new", get(pages::new_notice))
        .route("/staff/notices", post(pages::issue_notice))
        .route("/staff/notices/find", get(pages::find_notice))
        .route("/notices/{number}", get(pages::show_notice))
        .route("/manage/notices", get(pages::notice_counts))
}
