//! The queue story on every backend: tickets numbered per queue per day, calls by the rule, the
//! ticket's life, and many windows calling at once without ever sharing a ticket.

use banshi_domain::queue::{Outcome, PriorityReason, QueuePolicy, TicketEvent, TicketState};
use banshi_domain::Role;
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{Duration, Utc};
use std::collections::HashSet;
use std::sync::Arc;

async fn hall(store: &dyn Store, windows: i32) -> Staff {
    let system = Actor::system("test");
    let centre = Centre {
        code: "SF01".into(),
        name: "示范中心".into(),
        address: "示范路1号".into(),
        hours: "工作日".into(),
        consult_phone: "0000-1234567".into(),
        supervision_phone: "12345".into(),
    };
    store.save_centre(&system, &centre).await.unwrap();
    for (position, (prefix, name)) in [("A", "户籍"), ("B", "社保")].into_iter().enumerate() {
        let queue = Queue { centre_code: "SF01".into(), prefix: prefix.into(), name: name.into(), item_codes: vec![], position: position as i32 };
        store.save_queue(&system, &queue).await.unwrap();
    }
    let officer = NewStaff {
        username: "officer".into(),
        name: "李敏".into(),
        badge_number: "012345".into(),
        role: Role::WindowStaff,
        centre_code: "SF01".into(),
        password_hash: "x".into(),
    };
    let officer = store.create_staff(&system, &officer).await.unwrap();
    for number in 1..=windows {
        store.save_window(&system, &Window { centre_code: "SF01".into(), number, name: format!("{number}号窗口") }).await.unwrap();
        let skills = WindowSkills { centre_code: "SF01".into(), number, queues: vec!["A".into(), "B".into()], green_channel: false };
        store.save_window_skills(&system, &skills).await.unwrap();
        store.set_window_status(&system, "SF01", number, WindowStatus::Open, None, None).await.unwrap();
    }
    officer
}

/// A window calling, starting and finishing tickets until nobody waits; the ids it served.
async fn serve_until_empty(store: Arc<dyn Store>, actor: Actor, window: i32) -> Vec<i64> {
    let policy = QueuePolicy::default();
    let mut served = Vec::new();
    while let Some(ticket) = store.call_next(&actor, "SF01", window, &policy, Utc::now()).await.unwrap() {
        served.push(ticket.id);
        store.update_ticket(&actor, ticket.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&actor, ticket.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
    }
    served
}

fn new_ticket(queue: &str, priority: Option<PriorityReason>, minutes_ago: i64) -> NewTicket {
    NewTicket {
        centre_code: "SF01".into(),
        queue: queue.into(),
        priority,
        items: vec![],
        phone_cipher: None,
        arrived_at: Utc::now() - Duration::minutes(minutes_ago),
    }
}

#[tokio::test]
async fn tickets_are_numbered_and_called_by_the_rule() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officer = hall(store, 1).await;
        let actor = Actor::staff(&officer);
        let policy = QueuePolicy::default();
        let a1 = store.take_ticket(&new_ticket("A", None, 10)).await.unwrap();
        let a2 = store.take_ticket(&new_ticket("A", None, 9)).await.unwrap();
        let b1 = store.take_ticket(&new_ticket("B", Some(PriorityReason::Elderly), 5)).await.unwrap();
        assert_eq!((a1.number.as_str(), a2.number.as_str(), b1.number.as_str()), ("A001", "A002", "B001"));
        assert!(matches!(store.take_ticket(&new_ticket("Z", None, 0)).await, Err(StoreError::NotFound(_))));

        let first = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(first.number, "B001", "{}: the elderly visitor goes first", store.backend());
        assert_eq!(first.state, TicketState::Called { window: 1, calls: 1 });
        match store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("still has ticket B001"), "{message}"),
            other => panic!("a busy window must not call again: {other:?}"),
        }
        let serving = store.update_ticket(&actor, first.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        assert_eq!(serving.state, TicketState::Serving { window: 1 });
        let done = store.update_ticket(&actor, first.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
        assert!(done.state.is_final());
        match store.update_ticket(&actor, first.id, &TicketEvent::Started, &policy, Utc::now()).await {
            Err(StoreError::Conflict(message)) => assert_eq!(message, "ticket B001: a ticket that is done cannot be given the action \"start\""),
            other => panic!("{other:?}"),
        }

        // A transfer keeps the arrival time: the transferred ticket is called before later ones.
        let second = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(second.number, "A001");
        let moved = store.update_ticket(&actor, second.id, &TicketEvent::Transferred { to_queue: "B".into() }, &policy, Utc::now()).await.unwrap();
        assert_eq!((moved.queue.as_str(), moved.arrived_at, &moved.state), ("B", second.arrived_at, &TicketState::Waiting));
        let b2 = store.take_ticket(&new_ticket("B", None, 0)).await.unwrap();
        let preferred = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(preferred.number, "A002", "the window prefers queue A");
        store.update_ticket(&actor, preferred.id, &TicketEvent::Returned, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&actor, preferred.id, &TicketEvent::Cancelled, &policy, Utc::now()).await.unwrap();
        let again = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(again.number, "A001", "in queue B the transferred ticket keeps its place before {}", b2.number);

        // Recalls turn into a no-show after the policy's number of calls.
        for _ in 1..policy.calls_before_no_show {
            let recalled = store.update_ticket(&actor, again.id, &TicketEvent::Recalled, &policy, Utc::now()).await.unwrap();
            assert!(matches!(recalled.state, TicketState::Called { .. }));
        }
        let gone = store.update_ticket(&actor, again.id, &TicketEvent::Recalled, &policy, Utc::now()).await.unwrap();
        assert_eq!(gone.state, TicketState::NoShow);

        let calls = store.recent_calls("SF01", 10).await.unwrap();
        assert_eq!(calls[0].number, "A001");
        assert!(calls[0].recall);
        assert_eq!(calls.iter().filter(|c| c.number == "B001").count(), 1);
        let active: Vec<String> = store.active_tickets("SF01").await.unwrap().into_iter().map(|t| t.number).collect();
        assert_eq!(active, ["B002"]);
        assert!(store.mean_service_minutes("SF01", "B").await.unwrap().is_some());
    }
}

