//! The planning pages for managers: trips, the forecast, the what-if.

use super::forecast::{self, ForecastQuery};
use super::simulate::{self, WhatIf};
use super::trips;
use crate::shared::auth::Visitor;
use crate::shared::error::PageError;
use crate::shared::centre::{figures_centre, CentreQuery};
use crate::shared::frame::frame;
use crate::shared::roles::{FIGURE_READERS, PLANNERS};
use crate::shared::templates::render;
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;

type PageResult = Result<Response, PageError>;

pub async fn trips(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> PageResult {
    let staff = visitor.require(FIGURE_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    let trips = trips::trips(&state, &centre).await?;
    Ok(render("planning/trips.html", context! { trips, ..frame }))
}

pub async fn forecast(State(state): State<AppState>, visitor: Visitor, Query(query): Query<ForecastQuery>) -> PageResult {
    let manager = visitor.require(FIGURE_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let view = forecast::view(&state, &manager.centre_code, &query).await?;
    Ok(render("planning/forecast.html", context! { ..view, ..frame }))
}

pub async fn simulate(State(state): State<AppState>, visitor: Visitor, Query(form): Query<WhatIf>) -> PageResult {
    let manager = visitor.require(PLANNERS)?;
    let frame = frame(&state, &visitor).await?;
    let view = simulate::view(&state, &manager.centre_code, &form).await?;
    Ok(render("planning/simulate.html", context! { ..view, ..frame }))
}
