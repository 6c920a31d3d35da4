//! The frame of every page: the centre, who is signed in, the navigation their role may follow,
//! and the CSRF token the page's forms carry.

use super::auth::Visitor;
use super::centre::visitor_centre;
use super::error::AppError;
use super::roles;
use super::texts::text;
use super::AppState;
use banshi_domain::Role;
use banshi_storage::{Centre, Staff};
use minijinja::Value;
use serde::Serialize;

#[derive(Serialize)]
pub struct Frame {
    pub centre: Option<Centre>,
    pub staff: Option<Staff>,
    pub csrf: String,
    /// The staff pages the signed-in role may open, in menu order.
    pub nav: Vec<NavLink>,
}

#[derive(Serialize)]
pub struct NavLink {
    pub path: &'static str,
    pub label: &'static str,
}

/// The staff menu: each page with the roles that may open it.
fn menu() -> [(&'static str, &'static str, &'static [Role]); 19] {
    [
        ("/staff", text("nav_staff"), roles::STAFF),
        ("/guide", text("nav_guide"), roles::STAFF),
        ("/console", text("nav_console"), roles::WINDOW_ROLES),
        ("/cases", text("nav_cases"), roles::CASE_ROLES),
        ("/cases/inbox", text("nav_inbox"), roles::REVIEWERS),
        ("/inquiries", text("nav_inquiries"), roles::STAFF),
        ("/feedback", text("nav_feedback_desk"), roles::STAFF),
        ("/followups", text("nav_followups"), roles::CASE_ROLES),
        ("/manage/ratings", text("nav_ledger"), roles::LEDGER_ROLES),
        ("/manage/hall", text("nav_hall"), roles::FIGURE_READERS),
        ("/manage/notices", text("nav_manage"), roles::FIGURE_READERS),
        ("/manage/trips", text("nav_trips"), roles::FIGURE_READERS),
        ("/manage/forecast", text("nav_forecast"), roles::FIGURE_READERS),
        ("/manage/simulate", text("nav_simulate"), roles::PLANNERS),
        ("/admin/audit", text("nav_audit"), roles::AUDIT_READERS),
        ("/admin/hall", text("nav_hall_setup"), roles::HALL_KEEPERS),
        ("/manage/pads", text("nav_pads"), roles::HALL_KEEPERS),
        ("/admin", text("nav_admin"), roles::ADMINS),
        ("/admin/calendar", text("admin_calendar_link"), roles::ADMINS),
    ]
}

/// No menu for an account held at its first step: none of it would open.
fn navigation(state: &AppState, staff: Option<&Staff>) -> Vec<NavLink> {
    let Some(staff) = staff.filter(|staff| super::auth::first_step(state, staff).is_none()) else { return Vec::new() };
    menu().into_iter().filter(|(_, _, roles)| roles.contains(&staff.role)).map(|(path, label, _)| NavLink { path, label }).collect()
}

/// What every page's template needs, to be spread into its context (`..frame`).
pub async fn frame(state: &AppState, visitor: &Visitor) -> Result<Value, AppError> {
    let centre = visitor_centre(state, visitor).await?;
    let nav = navigation(state, visitor.staff.as_ref());
    Ok(Value::from_serialize(Frame { centre, staff: visitor.staff.clone(), csrf: visitor.csrf_token.clone(), nav }))
}

/// Error pages (403, 404, 409 …) for a signed-in staff member come in their own frame, with their
/// navigation and their name, not as if they had been signed out.
pub async fn error_pages_in_frame(axum::extract::State(state): axum::extract::State<AppState>, request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    // The API answers refusals as JSON, never as pages: its requests pass untouched (and uncloned).
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let visitor = request.extensions().get::<Visitor>().filter(|v| v.staff.is_some()).cloned();
    let response = next.run(request).await;
    let (Some(visitor), Some(page)) = (visitor, response.extensions().get::<super::templates::ErrorPage>().cloned()) else { return response };
    match frame(&state, &visitor).await {
        Ok(frame) => {
            let (parts, _) = response.into_parts();
            let mut framed = super::templates::error_page_in(parts.status, &page.message, frame);
            for (name, value) in parts.headers.iter().filter(|(name, _)| *name == axum::http::header::RETRY_AFTER) {
                framed.headers_mut().insert(name.clone(), value.clone());
            }
            framed
        }
        Err(_) => response,
    }
}
