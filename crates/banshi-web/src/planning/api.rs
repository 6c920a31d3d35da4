//! The planning figures through the API.

use super::trips::{self, Trips};
use crate::shared::auth::Visitor;
use crate::shared::centre::{figures_centre, CentreQuery};
use crate::shared::extract::{ApiResult, Params};
use crate::shared::roles::FIGURE_READERS;
use crate::shared::AppState;
use axum::extract::State;
use axum::Json;

/// 一次办结率 per item, officer and window over the centre's finished cases, and the cases that took
/// more visits than their item promises, with their one-time notices.
#[utoipa::path(get, path = "/api/v1/trips", tag = "planning", params(CentreQuery), responses((status = 200, description = "the trip figures", body = Trips)), security(("session" = [])))]
pub async fn trips(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Trips>> {
    let staff = visitor.require(FIGURE_READERS)?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    Ok(Json(trips::trips(&state, &centre).await?))
}
