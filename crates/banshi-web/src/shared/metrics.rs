//! The server's metrics, counted with the `metrics` facade wherever something happens (requests,
//! tickets taken and served, live event connections) and rendered in Prometheus' text format by
//! the operations capability.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process's one recorder: every server of a process (tests start several) counts into it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().expect("the metrics recorder installs once"))
}

/// Counts every request by its route (the pattern, so ids do not make a series each) and times it.
pub async fn count_requests(request: Request, next: Next) -> Response {
    handle();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("banshi_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("banshi_http_request_duration_seconds", "method" => method, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

pub fn record_taken(centre: &str) {
    metrics::counter!("banshi_tickets_taken_total", "centre" => centre.to_string()).increment(1);
}

pub fn record_served(centre: &str) {
    metrics::counter!("banshi_tickets_served_total", "centre" => centre.to_string()).increment(1);
}

/// A live event stream open, counted while it lives.
pub struct SseConnection;

impl SseConnection {
    pub fn open() -> Self {
        metrics::gauge!("banshi_sse_connections").increment(1.0);
        SseConnection
    }
}

impl Drop for SseConnection {
    fn drop(&mut self) {
        metrics::gauge!("banshi_sse_connections").decrement(1.0);
    }
}
