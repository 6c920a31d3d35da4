//! `/metrics`: the counts the code keeps (`shared::metrics`), with the queue lengths, longest
//! waits and the outbox's backlog read as they are when scraped.

use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::metrics::handle;
use crate::shared::roles::ADMINS;
use crate::shared::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use banshi_domain::queue::TicketState;
use std::net::SocketAddr;

/// `/metrics`: for a signed-in admin, or a scraper at an address the server was told.
pub async fn render(State(state): State<AppState>, visitor: Visitor, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Result<Response, PageError> {
    if !state.metrics_from.contains(&peer.ip()) {
        visitor.require(ADMINS)?;
    }
    let now = chrono::Utc::now();
    for centre in state.store.centres().await? {
        let tickets = state.store.active_tickets(&centre.code).await?;
        for queue in state.cache.queues(state.store.as_ref(), &centre.code).await? {
            let waiting: Vec<_> = tickets.iter().filter(|t| t.queue == queue.prefix && t.state == TicketState::Waiting).collect();
            let longest = waiting.iter().map(|t| (now - t.arrived_at).num_seconds()).max().unwrap_or(0) as f64 / 60.0;
            let labels = [("centre", centre.code.clone()), ("queue", queue.prefix.clone())];
            metrics::gauge!("banshi_queue_waiting", &labels).set(waiting.len() as f64);
            metrics::gauge!("banshi_queue_longest_wait_minutes", &labels).set(longest);
        }
    }
    metrics::gauge!("banshi_outbox_backlog").set(state.store.outbox_backlog().await.map_err(AppError::from)? as f64);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render()).into_response())
}
