//! The installation's administration: staff accounts, the catalogue (import and export), the
//! working-day calendar (years' schedules, the centre's own days), and the audit log for admins
//! and auditors.

mod api;
mod calendar;
mod pages;
mod steps;

/// Another capability reaches an account of the admin's centre (its sessions) through this.
pub use steps::account_of_centre;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::export_catalog, api::import_catalog))
        .routes(routes!(api::list_staff, api::create_staff))
        .routes(routes!(api::edit_staff))
        .routes(routes!(api::disable_staff))
        .routes(routes!(api::enable_staff))
        .routes(routes!(api::unlock_staff))
        .routes(routes!(api::remove_second_factor))
        .routes(routes!(api::reset_password))
        .routes(routes!(api::local_items, api::save_local_items))
        .routes(routes!(api::audit_log))
        .routes(routes!(api::load_calendar_year))
        .routes(routes!(api::set_centre_day))
        .routes(routes!(api::remove_centre_day))
        .routes(routes!(api::calendar_day))
        .route("/admin", get(pages::admin))
        .route("/admin/staff", post(pages::create_staff))
        .route("/admin/staff/{id}", post(pages::staff_action))
        .route("/admin/items", get(pages::local_items).post(pages::save_local_items))
        .route("/admin/catalog", post(pages::import_catalog))
        .route("/admin/audit", get(pages::audit_log))
        .route("/admin/calendar", get(pages::calendar).post(pages::calendar_action))
}
