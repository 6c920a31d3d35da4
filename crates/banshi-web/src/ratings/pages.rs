//! The rating pages: the window's rating pad (评价器), the rating forms on a ticket's page and the
//! progress page, the bad-rating ledger (差评台账), and the public results (评价公开).

use super::ledger;
use super::results::results;
use super::steps::{self, RatingRequest};
use super::pads;
use crate::shared::auth::{self, Visitor};
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{HALL_KEEPERS, LEDGER_ROLES, MANAGERS};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use banshi_domain::rating::{BadRatingEvent, Grade, BAD_REASONS};
use banshi_storage::Rated;
use minijinja::context;
use serde::Deserialize;

/// A form's fields as pairs, so the reasons can be ticked several at once.
fn request_from_form(pairs: &[(String, String)]) -> RatingRequest {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    RatingRequest {
        ticket: field("ticket"),
        case: field("case"),
        query_code: field("query_code"),
        grade: field("grade"),
        reasons: pairs.iter().filter(|(k, _)| k == "reasons").map(|(_, v)| v.clone()).collect(),
        comment: field("comment"),
        phone: field("phone"),
        ..RatingRequest::default()
    }
}

/// The grades and reasons as the rating forms show them.
pub fn choices() -> minijinja::Value {
    let grades: Vec<_> = Grade::ALL.iter().map(|g| context! { value => serde_json::to_value(g).ok(), name => g.name(), bad => g.is_bad() }).collect();
    let reasons: Vec<_> = BAD_REASONS.iter().map(|(code, name)| context! { code, name }).collect();
    context! { grades, reasons }
}

#[derive(Deserialize)]
pub struct PadQuery {
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// 评价器: the window's rating pad, facing the citizen. It shows the grades as soon as the officer
/// finishes a visit (the page follows the hall's events) and thanks them after. Only the device set
/// up as this window's pad opens it (`pads`).
pub async fn pad(State(state): State<AppState>, visitor: Visitor, jar: CookieJar, Path(window): Path<i32>, Query(query): Query<PadQuery>) -> Result<Response, PageError> {
    let centre_code = pads::centre_of_pad(&state, &jar, window).await?;
    let frame = frame(&state, &visitor).await?;
    let visit = pads::visit_to_rate(&state, &centre_code, window).await?;
    // A bad grade chosen: its reasons next (the visit named by the form, if still unrated).
    let chosen_bad = query.grade.as_deref().and_then(|g| serde_json::from_value::<Grade>(serde_json::Value::String(g.into())).ok()).filter(|g| g.is_bad());
    let reasons_for = match (&chosen_bad, &query.ticket, &visit) {
        (Some(_), Some(token), Some(visit)) if &visit.token == token => Some(visit.clone()),
        _ => None,
    };
    Ok(render(
        "ratings/pad.html",
        context! { window, visit, reasons_for, grade => query.grade, grade_name => chosen_bad.map(Grade::name), choices => choices(), centre_code, message => query.message, error => query.error, ..frame },
    ))
}

pub async fn pad_rate(State(state): State<AppState>, visitor: Visitor, jar: CookieJar, Path(window): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let centre_code = pads::centre_of_pad(&state, &jar, window).await?;
    // An officer signed in on the pad does not rate their own visit.
    steps::refuse_staff_session(&visitor)?;
    let request = request_from_form(&pairs);
    // The pad rates the visit finished at its own window only.
    let at_window = match &request.ticket {
        Some(token) => pads::visit_to_rate(&state, &centre_code, window).await?.is_some_and(|v| &v.token == token),
        None => false,
    };
    let outcome = if at_window { steps::submit(&state, &request, "pad", Some(window), None).await.map(|_| text("rating_thanks").to_string()) } else { Err(AppError::Conflict(text("rating_pad_no_visit").to_string())) };
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/pad/{window}?{query}")).into_response())
}

/// `/manage/pads`: the centre's windows and which have a pad, to set this device up as one.
pub async fn pads_page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let keeper = visitor.require(HALL_KEEPERS)?;
    let frame = frame(&state, &visitor).await?;
    let with_pad = state.store.pads(&keeper.centre_code).await?;
    let windows: Vec<_> = state.store.windows_live(&keeper.centre_code).await?.into_iter().map(|w| context! { number => w.number, name => w.name, has_pad => with_pad.contains(&w.number) }).collect();
    Ok(render("ratings/pads.html", context! { windows, message => flash.message, error => flash.error, ..frame }))
}

