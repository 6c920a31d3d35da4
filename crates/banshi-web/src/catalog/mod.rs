//! The catalogue for citizens: the guide by category and by search, an item's guide (办事指南)
//! with the 四公开 facts, and the self-check (answer the situation questions, tick what you have,
//! print your list). Other capabilities reuse its views of items and of the
//! situation-and-materials form.

mod api;
mod pages;
mod views;

pub use views::{form_state, group_by_category, ChecklistInput};

use crate::shared::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_items))
        .routes(routes!(api::get_item))
        .routes(routes!(api::check_item))
        .route("/", get(pages::home))
        .route("/guide", get(pages::guide_list))
        .route("/guide/{code}", get(pages::guide_item))
        .route("/guide/{code}/check", get(pages::self_check))
}

/// The item with this code as the centre offers it, or the page's "not found".
pub async fn item_or_404(state: &AppState, centre: &str, code: &str) -> Result<banshi_domain::Item, crate::shared::error::AppError> {
    state.cache.item(state.store.as_ref(), centre, code).await?.ok_or_else(|| crate::shared::error::AppError::not_found("thing_item", code))
}
