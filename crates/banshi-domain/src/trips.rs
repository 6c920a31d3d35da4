//! Trips to the hall (跑动次数): the one-visit completion rate (一次办结率) and the cases that took
//! more visits than their item promises (最多跑一次 and the like).

use serde::Serialize;
use std::collections::BTreeMap;

/// A finished case as the trip figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedCase<'a> {
    pub item: &'a str,
    pub officer: &'a str,
    /// The window it was received at, as shown (`3号窗口`).
    pub window: &'a str,
    /// Visits to the hall the case took.
    pub visits: u32,
    /// Visits the item promises at most.
    pub promised: u32,
}

/// One row of a rate table.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VisitRate {
    pub key: String,
    pub cases: usize,
    pub one_visit: usize,
    /// One-visit cases over all, 0–100.
    pub percent: f64,
}

/// The one-visit completion rate per `key` (an item, an officer …), in key order.
pub fn one_visit_rates<'a>(cases: &[FinishedCase<'a>], key: impl Fn(&FinishedCase<'a>) -> &'a str) -> Vec<VisitRate> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in cases {
        let entry = counts.entry(key(case)).or_default();
        entry.0 += 1;
        entry.1 += usize::from(case.visits <= 1);
    }
    counts
        .into_iter()
        .map(|(key, (cases, one_visit))| VisitRate { key: key.to_string(), cases, one_visit, percent: 100.0 * one_visit as f64 / cases as f64 })
        .collect()
}

/// Whether a case took more visits than its item promises.
pub fn over_promise(case: &FinishedCase<'_>) -> bool {
    case.visits > case.promised.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_per_item_and_cases_over_the_promise() {
        let case = |item, officer, visits, promised| FinishedCase { item, officer, window: if officer == "李敏" { "1号窗口" } else { "2号窗口" }, visits, promised };
        let cases = [case("出生登记", "李敏", 1, 1), case("出生登记", "王芳", 2, 1), case("出生登记", "李敏", 1, 1), case("迁入", "李敏", 2, 2)];
        let by_item = one_visit_rates(&cases, |c| c.item);
        assert_eq!(by_item.len(), 2);
        assert_eq!((by_item[0].key.as_str(), by_item[0].cases, by_item[0].one_visit), ("出生登记", 3, 2));
        assert!((by_item[0].percent - 66.666).abs() < 0.01);
        let by_officer = one_visit_rates(&cases, |c| c.officer);
        assert_eq!(by_officer.iter().map(|r| (r.key.as_str(), r.one_visit, r.cases)).collect::<Vec<_>>(), [("李敏", 2, 3), ("王芳", 0, 1)]);
        let by_window = one_visit_rates(&cases, |c| c.window);
        assert_eq!(by_window.iter().map(|r| (r.key.as_str(), r.one_visit, r.cases)).collect::<Vec<_>>(), [("1号窗口", 2, 3), ("2号窗口", 0, 1)]);
        let over: Vec<bool> = cases.iter().map(over_promise).collect();
        assert_eq!(over, [false, true, false, false], "two visits where two are promised is kept");
    }
}
