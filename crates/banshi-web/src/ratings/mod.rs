//! Ratings (好差评): one per visit on the window's rating pad (评价器) or later by the ticket's QR
//! code (一次一评), one per case on its progress page (一事一评). A bad rating opens a work item the
//! manager's ledger (台账) takes through verification and callback, fix or explanation, and the
//! citizen's view; the rated officer may appeal, the manager decides. The public figures
//! (满意率, bad ratings fixed on time) are on `/results` and the board.

mod api;
mod ledger;
mod pages;
mod pads;
mod results;
mod steps;

pub use ledger::overdue_count;
pub use pages::{choices, ticket_rating};
pub use results::results;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::rate))
        .routes(routes!(api::export))
        .routes(routes!(api::bad_ratings))
        .routes(routes!(api::bad_rating_event))
        .routes(routes!(api::callback_number))
        .routes(routes!(api::set_up_pad, api::remove_pad))
        .routes(routes!(api::pad_visit))
        .routes(routes!(api::public_results))
        .route("/pad/{window}", get(pages::pad).post(pages::pad_rate))
        .route("/manage/pads", get(pages::pads_page))
        .route("/manage/pads/{window}", post(pages::set_up_pad))
        .route("/manage/pads/{window}/remove", post(pages::remove_pad))
        .route("/ratings", post(pages::page_rate))
        .route("/manage/ratings", get(pages::ledger_page))
        .route("/manage/ratings/{id}", post(pages::ledger_action))
        .route("/manage/ratings/{id}/contact", post(pages::show_contact))
        .route("/results", get(pages::results_page))
}
