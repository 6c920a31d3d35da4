//! The inquiries page: my open inquiries with their handovers, the colleagues to hand to, and the
//! form for a new one.

use super::steps::{self, InquiryRequest};
use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{FRONT_LINE, STAFF};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::Role;
use minijinja::context;
use serde::Deserialize;

/// My open inquiries with their handovers, the colleagues to hand to, and the form for a new one.
pub async fn page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(STAFF)?;
    let frame = frame(&state, &visitor).await?;
    let mut rows = Vec::new();
    for inquiry in state.store.open_inquiries(staff.id).await? {
        let handovers = state.store.inquiry_handovers(inquiry.id).await?;
        rows.push(context! { inquiry, handovers });
    }
    // Those who answer citizens: not the system's admin or the auditor, whom no inquiry is for.
    let colleagues: Vec<_> = state
        .store
        .list_staff(Some(&staff.centre_code))
        .await?
        .into_iter()
        .filter(|s| s.id != staff.id && s.active && Role::CENTRE.contains(&s.role) && !matches!(s.role, Role::SystemAdmin | Role::Auditor))
        .collect();
    Ok(render("inquiries/inquiries.html", context! { rows, colleagues, me => staff.id, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct PageForm {
    action: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    asker: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    answer: String,
}

pub async fn page_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<PageForm>) -> Result<Response, PageError> {
    let staff = visitor.require(FRONT_LINE)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", text("inquiry_which")));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "record" => {
                let request = InquiryRequest { channel: form.channel.clone(), subject: form.subject.clone(), asker: form.asker.clone() };
                format!("{} #{}", text("inquiry_recorded"), steps::record(&state, staff, &request).await?.id)
            }
            "hand_over" => format!("{} {}", text("inquiry_handed_over"), steps::hand_over(&state, staff, id()?, &form.to, &form.reason).await?.owner_name),
            "answer" => format!("{} #{}", text("inquiry_answered"), steps::answer(&state, staff, id()?, &form.answer).await?.id),
            other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        })
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/inquiries?{query}")).into_response())
}
