//! banshi's web layer: the server-rendered pages and the JSON API beneath them (axum), one folder
//! per capability above the shared pieces in `shared/` (docs/architecture.md).

mod admin;
mod cases;
mod catalog;
mod feedback;
mod followups;
mod hall;
mod inquiries;
mod notices;
mod openapi;
mod operations;
mod planning;
mod queue;
mod ratings;
mod shared;
mod workspace;

pub use hall::import_toml as import_hall;
pub use shared::auth::{hash_password, random_password};
pub use shared::settings::HallSettings;
pub use shared::texts::texts;
pub use shared::clock::Clock;
pub use shared::{calendar, sealing, AppState};

use axum::extract::Path;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use shared::error::{ApiError, AppError, PageError};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

impl AppState {
    /// Must be called within a tokio runtime: it starts the instance's event hub, the hourly run
    /// of the eligibility rules and the day's close.
    pub fn new(store: Arc<dyn banshi_storage::Store>, sealer: sealing::Sealer) -> Self {
        Self::with_settings(store, sealer, HallSettings::default())
    }

    pub fn with_settings(store: Arc<dyn banshi_storage::Store>, sealer: sealing::Sealer, settings: HallSettings) -> Self {
        let state = AppState::build(store, sealer, settings);
        tokio::spawn(followups::sweep_regularly(state.clone()));
        tokio::spawn(hall::close_days_regularly(state.clone()));
        state
    }

    /// Lets these addresses read `/metrics` without signing in.
    pub fn with_metrics_from(mut self, addresses: Vec<std::net::IpAddr>) -> Self {
        self.metrics_from = Arc::new(addresses);
        self
    }
}

/// Every page and API route, behind the session and CSRF guard; the API documented as it is routed.
pub fn router(state: AppState) -> Router {
    let (routes, api) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(catalog::routes())
        .merge(workspace::routes())
        .merge(notices::routes())
        .merge(queue::routes())
        .merge(cases::routes())
        .merge(inquiries::routes())
        .merge(ratings::routes())
        .merge(feedback::routes())
        .merge(followups::routes())
        .merge(planning::routes())
        .merge(admin::routes())
        .merge(hall::routes())
        .split_for_parts();
    let document = Arc::new(openapi::finished(api));
    routes
        .route("/api/openapi.json", get(move || async move { Json(document.as_ref().clone()) }))
        .merge(operations::routes())
        .route("/static/{*path}", get(static_file))
        .fallback(not_found)
        .layer(middleware::from_fn(shared::input_guard::refuse_nul_characters))
        .layer(middleware::from_fn_with_state(state.clone(), shared::auth::guard))
        .layer(RequestBodyLimitLayer::new(shared::auth::MAX_FORM_BYTES))
        .layer(middleware::from_fn(shared::metrics::count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn static_file(Path(path): Path<String>) -> Response {
    match shared::templates::StaticFiles::get(&path) {
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
    // The peer's address, for `/metrics` from a configured scraper.
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await
}
