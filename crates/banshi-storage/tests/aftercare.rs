//! After the visit, on every backend: one rating per case, a bad rating's work item through its
//! steps and an appeal, complaints taken forward by their owner only, follow-ups made once per
//! source, and the append-only logs.

use banshi_domain::case::CaseEvent;
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use banshi_domain::rating::{BadRatingEvent, BadRatingState, Grade};
use banshi_domain::Role;
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::{NaiveDate, Utc};

async fn setup(store: &dyn Store) -> (Staff, Staff) {
    let centre = Centre { code: "SF01".into(), name: "示范中心".into(), address: "路".into(), hours: "工作日".into(), consult_phone: "1".into(), supervision_phone: "12345".into(), ..Default::default() };
    store.save_centre(&Actor::system("test"), &centre).await.unwrap();
    let staff = |username: &str, role| NewStaff { department: String::new(), username: username.into(), name: format!("{username}名"), badge_number: format!("B-{username}"), role, centre_code: "SF01".into(), password_hash: "x".into() };
    let officer = store.create_staff(&Actor::system("test"), &staff("officer", Role::WindowStaff)).await.unwrap();
    let manager = store.create_staff(&Actor::system("test"), &staff("manager", Role::Manager)).await.unwrap();
    (officer, manager)
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn finished_case(store: &dyn Store, officer: &Staff) -> Case {
    let new = NewCase {
        centre_code: "SF01".into(),
        item_code: "T-BIRTH".into(),
        item_name: "出生登记".into(),
        limit_days: 5,
        applicant_kind: "person".into(),
        applicant_name: "张三".into(),
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
    };
    let actor = Actor::staff(officer);
    let case = store.create_case(&actor, &new).await.unwrap();
    store.apply_case_event(&actor, &case.number, &CaseEvent::Accepted {}, Utc::now(), day("2026-03-02"), None).await.unwrap();
    store.apply_case_event(&actor, &case.number, &CaseEvent::Decided { approved: true, reason: None }, Utc::now(), day("2026-03-03"), None).await.unwrap()
}

fn rating(rated: Rated, grade: Grade, contact: Option<&str>) -> NewRating {
    NewRating {
        rated,
        grade,
        channel: "progress".into(),
        reasons: vec!["waiting".into()],
        comment: Some("等太久".into()),
        contact_cipher: contact.map(String::from),
        rated_at: Utc::now(),
        day: day("2026-03-04"),
        verify_by: day("2026-03-05"),
        fix_by: day("2026-03-11"),
    }
}

#[tokio::test]
async fn a_bad_rating_is_rated_once_worked_and_appealed() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let (officer, manager) = setup(store).await;
        let case = finished_case(store, &officer).await;
        let citizen = Actor::system("citizen");
        let rated = store.rate(&citizen, &rating(Rated::Case(case.id), Grade::VeryDissatisfied, Some("sealed-phone"))).await.unwrap();
        assert_eq!((rated.window, rated.officer_id, rated.item_code.as_deref(), rated.real_name), (Some(3), Some(officer.id), Some("T-BIRTH"), true), "{}", store.backend());
        match store.rate(&citizen, &rating(Rated::Case(case.id), Grade::Satisfied, None)).await {
            Err(StoreError::Rule { key, .. }) => assert_eq!(key, "rating_case_rated_already"),
            other => panic!("{}: {other:?}", store.backend()),
        }
        assert!(matches!(store.rate(&citizen, &rating(Rated::Ticket(999), Grade::Satisfied, None)).await, Err(StoreError::NotFound { .. })));

        let ledger = store.bad_ratings("SF01", day("2026-03-01")).await.unwrap();
        assert_eq!(ledger.len(), 1);
        assert_eq!((ledger[0].state, ledger[0].verify_by, ledger[0].fix_by), (BadRatingState::Open, day("2026-03-05"), day("2026-03-11")));

        let desk = Actor::staff(&manager);
        let unreached = BadRatingEvent::Verified { called_back: false, note: "未回访".into() };
        assert!(matches!(store.act_on_bad_rating(&desk, rated.id, &unreached, Utc::now(), day("2026-03-05")).await, Err(StoreError::Rule { key: "rating_call_back_first", .. })));
        let verified = BadRatingEvent::Verified { called_back: true, note: "已电话回访".into() };
        store.act_on_bad_rating(&desk, rated.id, &verified, Utc::now(), day("2026-03-05")).await.unwrap();
        let appeal = BadRatingEvent::Appealed { reason: "恶意差评".into() };
        assert_eq!(store.act_on_bad_rating(&Actor::staff(&officer), rated.id, &appeal, Utc::now(), day("2026-03-06")).await.unwrap().state, BadRatingState::Appealed { verified: true });
        let rejected = BadRatingEvent::AppealDecided { upheld: false, note: "录像显示确有等候过久".into() };
        store.act_on_bad_rating(&desk, rated.id, &rejected, Utc::now(), day("2026-03-06")).await.unwrap();
        let fixed = store.act_on_bad_rating(&desk, rated.id, &BadRatingEvent::Fixed { note: "高峰增开窗口".into() }, Utc::now(), day("2026-03-09")).await.unwrap();
        assert_eq!((fixed.state, fixed.fixed_on), (BadRatingState::Fixed, Some(day("2026-03-09"))));
        let closed = store.act_on_bad_rating(&desk, rated.id, &BadRatingEvent::Closed { citizen_satisfied: true, note: "群众认可".into() }, Utc::now(), day("2026-03-10")).await.unwrap();
        assert_eq!((closed.state, closed.citizen_satisfied, closed.history.len()), (BadRatingState::Closed, Some(true), 5));

        let counts = store.rating_counts("SF01", day("2026-03-01")).await.unwrap();
        assert_eq!(counts, vec![RatingCount { item_code: Some("T-BIRTH".into()), window_number: Some(3), grade: 5, voided: false, count: 1 }], "{}", store.backend());
        for rewrite in ["UPDATE bad_rating_events SET actor = 'x'", "DELETE FROM bad_rating_events"] {
            assert!(test.execute_raw(rewrite).await.is_err(), "{}: {rewrite}", store.backend());
        }
        assert!(store.audit_log(None, 50).await.unwrap().iter().any(|entry| entry.entity == "bad_rating" && entry.action == "办结"));
    }
}

