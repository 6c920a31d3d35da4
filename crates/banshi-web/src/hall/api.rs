//! The hall's setup through the API: read it and replace it whole, in the shape of the hall file
//! (docs/hall.md) as JSON; and the closed days' figures.

use super::steps;
use crate::shared::auth::Visitor;
use crate::shared::error::AppError;
use crate::shared::centre::{figures_centre, CentreQuery};
use crate::shared::extract::{ApiResult, JsonText, Params};
use crate::shared::roles::{FIGURE_READERS, HALL_KEEPERS, STAFF};
use crate::shared::AppState;
use axum::extract::State;
use axum::Json;
use banshi_domain::hall::{hall_file, parse_hall_json, HallFile};
use banshi_storage::DayFigures;

/// The staff member's centre's hall: hours, queues, windows.
#[utoipa::path(get, path = "/api/v1/hall/setup", tag = "hall", responses((status = 200, description = "the hall", body = HallFile)), security(("session" = [])))]
pub async fn setup(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<HallFile>> {
    let staff = visitor.require(STAFF)?;
    Ok(Json(hall_file(&state.store.hall(&staff.centre_code).await?)))
}

/// Replace the centre's hall whole. Every fault is reported with its place and nothing changes;
/// a queue with tickets today or a staffed window is not removed.
#[utoipa::path(put, path = "/api/v1/hall/setup", tag = "hall", request_body = HallFile, responses((status = 200, description = "the hall as stored", body = HallFile)), security(("session" = [], "csrf" = [])))]
pub async fn replace(State(state): State<AppState>, visitor: Visitor, JsonText(body): JsonText) -> ApiResult<Json<HallFile>> {
    let staff = visitor.require(HALL_KEEPERS)?;
    let items = steps::item_codes(state.store.as_ref(), &staff.centre_code).await?;
    // Checked here first for the faults' places in the JSON; saving checks the whole again.
    parse_hall_json(&body, |code| items.contains(code)).map_err(|faults| AppError::Invalid(steps::problems_of(&faults)))?;
    let file: HallFile = serde_json::from_str(&body).map_err(|e| AppError::invalid("body", e.to_string()))?;
    Ok(Json(hall_file(&steps::save(&state, staff, &file).await?)))
}

/// The centre's closed days (日结), newest first, with their final figures.
#[utoipa::path(get, path = "/api/v1/hall/days", tag = "hall", params(CentreQuery), responses((status = 200, description = "the closed days", body = Vec<DayFigures>)), security(("session" = [])))]
pub async fn closed_days(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Vec<DayFigures>>> {
    let staff = visitor.require(FIGURE_READERS)?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    Ok(Json(state.store.closed_days(&centre, 60).await?))
}
