//! The staff's way in and their home: sign in and out (pages and the session API), and the
//! workspace (`/staff`) that gathers what needs each staff member from every capability — overdue
//! cases, bad ratings and complaints for the manager, follow-ups due — and the items a window
//! officer issues notices for.

mod account;
mod api;
mod pages;
mod second_factor;

use crate::shared::AppState;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::whoami, api::sign_in, api::sign_out))
        .routes(routes!(api::change_password))
        .routes(routes!(api::my_sessions))
        .routes(routes!(api::end_my_session))
        .routes(routes!(api::staff_sessions))
        .routes(routes!(api::end_staff_session))
        .routes(routes!(api::second_factor_standing, api::offer_second_factor))
        .routes(routes!(api::confirm_second_factor))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/staff", get(pages::staff_home))
        .route("/account/password", get(pages::password_page).post(pages::change_password))
        .route("/account/sessions/{id}/end", post(pages::end_session))
        .route("/account/totp", get(pages::second_factor_page).post(pages::confirm_second_factor))
}
