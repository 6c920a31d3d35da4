//! Server-sent events: boards, ticket pages and the overview subscribe here and hear every call
//! and change of their centre, whichever instance made it.

use crate::hall::HallEvent;
use crate::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use std::convert::Infallible;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// The centre's events as an SSE stream (`event: call` or `event: changed`, data is the JSON).
pub fn stream(state: &AppState, centre: String) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = BroadcastStream::new(state.store.subscribe()).filter_map(move |received| match received {
        Ok(text) => {
            let event: HallEvent = serde_json::from_str(&text).ok()?;
            if event.centre() != centre {
                return None;
            }
            let name = match event {
                HallEvent::Call { .. } => "call",
                HallEvent::Changed { .. } => "changed",
            };
            Some(Ok(Event::default().event(name).data(text)))
        }
        // Fell behind: tell the page to reload its whole view rather than miss a change.
        Err(_) => Some(Ok(Event::default().event("changed").data("{}"))),
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
