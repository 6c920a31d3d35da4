//! Ratings (好差评): one per visit on the window's rating pad (评价器) or later by the ticket's QR
//! code (一次一评), one per case on its progress page (一事一评). A bad rating opens a work item the
//! manager's ledger (台账) takes through verification and callback, fix or explanation, and the
//! citizen's view; the rated officer may appeal, the manager decides. The public figures
//! (满意率, bad ratings fixed on time) are `results`.

use crate::actions::mobile;
use crate::api::{Body, Params};
use crate::auth::Visitor;
use crate::cases::{case_for_applicant, ProgressQuery};
use crate::error::{ApiError, AppError, PageError};
use crate::flash::{redirect_query, Flash};
use crate::hall_api::{resolve_centre, CentreQuery, WINDOW_ROLES};
use crate::pages::frame;
use crate::templates::render;
use crate::texts::text;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use banshi_domain::rating::{self, BadRatingEvent, Grade, GradeCode, BAD_REASONS};
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, BadRating, FinishedVisit, NewRating, Rated, Rating, RatingCount, Staff};
use chrono::{Duration, Local, NaiveDate, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who sees the bad-rating ledger: the manager's desk, admins and auditors; an officer sees the
/// items about them (to appeal).
const LEDGER_ROLES: &[Role] = &[Role::Manager, Role::Admin, Role::Auditor, Role::WindowStaff];
/// Who works the ledger's items and decides appeals.
const DESK_ROLES: &[Role] = &[Role::Manager];
/// The public figures cover this many days back.
pub const RESULTS_DAYS: i64 = 90;
/// The pad offers a visit finished this recently at its window.
const PAD_MINUTES: i64 = 15;

/// A rating as the pages and the API give it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The visit: its ticket's token (on the ticket, its QR code, and the pad).
    #[serde(default)]
    pub ticket: Option<String>,
    /// Or a case: its number and the last six characters of the applicant's ID number.
    #[serde(default)]
    pub case: Option<String>,
    #[serde(default)]
    pub id_tail: Option<String>,
    /// `very_satisfied`, `satisfied`, `fair`, `dissatisfied` or `very_dissatisfied`; or `code`
    /// with its `scheme` (`national`: 1 = 非常满意; `reverse`: 5 = 非常满意).
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub code: Option<u8>,
    #[serde(default)]
    pub scheme: Option<GradeCode>,
    /// For a bad rating: reason codes (`attitude`, `waiting`, …).
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// A mobile number to be called back on (实名评价).
    #[serde(default)]
    pub phone: Option<String>,
}

fn grade_of(request: &RatingRequest, problems: &mut Vec<Problem>) -> Option<Grade> {
    let grade = match (&request.grade, request.code) {
        (Some(name), None) => serde_json::from_value(serde_json::Value::String(name.clone())).ok(),
        (None, Some(code)) => Grade::from_code(code, request.scheme.unwrap_or(GradeCode::National)),
        _ => None,
    };
    if grade.is_none() {
        problems.push(Problem { path: "grade".into(), message: "one of very_satisfied, satisfied, fair, dissatisfied, very_dissatisfied; or code 1–5 with its scheme".into() });
    }
    grade
}

