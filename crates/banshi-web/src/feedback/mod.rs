//! Complaints and suggestions (投诉/建议, 意见箱): the public box online (`/feedback/new`), and the
//! staff desk (`/feedback`) where items received at the hall or by phone are recorded by whoever
//! is asked first, who then owns them (首问负责); online items are taken from the box. Each goes
//! 受理 → 调查 → 处置 → 反馈 → 归档 within its kind's limit in working days.

mod api;
mod pages;
mod steps;

pub use steps::overdue_count;

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::record))
        .routes(routes!(api::take))
        .routes(routes!(api::step))
        .route("/feedback", get(pages::desk).post(pages::desk_action))
        .route("/feedback/new", get(pages::box_page).post(pages::box_submit))
}
