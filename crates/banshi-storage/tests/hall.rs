//! The hall as data and the day's close, on every backend: a hall replaced whole and read back, a
//! queue with tickets today or a staffed window kept, a generalist window calling by arrival, the
//! quota held however many kiosks ask, and yesterday's leftover tickets expired once.

use banshi_domain::hall::parse_hall_toml;
use banshi_domain::queue::{QueuePolicy, TicketState};
use banshi_domain::Role;
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{Duration, Local, Utc};

const HALL: &str = r#"
[hours]
working_days = "09:00-12:00, 13:30-17:00"
day_close = "20:00"

[[queue]]
prefix = "A"
name = "户籍办理"
daily_quota = 3

[[queue]]
prefix = "B"
name = "社保医保"
issue_until = "16:00"

[[window]]
number = 1
queues = ["A", "B"]
call_order = "arrival"

[[window]]
number = 2
name = "社保窗口"
queues = ["B"]
"#;

async fn centre(store: &dyn Store) -> Staff {
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
    let officer = NewStaff { department: String::new(), username: "officer".into(), name: "李敏".into(), badge_number: "012301".into(), role: Role::WindowStaff, centre_code: "SF01".into(), password_hash: "x".into() };
    store.create_staff(&system, &officer).await.unwrap()
}

fn ticket(queue: &str, minutes_ago: i64, quota: Option<u32>) -> NewTicket {
    NewTicket {
        centre_code: "SF01".into(),
        queue: queue.into(),
        priority: None,
        items: vec![],
        phone_cipher: None,
        arrived_at: Utc::now() - Duration::minutes(minutes_ago),
        token: format!("{queue}-{minutes_ago}-{}", rand_suffix()),
        issuer: Actor::system("kiosk"),
        booking: None,
        daily_quota: quota,
        phone_limit: None,
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn a_hall_is_replaced_whole_and_reads_back_as_it_was_given() {
    for test_store in fresh_stores().await {
        let store = test_store.store.as_ref();
        centre(store).await;
        let hall = parse_hall_toml(HALL, |_| true).unwrap();
        let today = Local::now().date_naive();
        store.replace_hall(&Actor::system("admin"), "SF01", &hall, today).await.unwrap();
        assert_eq!(store.hall("SF01").await.unwrap(), hall, "{}", store.backend());
        assert_eq!(store.queues("SF01").await.unwrap().iter().map(|q| q.prefix.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        let live = store.windows_live("SF01").await.unwrap();
        assert_eq!(live[0].call_order, banshi_domain::queue::CallOrder::Arrival);
        assert_eq!(live[1].name, "社保窗口");
        let audit = store.audit_log(None, 5).await.unwrap();
        assert!(audit.iter().any(|e| e.entity == "hall" && e.entity_id == "SF01"), "the change is audited");

        let mut smaller = hall.clone();
        smaller.queues.retain(|q| q.prefix == "A");
        smaller.windows.retain(|w| w.number == 1);
        smaller.windows[0].queues = vec!["A".into()];
        store.replace_hall(&Actor::system("admin"), "SF01", &smaller, today).await.unwrap();
        assert_eq!(store.hall("SF01").await.unwrap(), smaller, "a queue and a window removed");
        assert!(store.hall("NOPE").await.is_err(), "no such centre");
    }
}

#[tokio::test]
async fn a_queue_with_tickets_today_and_a_staffed_window_are_not_removed() {
    for test_store in fresh_stores().await {
        let store = test_store.store.as_ref();
        let officer = centre(store).await;
        let hall = parse_hall_toml(HALL, |_| true).unwrap();
        let today = Local::now().date_naive();
        store.replace_hall(&Actor::system("admin"), "SF01", &hall, today).await.unwrap();
        store.take_ticket(&ticket("B", 5, None)).await.unwrap();
        let mut without_b = hall.clone();
        without_b.queues.retain(|q| q.prefix == "A");
        without_b.windows.retain(|w| w.number == 1);
        without_b.windows[0].queues = vec!["A".into()];
        match store.replace_hall(&Actor::system("admin"), "SF01", &without_b, today).await {
            Err(StoreError::Rule { key: "hall_queue_has_tickets", values }) => assert_eq!(values[0], ("queue", "B".to_string())),
            other => panic!("{}: {other:?}", store.backend()),
        }
        assert_eq!(store.hall("SF01").await.unwrap(), hall, "nothing changed");

        store.set_window_status(&Actor::staff(&officer), "SF01", 2, WindowStatus::Open, None).await.unwrap();
        let mut without_window_2 = hall.clone();
        without_window_2.windows.retain(|w| w.number == 1);
        assert!(matches!(store.replace_hall(&Actor::system("admin"), "SF01", &without_window_2, today).await, Err(StoreError::Rule { key: "hall_window_staffed", .. })));
        let tomorrow = today + Duration::days(1);
        store.set_window_status(&Actor::staff(&officer), "SF01", 2, WindowStatus::Closed, None).await.unwrap();
        store.replace_hall(&Actor::system("admin"), "SF01", &without_window_2, tomorrow).await.unwrap();
    }
}

#[tokio::test]
async fn a_generalist_window_calls_the_oldest_ticket_of_its_queues() {
    for test_store in fresh_stores().await {
        let store = test_store.store.as_ref();
        let officer = centre(store).await;
        store.replace_hall(&Actor::system("admin"), "SF01", &parse_hall_toml(HALL, |_| true).unwrap(), Local::now().date_naive()).await.unwrap();
        store.take_ticket(&ticket("A", 5, None)).await.unwrap();
        let older = store.take_ticket(&ticket("B", 20, None)).await.unwrap();
        store.set_window_status(&Actor::staff(&officer), "SF01", 1, WindowStatus::Open, None).await.unwrap();
        let called = store.call_next(&Actor::staff(&officer), "SF01", 1, &QueuePolicy::default(), Utc::now()).await.unwrap().unwrap();
        assert_eq!(called.id, older.id, "{}: by arrival across A and B, though A comes first", store.backend());
    }
}

#[tokio::test]
async fn the_daily_quota_holds_however_many_kiosks_ask_at_once() {
    for test_store in fresh_stores().await {
        let store = test_store.store.clone();
        centre(store.as_ref()).await;
        store.replace_hall(&Actor::system("admin"), "SF01", &parse_hall_toml(HALL, |_| true).unwrap(), Local::now().date_naive()).await.unwrap();
        let kiosks: Vec<_> = (0..8).map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.take_ticket(&ticket("A", i, Some(3))).await })
        }).collect();
        let mut issued = 0;
        for kiosk in kiosks {
            match kiosk.await.unwrap() {
                Ok(_) => issued += 1,
                Err(StoreError::QuotaReached(3)) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(issued, 3, "{}", store.backend());
        assert_eq!(store.issued_counts("SF01", Local::now().date_naive()).await.unwrap(), [("A".to_string(), 3)], "a refused ticket takes no number");
    }
}

#[tokio::test]
async fn the_day_closes_once_expiring_what_was_left_and_signing_the_windows_out() {
    for test_store in fresh_stores().await {
        let store = test_store.store.as_ref();
        let officer = centre(store).await;
        store.replace_hall(&Actor::system("admin"), "SF01", &parse_hall_toml(HALL, |_| true).unwrap(), Local::now().date_naive()).await.unwrap();
        // Yesterday: two left waiting, one called and never finished.
        let yesterday = Local::now().date_naive() - Duration::days(1);
        for minutes_ago in [24 * 60 + 30, 24 * 60 + 20, 24 * 60 + 10] {
            store.take_ticket(&ticket("A", minutes_ago, None)).await.unwrap();
        }
        let today_ticket = store.take_ticket(&ticket("B", 1, None)).await.unwrap();
        let leftovers = test_store.execute_raw(&format!("UPDATE tickets SET day = '{yesterday}' WHERE queue_prefix = 'A'")).await.unwrap();
        assert_eq!(leftovers, 3);
        test_store.execute_raw(&format!("UPDATE tickets SET state = 'called', window_number = 1, state_doc = '{{\"state\":\"called\",\"window\":1,\"calls\":1}}' WHERE id = (SELECT MIN(id) FROM tickets WHERE day = '{yesterday}')")).await.unwrap();
        store.set_window_status(&Actor::staff(&officer), "SF01", 2, WindowStatus::Open, None).await.unwrap();
        assert_eq!(store.unclosed_days("SF01", Local::now().date_naive()).await.unwrap(), [yesterday]);

        let figures = store.close_day(&Actor::system("day close"), "SF01", yesterday, Utc::now(), false).await.unwrap().unwrap();
        assert_eq!((figures.taken, figures.expired, figures.windows_signed_out), (3, 3, 0), "{}", store.backend());
        assert!(store.close_day(&Actor::system("day close"), "SF01", yesterday, Utc::now(), false).await.unwrap().is_none(), "once");
        assert!(store.unclosed_days("SF01", Local::now().date_naive()).await.unwrap().is_empty());
        let expired = store.ticket(today_ticket.id - 1).await.unwrap().unwrap();
        assert_eq!(expired.state, TicketState::Expired);
        assert_eq!(store.ticket(today_ticket.id).await.unwrap().unwrap().state, TicketState::Waiting, "today's ticket waits on");
        assert_eq!(store.windows_live("SF01").await.unwrap()[1].status, WindowStatus::Open, "a missed day's close leaves today's officers be");

        let today = store.close_day(&Actor::system("day close"), "SF01", Local::now().date_naive(), Utc::now(), true).await.unwrap().unwrap();
        assert_eq!((today.taken, today.expired, today.windows_signed_out), (1, 1, 1));
        assert_eq!(store.windows_live("SF01").await.unwrap()[1].status, WindowStatus::Closed);
        assert_eq!(store.closed_days("SF01", 10).await.unwrap().iter().map(|d| d.day).collect::<Vec<_>>(), [Local::now().date_naive(), yesterday]);
        assert!(store.active_tickets("SF01").await.unwrap().is_empty());
    }
}