/// Checks and stores a rating; `channel` is where it was given (`pad`, `ticket`, `progress`), and
/// `device` whose signed-in pad it was given on, for the audit log.
pub async fn submit(state: &AppState, request: &RatingRequest, channel: &str, device: Option<&Staff>) -> Result<Rating, AppError> {
    let mut problems = Vec::new();
    let grade = grade_of(request, &mut problems);
    if grade.is_some_and(|g| !g.is_bad()) && !request.reasons.is_empty() {
        problems.push(Problem { path: "reasons".into(), message: "reasons are given with a bad rating only".into() });
    }
    for reason in &request.reasons {
        if !BAD_REASONS.iter().any(|(code, _)| code == reason) {
            problems.push(Problem { path: "reasons".into(), message: format!("no reason \"{reason}\"") });
        }
    }
    let comment = request.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if comment.as_ref().is_some_and(|c| c.chars().count() > 500) {
        problems.push(Problem { path: "comment".into(), message: "at most 500 characters".into() });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    let target = match (&request.ticket, &request.case) {
        (Some(_), None) | (None, Some(_)) => true,
        _ => {
            problems.push(Problem { path: "ticket".into(), message: "either a ticket or a case".into() });
            false
        }
    };
    let (Some(grade), true, true) = (grade, target, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let (rated, centre) = match (&request.ticket, &request.case) {
        (Some(token), _) => {
            let ticket = state.store.ticket_by_token(token.trim()).await?.ok_or_else(|| AppError::NotFound("ticket".into()))?;
            (Rated::Ticket(ticket.id), ticket.centre_code)
        }
        (None, Some(number)) => {
            let query = ProgressQuery { case: number.clone(), id_tail: request.id_tail.clone().unwrap_or_default() };
            let case = case_for_applicant(state, &query).await?;
            (Rated::Case(case.id), case.centre_code)
        }
        (None, None) => unreachable!("checked above"),
    };
    let day = Local::now().date_naive();
    let calendar = state.cache.calendar(state.store.as_ref(), &centre).await?;
    let limits = state.settings.bad_rating_limits;
    let new = NewRating {
        rated,
        grade,
        channel: channel.to_string(),
        reasons: request.reasons.clone(),
        comment,
        contact_cipher: phone.map(|p| state.sealer.seal(&p)),
        rated_at: Utc::now(),
        day,
        verify_by: calendar.add_working_days(day, limits.verify_days),
        fix_by: calendar.add_working_days(day, limits.fix_days),
    };
    let label = match device {
        Some(staff) => format!("citizen ({channel} signed in by {})", staff.username),
        None => format!("citizen ({channel})"),
    };
    Ok(state.store.rate(&Actor::system(&label), &new).await?)
}

pub async fn api_rate(State(state): State<AppState>, Body(request): Body<RatingRequest>) -> Result<Response, ApiError> {
    let channel = if request.case.is_some() { "progress" } else { "ticket" };
    let rating = submit(&state, &request, channel, None).await?;
    // The public answer names no officer (the board hides them from the public too).
    let answer = serde_json::json!({ "id": rating.id, "grade": rating.grade, "window": rating.window, "real_name": rating.real_name, "rated_at": rating.rated_at });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// A form's fields as pairs, so the reasons can be ticked several at once.
fn request_from_form(pairs: &[(String, String)]) -> RatingRequest {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    RatingRequest {
        ticket: field("ticket"),
        case: field("case"),
        id_tail: field("id_tail"),
        grade: field("grade"),
        reasons: pairs.iter().filter(|(k, _)| k == "reasons").map(|(_, v)| v.clone()).collect(),
        comment: field("comment"),
        phone: field("phone"),
        ..RatingRequest::default()
    }
}

/// The grades and reasons as the rating forms show them.
pub(crate) fn choices() -> minijinja::Value {
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

/// The visit the pad offers: the newest finished at this window in the last minutes, unrated.
async fn visit_to_rate(state: &AppState, centre: &str, window: i32) -> Result<Option<FinishedVisit>, AppError> {
    let visits = state.store.finished_visits(centre, Local::now().date_naive(), 50).await?;
    let since = Utc::now() - Duration::minutes(PAD_MINUTES);
    // Only the newest visit at the window counts: once the next is finished, the earlier one is
    // rated on its ticket's page instead.
    Ok(visits.into_iter().find(|v| v.window == Some(window)).filter(|v| !v.rated && v.finished_at.is_some_and(|at| at >= since)))
}

/// 评价器: the window's rating pad, facing the citizen. It shows the grades as soon as the officer
/// finishes a visit (the page follows the hall's events) and thanks them after.
/// The pad is the device of the officer signed in at its window (or the manager's): nobody rates
/// another window's visits from their own desk.
async fn pad_staff<'a>(state: &AppState, visitor: &'a Visitor, window: i32) -> Result<&'a Staff, AppError> {
    let staff = visitor.require(WINDOW_ROLES)?;
    if staff.role == Role::Manager {
        return Ok(staff);
    }
    let windows = state.store.windows_live(&staff.centre_code).await?;
    match windows.iter().find(|w| w.number == window) {
        Some(live) if live.staff_id == Some(staff.id) => Ok(staff),
        Some(_) => Err(AppError::Conflict(text("rating_pad_not_yours").to_string())),
        None => Err(AppError::NotFound(format!("window {window}"))),
    }
}

pub async fn pad(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>, Query(query): Query<PadQuery>) -> Result<Response, PageError> {
    let staff = pad_staff(&state, &visitor, window).await?;
    let frame = frame(&state, &visitor).await?;
    let visit = visit_to_rate(&state, &staff.centre_code, window).await?;
    // A bad grade chosen: its reasons next (the visit named by the form, if still unrated).
    let chosen_bad = query.grade.as_deref().and_then(|g| serde_json::from_value::<Grade>(serde_json::Value::String(g.into())).ok()).filter(|g| g.is_bad());
    let reasons_for = match (&chosen_bad, &query.ticket, &visit) {
        (Some(_), Some(token), Some(visit)) if &visit.token == token => Some(visit.clone()),
        _ => None,
    };
    Ok(render(
        "pad.html",
        context! { window, visit, reasons_for, grade => query.grade, grade_name => chosen_bad.map(Grade::name), choices => choices(), centre_code => staff.centre_code, message => query.message, error => query.error, ..frame },
    ))
}

pub async fn pad_rate(State(state): State<AppState>, visitor: Visitor, Path(window): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let staff = pad_staff(&state, &visitor, window).await?;
    let request = request_from_form(&pairs);
    // The pad rates the visit finished at its own window only.
    let at_window = match &request.ticket {
        Some(token) => visit_to_rate(&state, &staff.centre_code, window).await?.is_some_and(|v| &v.token == token),
        None => false,
    };
    let outcome = if at_window { submit(&state, &request, "pad", Some(staff)).await.map(|_| text("rating_thanks").to_string()) } else { Err(AppError::Conflict(text("rating_pad_no_visit").to_string())) };
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/pad/{window}?{query}")).into_response())
}

/// The ticket's page and the progress page post here.
pub async fn page_rate(State(state): State<AppState>, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let request = request_from_form(&pairs);
    let (channel, back) = match (&request.ticket, &request.case) {
        (Some(token), _) => ("ticket", format!("/tickets/{}", urlencode(token))),
        _ => ("progress", "/progress".to_string()),
    };
    let outcome = submit(&state, &request, channel, None).await.map(|_| text("rating_thanks").to_string());
    let query = redirect_query(outcome)?;
    let back = if channel == "progress" {
        format!("{back}?case={}&id_tail={}&{query}", urlencode(request.case.as_deref().unwrap_or_default()), urlencode(request.id_tail.as_deref().unwrap_or_default()))
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

/// A ledger row: the item, its next deadline, and what the viewer may do.
#[derive(Serialize)]
pub struct LedgerRow {
    #[serde(flatten)]
    item: BadRating,
    state_name: &'static str,
    /// The state as one word, for the page to offer the next steps.
    step: &'static str,
    grade_name: &'static str,
    /// The history in the hall's words: when, who, what, and its note.
    steps: Vec<(String, String, &'static str, String)>,
    reasons: Vec<&'static str>,
    due: Option<rating::BadRatingDue>,
    contact: Option<String>,
}

fn ledger_row(state: &AppState, item: BadRating, today: NaiveDate) -> LedgerRow {
    let due = rating::due(item.state, item.verify_by, item.fix_by, today);
    let reasons = item.rating.reasons.iter().filter_map(|r| BAD_REASONS.iter().find(|(code, _)| code == r).map(|(_, name)| *name)).collect();
    let contact = item.rating.contact_cipher.as_deref().and_then(|c| state.sealer.open(c).ok()).map(|p| banshi_domain::privacy::mask_phone(&p));
    let step = match item.state {
        rating::BadRatingState::Open => "open",
        rating::BadRatingState::Verified => "verified",
        rating::BadRatingState::Appealed { .. } => "appealed",
        rating::BadRatingState::Fixed => "fixed",
        rating::BadRatingState::Closed => "closed",
        rating::BadRatingState::Voided => "voided",
    };
    let steps = item
        .history
        .iter()
        .map(|h| {
            let note = match &h.event {
                BadRatingEvent::Verified { note, .. } | BadRatingEvent::Fixed { note } | BadRatingEvent::Explained { note } | BadRatingEvent::AppealDecided { note, .. } | BadRatingEvent::Closed { note, .. } => note.clone(),
                BadRatingEvent::Appealed { reason } => reason.clone(),
            };
            (h.at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(), h.actor.clone(), h.event.name(), note)
        })
        .collect();
    LedgerRow { state_name: item.state.name(), step, grade_name: item.rating.grade.name(), steps, reasons, due, contact, item }
}

/// The items the staff member may see: all of the centre's for the desk, their own for an officer.
async fn visible_items(state: &AppState, staff: &Staff, today: NaiveDate) -> Result<Vec<BadRating>, AppError> {
    let items = state.store.bad_ratings(&staff.centre_code, today - Duration::days(365)).await?;
    Ok(items.into_iter().filter(|item| staff.role != Role::WindowStaff || item.rating.officer_id == Some(staff.id)).collect())
}

/// The ledger: open overdue items first (escalated), then by deadline, then the closed.
async fn ledger(state: &AppState, staff: &Staff) -> Result<Vec<LedgerRow>, AppError> {
    let today = Local::now().date_naive();
    let mut rows: Vec<LedgerRow> = visible_items(state, staff, today).await?.into_iter().map(|item| ledger_row(state, item, today)).collect();
    // Open first: the overdue, then by deadline, then those waiting for the citizen's view.
    rows.sort_by_key(|row| (!row.item.state.is_open(), !row.due.is_some_and(|d| d.overdue), row.due.is_none(), row.due.map(|d| d.due)));
    Ok(rows)
}

/// Open items past their step's deadline: escalated to the manager's workspace. Counted off the
/// items themselves (no rows to build, no phone to open).
pub async fn overdue_count(state: &AppState, staff: &Staff) -> Result<usize, AppError> {
    let today = Local::now().date_naive();
    let items = visible_items(state, staff, today).await?;
    Ok(items.iter().filter(|item| rating::due(item.state, item.verify_by, item.fix_by, today).is_some_and(|d| d.overdue)).count())
}

pub async fn api_ledger(State(state): State<AppState>, visitor: Visitor) -> Result<Json<Vec<LedgerRow>>, ApiError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    Ok(Json(ledger(&state, staff).await?))
}

/// Applies an event to an item: appeals by the rated officer, everything else by the desk.
pub async fn act(state: &AppState, staff: &Staff, rating_id: i64, event: &BadRatingEvent) -> Result<BadRating, AppError> {
    let item = state.store.bad_rating(rating_id).await?.filter(|i| i.rating.centre_code == staff.centre_code);
    let item = item.ok_or_else(|| AppError::NotFound(format!("bad rating {rating_id}")))?;
    // Nobody works or decides an item about themself: a rated manager appeals like any officer.
    let about_me = item.rating.officer_id == Some(staff.id);
    let allowed = match event {
        BadRatingEvent::Appealed { .. } => about_me,
        _ => DESK_ROLES.contains(&staff.role) && !about_me,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.act_on_bad_rating(&Actor::staff(staff), rating_id, event, Utc::now(), Local::now().date_naive()).await?)
}

pub async fn api_act(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Body(event): Body<BadRatingEvent>) -> Result<Json<LedgerRow>, ApiError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    let item = act(&state, staff, id, &event).await?;
    Ok(Json(ledger_row(&state, item, Local::now().date_naive())))
}

/// 差评台账: the manager's ledger (an officer's own items, to appeal).
pub async fn ledger_page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(LEDGER_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let rows = ledger(&state, staff).await?;
    let overdue = rows.iter().filter(|r| r.item.state.is_open() && r.due.is_some_and(|d| d.overdue)).count();
    let desk = DESK_ROLES.contains(&staff.role);
    Ok(render("ratings_ledger.html", context! { rows, overdue, desk, me => staff.id, message => flash.message, error => flash.error, ..frame }))
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
        other => Err(AppError::invalid("action", format!("unknown action \"{other}\""))),
    };
    let outcome = match event {
        Ok(event) => act(&state, staff, id, &event).await.map(|item| format!("{} #{id}：{}", text("ledger_done"), item.state.name())),
        Err(err) => Err(err),
    };
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/manage/ratings?{query}")).into_response())
}

/// A satisfaction rate: good ratings (非常满意, 满意, 基本满意) over all, appeals upheld left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rate {
    pub rated: i64,
    pub good: i64,
    /// In percent, one decimal; none without ratings.
    pub percent: Option<f64>,
}

impl Rate {
    fn add(&mut self, count: &RatingCount) {
        self.rated += count.count;
        if count.grade <= 3 {
            self.good += count.count;
        }
        self.percent = Some((self.good as f64 * 1000.0 / self.rated as f64).round() / 10.0);
    }
}

/// The public figures (公开).
#[derive(Debug, Serialize)]
pub struct Results {
    pub centre_code: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: Rate,
    pub items: Vec<(String, String, Rate)>,
    pub windows: Vec<(i32, Rate)>,
    /// Bad ratings whose fix deadline has come (or that were fixed), and those fixed on time.
    pub bad_due: i64,
    pub bad_fixed_on_time: i64,
    pub on_time_percent: Option<f64>,
}

pub async fn results(state: &AppState, centre: &str) -> Result<Results, AppError> {
    let to = Local::now().date_naive();
    let from = to - Duration::days(RESULTS_DAYS);
    let counts = state.store.rating_counts(centre, from).await?;
    let mut overall = Rate::default();
    let mut items: BTreeMap<String, Rate> = BTreeMap::new();
    let mut windows: BTreeMap<i32, Rate> = BTreeMap::new();
    for count in counts.iter().filter(|c| !c.voided) {
        overall.add(count);
        if let Some(item) = &count.item_code {
            items.entry(item.clone()).or_default().add(count);
        }
        if let Some(window) = count.window_number {
            windows.entry(window).or_default().add(count);
        }
    }
    let catalog = state.store.catalog().await?;
    let name_of = |code: &str| catalog.items.iter().find(|i| i.code == code).map_or_else(|| code.to_string(), |i| i.name.clone());
    let mut bad_due = 0;
    let mut bad_fixed_on_time = 0;
    for item in state.store.bad_ratings(centre, from).await? {
        if item.state == rating::BadRatingState::Voided || (item.fixed_on.is_none() && item.fix_by >= to) {
            continue;
        }
        bad_due += 1;
        if item.fixed_on.is_some_and(|fixed| fixed <= item.fix_by) {
            bad_fixed_on_time += 1;
        }
    }
    Ok(Results {
        centre_code: centre.to_string(),
        from,
        to,
        overall,
        items: items.into_iter().map(|(code, rate)| (name_of(&code), code, rate)).collect(),
        windows: windows.into_iter().collect(),
        bad_due,
        bad_fixed_on_time,
        on_time_percent: (bad_due > 0).then(|| (bad_fixed_on_time as f64 * 1000.0 / bad_due as f64).round() / 10.0),
    })
}

pub async fn api_results(State(state): State<AppState>, visitor: Visitor, Params(query): Params<CentreQuery>) -> Result<Json<Results>, ApiError> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    Ok(Json(results(&state, &centre).await?))
}

