//! Live events for boards, ticket pages, consoles and the overview, over server-sent events.
//!
//! Each instance runs one [`Hub`]: it hears every event of the database (its own and other
//! instances', through the store), forwards calls at once, and folds the many "something changed"
//! events into at most one `counts` event per centre per second, carrying the waiting counts — so
//! a thousand boards get a few small messages a second and never have to ask the server back.

use super::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use banshi_domain::queue::TicketState;
use banshi_storage::Store;
use futures_util::stream::Stream;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// How often at most a centre's counts go out.
const COUNTS_EVERY: Duration = Duration::from_secs(1);
/// How often at most this instance tells all instances that a centre changed. Each telling is a
/// NOTIFY on PostgreSQL (a round trip, and every instance's listener woken), and the counts go out
/// once a second anyway; a busy hall changes hundreds of times a second.
const CHANGES_EVERY: Duration = Duration::from_millis(250);

/// A live event, as JSON text on the wire (SSE) and between instances (NOTIFY).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HallEvent {
    /// A ticket was called or recalled: boards show it and speak `text`.
    Call { centre: String, number: String, window: i32, recall: bool, text: String },
    /// Something else changed (a ticket taken, finished, a window paused): views refresh.
    Changed { centre: String },
}

/// Calls go to every instance's boards at once; other changes are gathered by the hub first.
pub async fn publish(state: &AppState, event: HallEvent) {
    if let HallEvent::Changed { centre } = &event {
        state.hub.changed(centre);
        return;
    }
    let text = serde_json::to_string(&event).expect("events serialise");
    // The write is already committed: a lost event only delays a board until the next one.
    if let Err(err) = state.store.publish(&text).await {
        tracing::warn!(%err, "event not published");
    }
}

/// What a subscriber receives: the SSE event name and its JSON data.
#[derive(Clone, Debug)]
struct Outgoing {
    centre: Arc<str>,
    name: &'static str,
    data: Arc<str>,
}

pub struct Hub {
    outgoing: broadcast::Sender<Outgoing>,
    changed: tokio::sync::mpsc::UnboundedSender<String>,
}

#[derive(Serialize)]
struct QueueCount {
    prefix: String,
    waiting: usize,
}

impl Hub {
    /// Starts the hub's task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> Hub {
        let (outgoing, _) = broadcast::channel(4096);
        let sender = outgoing.clone();
        let mut incoming = store.subscribe();
        let (changed, changes) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(publish_changes(store.clone(), changes));
        tokio::spawn(async move {
            let mut dirty: BTreeSet<String> = BTreeSet::new();
            let mut tick = tokio::time::interval(COUNTS_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    received = incoming.recv() => match received {
                        Ok(text) => match serde_json::from_str::<HallEvent>(&text) {
                            Ok(HallEvent::Call { centre, .. }) => {
                                let _ = sender.send(Outgoing { centre: centre.as_str().into(), name: "call", data: text.into() });
                                dirty.insert(centre);
                            }
                            Ok(HallEvent::Changed { centre }) => {
                                dirty.insert(centre);
                            }
                            Err(err) => tracing::warn!(%err, "an event that does not read"),
                        },
                        Err(broadcast::error::RecvError::Lagged(missed)) => tracing::warn!(missed, "the event hub fell behind"),
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    _ = tick.tick() => {
                        for centre in std::mem::take(&mut dirty) {
                            match counts(store.as_ref(), &centre).await {
                                Ok(data) => {
                                    let _ = sender.send(Outgoing { centre: centre.as_str().into(), name: "counts", data: data.into() });
                                }
                                Err(err) => tracing::warn!(%err, centre, "counts not computed"),
                            }
                        }
                    }
                }
            }
        });
        Hub { outgoing, changed }
    }

    /// Notes that something in the centre changed; all instances hear of it within
    /// `CHANGES_EVERY`, once however many changes there were.
    pub fn changed(&self, centre: &str) {
        // The publishing task ends only with the runtime; nothing to tell then.
        let _ = self.changed.send(centre.to_string());
    }
}

/// Publishes one `changed` event per centre that changed since the last round.
async fn publish_changes(store: Arc<dyn Store>, mut changes: tokio::sync::mpsc::UnboundedReceiver<String>) {
    while let Some(first) = changes.recv().await {
        let mut centres = BTreeSet::from([first]);
        tokio::time::sleep(CHANGES_EVERY).await;
        while let Ok(centre) = changes.try_recv() {
            centres.insert(centre);
        }
        for centre in centres {
            let text = serde_json::to_string(&HallEvent::Changed { centre }).expect("events serialise");
            // The writes are committed: a lost event only delays the boards until the next one.
            if let Err(err) = store.publish(&text).await {
                tracing::warn!(%err, "change not published");
            }
        }
    }
}

/// `{"centre": …, "queues": [{"prefix": "A", "waiting": 3}, …]}`
async fn counts(store: &dyn Store, centre: &str) -> Result<String, banshi_storage::StoreError> {
    let tickets = store.active_tickets(centre).await?;
    let queues: Vec<QueueCount> = store
        .queues(centre)
        .await?
        .into_iter()
        .map(|q| QueueCount { waiting: tickets.iter().filter(|t| t.queue == q.prefix && t.state == TicketState::Waiting).count(), prefix: q.prefix })
        .collect();
    Ok(serde_json::json!({ "centre": centre, "queues": queues }).to_string())
}

/// The centre's events as an SSE stream: `event: call` (data: the call, with the words to speak)
/// and `event: counts` (data: the waiting counts).
pub fn stream(state: &AppState, centre: String) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Counted while the stream lives: it moves into the stream's closure and drops with it.
    let connection = super::metrics::SseConnection::open();
    let events = BroadcastStream::new(state.hub.outgoing.subscribe()).filter_map(move |received| {
        let _counted = &connection;
        match received {
            Ok(outgoing) if *outgoing.centre == *centre => Some(Ok(Event::default().event(outgoing.name).data(&*outgoing.data))),
            Ok(_) => None,
            // Fell behind: a page reloads its whole view rather than miss a change.
            Err(_) => Some(Ok(Event::default().event("counts").data("{}"))),
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