#[tokio::test]
async fn a_closed_window_calls_nobody_and_unknown_windows_are_named() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officer = hall(store, 1).await;
        let actor = Actor::staff(&officer);
        store.take_ticket(&new_ticket("A", None, 0)).await.unwrap();
        store.set_window_status(&actor, "SF01", 1, WindowStatus::Paused, Some("break"), Some(officer.id)).await.unwrap();
        match store.call_next(&actor, "SF01", 1, &QueuePolicy::default(), Utc::now()).await {
            Err(StoreError::Conflict(message)) => assert_eq!(message, "window 1 is paused: open it before calling"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(store.call_next(&actor, "SF01", 9, &QueuePolicy::default(), Utc::now()).await, Err(StoreError::NotFound(_))));
        let live = store.windows_live("SF01").await.unwrap();
        assert_eq!((live[0].status, live[0].staff_name.as_deref(), live[0].pause_reason.as_deref()), (WindowStatus::Paused, Some("李敏"), Some("break")));
    }
}

#[tokio::test]
async fn many_windows_calling_at_once_never_share_a_ticket() {
    for test in fresh_stores().await {
        let store: Arc<dyn Store> = test.store.clone();
        let officer = hall(store.as_ref(), 8).await;
        let mut taken = Vec::new();
        for i in 0..60 {
            let queue = if i % 2 == 0 { "A" } else { "B" };
            taken.push(store.take_ticket(&new_ticket(queue, None, 60 - i)).await.unwrap().id);
        }
        let tasks: Vec<_> = (1..=8)
            .map(|window| {
                let store = store.clone();
                let actor = Actor::staff(&officer);
                tokio::spawn(serve_until_empty(store, actor, window))
            })
            .collect();
        let mut seen = HashSet::new();
        for task in tasks {
            for id in task.await.unwrap() {
                assert!(seen.insert(id), "{}: ticket {id} was called by two windows", store.backend());
            }
        }
        assert_eq!(seen.len(), taken.len(), "every ticket was called");
        assert!(store.active_tickets("SF01").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_outbox_gets_one_message_per_ticket() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        hall(store, 1).await;
        let mut ticket = new_ticket("A", None, 0);
        ticket.phone_cipher = Some("cipher".into());
        let ticket = store.take_ticket(&ticket).await.unwrap();
        assert!(ticket.has_phone);
        for _ in 0..2 {
            store.enqueue_notification(ticket.id, "almost_your_turn", "cipher", "快到您了").await.unwrap();
        }
        let pending = store.pending_notifications(10).await.unwrap();
        assert_eq!(pending.len(), 1, "{}", store.backend());
        assert_eq!((pending[0].message.as_str(), pending[0].ticket_id), ("快到您了", Some(ticket.id)));
    }
}

#[tokio::test]
async fn ticket_events_cannot_be_rewritten() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        hall(store, 1).await;
        store.take_ticket(&new_ticket("A", None, 0)).await.unwrap();
        for rewrite in ["UPDATE ticket_events SET actor = 'x'", "DELETE FROM ticket_events"] {
            assert!(test.execute_raw(rewrite).await.is_err(), "{}: {rewrite}", store.backend());
        }
    }
}

#[tokio::test]
async fn two_instances_on_one_database_are_one_hall() {
    for test in fresh_stores().await {
        let Some(second) = test.second_instance().await else { continue };
        let first = test.store.clone();
        let officer = hall(first.as_ref(), 6).await;
        for i in 0..40 {
            first.take_ticket(&new_ticket(if i % 2 == 0 { "A" } else { "B" }, None, 40 - i)).await.unwrap();
        }
        // An event published on one instance reaches subscribers of both.
        let mut on_first = first.subscribe();
        let mut on_second = second.subscribe();
        first.publish(r#"{"kind":"call","number":"A001"}"#).await.unwrap();
        for receiver in [&mut on_first, &mut on_second] {
            let event = tokio::time::timeout(std::time::Duration::from_secs(5), receiver.recv()).await.expect("event arrives").unwrap();
            assert_eq!(event, r#"{"kind":"call","number":"A001"}"#);
        }
        // Windows 1–3 call through the first instance, 4–6 through the second, all at once.
        let tasks: Vec<_> = (1..=6)
            .map(|window| {
                let store = if window <= 3 { first.clone() } else { second.clone() };
                let actor = Actor::staff(&officer);
                tokio::spawn(serve_until_empty(store, actor, window))
            })
            .collect();
        let mut seen = HashSet::new();
        for task in tasks {
            for id in task.await.unwrap() {
                assert!(seen.insert(id), "ticket {id} was called on both instances");
            }
        }
        assert_eq!(seen.len(), 40);
    }
}
