//! The sign-in page, signing out, and the staff workspace.

use super::account::{self, PasswordChange};
use super::second_factor::{self, Confirmation};
use crate::shared::auth::{self, Visitor};
use crate::shared::error::AppError;
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::error::PageError;
use crate::shared::frame::frame;
use crate::shared::centre::region_centres;
use crate::shared::roles::{NOTICE_ISSUERS, REGIONAL};
use crate::shared::templates::render;
use crate::shared::texts::text;
use crate::shared::AppState;
use crate::{cases, catalog, feedback, followups, ratings};
use axum::extract::{Path, Query, State};
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
    totp: String,
    #[serde(default)]
    next: String,
}

pub async fn login(State(state): State<AppState>, visitor: Visitor, source: auth::Source, jar: CookieJar, Form(form): Form<LoginForm>) -> PageResult {
    match auth::sign_in(&state, &source, &form.username, &form.password, &form.totp).await? {
        Some((_, token, _)) => Ok((jar.add(auth::session_cookie(&state, token)), Redirect::to(safe_next(&form.next))).into_response()),
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
    Ok((jar.add(auth::removal_cookie(&state)), Redirect::to("/")).into_response())
}

/// The workspace: what needs the staff member now, asked of each capability, and (for window
/// officers) the items to issue a notice for.
/// `?ticket=<id>`: the console sent the officer here to choose the item of a notice for that visit.
#[derive(Deserialize)]
pub struct VisitQuery {
    #[serde(default)]
    ticket: Option<String>,
}

pub async fn staff_home(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>, Query(visit): Query<VisitQuery>) -> PageResult {
    let staff = visitor.require_staff()?;
    let frame = frame(&state, &visitor).await?;
    let catalog = state.cache.catalog(state.store.as_ref(), &staff.centre_code).await?;
    // Overdue cases escalate to the centre's manager: they head the manager's workspace.
    let overdue = if staff.role == Role::Manager { cases::overdue_cases(&state, &staff.centre_code).await? } else { Vec::new() };
    // So do bad ratings and complaints past their deadlines (超期督办).
    let (overdue_ratings, overdue_feedback) = if staff.role == Role::Manager {
        (ratings::overdue_count(&state, staff).await?, feedback::overdue_count(&state, &staff.centre_code).await?)
    } else {
        (0, 0)
    };
    let follow_ups_due = followups::due_count(&state, staff).await?;
    // A district or city role reads its region's centres.
    let region = if REGIONAL.contains(&staff.role) { region_centres(&state, staff).await? } else { Vec::new() };
    let context = context! {
        overdue,
        follow_ups_due,
        overdue_ratings,
        overdue_feedback,
        region,
        message => flash.message,
        role_label => text(&format!("role_{}", staff.role.as_str())),
        can_issue => NOTICE_ISSUERS.contains(&staff.role),
        groups => catalog::group_by_category(&catalog.items),
        link_prefix => "/staff/notices/new?item=",
        link_suffix => visit.ticket.and_then(|t| t.parse::<i64>().ok()).map(|id| format!("&ticket={id}")),
        ..frame
    };
    Ok(render("workspace/staff.html", context))
}

/// The page to change one's password; after a one-time password, the only page there is.
pub async fn password_page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> PageResult {
    let staff = visitor.require_staff()?;
    let frame = frame(&state, &visitor).await?;
    let sessions = session_rows(&state, &visitor, staff.id).await?;
    Ok(render("workspace/password.html", context! { forced => staff.must_change_password, problems => Vec::<String>::new(), message => flash.message, sessions, ..frame }))
}

/// One's live sessions as the page lists them.
async fn session_rows(state: &AppState, visitor: &Visitor, staff_id: i64) -> Result<Vec<minijinja::Value>, AppError> {
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
    Ok(account::sessions(state, visitor, staff_id)
        .await?
        .into_iter()
        .map(|s| context! { id => s.session.id, since => local(s.session.created_at), until => local(s.session.idle_until.unwrap_or(s.session.expires_at).min(s.session.expires_at)), current => s.current })
        .collect())
}

/// Ends one of one's own sessions from the page.
pub async fn end_session(State(state): State<AppState>, visitor: Visitor, Path(id): Path<String>) -> PageResult {
    let staff = visitor.require_staff()?;
    let outcome = account::end_session(&state, staff, staff.id, &id).await.map(|_| text("account_session_ended").to_string());
    Ok(Redirect::to(&format!("/account/password?{}", redirect_query(outcome)?)).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(State(state): State<AppState>, visitor: Visitor, Form(form): Form<PasswordForm>) -> PageResult {
    let staff = visitor.require_staff()?;
    let outcome = if form.new_password != form.repeat_password {
        Err(AppError::invalid("repeat_password", text("account_repeat_differs")))
    } else {
        account::change_password(&state, &visitor, &PasswordChange { current_password: form.current_password, new_password: form.new_password }).await.map(|_| ())
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/staff?{}", redirect_query(Ok(text("account_changed").to_string()))?)).into_response()),
        Err(AppError::Invalid(problems)) => {
            let frame = frame(&state, &visitor).await?;
            let problems: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
            let sessions = session_rows(&state, &visitor, staff.id).await?;
            let mut response = render("workspace/password.html", context! { forced => staff.must_change_password, problems, sessions, ..frame });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// Enrolling one's second factor: a fresh secret as a QR code and as text, and the field for the
/// app's first code; after a sign-in that must enrol, the only page there is.
pub async fn second_factor_page(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require_staff()?;
    let offer = second_factor::offer(&state, staff);
    render_second_factor(&state, &visitor, offer.enrolment, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    enrolment: String,
    #[serde(default)]
    code: String,
}

pub async fn confirm_second_factor(State(state): State<AppState>, visitor: Visitor, Form(form): Form<SecondFactorForm>) -> PageResult {
    visitor.require_staff()?;
    let confirmation = Confirmation { enrolment: form.enrolment.clone(), code: form.code.clone() };
    match second_factor::confirm(&state, &visitor, &confirmation).await {
        Ok(codes) => {
            let frame = frame(&state, &visitor).await?;
            Ok(render("workspace/totp_done.html", context! { recovery_codes => codes.recovery_codes, ..frame }))
        }
        // A stale or foreign offer: a fresh one.
        Err(AppError::Invalid(problems)) if problems.iter().any(|p| p.path == "enrolment") => {
            let offer = second_factor::offer(&state, visitor.require_staff()?);
            render_second_factor(&state, &visitor, offer.enrolment, Some((problems[0].message.clone(), String::new())), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Invalid(problems)) => render_second_factor(&state, &visitor, form.enrolment, Some((problems[0].message.clone(), form.code)), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(other) => Err(other.into()),
    }
}

/// The enrolment page for the offer `enrolment`, with the code's problem and what was typed.
async fn render_second_factor(state: &AppState, visitor: &Visitor, enrolment: String, problem: Option<(String, String)>, status: StatusCode) -> PageResult {
    let staff = visitor.require_staff()?;
    let standing = second_factor::standing(state, staff).await?;
    let Some(secret) = second_factor::offered_secret(state, staff, &enrolment) else {
        return Err(AppError::Internal("an offer made here does not open".into()).into());
    };
    let url = crate::shared::second_factor::otpauth_url(&secret, &staff.username);
    let frame = frame(state, visitor).await?;
    let (problem, typed) = problem.unzip();
    let context = context! {
        enrolment,
        secret => crate::shared::second_factor::base32(&secret),
        qr_svg => crate::shared::links::qr_svg(&url, 220),
        enrolled => standing.enrolled,
        required => standing.required,
        recovery_codes_left => standing.recovery_codes_left,
        problem,
        typed,
        ..frame
    };
    let mut response = render("workspace/totp.html", context);
    *response.status_mut() = status;
    Ok(response)
}
