//! The queue story on every backend: tickets numbered per queue per day, calls by the rule, the
//! ticket's life, and many windows calling at once without ever sharing a ticket.

use banshi_domain::queue::{Outcome, PriorityReason, QueuePolicy, TicketEvent, TicketState};
use banshi_domain::Role;
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{Duration, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// A centre with queues A and B and `windows` windows serving both, each opened by its own
/// officer: the officer at window n is `officers[n - 1]`.
async fn hall(store: &dyn Store, windows: i32) -> Vec<Staff> {
    let system = Actor::system("test");
    let centre = Centre {
        code: "SF01".into(),
        name: "示范中心".into(),
        address: "示范路1号".into(),
        hours: "工作日".into(),
        consult_phone: "0000-1234567".into(),
        supervision_phone: "12345".into(),
        ..Default::default()
    };
    store.save_centre(&system, &centre).await.unwrap();
    for (position, (prefix, name)) in [("A", "户籍"), ("B", "社保")].into_iter().enumerate() {
        let queue = Queue { centre_code: "SF01".into(), prefix: prefix.into(), name: name.into(), item_codes: vec![], position: position as i32 };
        store.save_queue(&system, &queue).await.unwrap();
    }
    let mut officers = Vec::new();
    for number in 1..=windows {
        let officer = NewStaff {
            department: String::new(),
            username: format!("officer{number}"),
            name: if number == 1 { "李敏".into() } else { format!("窗口{number}") },
            badge_number: format!("0123{number:02}"),
            role: Role::WindowStaff,
            centre_code: "SF01".into(),
            password_hash: "x".into(),
        };
        let officer = store.create_staff(&system, &officer).await.unwrap();
        store.save_window(&system, &Window { centre_code: "SF01".into(), number, name: format!("{number}号窗口") }).await.unwrap();
        let skills = WindowSkills { centre_code: "SF01".into(), number, queues: vec!["A".into(), "B".into()], green_channel: false };
        store.save_window_skills(&system, &skills).await.unwrap();
        store.set_window_status(&Actor::staff(&officer), "SF01", number, WindowStatus::Open, None).await.unwrap();
        officers.push(officer);
    }
    officers
}

fn at(window: i32) -> AtWindow<'static> {
    AtWindow { centre_code: "SF01", window }
}

