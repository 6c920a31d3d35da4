//! Follow-up (跟踪回访, 主动服务): callback tasks after cases whose item asks for one, residents a
//! policy may help (eligibility rules over their facts, docs/eligibility.md), the contact log, and
//! the officer's list (`/followups`).

mod api;
mod eligibility;
mod pages;
mod steps;

pub use eligibility::sweep_regularly;
pub use steps::{case_callback, due_count};

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::contact))
        .routes(routes!(api::complete))
        .routes(routes!(api::save_resident))
        .routes(routes!(api::load_eligibility_rules))
        .route("/followups", get(pages::page).post(pages::page_action))
}
