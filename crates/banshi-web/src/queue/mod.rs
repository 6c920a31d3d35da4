//! The ticket queue (排队叫号): the kiosk (取号机) and the printed ticket with its status page, the
//! display board (叫号屏) that speaks the calls, the window console (窗口工作台), the duty
//! leader's overview of the hall, and the live events that keep them current.

mod api;
mod pages;
mod steps;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::queues))
        .routes(routes!(api::take_ticket))
        .routes(routes!(api::ticket_status))
        .routes(routes!(api::ticket_history))
        .routes(routes!(api::hall_snapshot))
        .routes(routes!(api::events))
        .routes(routes!(api::set_window))
        .routes(routes!(api::window_holding))
        .routes(routes!(api::call_next))
        .routes(routes!(api::force_close_window))
        .routes(routes!(api::act_on_ticket))
        .route("/kiosk", get(pages::kiosk).post(pages::kiosk_take))
        .route("/tickets/{token}", get(pages::ticket_page))
        .route("/tickets/{token}/print", get(pages::ticket_print))
        .route("/board", get(pages::board))
        .route("/console", get(pages::console_home))
        .route("/console/{window}", get(pages::console).post(pages::console_action))
        .route("/manage/hall", get(pages::overview))
        .route("/manage/hall/windows/{window}/close", post(pages::overview_close_window))
}