/// A window calling, starting and finishing tickets until nobody waits; the ids it served.
async fn serve_until_empty(store: Arc<dyn Store>, actor: Actor, window: i32) -> Vec<i64> {
    let policy = QueuePolicy::default();
    let mut served = Vec::new();
    while let Some(ticket) = store.call_next(&actor, "SF01", window, &policy, Utc::now()).await.unwrap() {
        served.push(ticket.id);
        store.update_ticket(&actor, at(window), ticket.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&actor, at(window), ticket.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
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
        token: format!("token-{queue}-{minutes_ago}-{}", rand_suffix()),
        issuer: Actor::system("kiosk"),
        booking: None,
        daily_quota: None,
        phone_limit: None,
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn tickets_are_numbered_and_called_by_the_rule() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 1).await;
        let actor = Actor::staff(&officers[0]);
        let policy = QueuePolicy::default();
        let a1 = store.take_ticket(&new_ticket("A", None, 10)).await.unwrap();
        let a2 = store.take_ticket(&new_ticket("A", None, 9)).await.unwrap();
        let b1 = store.take_ticket(&new_ticket("B", Some(PriorityReason::Elderly), 5)).await.unwrap();
        assert_eq!((a1.number.as_str(), a2.number.as_str(), b1.number.as_str()), ("A001", "A002", "B001"));
        assert!(matches!(store.take_ticket(&new_ticket("Z", None, 0)).await, Err(StoreError::NotFound { .. })));

        let first = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(first.number, "B001", "{}: the elderly visitor goes first", store.backend());
        assert_eq!(first.state, TicketState::Called { window: 1, calls: 1 });
        match store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("window_still_has", vec![("window", "1".to_string()), ("number", "B001".to_string())])),
            other => panic!("a busy window must not call again: {other:?}"),
        }
        let serving = store.update_ticket(&actor, at(1), first.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        assert_eq!(serving.state, TicketState::Serving { window: 1 });
        let done = store.update_ticket(&actor, at(1), first.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
        assert!(done.state.is_final());
        match store.update_ticket(&actor, at(1), first.id, &TicketEvent::Started, &policy, Utc::now()).await {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("ticket_not_now", vec![("number", "B001".to_string()), ("state", "ticket_state_done".to_string()), ("action", "ticket_action_start".to_string())])),
            other => panic!("{other:?}"),
        }

        // A transfer keeps the arrival time: the transferred ticket is called before later ones.
        let second = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(second.number, "A001");
        let moved = store.update_ticket(&actor, at(1), second.id, &TicketEvent::Transferred { to_queue: Some("B".into()), to_window: None }, &policy, Utc::now()).await.unwrap();
        assert_eq!((moved.queue.as_str(), moved.arrived_at, &moved.state), ("B", second.arrived_at, &TicketState::Waiting));
        let b2 = store.take_ticket(&new_ticket("B", None, 0)).await.unwrap();
        let preferred = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(preferred.number, "A002", "the window prefers queue A");
        store.update_ticket(&actor, at(1), preferred.id, &TicketEvent::Returned, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&actor, at(1), preferred.id, &TicketEvent::Cancelled, &policy, Utc::now()).await.unwrap();
        let again = store.call_next(&actor, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(again.number, "A001", "in queue B the transferred ticket keeps its place before {}", b2.number);

        // Recalls turn into a no-show after the policy's number of calls.
        for _ in 1..policy.calls_before_no_show {
            let recalled = store.update_ticket(&actor, at(1), again.id, &TicketEvent::Recalled, &policy, Utc::now()).await.unwrap();
            assert!(matches!(recalled.state, TicketState::Called { .. }));
        }
        let gone = store.update_ticket(&actor, at(1), again.id, &TicketEvent::Recalled, &policy, Utc::now()).await.unwrap();
        assert_eq!(gone.state, TicketState::NoShow);

        let calls = store.recent_calls("SF01", 10).await.unwrap();
        assert_eq!(calls[0].number, "A001");
        assert!(calls[0].recall);
        assert_eq!(calls.iter().filter(|c| c.number == "B001").count(), 1);
        let active: Vec<String> = store.active_tickets("SF01").await.unwrap().into_iter().map(|t| t.number).collect();
        assert_eq!(active, ["B002"]);
        // One finished visit of queue B is no measure of its service; ten are.
        assert!(store.mean_service_minutes("SF01", "B").await.unwrap().is_none());
        for i in 0..banshi_storage::SERVICE_SAMPLE_LEAST {
            store.take_ticket(&new_ticket("B", None, 10 + i as i64)).await.unwrap();
        }
        serve_until_empty(test.store.clone(), actor.clone(), 1).await;
        assert!(store.mean_service_minutes("SF01", "B").await.unwrap().is_some());
    }
}

#[tokio::test]
async fn a_closed_window_calls_nobody_and_unknown_windows_are_named() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 1).await;
        let actor = Actor::staff(&officers[0]);
        let waiting = store.take_ticket(&new_ticket("A", None, 0)).await.unwrap();
        store.set_window_status(&actor, "SF01", 1, WindowStatus::Paused, Some("break")).await.unwrap();
        match store.call_next(&actor, "SF01", 1, &QueuePolicy::default(), Utc::now()).await {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("window_not_open", vec![("window", "1".to_string()), ("status", "window_status_paused".to_string())])),
            other => panic!("{other:?}"),
        }
        let out_of_order = TicketEvent::Called { window: 1, out_of_order_reason: Some("urgent".into()) };
        match store.update_ticket(&actor, at(1), waiting.id, &out_of_order, &QueuePolicy::default(), Utc::now()).await {
            Err(StoreError::Rule { key, .. }) => assert_eq!(key, "window_not_open", "{}", store.backend()),
            other => panic!("a paused window calls nobody, not even out of order: {other:?}"),
        }
        assert!(matches!(store.call_next(&actor, "SF01", 9, &QueuePolicy::default(), Utc::now()).await, Err(StoreError::NotFound { .. })));
        let live = store.windows_live("SF01").await.unwrap();
        assert_eq!((live[0].status, live[0].staff_name.as_deref(), live[0].pause_reason.as_deref()), (WindowStatus::Paused, Some("李敏"), Some("break")));
    }
}

