//! banshi's web layer: the server-rendered pages and the JSON API beneath them (axum).

mod actions;
mod api;
mod auth;
mod cache;
pub mod calendar;
mod case_pages;
mod cases;
mod error;
mod events;
mod feedback;
mod flash;
mod follow_ups;
mod forecast_page;
pub mod hall;
mod hall_api;
mod hall_pages;
mod input_guard;
mod inquiries;
mod pages;
mod ratings;
mod simulate_page;
pub mod sealing;
mod templates;
mod texts;
mod throttle;
mod trips;
mod views;

pub use auth::hash_password;
pub use texts::texts;

use axum::extract::Path;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use banshi_storage::Store;
use error::{ApiError, AppError, PageError};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Seals personal data before it is stored.
    pub sealer: Arc<sealing::Sealer>,
    pub settings: Arc<hall::HallSettings>,
    login_throttle: Arc<throttle::LoginThrottle>,
    cache: Arc<cache::HallCache>,
    /// Wrong progress queries per case, so an ID tail cannot be guessed.
    progress_throttle: Arc<throttle::LoginThrottle>,
    hub: Arc<events::Hub>,
}

impl AppState {
    /// Must be called within a tokio runtime: it starts the instance's event hub and the hourly
    /// run of the eligibility rules.
    pub fn new(store: Arc<dyn Store>, sealer: sealing::Sealer) -> Self {
        Self::with_settings(store, sealer, hall::HallSettings::default())
    }

    pub fn with_settings(store: Arc<dyn Store>, sealer: sealing::Sealer, settings: hall::HallSettings) -> Self {
        let hub = Arc::new(events::Hub::start(store.clone()));
        let state = AppState { store, sealer: Arc::new(sealer), settings: Arc::new(settings), login_throttle: Arc::default(), cache: Arc::default(), progress_throttle: Arc::default(), hub };
        tokio::spawn(follow_ups::sweep_regularly(state.clone()));
        state
    }
}