/// 评价公开: the public page.
pub async fn results_page(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> Result<Response, PageError> {
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let frame = frame(&state, &visitor).await?;
    let results = results(&state, &centre).await?;
    Ok(render("results.html", context! { results, ..frame }))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    scheme: Option<GradeCode>,
    #[serde(default)]
    from: Option<NaiveDate>,
}

/// The ratings for another system (the 好差评 platform, a statistics office), each grade's code in
/// the scheme asked for (`national`, the default, or `reverse`): every rating, with whether an
/// upheld appeal struck it, and the counts by item, window and grade. No phone numbers.
pub async fn api_export(State(state): State<AppState>, visitor: Visitor, Params(query): Params<ExportQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    let staff = visitor.require(&[Role::Manager, Role::Admin, Role::Auditor])?;
    let scheme = query.scheme.unwrap_or(GradeCode::National);
    let from = query.from.unwrap_or_else(|| Local::now().date_naive() - Duration::days(RESULTS_DAYS));
    let voided: std::collections::HashSet<i64> =
        state.store.bad_ratings(&staff.centre_code, from).await?.into_iter().filter(|b| b.state == rating::BadRatingState::Voided).map(|b| b.rating.id).collect();
    let ratings: Vec<_> = state
        .store
        .ratings(&staff.centre_code, from)
        .await?
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "code": r.grade.code(scheme), "grade": r.grade, "ticket_id": r.ticket_id, "case_id": r.case_id, "channel": r.channel,
                "window": r.window, "officer": r.officer_name, "item_code": r.item_code, "reasons": r.reasons, "comment": r.comment,
                "real_name": r.real_name, "day": r.day, "rated_at": r.rated_at, "voided": voided.contains(&r.id),
            })
        })
        .collect();
    let counts: Vec<_> = state
        .store
        .rating_counts(&staff.centre_code, from)
        .await?
        .iter()
        .filter_map(|c| {
            let grade = u8::try_from(c.grade).ok().and_then(|g| Grade::from_code(g, GradeCode::National))?;
            Some(serde_json::json!({ "item_code": c.item_code, "window": c.window_number, "code": grade.code(scheme), "grade": grade, "voided": c.voided, "count": c.count }))
        })
        .collect();
    Ok(Json(serde_json::json!({ "scheme": scheme, "from": from, "ratings": ratings, "counts": counts })))
}