#[tokio::test]
async fn complaints_are_taken_forward_by_their_owner_and_follow_ups_made_once() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let (officer, manager) = setup(store).await;
        let online = NewFeedback {
            centre_code: "SF01".into(),
            kind: FeedbackKind::Complaint,
            channel: "online".into(),
            subject: "窗口人员态度差".into(),
            body: "3号窗口".into(),
            person_name: Some("王五".into()),
            contact_cipher: None,
            received_at: Utc::now(),
            received_on: day("2026-03-02"),
            due_on: day("2026-03-23"),
            about_staff_id: None,
        };
        let box_item = store.create_feedback(&Actor::system("citizen"), &online).await.unwrap();
        assert_eq!((box_item.owner_id, box_item.stage, box_item.steps.len()), (None, FeedbackStage::Received, 1));
        let refused = store.advance_feedback(&Actor::staff(&officer), box_item.id, FeedbackStage::Investigating, "调查", Utc::now(), day("2026-03-03")).await;
        assert!(matches!(refused, Err(StoreError::Rule { key: "feedback_take_first", .. })));
        store.take_feedback(&Actor::staff(&officer), box_item.id, false).await.unwrap();
        assert!(matches!(store.take_feedback(&Actor::staff(&manager), box_item.id, false).await, Err(StoreError::Rule { key: "feedback_taken_already", .. })), "owned: not taken");
        store.take_feedback(&Actor::staff(&manager), box_item.id, true).await.unwrap();
        let not_owner = store.advance_feedback(&Actor::staff(&officer), box_item.id, FeedbackStage::Investigating, "调查", Utc::now(), day("2026-03-03")).await;
        assert!(matches!(not_owner, Err(StoreError::Rule { key: "feedback_not_yours", .. })), "{}", store.backend());
        let skipped = store.advance_feedback(&Actor::staff(&manager), box_item.id, FeedbackStage::Answered, "已答复", Utc::now(), day("2026-03-03")).await;
        match skipped {
            Err(StoreError::Rule { key, values }) => assert_eq!((key, values), ("feedback_out_of_order", vec![("from", "受理".to_string()), ("expected", "调查".to_string()), ("asked", "反馈".to_string())])),
            other => panic!("{}: {other:?}", store.backend()),
        }
        for (stage, note) in [(FeedbackStage::Investigating, "调取录像"), (FeedbackStage::Handled, "批评教育"), (FeedbackStage::Answered, "电话告知")] {
            store.advance_feedback(&Actor::staff(&manager), box_item.id, stage, note, Utc::now(), day("2026-03-05")).await.unwrap();
        }
        let answered = store.feedback(box_item.id).await.unwrap().unwrap();
        assert_eq!((answered.stage, answered.answered_on, answered.steps.len()), (FeedbackStage::Answered, Some(day("2026-03-05")), 4));
        assert_eq!(store.feedback_list("SF01", day("2026-03-01")).await.unwrap().len(), 1);

        let resident = NewResident { centre_code: "SF01".into(), name: "赵六".into(), phone_cipher: Some("sealed".into()), facts: serde_json::json!({ "birth": "1973-06-01", "work_type": "special" }).as_object().unwrap().clone() };
        let saved = store.save_resident(&Actor::staff(&officer), None, &resident).await.unwrap();
        let task = NewFollowUp {
            centre_code: "SF01".into(),
            kind: "eligibility".into(),
            source: format!("policy:special-work-early-retirement:resident:{}", saved.id),
            resident_id: Some(saved.id),
            case_id: None,
            title: "特殊工种提前退休".into(),
            reason: "可提前退休".into(),
            assignee_id: None,
            due_on: day("2026-03-09"),
            created_at: Utc::now(),
        };
        let made = store.create_follow_up(&Actor::system("rules"), &task).await.unwrap().expect("made the first time");
        assert!(store.create_follow_up(&Actor::system("rules"), &task).await.unwrap().is_none(), "{}: once per source", store.backend());
        let lately = Utc::now() - chrono::Duration::days(30);
        assert_eq!(store.follow_ups("SF01", Some(officer.id), lately).await.unwrap().len(), 1, "an unassigned task is on everyone's list");
        store.record_contact(&Actor::staff(&officer), Some(saved.id), Some(made.id), "phone", "已电话告知", Utc::now()).await.unwrap();
        let done = store.complete_follow_up(&Actor::staff(&officer), made.id, "居民将于下周来办", Utc::now()).await.unwrap();
        assert_eq!((done.assignee_id, done.resident_name.as_deref()), (Some(officer.id), Some("赵六")));
        assert!(matches!(store.complete_follow_up(&Actor::staff(&officer), made.id, "again", Utc::now()).await, Err(StoreError::Rule { key: "follow_up_done_already", .. })));
        assert_eq!(store.contacts(Some(saved.id), None).await.unwrap()[0].staff_name, "officer名");
        assert_eq!(store.follow_ups("SF01", None, lately).await.unwrap().len(), 1, "done today: still listed");
        store.save_eligibility_rules(&Actor::staff(&manager), "SF01", "[[policy]]").await.unwrap();
        assert_eq!(store.eligibility_rules("SF01").await.unwrap().as_deref(), Some("[[policy]]"));
        assert_eq!(store.eligibility_rules("XX99").await.unwrap(), None, "each centre has its own");
        for rewrite in ["UPDATE feedback_steps SET note = 'x'", "DELETE FROM feedback_steps", "UPDATE contacts SET note = 'x'", "DELETE FROM contacts"] {
            assert!(test.execute_raw(rewrite).await.is_err(), "{}: {rewrite}", store.backend());
        }
    }
}
