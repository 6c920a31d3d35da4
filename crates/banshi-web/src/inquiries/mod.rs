//! Inquiries (咨询) under first-inquiry responsibility (首问负责制): whoever is asked first records
//! the inquiry and owns it until it is answered or handed to a named colleague, on the staff page
//! (`/inquiries`: my open inquiries, record one, hand over, answer) and through the API.

mod api;
mod pages;
mod steps;

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::mine, api::record))
        .routes(routes!(api::hand_over))
        .routes(routes!(api::answer))
        .route("/inquiries", get(pages::page).post(pages::page_action))
}
