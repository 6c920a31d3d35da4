//! The sign-in page, signing out, and the staff workspace.

use crate::shared::auth::{self, Visitor};
use crate::shared::error::PageError;
use crate::shared::frame::frame;
use crate::shared::roles::NOTICE_ISSUERS;
use crate::shared::templates::render;
use crate::shared::texts::text;
use crate::shared::AppState;
use crate::{cases, catalog, feedback, followups, ratings};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use banshi_domain::Role;
use minijinja::context;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_page(State(state): State<AppState>, visitor: Visitor, Query(query): Query<LoginQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    Ok(render("workspace/login.html", context! { next => safe_next(&query.next), failed => false, ..frame }))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(State(state): State<AppState>, visitor: Visitor, jar: CookieJar, Form(form): Form<LoginForm>) -> PageResult {
    match auth::sign_in(&state, &form.username, &form.password).await? {
        Some((_, token, _)) => Ok((jar.add(auth::session_cookie(token)), Redirect::to(safe_next(&form.next))).into_response()),
        None => {
            let frame = frame(&state, &visitor).await?;
            let context = context! { next => safe_next(&form.next), failed => true, username => form.username, ..frame };
            let mut response = render("workspace/login.html", context);
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(response)
        }
    }
}

/// Only a path on this site: never an absolute or protocol-relative URL (an open redirect).
fn safe_next(next: &str) -> &str {
    // Browsers drop tabs and newlines from a Location before following it, so `/\t/evil` would
    // become `//evil`: only plain path characters pass.
    let plain = next.chars().all(|c| c.is_ascii_alphanumeric() || "/_-.?=&%".contains(c));
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/staff"
    }
}

pub async fn logout(State(state): State<AppState>, visitor: Visitor, jar: CookieJar) -> PageResult {
    auth::sign_out(&state, &visitor).await?;
    Ok((jar.add(auth::removal_cookie()), Redirect::to("/")).into_response())
}

/// The workspace: what needs the staff member now, asked of each capability, and (for window
/// officers) the items to issue a notice for.
pub async fn staff_home(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require_staff()?;
    let frame = frame(&state, &visitor).await?;
    let catalog = state.store.catalog().await?;
    // Overdue cases escalate to the centre's manager: they head the manager's workspace.
    let overdue = if staff.role == Role::Manager { cases::overdue_cases(&state, &staff.centre_code).await? } else { Vec::new() };
    // So do bad ratings and complaints past their deadlines (超期督办).
    let (overdue_ratings, overdue_feedback) = if staff.role == Role::Manager {
        (ratings::overdue_count(&state, staff).await?, feedback::overdue_count(&state, &staff.centre_code).await?)
    } else {
        (0, 0)
    };
    let follow_ups_due = followups::due_count(&state, staff).await?;
    let context = context! {
        overdue,
        follow_ups_due,
        overdue_ratings,
        overdue_feedback,
        role_label => text(&format!("role_{}", staff.role.as_str())),
        can_issue => NOTICE_ISSUERS.contains(&staff.role),
        groups => catalog::group_by_category(&catalog.items),
        link_prefix => "/staff/notices/new?item=",
        ..frame
    };
    Ok(render("workspace/staff.html", context))
}
