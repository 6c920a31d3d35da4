//! The trip figures for managers (`/manage/trips`, `/api/v1/trips`): the one-visit completion rate
//! (一次办结率) per item and per officer over the centre's finished cases, and the cases that took
//! more visits than their item promises, with the one-time notices they were given.

use crate::shared::error::AppError;
use crate::shared::texts::text;
use crate::shared::AppState;
use banshi_domain::case::CaseEvent;
use banshi_domain::trips::{one_visit_rates, over_promise, FinishedCase, VisitRate};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverPromise {
    pub number: String,
    pub item: String,
    pub officer: String,
    pub visits: u32,
    pub promised: u32,
    /// The one-time notices the case was given (补正告知).
    pub notices: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Trips {
    pub by_item: Vec<VisitRate>,
    pub by_officer: Vec<VisitRate>,
    pub by_window: Vec<VisitRate>,
    pub over_promise: Vec<OverPromise>,
}

pub async fn trips(state: &AppState, centre: &str) -> Result<Trips, AppError> {
    let cases = state.store.finished_cases(centre).await?;
    // Every account: an officer who moved on still opened the cases they opened.
    let officers: HashMap<i64, String> = state.store.list_staff(None).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let promised: HashMap<String, u32> = state.cache.catalog(state.store.as_ref(), centre).await?.items.iter().map(|item| (item.code.clone(), u32::from(item.trips))).collect();
    let named: Vec<(String, String, u32)> = cases
        .iter()
        .map(|case| {
            let officer = case.created_by.and_then(|id| officers.get(&id).cloned()).unwrap_or_default();
            let window = case.window.map_or_else(|| text("trips_no_window").to_string(), |w| format!("{w}{}", text("trips_window")));
            (officer, window, promised.get(&case.item_code).copied().unwrap_or(1))
        })
        .collect();
    let finished: Vec<FinishedCase> = cases
        .iter()
        .zip(&named)
        .map(|(case, (officer, window, promised))| FinishedCase { item: &case.item_name, officer, window, visits: case.visits, promised: *promised })
        .collect();
    let mut over = Vec::new();
    for (case, seen) in cases.iter().zip(&finished) {
        if over_promise(seen) {
            let notices = state
                .store
                .case_history(case.id)
                .await?
                .into_iter()
                .filter_map(|entry| match entry.event {
                    CaseEvent::MaterialsRequested { notice } => Some(notice),
                    _ => None,
                })
                .collect();
            over.push(OverPromise { number: case.number.clone(), item: case.item_name.clone(), officer: seen.officer.to_string(), visits: seen.visits, promised: seen.promised, notices });
        }
    }
    Ok(Trips {
        by_item: one_visit_rates(&finished, |c| c.item),
        by_officer: one_visit_rates(&finished, |c| c.officer),
        by_window: one_visit_rates(&finished, |c| c.window),
        over_promise: over,
    })
}
