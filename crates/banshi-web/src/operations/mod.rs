//! Running the hall's server: `/healthz` (the process answers), `/readyz` (its database answers,
//! every migration applied), and Prometheus metrics at `/metrics` — requests and latency per
//! route, queue lengths and longest waits per centre, tickets taken and served, live event
//! connections, the outbox's backlog — for a signed-in admin or from the addresses the server
//! was told (`--metrics-from`).

mod metrics;

use crate::shared::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(alive)).route("/readyz", get(ready)).route("/metrics", get(metrics::render))
}

async fn alive() -> Response {
    Json(json!({ "status": "alive" })).into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ready().await {
        Ok(()) => Json(json!({ "status": "ready", "database": state.store.backend() })).into_response(),
        Err(err) => {
            tracing::warn!(%err, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not_ready", "database": state.store.backend() }))).into_response()
        }
    }
}
