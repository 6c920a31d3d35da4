//! Cases (办件): the deadline board with the form to open one, a case with its history and the
//! actions its state allows, the approver's inbox, the printable receipt (受理回执) or refusal
//! notice, and the citizen's progress query (进度查询), where a finished case is rated.

mod api;
mod pages;
mod steps;

pub use steps::overdue_cases;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::open_case, api::deadline_board))
        .routes(routes!(api::inbox))
        .routes(routes!(api::case))
        .routes(routes!(api::case_event))
        .routes(routes!(api::progress))
        .routes(routes!(api::progress_phone_code))
        .routes(routes!(api::replace_query_code))
        .route("/cases", get(pages::board).post(pages::open))
        .route("/cases/inbox", get(pages::inbox))
        .route("/cases/{number}", get(pages::show).post(pages::act))
        .route("/cases/{number}/receipt", get(pages::receipt))
        .route("/cases/{number}/query-code", post(pages::replace_query_code))
        .route("/progress", get(pages::progress_form).post(pages::progress))
        .route("/progress/phone-code", post(pages::progress_phone_code))
}
