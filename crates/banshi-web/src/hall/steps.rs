//! The hall's setup as its admin or manager changes it (whole, checked against the catalogue,
//! then stored in one audited transaction), and the day's close (日结) that every instance runs.

use crate::shared::error::AppError;
use crate::shared::events::{publish, HallEvent};
use crate::shared::AppState;
use banshi_domain::hall::{check_hall, check_hall_step, parse_hall_toml, HallFault, HallFile, HallSetup};
use banshi_domain::{implemented, Problem};
use banshi_storage::{Actor, Staff, Store};
use chrono::{Duration, NaiveDate, Timelike};
use std::collections::HashSet;

/// A fault in words, with the file's line when known.
pub fn fault_text(fault: &HallFault) -> String {
    crate::shared::texts::fault_text(fault)
}

pub fn problems_of(faults: &[HallFault]) -> Vec<Problem> {
    crate::shared::texts::fault_problems(faults)
}

/// The items the centre offers, to check a hall's queues against.
pub async fn item_codes(store: &dyn Store, centre: &str) -> Result<HashSet<String>, AppError> {
    let offered = implemented(&store.catalog().await?, &store.local_items(centre).await?);
    Ok(offered.items.into_iter().map(|item| item.code).collect())
}

/// Reads a hall file (TOML, docs/hall.md) — every fault with its line — and, only when nothing
/// is wrong, makes it the centre's hall: the page's import, `banshi hall import`, and the demo.
pub async fn import_toml(store: &dyn Store, actor: &Actor, centre: &str, text: &str, today: NaiveDate) -> Result<HallSetup, AppError> {
    let items = item_codes(store, centre).await?;
    let hall = parse_hall_toml(text, |code| items.contains(code)).map_err(|faults| AppError::Invalid(problems_of(&faults)))?;
    store.replace_hall(actor, centre, &hall, today).await?;
    Ok(hall)
}

/// After this instance changed a centre's hall: its caches forget, every view refreshes.
pub async fn changed(state: &AppState, centre: &str) {
    state.cache.forget_hall(centre);
    publish(state, HallEvent::Changed { centre: centre.to_string() }).await;
}

/// Checks a hall whole and, only when nothing is wrong, makes it the staff member's centre's hall.
/// Every instance's kiosks and consoles follow within seconds.
pub async fn save(state: &AppState, staff: &Staff, file: &HallFile) -> Result<HallSetup, AppError> {
    let items = item_codes(state.store.as_ref(), &staff.centre_code).await?;
    let hall = check_hall(file, |code| items.contains(code)).map_err(|faults| AppError::Invalid(problems_of(&faults)))?;
    store(state, staff, &hall).await?;
    Ok(hall)
}

/// Saves one step of a hall being built on the page (its hours before any queue, a queue before
/// its window): refused only for a fault, not for what it still lacks.
pub async fn save_step(state: &AppState, staff: &Staff, file: &HallFile) -> Result<HallSetup, AppError> {
    let items = item_codes(state.store.as_ref(), &staff.centre_code).await?;
    let (hall, _gaps) = check_hall_step(file, |code| items.contains(code)).map_err(|faults| AppError::Invalid(problems_of(&faults)))?;
    store(state, staff, &hall).await?;
    Ok(hall)
}

/// What the centre's hall still lacks to take tickets, in words.
pub async fn gaps(store: &dyn Store, centre: &str, file: &HallFile) -> Result<Vec<String>, AppError> {
    let items = item_codes(store, centre).await?;
    Ok(check_hall_step(file, |code| items.contains(code)).map(|(_, gaps)| gaps.iter().map(fault_text).collect()).unwrap_or_default())
}

async fn store(state: &AppState, staff: &Staff, hall: &HallSetup) -> Result<(), AppError> {
    let today = state.clock.local().date();
    state.store.replace_hall(&Actor::staff(staff), &staff.centre_code, hall, today).await?;
    changed(state, &staff.centre_code).await;
    Ok(())
}

/// How often every instance looks whether a centre's day is to be closed.
const CLOSE_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Closes days on every instance (the first to ask closes; the others find it closed): on start
/// every day missed, then each day at the centre's closing time. Failures are logged and tried
/// again at the next round.
pub async fn close_days_regularly(state: AppState) {
    let mut closed = HashSet::new();
    let mut first = true;
    let mut ticks = tokio::time::interval(CLOSE_CHECK_EVERY);
    loop {
        ticks.tick().await;
        match close_due_days(&state, first, &mut closed).await {
            Ok(()) => first = false,
            Err(err) => tracing::error!(?err, "the day could not be closed"),
        }
    }
}

/// One round: with `missed`, every earlier day with tickets and no close; then yesterday, and
/// today once it is past the centre's closing time. `closed` remembers the days this instance
/// knows are closed, so a round asks the database only about days still open.
pub async fn close_due_days(state: &AppState, missed: bool, closed: &mut HashSet<(String, NaiveDate)>) -> Result<(), AppError> {
    let actor = Actor::system("day close");
    let now = state.clock.local();
    let today = now.date();
    for centre in state.store.centres().await? {
        let hall = state.cache.hall(state.store.as_ref(), &centre.code).await?;
        let mut days = if missed { state.store.unclosed_days(&centre.code, today).await? } else { Vec::new() };
        days.push(today - Duration::days(1));
        let closing_time = (now.hour() * 60 + now.minute()) as u16 >= hall.day_close();
        let (mut days_closed, mut expired) = (0, 0);
        for (day, at_its_end) in days.into_iter().map(|day| (day, false)).chain(closing_time.then_some((today, true))) {
            if !closed.insert((centre.code.clone(), day)) {
                continue;
            }
            if let Some(figures) = state.store.close_day(&actor, &centre.code, day, state.clock.now(), at_its_end).await? {
                tracing::debug!(centre = %centre.code, %day, expired = figures.expired, windows = figures.windows_signed_out, "a day closed");
                days_closed += 1;
                expired += figures.expired;
            }
        }
        if days_closed > 0 {
            tracing::info!(centre = %centre.code, days = days_closed, expired, "days closed");
            publish(state, HallEvent::Changed { centre: centre.code.clone() }).await;
        }
    }
    Ok(())
}
