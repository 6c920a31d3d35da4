//! Ratings through the API: rate a visit or a case, the bad-rating ledger and its steps, the public
//! results, and the export for another system.

use super::ledger::{self, LedgerRow};
use super::results::{self, Export, ExportQuery, Results};
use super::steps::{self, RatingRequest};
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::extract::{ApiResult, Body, Params};
use crate::shared::roles::{FIGURE_READERS, HALL_KEEPERS, LEDGER_ROLES};
use crate::shared::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use banshi_domain::rating::{BadRatingEvent, Grade};
use chrono::{DateTime, Local, Utc};
use serde::Serialize;

/// The public answer to a rating: it names no officer (the board hides them from the public too).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RatingGiven {
    id: i64,
    grade: Grade,
    window: Option<i32>,
    /// A phone to be called back on was given (实名评价).
    real_name: bool,
    rated_at: DateTime<Utc>,
}

/// Rate a finished visit (by its ticket's token, 一次一评) or a finished case (by its number and the
/// ID tail, 一事一评).
#[utoipa::path(post, path = "/api/v1/ratings", tag = "ratings", request_body = RatingRequest, responses((status = 201, description = "the rating stored", body = RatingGiven)))]
pub async fn rate(State(state): State<AppState>, visitor: Visitor, source: crate::shared::auth::Source, Body(request): Body<RatingRequest>) -> ApiResult<Response> {
    steps::refuse_staff_session(&visitor)?;
    let channel = if request.case.is_some() { "progress" } else { "ticket" };
    let rating = steps::submit(&state, &request, channel, None, source.address.as_deref()).await?;
    let answer = RatingGiven { id: rating.id, grade: rating.grade, window: rating.window, real_name: rating.real_name, rated_at: rating.rated_at };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The bad-rating ledger: the centre's items for the desk, an officer's own items.
#[utoipa::path(get, path = "/api/v1/ratings/bad", tag = "ratings", responses((status = 200, description = "the ledger, overdue items first", body = Vec<LedgerRow>)), security(("session" = [])))]
pub async fn bad_ratings(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<LedgerRow>>> {
    let staff = visitor.require(LEDGER_ROLES)?;
    Ok(Json(ledger::ledger(&state, staff).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PadToken {
    /// Sent by the pad as the cookie `banshi_pad` with every request; shown this once.
    pub token: String,
}

/// Set a window's rating pad up (a pad app, say): the token it sends as its `banshi_pad` cookie,
/// replacing the window's device before. For the duty leader and the admins.
#[utoipa::path(post, path = "/api/v1/pads/{window}", tag = "ratings", params(("window" = i32, Path, description = "the window's number")), responses((status = 201, description = "the pad's token", body = PadToken)), security(("session" = [], "csrf" = [])))]
pub async fn set_up_pad(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>) -> ApiResult<Response> {
    let keeper = visitor.require(HALL_KEEPERS)?;
    let token = super::pads::set_up(&state, keeper, window).await?;
    Ok((StatusCode::CREATED, Json(PadToken { token })).into_response())
}

/// The visit a window's pad offers for rating now, if any: the newest finished there in the last
/// 15 minutes and not yet rated. Its `token` is the `ticket` to rate with (`POST /api/v1/ratings`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PadVisit {
    pub visit: Option<VisitToRate>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VisitToRate {
    pub token: String,
    pub number: String,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What a rating pad app shows: the visit just finished at its window. Asked by the pad itself,
/// with its `banshi_pad` cookie (`POST /api/v1/pads/{window}`).
#[utoipa::path(get, path = "/api/v1/pads/{window}/visit", tag = "ratings", params(("window" = i32, Path, description = "the window's number")), responses((status = 200, description = "the visit to rate, or none", body = PadVisit), (status = 409, description = "this device is not the window's pad")), security(("pad" = [])))]
pub async fn pad_visit(State(state): State<AppState>, jar: axum_extra::extract::CookieJar, Path(window): Path<i32>) -> ApiResult<Json<PadVisit>> {
    let centre = super::pads::centre_of_pad(&state, &jar, window).await?;
    let visit = super::pads::visit_to_rate(&state, &centre, window).await?.map(|v| VisitToRate { token: v.token, number: v.number, finished_at: v.finished_at });
    Ok(Json(PadVisit { visit }))
}

/// Retire a window's rating pad.
#[utoipa::path(delete, path = "/api/v1/pads/{window}", tag = "ratings", params(("window" = i32, Path, description = "the window's number")), responses((status = 204, description = "retired")), security(("session" = [], "csrf" = [])))]
pub async fn remove_pad(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>) -> ApiResult<StatusCode> {
    let keeper = visitor.require(HALL_KEEPERS)?;
    super::pads::remove(&state, keeper, window).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallbackNumber {
    pub phone: String,
}

/// The full number a real-name bad rating left, to call back (the ledger shows it masked): for
/// the duty leader, not the rated officer; every asking is in the audit log (`show_contact`).
#[utoipa::path(post, path = "/api/v1/ratings/bad/{id}/contact", tag = "ratings", params(("id" = i64, Path, description = "the rating's id")), responses((status = 200, description = "the number to call back", body = CallbackNumber)), security(("session" = [], "csrf" = [])))]
pub async fn callback_number(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<CallbackNumber>> {
    let staff = visitor.require(LEDGER_ROLES)?;
    Ok(Json(CallbackNumber { phone: steps::callback_number(&state, staff, id).await? }))
}

/// A step of a bad rating's item: verify and call back, fix, explain, close; appeal (the rated
/// officer) and decide the appeal (the manager).
#[utoipa::path(post, path = "/api/v1/ratings/bad/{id}/events", tag = "ratings", params(("id" = i64, Path, description = "the rating's id")), request_body = BadRatingEvent, responses((status = 200, description = "the item after the step", body = LedgerRow)), security(("session" = [], "csrf" = [])))]
pub async fn bad_rating_event(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(event): Body<BadRatingEvent>) -> ApiResult<Json<LedgerRow>> {
    let staff = visitor.require(LEDGER_ROLES)?;
    let item = steps::act(&state, staff, id, &event).await?;
    Ok(Json(ledger::ledger_row(&state, item, Local::now().date_naive())))
}

/// 评价公开: the satisfaction rate per centre, item and window over 90 days, and the share of bad
/// ratings fixed on time.
#[utoipa::path(get, path = "/api/v1/results", tag = "ratings", params(CentreQuery), responses((status = 200, description = "the public figures", body = Results)))]
pub async fn public_results(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> ApiResult<Json<Results>> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(Json(results::results(&state, &centre).await?))
}

/// The ratings for another system (the 好差评 platform, a statistics office), each grade's code in
/// the scheme asked for: every rating, with whether an upheld appeal struck it, and the counts by
/// item, window and grade. No phone numbers.
#[utoipa::path(get, path = "/api/v1/ratings/export", tag = "ratings", params(ExportQuery), responses((status = 200, description = "the ratings and their counts", body = Export)), security(("session" = [])))]
pub async fn export(State(state): State<AppState>, visitor: Visitor, Params(query): Params<ExportQuery>) -> ApiResult<Json<Export>> {
    let staff = visitor.require(FIGURE_READERS)?;
    let export = results::export(&state, &staff.centre_code, &query).await?;
    let detail = serde_json::json!({ "ratings": export.len(), "from": query.from });
    let access = banshi_storage::Access { centre: Some(&staff.centre_code), action: "export", entity: "ratings", entity_id: &staff.centre_code, detail };
    state.store.audit_access(&banshi_storage::Actor::staff(staff), &access).await?;
    Ok(Json(export))
}
