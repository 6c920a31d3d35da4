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
pub use shared::second_factor::{base32 as second_factor_base32, enrol as enrol_second_factor, new_secret as new_second_factor_secret};
pub use shared::limits::Limits;
pub use shared::settings::HallSettings;
pub use shared::texts::{fault_problems, fault_text, take_unworded_messages, texts};
pub use shared::clock::Clock;
pub use shared::{calendar, sealing, AppState};

use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use shared::error::{ApiError, AppError, PageError};
use std::sync::Arc;
use tower_http::timeout::RequestBodyTimeoutLayer;
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
        tokio::spawn(shared::limits::forget_idle_regularly(state.clone()));
        state
    }

    /// Marks every cookie `Secure`: the hall is reached over https.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The address people reach the hall at, which printed links and QR codes name.
    pub fn with_public_url(mut self, url: Option<&str>) -> Self {
        self.public_url = url.map(|u| u.trim_end_matches('/').into());
        self
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
    let body_read = std::time::Duration::from_secs(state.settings.limits.body_read_seconds);
    let routes = routes
        .route("/api/openapi.json", get(move || async move { Json(document.as_ref().clone()) }))
        .merge(operations::routes())
        .route("/static/{*path}", get(static_file))
        .fallback(not_found)
        .layer(middleware::from_fn(shared::input_guard::refuse_nul_characters))
        .layer(middleware::from_fn_with_state(state.clone(), shared::frame::error_pages_in_frame))
        .layer(middleware::from_fn_with_state(state.clone(), shared::auth::guard))
        // The guard limits each body by who sends it; the extractors add no limit of their own.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(state.clone(), shared::limits::limit_open_routes))
        .layer(RequestBodyTimeoutLayer::new(body_read))
        .layer(middleware::from_fn(shared::metrics::count_requests))
        .layer(middleware::from_fn(shared::api_errors::json_errors));
    shared::headers::with_security_headers(routes).layer(TraceLayer::new_for_http()).with_state(state)
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
    let err = AppError::not_found("thing_page", uri.path());
    if uri.path().starts_with("/api/") {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

/// Serves until `shutdown` completes; requests in flight finish first (connections that stay open,
/// a board's events, are given a few seconds). Each connection must send its request's headers
/// within `limits.header_read_seconds`, and at most `limits.max_connections` are held at once: the
/// next wait in the listener's backlog until one closes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, None, shutdown).await
}

/// As [`serve`], over TLS: for a hall without a reverse proxy. The handshake, too, must be done
/// within `limits.header_read_seconds`.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    state: AppState,
    tls: Tls,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Some(tokio_rustls::TlsAcceptor::from(tls.0)), shutdown).await
}

/// A certificate chain and its private key, for [`serve_tls`] (rustls, with ring: TLS 1.2 and 1.3).
#[derive(Clone)]
pub struct Tls(Arc<tokio_rustls::rustls::ServerConfig>);

impl Tls {
    /// From PEM files: the certificate chain (the server's first) and its private key.
    pub fn from_pem_files(cert: &std::path::Path, key: &std::path::Path) -> Result<Tls, String> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<_, _>>())
            .map_err(|err| format!("{}: not a PEM certificate chain ({err})", cert.display()))?;
        if chain.is_empty() {
            return Err(format!("{}: holds no certificate", cert.display()));
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|err| format!("{}: not a PEM private key ({err})", key.display()))?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| err.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|err| format!("the certificate and the key do not go together: {err}"))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Tls(Arc::new(config)))
    }
}

async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::ServiceExt;

    let limits = state.settings.limits.clone();
    let handshake_within = std::time::Duration::from_secs(limits.header_read_seconds.max(1));
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(handshake_within);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // One router for every connection: cloning it shares its route table.
    let app = router(state);
    tokio::pin!(shutdown);
    loop {
        let turn = tokio::select! {
            turn = connections.clone().acquire_owned() => turn.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, most likely: wait a moment rather than spin.
                    tracing::warn!(%err, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // The peer's address, for the limits per address and `/metrics` from a configured scraper.
        let service = app.clone().map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            request
        });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            let served = match tls {
                None => watcher.watch(builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned()).await,
                Some(acceptor) => match tokio::time::timeout(handshake_within, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => watcher.watch(builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned()).await,
                    Ok(Err(err)) => Err(err.into()),
                    Err(_) => Err("the TLS handshake took too long".into()),
                },
            };
            if let Err(err) = served {
                tracing::debug!(%err, "connection ended");
            }
            drop(turn);
        });
    }
    drop(listener);
    if tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await.is_err() {
        tracing::info!("connections still open at shutdown were closed");
    }
    Ok(())
}
