//! The officer's notice form and the printable notice; the managers' counts.

use super::{steps, views};
use crate::catalog::{form_state, item_or_404, ChecklistInput};
use crate::shared::auth::Visitor;
use crate::shared::centre::{figures_centre, CentreQuery};
use crate::shared::error::{AppError, PageError};
use crate::shared::frame::frame;
use crate::shared::roles::{FIGURE_READERS, NOTICE_ISSUERS};
use crate::shared::templates::render;
use crate::shared::texts::text;
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::privacy::mask_name;
use banshi_domain::Item;
use banshi_storage::{Centre, Notice, Staff, Ticket};
use minijinja::context;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// The officer's notice form: the situation first, then the materials the applicant brought.
pub async fn new_notice(State(state): State<AppState>, visitor: Visitor, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let officer = visitor.require(NOTICE_ISSUERS)?;
    let code = pairs.iter().find(|(k, _)| k == "item").map(|(_, v)| v.clone()).unwrap_or_default();
    let item = item_or_404(&state, &officer.centre_code, &code).await?;
    let input = ChecklistInput::from_pairs(&pairs).sanitised(&item);
    let ticket = visit_ticket(&state, officer, &pairs).await?;
    render_notice_form(&state, &visitor, &item, &input, ticket.as_ref(), &[]).await
}

/// The visit a notice is for, as the console's button names it (`ticket=<id>`).
fn visit_ticket_id(pairs: &[(String, String)]) -> Option<i64> {
    pairs.iter().find(|(k, _)| k == "ticket").and_then(|(_, v)| v.parse::<i64>().ok())
}

/// That visit's ticket, for the form to name: one of the officer's centre, or none.
async fn visit_ticket(state: &AppState, officer: &Staff, pairs: &[(String, String)]) -> Result<Option<Ticket>, AppError> {
    let Some(id) = visit_ticket_id(pairs) else { return Ok(None) };
    Ok(state.store.ticket(id).await?.filter(|t| t.centre_code == officer.centre_code))
}

async fn render_notice_form(state: &AppState, visitor: &Visitor, item: &Item, input: &ChecklistInput, ticket: Option<&Ticket>, problems: &[String]) -> PageResult {
    let frame = frame(state, visitor).await?;
    let form = form_state(item, input);
    let context = context! {
        questions => form.questions,
        all_answered => form.all_answered,
        materials => form.materials,
        at_window => form.at_window,
        present_hint => text("notice_present_hint"),
        problems,
        ticket,
        item,
        ..frame
    };
    Ok(render("notices/new.html", context))
}

pub async fn issue_notice(State(state): State<AppState>, visitor: Visitor, Form(pairs): Form<Vec<(String, String)>>) -> PageResult {
    let officer = visitor.require(NOTICE_ISSUERS)?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let item = item_or_404(&state, &officer.centre_code, field("item").unwrap_or_default()).await?;
    let input = ChecklistInput::from_pairs(&pairs);
    // The steps check the ticket is the centre's; the form, shown again, reads it only then.
    match steps::issue_notice(&state, officer, &item.code, &input.answers, &input.present, field("applicant_name"), visit_ticket_id(&pairs)).await {
        Ok(notice) => Ok(Redirect::to(&format!("/notices/{}", notice.number)).into_response()),
        Err(AppError::Invalid(problems)) => {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let ticket = visit_ticket(&state, officer, &pairs).await?;
            let mut response = render_notice_form(&state, &visitor, &item, &input.sanitised(&item), ticket.as_ref(), &problems).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct FindNotice {
    #[serde(default)]
    number: String,
}

pub async fn find_notice(visitor: Visitor, Query(query): Query<FindNotice>) -> PageResult {
    visitor.require_staff()?;
    let number: String = query.number.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    Ok(Redirect::to(&format!("/notices/{}", number.to_ascii_uppercase())).into_response())
}

#[derive(Deserialize)]
pub struct NoticeFormat {
    #[serde(default)]
    format: String,
}

/// The printable notice: A4 by default, `?format=receipt` for an 80 mm receipt printer.
pub async fn show_notice(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<String>,
    Query(format): Query<NoticeFormat>,
) -> PageResult {
    let staff = visitor.require_staff()?;
    let notice: Notice = state.store.notice(&number).await?.filter(|n| n.centre_code == staff.centre_code).ok_or_else(|| AppError::not_found("thing_notice", &number))?;
    let frame = frame(&state, &visitor).await?;
    let centre: Option<Centre> = state.store.centre(&notice.centre_code).await?;
    let supervision_phone = centre.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default();
    let issued_date = notice.issued_at.with_timezone(&chrono::Local).format("%Y年%m月%d日").to_string();
    let ticket_number = match notice.ticket_id {
        Some(id) => state.store.ticket(id).await?.map(|t| t.number),
        None => None,
    };
    let context = context! {
        ticket_number,
        sections => views::notice_sections(&notice.assessment),
        applicant => notice.applicant_name.as_deref().map(mask_name),
        issued_date,
        supervision_phone,
        centre,
        notice,
        ..frame
    };
    let template = if format.format == "receipt" { "notices/receipt.html" } else { "notices/notice.html" };
    Ok(render(template, context))
}

pub async fn notice_counts(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> PageResult {
    let staff = visitor.require(FIGURE_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let centre = figures_centre(&state, staff, query.centre).await?;
    let counts = state.store.notice_counts(&centre).await?;
    let total: i64 = counts.iter().map(|c| c.notices).sum();
    Ok(render("notices/counts.html", context! { counts, total, ..frame }))
}
