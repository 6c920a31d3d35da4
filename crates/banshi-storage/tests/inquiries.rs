//! First-inquiry responsibility on every backend: the first asked owns an inquiry until it is
//! handled or handed to a named colleague; only the owner does either; handovers are kept.

use banshi_domain::Role;
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;
use chrono::Utc;

async fn staff(store: &dyn Store, username: &str, name: &str) -> Staff {
    let new = NewStaff {
        department: String::new(),
        username: username.into(),
        name: name.into(),
        badge_number: format!("B-{username}"),
        role: Role::WindowStaff,
        centre_code: "SF01".into(),
        password_hash: "x".into(),
    };
    store.create_staff(&Actor::system("test"), &new).await.unwrap()
}

#[tokio::test]
async fn the_first_asked_owns_the_inquiry_until_handled_or_handed_over() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
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
        let (first, colleague, other) = (staff(store, "li", "李敏").await, staff(store, "wang", "王芳").await, staff(store, "zhao", "赵强").await);
        let asked = NewInquiry { centre_code: "SF01".into(), channel: "phone".into(), subject: "新生儿落户要带什么".into(), asker: "来电 138****5678".into(), created_at: Utc::now() };
        let inquiry = store.create_inquiry(&Actor::staff(&first), &asked).await.unwrap();
        assert_eq!((inquiry.owner_id, inquiry.first_owner_id, inquiry.owner_name.as_str()), (first.id, first.id, "李敏"));
        assert_eq!(store.open_inquiries(first.id).await.unwrap().len(), 1, "{}", store.backend());

        let refused = store.hand_over_inquiry(&Actor::staff(&other), inquiry.id, other.id, "我来", Utc::now()).await;
        assert!(matches!(refused, Err(StoreError::Rule { key: "inquiry_not_yours", ref values }) if values[1] == ("owner", "李敏".to_string())), "{refused:?}");
        assert!(matches!(store.hand_over_inquiry(&Actor::staff(&first), inquiry.id, 9999, "x", Utc::now()).await, Err(StoreError::NotFound { .. })));
        let handed = store.hand_over_inquiry(&Actor::staff(&first), inquiry.id, colleague.id, "涉及社保业务", Utc::now()).await.unwrap();
        assert_eq!((handed.owner_id, handed.first_owner_id), (colleague.id, first.id), "the first asked stays on record");
        let followed = store.open_inquiries(first.id).await.unwrap();
        assert_eq!((followed.len(), followed[0].owner_id), (1, colleague.id), "首问负责: the first asked still sees it, held by the colleague");
        assert_eq!(store.open_inquiries(colleague.id).await.unwrap().len(), 1);
        assert!(store.handle_inquiry(&Actor::staff(&first), inquiry.id, "x", Utc::now()).await.is_err(), "no longer the owner");
        let handled = store.handle_inquiry(&Actor::staff(&colleague), inquiry.id, "带出生医学证明和父母户口簿", Utc::now()).await.unwrap();
        assert!(handled.handled_at.is_some());
        assert!(store.open_inquiries(colleague.id).await.unwrap().is_empty());
        assert!(store.open_inquiries(first.id).await.unwrap().is_empty(), "answered: off both lists");
        assert!(matches!(store.handle_inquiry(&Actor::staff(&colleague), inquiry.id, "again", Utc::now()).await, Err(StoreError::Rule { key: "inquiry_handled_already", .. })));
        let handovers = store.inquiry_handovers(inquiry.id).await.unwrap();
        assert_eq!(handovers.len(), 1);
        assert_eq!((handovers[0].from_name.as_str(), handovers[0].to_name.as_str(), handovers[0].reason.as_str()), ("李敏", "王芳", "涉及社保业务"));
        assert!(test.execute_raw("DELETE FROM inquiry_handovers").await.is_err(), "handovers are kept");
        let actions: Vec<String> = store.audit_log(None, 3).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["handle", "hand_over", "create"]);
    }
}