#[tokio::test]
async fn many_windows_calling_at_once_never_share_a_ticket() {
    for test in fresh_stores().await {
        let store: Arc<dyn Store> = test.store.clone();
        let officers = hall(store.as_ref(), 8).await;
        let mut taken = Vec::new();
        for i in 0..60 {
            let queue = if i % 2 == 0 { "A" } else { "B" };
            taken.push(store.take_ticket(&new_ticket(queue, None, 60 - i)).await.unwrap().id);
        }
        let tasks: Vec<_> = (1..=8)
            .map(|window| {
                let store = store.clone();
                let actor = Actor::staff(&officers[window as usize - 1]);
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
async fn a_ticket_handed_to_a_window_is_called_there_first_and_nowhere_else() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 4).await;
        let system = Actor::system("test");
        // Window 2 serves queue B only; the handed ticket is an A.
        store.save_window_skills(&system, &WindowSkills { centre_code: "SF01".into(), number: 2, queues: vec!["B".into()], green_channel: false }).await.unwrap();
        let policy = QueuePolicy::default();
        let (one, two, three) = (Actor::staff(&officers[0]), Actor::staff(&officers[1]), Actor::staff(&officers[2]));
        let handed = store.take_ticket(&new_ticket("A", None, 30)).await.unwrap();
        let earlier_b = store.take_ticket(&new_ticket("B", None, 40)).await.unwrap();
        let later_a = store.take_ticket(&new_ticket("A", None, 20)).await.unwrap();
        let called = store.update_ticket(&one, at(1), handed.id, &TicketEvent::Called { window: 1, out_of_order_reason: Some("测试".into()) }, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&one, at(1), called.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();

        let to = |queue: Option<&str>, window: Option<i32>| TicketEvent::Transferred { to_queue: queue.map(String::from), to_window: window };
        let own = store.update_ticket(&one, at(1), handed.id, &to(None, Some(1)), &policy, Utc::now()).await.unwrap_err();
        assert!(matches!(&own, StoreError::Rule { key: "handover_to_itself", .. }), "{}: {own}", store.backend());
        store.set_window_status(&Actor::staff(&officers[3]), "SF01", 4, WindowStatus::Closed, None).await.unwrap();
        let closed = store.update_ticket(&one, at(1), handed.id, &to(None, Some(4)), &policy, Utc::now()).await.unwrap_err();
        assert!(matches!(&closed, StoreError::Rule { key: "handover_target_closed", values } if values[0].1 == "4"), "{}: {closed}", store.backend());
        let waiting = store.update_ticket(&one, at(1), handed.id, &to(None, Some(2)), &policy, Utc::now()).await.unwrap();
        assert_eq!((waiting.state.clone(), waiting.queue.as_str(), waiting.for_window), (TicketState::Waiting, "A", Some(2)), "{}", store.backend());

        let out_of_order = store.update_ticket(&three, at(3), handed.id, &TicketEvent::Called { window: 3, out_of_order_reason: Some("插队".into()) }, &policy, Utc::now()).await.unwrap_err();
        assert!(matches!(&out_of_order, StoreError::Rule { key: "ticket_handed_elsewhere", values } if values[1].1 == "2"), "{}: {out_of_order}", store.backend());
        let at_three = store.call_next(&three, "SF01", 3, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(at_three.id, later_a.id, "{}: window 3 takes its queues' own tickets (A preferred)", store.backend());
        let at_two = store.call_next(&two, "SF01", 2, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!((at_two.id, at_two.for_window), (handed.id, None), "{}: the handed ticket first at window 2, outside its queues", store.backend());
        assert_eq!(store.waiting_tickets("SF01", None).await.unwrap().iter().map(|t| t.id).collect::<Vec<_>>(), vec![earlier_b.id]);
    }
}

#[tokio::test]
async fn tickets_handed_to_a_window_that_closes_go_back_to_their_queue() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 2).await;
        let policy = QueuePolicy::default();
        let (one, two) = (Actor::staff(&officers[0]), Actor::staff(&officers[1]));
        let ticket = store.take_ticket(&new_ticket("A", None, 10)).await.unwrap();
        store.call_next(&one, "SF01", 1, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&one, at(1), ticket.id, &TicketEvent::Transferred { to_queue: Some("B".into()), to_window: Some(2) }, &policy, Utc::now()).await.unwrap();
        store.set_window_status(&two, "SF01", 2, WindowStatus::Closed, None).await.unwrap();
        let waiting = store.waiting_tickets("SF01", None).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!((waiting[0].id, waiting[0].queue.as_str(), waiting[0].for_window), (ticket.id, "B", None), "{}", store.backend());
    }
}

/// Window changes (a pause, reopening) are written beside the queue's own writes; neither may fail
/// for the other (on SQLite they are two connections sharing the write lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_changes_while_other_windows_call_both_succeed() {
    for test in fresh_stores().await {
        let store: Arc<dyn Store> = test.store.clone();
        let officers = hall(store.as_ref(), 5).await;
        for i in 0..80 {
            store.take_ticket(&new_ticket(if i % 2 == 0 { "A" } else { "B" }, None, 80 - i)).await.unwrap();
        }
        let callers: Vec<_> = (1..=4).map(|window| tokio::spawn(serve_until_empty(store.clone(), Actor::staff(&officers[window as usize - 1]), window))).collect();
        let pausing = Actor::staff(&officers[4]);
        for round in 0..30 {
            let (status, reason) = if round % 2 == 0 { (WindowStatus::Paused, Some("后台办件")) } else { (WindowStatus::Open, None) };
            store.set_window_status(&pausing, "SF01", 5, status, reason).await.unwrap_or_else(|err| panic!("{}: round {round}: {err}", store.backend()));
        }
        let served: usize = futures_count(callers).await;
        assert_eq!(served, 80, "{}", store.backend());
    }
}