/// Makes this device the window's pad: the keeper's session on it ends in the same answer, and the
/// device keeps the pad's token.
pub async fn set_up_pad(State(state): State<AppState>, visitor: Visitor, jar: CookieJar, Path(window): Path<i32>) -> Result<Response, PageError> {
    let keeper = visitor.require(HALL_KEEPERS)?;
    let token = match pads::set_up(&state, keeper, window).await {
        Ok(token) => token,
        Err(err) => return Ok(Redirect::to(&format!("/manage/pads?{}", redirect_query(Err(err))?)).into_response()),
    };
    auth::sign_out(&state, &visitor).await?;
    let jar = jar.add(auth::removal_cookie(&state)).add(pads::cookie(&state, token));
    Ok((jar, Redirect::to(&format!("/pad/{window}"))).into_response())
}

pub async fn remove_pad(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>) -> Result<Response, PageError> {
    let keeper = visitor.require(HALL_KEEPERS)?;
    let outcome = pads::remove(&state, keeper, window).await.map(|_| text("pad_removed").to_string());
    Ok(Redirect::to(&format!("/manage/pads?{}", redirect_query(outcome)?)).into_response())
}

/// The ticket's page and the progress page post here.
pub async fn page_rate(State(state): State<AppState>, visitor: Visitor, source: crate::shared::auth::Source, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    steps::refuse_staff_session(&visitor)?;
    let request = request_from_form(&pairs);
    let (channel, back) = match (&request.ticket, &request.case) {
        (Some(token), _) => ("ticket", format!("/tickets/{}", urlencode(token))),
        _ => ("progress", "/progress".to_string()),
    };
    let outcome = steps::submit(&state, &request, channel, None, source.address.as_deref()).await.map(|_| text("rating_thanks").to_string());
    let query = redirect_query(outcome)?;
    let back = if channel == "progress" {
        // The case number only: the query code never travels in an address.
        format!("{back}?case={}&{query}", urlencode(request.case.as_deref().unwrap_or_default()))
    } else {
        format!("{back}?{query}")
    };
    Ok(Redirect::to(&back).into_response())
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// What the rating form on a ticket's page needs: whether the visit can be rated there.
pub async fn ticket_rating(state: &AppState, ticket_id: i64, done: bool) -> Result<minijinja::Value, AppError> {
    let rated = state.store.rating_of(Rated::Ticket(ticket_id)).await?.is_some();
    Ok(context! { can_rate => done && !rated, rated, choices => choices() })
}


/// 差评台账: the manager's ledger (an officer's own items, to appeal).
pub async fn ledger_page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    render_ledger(&state, &visitor, flash, None).await
}

/// The ledger with one item's number to call back shown in full (asked for, audited); the page
/// is answered directly, so that the number is in no address.
pub async fn show_contact(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> Result<Response, PageError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    match steps::callback_number(&state, staff, id).await {
        Ok(phone) => render_ledger(&state, &visitor, Flash::default(), Some((id, phone))).await,
        Err(err) => Ok(Redirect::to(&format!("/manage/ratings?{}", redirect_query(Err(err))?)).into_response()),
    }
}

async fn render_ledger(state: &AppState, visitor: &Visitor, flash: Flash, shown: Option<(i64, String)>) -> Result<Response, PageError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    let frame = frame(state, visitor).await?;
    let rows = ledger::ledger(state, staff).await?;
    let overdue = rows.iter().filter(|r| r.item.state.is_open() && r.due.is_some_and(|d| d.overdue)).count();
    let desk = MANAGERS.contains(&staff.role);
    let (shown_id, shown_phone) = shown.unzip();
    Ok(render("ratings/ledger.html", context! { rows, overdue, desk, me => staff.id, shown_id, shown_phone, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct LedgerForm {
    action: String,
    #[serde(default)]
    note: String,
    /// A checkbox or a yes/no choice: present means yes.
    #[serde(default)]
    yes: Option<String>,
}

pub async fn ledger_action(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Form(form): Form<LedgerForm>) -> Result<Response, PageError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    let note = form.note.trim().to_string();
    let yes = form.yes.as_deref().is_some_and(|v| v == "yes" || v == "on");
    let event = match form.action.as_str() {
        "verify" => Ok(BadRatingEvent::Verified { called_back: yes, note }),
        "fix" => Ok(BadRatingEvent::Fixed { note }),
        "explain" => Ok(BadRatingEvent::Explained { note }),
        "appeal" => Ok(BadRatingEvent::Appealed { reason: note }),
        "decide" => Ok(BadRatingEvent::AppealDecided { upheld: yes, note }),
        "close" => Ok(BadRatingEvent::Closed { citizen_satisfied: yes, note }),
        other => Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
    };
    let outcome = match event {
        Ok(event) => steps::act(&state, staff, id, &event).await.map(|item| format!("{} #{id}：{}", text("ledger_done"), item.state.name())),
        Err(err) => Err(err),
    };
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/manage/ratings?{query}")).into_response())
}


/// 评价公开: the public page.
pub async fn results_page(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> Result<Response, PageError> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let frame = frame(&state, &visitor).await?;
    let results = results(&state, &centre).await?;
    Ok(render("ratings/results.html", context! { results, ..frame }))
}

