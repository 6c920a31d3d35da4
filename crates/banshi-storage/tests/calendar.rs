//! The calendar beyond the built-in schedules, on every backend: years admins load and the days a
//! centre sets itself, kept, replaced, removed and audited.

use banshi_domain::calendar::{HolidaySchedule, LocalDay, ScheduleDay};
use banshi_storage::testing::fresh_stores;
use banshi_storage::*;

fn date(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

#[tokio::test]
async fn loaded_years_and_centre_days_are_kept_replaced_and_audited() {
    for test in fresh_stores().await {
        let store = test.store.as_ref();
        let admin = Actor::system("admin");
        let centre = Centre {
            code: "SF01".into(),
            name: "示范中心".into(),
            address: "示范路1号".into(),
            hours: "工作日".into(),
            consult_phone: "0000-1234567".into(),
            supervision_phone: "12345".into(),
            ..Default::default()
        };
        store.save_centre(&admin, &centre).await.unwrap();
        let day = |d: &str, off: bool| ScheduleDay { name: "元旦".into(), date: date(d), is_off_day: off };
        let draft = HolidaySchedule { year: 2027, days: vec![day("2027-01-01", true)] };
        store.save_calendar_year(&admin, &draft).await.unwrap();
        let published = HolidaySchedule { year: 2027, days: vec![day("2027-01-01", true), day("2027-01-02", true)] };
        store.save_calendar_year(&admin, &published).await.unwrap();
        assert_eq!(store.calendar_years().await.unwrap(), vec![published], "{}: loading a year again replaces it", store.backend());

        let closure = LocalDay { date: date("2026-12-07"), working: false, reason: "停电检修".into() };
        store.save_centre_day(&admin, "SF01", &closure).await.unwrap();
        let open = LocalDay { working: true, reason: "延时服务".into(), ..closure.clone() };
        store.save_centre_day(&admin, "SF01", &open).await.unwrap();
        assert_eq!(store.centre_days("SF01").await.unwrap(), vec![open.clone()], "{}", store.backend());
        let unknown = store.save_centre_day(&admin, "XX99", &open).await.unwrap_err();
        assert!(matches!(unknown, StoreError::Rule { key: "store_refers_to_nothing", .. }), "{}: {unknown}", store.backend());
        store.remove_centre_day(&admin, "SF01", open.date).await.unwrap();
        assert!(store.centre_days("SF01").await.unwrap().is_empty());
        assert!(store.remove_centre_day(&admin, "SF01", open.date).await.is_err(), "nothing left to remove");

        let audit = store.audit_log(None, 10).await.unwrap();
        let actions: Vec<(&str, &str)> = audit.iter().map(|e| (e.entity.as_str(), e.action.as_str())).collect();
        for expected in [("calendar_year", "load"), ("centre_day", "save"), ("centre_day", "remove")] {
            assert!(actions.contains(&expected), "{}: {expected:?} in {actions:?}", store.backend());
        }
        let replaced = audit.iter().find(|e| e.entity == "centre_day" && e.action == "save" && e.before.is_some()).expect("the replacement keeps the day before");
        assert_eq!(replaced.before.as_ref().unwrap()["reason"], "停电检修");
    }
}