/// Refused writes among many good ones (they share batches on both backends): each refused one is
/// told why, and every other still lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_writes_among_good_ones_change_nothing_and_stop_nothing() {
    for test in fresh_stores().await {
        let store: Arc<dyn Store> = test.store.clone();
        let officers = hall(store.as_ref(), 4).await;
        for i in 0..60 {
            store.take_ticket(&new_ticket(if i % 2 == 0 { "A" } else { "B" }, None, 60 - i)).await.unwrap();
        }
        let callers: Vec<_> = (1..=3).map(|window| tokio::spawn(serve_until_empty(store.clone(), Actor::staff(&officers[window as usize - 1]), window))).collect();
        // Window 4's officer calling at window 1, where someone else is signed in.
        let intruder = Actor::staff(&officers[3]);
        let mut refused = Vec::new();
        for _ in 0..40 {
            let store = store.clone();
            let intruder = intruder.clone();
            refused.push(tokio::spawn(async move { store.call_next(&intruder, "SF01", 1, &QueuePolicy::default(), Utc::now()).await }));
        }
        for attempt in refused {
            let err = attempt.await.unwrap().expect_err("a call from a window one is not signed in at");
            assert!(matches!(&err, StoreError::Rule { key: "window_sign_in_first", .. }), "{}: {err}", store.backend());
        }
        assert_eq!(futures_count(callers).await, 60, "{}", store.backend());
        assert!(store.active_tickets("SF01").await.unwrap().is_empty(), "{}", store.backend());
    }
}

