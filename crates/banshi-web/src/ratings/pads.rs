//! The rating pad (评价器) as a device of its window: the duty leader, signed in on the tablet
//! itself, makes it the pad of a window; the answer signs them out there and leaves the device a
//! random token in a cookie of its own (the database keeps its hash). The pad then works with no
//! one signed in, and refuses to rate while a staff session is on it: no officer's password is
//! typed on the device the citizen holds, and no officer can rate their own visit.

use crate::shared::auth::random_token;
use crate::shared::error::AppError;
use crate::shared::texts::text;
use crate::shared::AppState;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use banshi_storage::{Actor, FinishedVisit, Staff};
use chrono::{Duration, Local, Utc};

pub const PAD_COOKIE: &str = "banshi_pad";
/// The pad offers a visit finished this recently at its window.
const PAD_MINUTES: i64 = 15;

/// The visit the pad offers: the newest finished at this window in the last minutes, unrated.
pub async fn visit_to_rate(state: &AppState, centre: &str, window: i32) -> Result<Option<FinishedVisit>, AppError> {
    let visits = state.store.finished_visits(centre, Local::now().date_naive(), 50).await?;
    let since = Utc::now() - Duration::minutes(PAD_MINUTES);
    // Only the newest visit at the window counts: once the next is finished, the earlier one is
    // rated on its ticket's page instead.
    Ok(visits.into_iter().find(|v| v.window == Some(window)).filter(|v| !v.rated && v.finished_at.is_some_and(|at| at >= since)))
}

/// Makes a new token the pad of `window`, in place of the device before; returns the token.
pub async fn set_up(state: &AppState, keeper: &Staff, window: i32) -> Result<String, AppError> {
    let token = random_token();
    state.store.set_up_pad(&Actor::staff(keeper), &keeper.centre_code, window, &state.sealer.token_hash(&token)).await?;
    Ok(token)
}

pub async fn remove(state: &AppState, keeper: &Staff, window: i32) -> Result<(), AppError> {
    if state.store.remove_pad(&Actor::staff(keeper), &keeper.centre_code, window).await? {
        Ok(())
    } else {
        Err(AppError::not_found_saying("pad_none"))
    }
}

/// The device's cookie: for as long as the browser keeps it, sent to this site only.
pub fn cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((PAD_COOKIE, token)).path("/").http_only(true).same_site(SameSite::Strict).secure(state.secure_cookies).permanent().build()
}

/// The centre of the pad asking for `window`'s page, or why it may not: no pad's token, or
/// another window's.
pub async fn centre_of_pad(state: &AppState, jar: &CookieJar, window: i32) -> Result<String, AppError> {
    let token = jar.get(PAD_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty());
    let Some(token) = token else { return Err(AppError::Conflict(text("pad_not_set_up").to_string())) };
    match state.store.pad_of(&state.sealer.token_hash(&token)).await? {
        Some((centre, number)) if number == window => Ok(centre),
        Some(_) => Err(AppError::Conflict(text("pad_other_window").to_string())),
        None => Err(AppError::Conflict(text("pad_not_set_up").to_string())),
    }
}