/// Every page and API route, behind the session and CSRF guard.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/guide", get(pages::guide_list))
        .route("/guide/{code}", get(pages::guide_item))
        .route("/guide/{code}/check", get(pages::self_check))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/staff", get(pages::staff_home))
        .route("/staff/notices/new", get(pages::new_notice))
        .route("/staff/notices", post(pages::issue_notice))
        .route("/staff/notices/find", get(pages::find_notice))
        .route("/notices/{number}", get(pages::show_notice))
        .route("/manage/notices", get(pages::notice_counts))
        .route("/admin", get(pages::admin))
        .route("/admin/staff", post(pages::admin_create_staff))
        .route("/admin/catalog", post(pages::admin_import_catalog))
        .route("/admin/audit", get(pages::audit_log))
        .route("/admin/calendar", get(calendar::page).post(calendar::page_action))
        .route("/manage/simulate", get(simulate_page::page))
        .route("/manage/forecast", get(forecast_page::page))
        .route("/kiosk", get(hall_pages::kiosk).post(hall_pages::kiosk_take))
        .route("/tickets/{token}", get(hall_pages::ticket_page))
        .route("/tickets/{token}/print", get(hall_pages::ticket_print))
        .route("/board", get(hall_pages::board))
        .route("/console", get(hall_pages::console_home))
        .route("/console/{window}", get(hall_pages::console).post(hall_pages::console_action))
        .route("/progress", get(cases::progress_page))
        .route("/inquiries", get(inquiries::page).post(inquiries::page_action))
        .route("/cases", get(case_pages::board).post(case_pages::open))
        .route("/cases/inbox", get(case_pages::inbox))
        .route("/cases/{number}", get(case_pages::show).post(case_pages::act))
        .route("/cases/{number}/receipt", get(case_pages::receipt))
        .route("/manage/trips", get(trips::page))
        .route("/manage/hall", get(hall_pages::overview))
        .route("/manage/hall/windows/{window}/close", post(hall_pages::overview_close_window))
        .route("/pad/{window}", get(ratings::pad).post(ratings::pad_rate))
        .route("/ratings", post(ratings::page_rate))
        .route("/manage/ratings", get(ratings::ledger_page))
        .route("/manage/ratings/{id}", post(ratings::ledger_action))
        .route("/results", get(ratings::results_page))
        .route("/feedback", get(feedback::desk).post(feedback::desk_action))
        .route("/feedback/new", get(feedback::box_page).post(feedback::box_submit))
        .route("/followups", get(follow_ups::page).post(follow_ups::page_action));
    let api = Router::new()
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/items", get(api::list_items))
        .route("/api/v1/items/{code}", get(api::get_item))
        .route("/api/v1/items/{code}/check", post(api::check_item))
        .route("/api/v1/catalog", get(api::export_catalog).put(api::import_catalog))
        .route("/api/v1/session", get(api::whoami).post(api::sign_in).delete(api::sign_out))
        .route("/api/v1/notices", post(api::issue_notice))
        .route("/api/v1/notices/counts", get(api::notice_counts))
        .route("/api/v1/notices/{number}", get(api::get_notice))
        .route("/api/v1/staff", get(api::list_staff).post(api::create_staff))
        .route("/api/v1/audit", get(api::audit_log))
        .route("/api/v1/cases", post(cases::api_open_case))
        .route("/api/v1/cases/{number}", get(cases::api_case))
        .route("/api/v1/cases/{number}/events", post(cases::api_case_event))
        .route("/api/v1/progress", get(cases::api_progress))
        .route("/api/v1/trips", get(trips::api_trips))
        .route("/api/v1/inquiries", get(inquiries::api_mine).post(inquiries::api_record))
        .route("/api/v1/inquiries/{id}/handover", post(inquiries::api_hand_over))
        .route("/api/v1/inquiries/{id}/answer", post(inquiries::api_answer))
        .route("/api/v1/queues", get(hall_api::queues))
        .route("/api/v1/calendar/years", post(calendar::api_load_year))
        .route("/api/v1/calendar/centre-days", post(calendar::api_set_centre_day))
        .route("/api/v1/calendar/centre-days/{date}", axum::routing::delete(calendar::api_remove_centre_day))
        .route("/api/v1/calendar/{date}", get(calendar::api_day))
        .route("/api/v1/tickets", post(hall_api::take_ticket))
        .route("/api/v1/tickets/{token}", get(hall_api::ticket_status))
        .route("/api/v1/hall", get(hall_api::hall_snapshot))
        .route("/api/v1/events", get(hall_api::events))
        .route("/api/v1/windows/{window}/status", post(hall_api::set_window))
        .route("/api/v1/windows/{window}/call-next", post(hall_api::call_next))
        .route("/api/v1/windows/{window}/force-close", post(hall_api::force_close_window))
        .route("/api/v1/windows/{window}/tickets/{id}", post(hall_api::act_on_ticket))
        .route("/api/v1/ratings", post(ratings::api_rate))
        .route("/api/v1/ratings/export", get(ratings::api_export))
        .route("/api/v1/ratings/bad", get(ratings::api_ledger))
        .route("/api/v1/ratings/bad/{id}/events", post(ratings::api_act))
        .route("/api/v1/results", get(ratings::api_results))
        .route("/api/v1/feedback", get(feedback::api_list).post(feedback::api_record))
        .route("/api/v1/feedback/{id}/take", post(feedback::api_take))
        .route("/api/v1/feedback/{id}/steps", post(feedback::api_step))
        .route("/api/v1/follow-ups", get(follow_ups::api_list))
        .route("/api/v1/follow-ups/{id}/contacts", post(follow_ups::api_contact))
        .route("/api/v1/follow-ups/{id}/complete", post(follow_ups::api_complete))
        .route("/api/v1/residents", post(follow_ups::api_save_resident))
        .route("/api/v1/eligibility/rules", axum::routing::put(follow_ups::api_load_rules));
    pages
        .merge(api)
        .route("/static/{*path}", get(static_file))
        .fallback(not_found)
        .layer(middleware::from_fn(input_guard::refuse_nul_characters))
        .layer(middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(RequestBodyLimitLayer::new(auth::MAX_FORM_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn static_file(Path(path): Path<String>) -> Response {
    match templates::StaticFiles::get(&path) {
        Some(file) => {
            let mime = if path.ends_with(".css") { "text/css; charset=utf-8" } else if path.ends_with(".js") { "text/javascript; charset=utf-8" } else { "application/octet-stream" };
            ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=3600")], file.data).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn not_found(uri: Uri) -> Response {
    let err = AppError::NotFound(uri.path().to_string());
    if uri.path().starts_with("/api/") {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

/// Serves until `shutdown` completes; requests in flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // `into_make_service` hands each connection a shared copy of the router; served as a plain
    // `Router`, axum rebuilds its route table per connection (about 37 KB each, measured with
    // heaptrack), which a thousand boards, each holding a connection open, keep alive.
    axum::serve(listener, router(state).into_make_service()).with_graceful_shutdown(shutdown).await
}