async fn futures_count(tasks: Vec<tokio::task::JoinHandle<Vec<i64>>>) -> usize {
    let mut count = 0;
    for task in tasks {
        count += task.await.unwrap().len();
    }
    count
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
        let audited = &store.audit_log(None, 1).await.unwrap()[0];
        assert_eq!((audited.action.as_str(), audited.entity_id.clone()), ("queue_message", ticket.id.to_string()));
        assert!(!audited.after.as_ref().unwrap().to_string().contains("cipher"), "the recipient stays out of the audit log");
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
        let officers = hall(first.as_ref(), 6).await;
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
                let actor = Actor::staff(&officers[window as usize - 1]);
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

#[tokio::test]
async fn a_window_acts_only_on_its_own_tickets() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 2).await;
        let (first, second) = (Actor::staff(&officers[0]), Actor::staff(&officers[1]));
        let policy = QueuePolicy::default();
        // The refusal's text key and its values, as `key value value …`.
        let conflict = |result: StoreResult<Ticket>| match result {
            Err(StoreError::Rule { key, values }) => std::iter::once(key.to_string()).chain(values.into_iter().map(|(_, v)| v)).collect::<Vec<_>>().join(" "),
            other => panic!("{}: expected a refusal, got {other:?}", store.backend()),
        };
        store.take_ticket(&new_ticket("A", None, 5)).await.unwrap();
        let called = store.call_next(&second, "SF01", 2, &policy, Utc::now()).await.unwrap().unwrap();
        // Window 1's officer cannot finish, recall or cancel window 2's ticket, nor act as window 2.
        let message = conflict(store.update_ticket(&first, at(1), called.id, &TicketEvent::Recalled, &policy, Utc::now()).await);
        assert_eq!(message, format!("ticket_at_window {} 2", called.number));
        let message = conflict(store.update_ticket(&first, at(2), called.id, &TicketEvent::Started, &policy, Utc::now()).await);
        assert_eq!(message, "window_sign_in_first 2");
        assert!(store.call_next(&first, "SF01", 2, &policy, Utc::now()).await.is_err(), "nobody calls for another officer's window");

        // A waiting ticket of a queue the window does not serve is not the window's to call.
        let skills = WindowSkills { centre_code: "SF01".into(), number: 1, queues: vec!["B".into()], green_channel: false };
        store.save_window_skills(&Actor::system("test"), &skills).await.unwrap();
        let waiting_a = store.take_ticket(&new_ticket("A", None, 1)).await.unwrap();
        let out_of_order = TicketEvent::Called { window: 1, out_of_order_reason: Some("急事".into()) };
        let message = conflict(store.update_ticket(&first, at(1), waiting_a.id, &out_of_order, &policy, Utc::now()).await);
        assert_eq!(message, "window_not_serving 1 A");

        // A parked visitor frees the window for the next one, and is resumed only once it is free.
        let b = store.take_ticket(&new_ticket("B", None, 3)).await.unwrap();
        let c = store.take_ticket(&new_ticket("B", None, 2)).await.unwrap();
        assert_eq!(store.call_next(&first, "SF01", 1, &policy, Utc::now()).await.unwrap().map(|t| t.id), Some(b.id));
        store.update_ticket(&first, at(1), b.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&first, at(1), b.id, &TicketEvent::Parked, &policy, Utc::now()).await.unwrap();
        let next = store.call_next(&first, "SF01", 1, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(next.id, c.id, "{}: a parked ticket does not block the window", store.backend());
        let message = conflict(store.update_ticket(&first, at(1), b.id, &TicketEvent::Resumed, &policy, Utc::now()).await);
        assert_eq!(message, format!("window_busy_with 1 {}", c.number));
        store.update_ticket(&first, at(1), c.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&first, at(1), c.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
        let resumed = store.update_ticket(&first, at(1), b.id, &TicketEvent::Resumed, &policy, Utc::now()).await.unwrap();
        assert_eq!(resumed.state, TicketState::Serving { window: 1 });
        assert_eq!(store.ticket_by_token(&b.token).await.unwrap().map(|t| t.id), Some(b.id));
        assert!(store.ticket_by_token("no-such-token").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_window_has_one_officer_and_an_officer_one_window() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 2).await;
        let (first, second) = (Actor::staff(&officers[0]), Actor::staff(&officers[1]));
        let refused = |result: StoreResult<WindowLive>| match result {
            Err(StoreError::Rule { key, values }) => (key, values),
            other => panic!("{}: expected a refusal, got {other:?}", store.backend()),
        };
        assert_eq!(refused(store.set_window_status(&second, "SF01", 1, WindowStatus::Open, None).await), ("window_staffed_by", vec![("window", "1".to_string()), ("name", "李敏".to_string())]));
        store.set_window_status(&second, "SF01", 2, WindowStatus::Closed, None).await.unwrap();
        assert_eq!(refused(store.set_window_status(&first, "SF01", 2, WindowStatus::Open, None).await), ("window_signed_in_elsewhere", vec![("window", "1".to_string())]));
        let latest = &store.audit_log(None, 1).await.unwrap()[0];
        assert_eq!((latest.action.as_str(), latest.entity_id.as_str()), ("set_status", "SF01/2"));
        assert_eq!(latest.before.as_ref().unwrap()["status"], "open", "the audit keeps the state before");
        assert_eq!(latest.after.as_ref().unwrap()["status"], "closed");
    }
}

