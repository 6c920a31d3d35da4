//! Cases on every backend: numbered per centre and day, events applied by the domain's rules and
//! kept append-only, visits counted, open cases listed.

use banshi_domain::case::{CaseEvent, CaseState};
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{NaiveDate, Utc};

async fn centre(store: &dyn Store) {
    let centre = Centre {
        code: "SF01".into(),
        name: "示范中心".into(),
        address: "示范路1号".into(),
        hours: "工作日".into(),
        consult_phone: "0000-1234567".into(),
        supervision_phone: "12345".into(),
        ..Default::default()
    };
    store.save_centre(&Actor::system("test"), &centre).await.unwrap();
}

fn new_case(name: &str) -> NewCase {
    NewCase {
        centre_code: "SF01".into(),
        item_code: "T-BIRTH".into(),
        item_name: "出生登记".into(),
        limit_days: 5,
        applicant_kind: "person".into(),
        applicant_name: name.into(),
        applicant_id_cipher: "sealed".into(),
        agent_name: None,
        agent_id_cipher: None,
        authorisation: None,
        ticket_id: None,
        phone_cipher: None,
        window: Some(3),
        created_at: Utc::now(),
        query_code_cipher: None,
        received_message: None,
    }
}

#[tokio::test]
async fn a_case_is_numbered_and_follows_the_rules() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        centre(store).await;
        let officer = Actor::system("officer");
        let first = store.create_case(&officer, &new_case("张三")).await.unwrap();
        let second = store.create_case(&officer, &new_case("李四")).await.unwrap();
        let today = chrono::Local::now().date_naive().format("%Y%m%d").to_string();
        assert_eq!(first.number, format!("SF01-{today}-0001"), "{}", store.backend());
        assert_eq!(second.number, format!("SF01-{today}-0002"));
        assert_eq!(store.case(&first.number).await.unwrap().unwrap().window, Some(3), "{}: the window it was received at", store.backend());
        assert_eq!(first.state, CaseState::Submitted);

        let day: NaiveDate = "2026-11-24".parse().unwrap();
        let accepted = store.apply_case_event(&officer, &first.number, &CaseEvent::Accepted {}, Utc::now(), day, None).await.unwrap();
        assert_eq!(accepted.state, CaseState::Accepted);
        match store.apply_case_event(&officer, &first.number, &CaseEvent::Delivered { how: "窗口领取".into() }, Utc::now(), day, None).await {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("case_not_now", vec![("number", first.number.clone()), ("state", "受理".to_string()), ("action", "送达领取".to_string())])),
            other => panic!("{other:?}"),
        }
        let refused = CaseEvent::Refused { reason: "不属于本机关职权".into(), legal_basis: "行政许可法第三十二条".into() };
        store.apply_case_event(&officer, &second.number, &refused, Utc::now(), day, None).await.unwrap();
        assert!(matches!(store.apply_case_event(&officer, "SF01-19990101-0001", &CaseEvent::Accepted {}, Utc::now(), day, None).await, Err(StoreError::NotFound { .. })));

        let history = store.case_history(first.id).await.unwrap();
        assert_eq!(history.len(), 1, "a refused event leaves no trace");
        assert_eq!((history[0].day, &history[0].event, history[0].actor.as_str()), (day, &CaseEvent::Accepted {}, "officer"));
        assert_eq!(store.record_visit(&officer, &first.number).await.unwrap().visits, 2);
        // Coming back to a decided case (for its result) is no trip of the application.
        assert!(matches!(store.record_visit(&officer, &second.number).await, Err(StoreError::Rule { key: "case_visit_decided", .. })));
        assert_eq!(store.case(&second.number).await.unwrap().unwrap().visits, 1, "{}: the refused visit changed nothing", store.backend());
        let open = store.open_cases("SF01").await.unwrap();
        assert_eq!(open.iter().map(|(c, _)| c.number.clone()).collect::<Vec<_>>(), vec![first.number.clone()], "the refused case is closed");
        assert_eq!(open[0].1, history, "{}: each open case comes with its history", store.backend());
        assert_eq!(store.case(&first.number).await.unwrap().unwrap().state, CaseState::Accepted);
        for rewrite in ["UPDATE case_events SET actor = 'x'", "DELETE FROM case_events"] {
            assert!(test.execute_raw(rewrite).await.is_err(), "{}: {rewrite}", store.backend());
        }
    }
}
