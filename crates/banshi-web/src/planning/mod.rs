//! Looking ahead with data (数据分析与预判): the one-visit rate and the cases that took more trips
//! than promised, the arrivals forecast with the windows Erlang C asks for, and the what-if
//! simulation of the centre's own hall.

mod api;
mod forecast;
mod pages;
mod simulate;
mod trips;

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::trips))
        .route("/manage/trips", get(pages::trips))
        .route("/manage/forecast", get(pages::forecast))
        .route("/manage/simulate", get(pages::simulate))
}