#[tokio::test]
async fn the_duty_leader_closes_a_window_its_officer_left() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 2).await;
        let (first, second) = (Actor::staff(&officers[0]), Actor::staff(&officers[1]));
        let policy = QueuePolicy::default();
        let served = store.take_ticket(&new_ticket("A", None, 9)).await.unwrap();
        let called = store.take_ticket(&new_ticket("A", None, 8)).await.unwrap();
        store.call_next(&first, "SF01", 1, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&first, at(1), served.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&first, at(1), served.id, &TicketEvent::Parked, &policy, Utc::now()).await.unwrap();
        store.call_next(&first, "SF01", 1, &policy, Utc::now()).await.unwrap();
        // The officer cannot leave with tickets at the window …
        assert!(matches!(store.set_window_status(&first, "SF01", 1, WindowStatus::Closed, None).await, Err(StoreError::Rule { key: "window_leave_with", .. })));
        // … but the duty leader can close it for them: both tickets wait again with their places.
        let leader = Actor::system("值班领导");
        let (window, returned) = store.close_window_for(&leader, "SF01", 1, "工作人员离岗", &policy, Utc::now()).await.unwrap();
        assert_eq!((window.status, window.staff_id, window.pause_reason.as_deref()), (WindowStatus::Closed, None, Some("工作人员离岗")));
        assert_eq!(returned.iter().map(|t| (t.id, t.state.clone())).collect::<Vec<_>>(), [(served.id, TicketState::Waiting), (called.id, TicketState::Waiting)]);
        let next = store.call_next(&second, "SF01", 2, &policy, Utc::now()).await.unwrap().unwrap();
        assert_eq!(next.id, served.id, "{}: the earliest arrival is called first again", store.backend());
        // Closing an unknown window is named.
        assert!(matches!(store.close_window_for(&leader, "SF01", 7, "x", &policy, Utc::now()).await, Err(StoreError::NotFound { .. })));
    }
}

#[tokio::test]
async fn a_visit_that_runs_past_midnight_stays_on_its_window() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let officers = hall(store, 1).await;
        let officer = Actor::staff(&officers[0]);
        let policy = QueuePolicy::default();
        let yesterday = store.take_ticket(&new_ticket("A", None, 26 * 60)).await.unwrap();
        let forgotten = store.take_ticket(&new_ticket("A", None, 25 * 60)).await.unwrap();
        assert!(store.call_next(&officer, "SF01", 1, &policy, Utc::now()).await.unwrap().is_none(), "yesterday's queue is not called today");
        let out_of_order = TicketEvent::Called { window: 1, out_of_order_reason: Some("昨晚未办完".into()) };
        store.update_ticket(&officer, at(1), yesterday.id, &out_of_order, &policy, Utc::now()).await.unwrap();
        store.update_ticket(&officer, at(1), yesterday.id, &TicketEvent::Started, &policy, Utc::now()).await.unwrap();
        let active: Vec<i64> = store.active_tickets("SF01").await.unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(active, [yesterday.id], "{}: the held ticket shows, yesterday's waiting one ({}) does not", store.backend(), forgotten.number);
        store.update_ticket(&officer, at(1), yesterday.id, &TicketEvent::Finished { outcome: Outcome::Done }, &policy, Utc::now()).await.unwrap();
        store.set_window_status(&officer, "SF01", 1, WindowStatus::Closed, None).await.unwrap();
    }
}
