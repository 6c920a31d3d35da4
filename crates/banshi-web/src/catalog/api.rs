//! The catalogue's JSON API: the items and their search, one item as in the catalogue file, and the
//! self-check.

use super::views::ItemSummary;
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::error::AppError;
use crate::shared::extract::{ApiResult, Body, Params};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_domain::{assess, unanswered_questions, Answers, Assessment, Choice, Item, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to search in name, category, department and keywords; empty for every item.
    #[serde(default)]
    q: String,
    /// The centre whose items; by default the caller's or the hall's.
    #[serde(default)]
    centre: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemList<'a> {
    items: Vec<ItemSummary<'a>>,
}

async fn item_or_404(state: &AppState, visitor: &Visitor, centre: Option<String>, code: &str) -> Result<Item, AppError> {
    let centre = resolve_centre(state, visitor, centre).await?;
    state.cache.item(state.store.as_ref(), &centre, code).await?.ok_or_else(|| AppError::not_found("thing_item", code))
}

/// List or search catalogue items.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalogue", params(SearchQuery), responses((status = 200, description = "the items found, in catalogue order", body = ItemList)))]
pub async fn list_items(State(state): State<AppState>, visitor: Visitor, Params(search): Params<SearchQuery>) -> ApiResult<Response> {
    let centre = resolve_centre(&state, &visitor, search.centre.clone()).await?;
    let catalog = state.cache.catalog(state.store.as_ref(), &centre).await?;
    let items = catalog.items.iter().filter(|i| i.matches(&search.q)).map(ItemSummary::of).collect();
    Ok(Json(ItemList { items }).into_response())
}

/// One item, as in the catalogue file (docs/catalog.md).
#[utoipa::path(get, path = "/api/v1/items/{code}", tag = "catalogue", params(("code" = String, Path, description = "实施编码"), CentreQuery), responses((status = 200, description = "the item", body = Item)))]
pub async fn get_item(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>, Params(query): Params<CentreQuery>) -> ApiResult<Json<Item>> {
    Ok(Json(item_or_404(&state, &visitor, query.centre, &code).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Question id → option id.
    #[serde(default)]
    #[schema(inline)]
    answers: Answers,
    /// The ids of the materials the applicant has.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    present: BTreeSet<String>,
}

/// A question still to answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenQuestion {
    id: String,
    text: String,
    options: Vec<Choice>,
}

/// The questions left while any is unanswered (`complete` false), then the assessment.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SelfCheck {
    Unanswered { complete: bool, unanswered: Vec<OpenQuestion> },
    Assessed { complete: bool, verdict: Verdict, assessment: Assessment },
}

/// Self-check: the remaining situation questions, or the materials assessment once all are answered.
#[utoipa::path(post, path = "/api/v1/items/{code}/check", tag = "catalogue", params(("code" = String, Path, description = "实施编码"), CentreQuery), request_body = CheckRequest, responses((status = 200, description = "the questions left, or the assessment", body = SelfCheck)))]
pub async fn check_item(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>, Params(query): Params<CentreQuery>, Body(request): Body<CheckRequest>) -> ApiResult<Json<SelfCheck>> {
    let item = item_or_404(&state, &visitor, query.centre, &code).await?;
    let unanswered: Vec<OpenQuestion> = unanswered_questions(&item, &request.answers)
        .into_iter()
        .map(|q| OpenQuestion { id: q.id.clone(), text: q.text.clone(), options: q.options.clone() })
        .collect();
    if !unanswered.is_empty() {
        return Ok(Json(SelfCheck::Unanswered { complete: false, unanswered }));
    }
    let assessment = assess(&item, &request.answers, &request.present).map_err(|faults| AppError::Invalid(crate::shared::texts::fault_problems(&faults)))?;
    Ok(Json(SelfCheck::Assessed { complete: true, verdict: assessment.verdict(), assessment }))
}
