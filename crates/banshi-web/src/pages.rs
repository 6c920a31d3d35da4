//! The HTML pages: public guide and self-check, staff sign-in and notices, manager and admin pages.
//! Each works without JavaScript; forms post back and the server renders the next step.

use crate::actions::{self, StaffInput};
use crate::auth::{self, Visitor};
use crate::error::{AppError, PageError};
use crate::templates::render;
use crate::texts::text;
use crate::views::{self, ChecklistInput};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use banshi_domain::privacy::mask_name;
use banshi_domain::{assess, Item, Role};
use banshi_storage::{Actor, Centre, Notice};
use minijinja::{context, Value};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// Who may issue one-time notices: the window staff and the duty leader who steps in for them.
pub const NOTICE_ISSUERS: &[Role] = &[Role::WindowStaff, Role::Manager];
const FIGURE_READERS: &[Role] = &[Role::Admin, Role::Manager, Role::Auditor];
const AUDIT_READERS: &[Role] = &[Role::Admin, Role::Auditor];

/// What every page's frame needs: the centre, who is signed in, the CSRF token for its forms.
pub(crate) async fn frame(state: &AppState, visitor: &Visitor) -> Result<Value, AppError> {
    let centre = visitor_centre(state, visitor).await?;
    Ok(context! { centre, staff => visitor.staff, csrf => visitor.csrf_token })
}

/// The staff member's own centre, or for the public the hall this installation serves.
async fn visitor_centre(state: &AppState, visitor: &Visitor) -> Result<Option<Centre>, AppError> {
    Ok(match &visitor.staff {
        Some(staff) => state.store.centre(&staff.centre_code).await?,
        None => state.store.default_centre().await?,
    })
}

async fn item_or_404(state: &AppState, code: &str) -> Result<Item, AppError> {
    state.store.item(code).await?.ok_or_else(|| AppError::NotFound(code.to_string()))
}

pub async fn home(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let catalog = state.store.catalog().await?;
    let groups = views::group_by_category(&catalog.items);
    let windows = match visitor_centre(&state, &visitor).await? {
        Some(centre) => state.store.windows(&centre.code).await?,
        None => vec![],
    };
    Ok(render("home.html", context! { groups, windows, ..frame }))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn guide_list(State(state): State<AppState>, visitor: Visitor, Query(search): Query<SearchQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let catalog = state.store.catalog().await?;
    let found: Vec<&Item> = catalog.items.iter().filter(|i| i.matches(&search.q)).collect();
    let count = found.len();
    let groups = views::group_by_category(found);
    Ok(render("guide_list.html", context! { groups, count, query => search.q, ..frame }))
}

pub async fn guide_item(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let item = item_or_404(&state, &code).await?;
    let channel_labels: Vec<&str> = item.channels.iter().map(|c| text(&format!("channel_{}", c.as_str()))).collect();
    let context = context! {
        materials => views::material_rows(&item),
        kind_label => text(&format!("kind_{}", item.kind.code())),
        handling_label => text(&format!("handling_{}", item.handling.as_str())),
        channel_labels,
        item,
        ..frame
    };
    Ok(render("guide.html", context))
}

/// The citizen's self-check: answer the situation questions, tick what you have, get your list.
pub async fn self_check(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let item = item_or_404(&state, &code).await?;
    let input = ChecklistInput::from_pairs(&pairs).sanitised(&item);
    let done = pairs.iter().any(|(k, v)| k == "done" && v == "1");
    let form = views::form_state(&item, &input);
    let assessment = if done && form.all_answered { assess(&item, &input.answers, &input.present).ok() } else { None };
    let verdict_label = assessment.as_ref().map(views::verdict_label);
    let context = context! {
        questions => form.questions,
        all_answered => form.all_answered,
        materials => form.materials,
        present_hint => text("check_materials_hint"),
        answers_query => input.answers_query(),
        assessment,
        verdict_label,
        item,
        ..frame
    };
    Ok(render("check.html", context))
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_page(State(state): State<AppState>, visitor: Visitor, Query(query): Query<LoginQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    Ok(render("login.html", context! { next => safe_next(&query.next), failed => false, ..frame }))
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
            let mut response = render("login.html", context);
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

pub async fn staff_home(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require_staff()?;
    let frame = frame(&state, &visitor).await?;
    let catalog = state.store.catalog().await?;
    // Overdue cases escalate to the centre's manager: they head the manager's workspace.
    let overdue = if staff.role == Role::Manager { crate::cases::overdue_cases(&state, &staff.centre_code).await? } else { Vec::new() };
    // So do bad ratings and complaints past their deadlines (超期督办).
    let (overdue_ratings, overdue_feedback) = if staff.role == Role::Manager {
        (crate::ratings::overdue_count(&state, staff).await?, crate::feedback::overdue_count(&state, &staff.centre_code).await?)
    } else {
        (0, 0)
    };
    let follow_ups_due = crate::follow_ups::due_count(&state, staff).await?;
    let context = context! {
        overdue,
        follow_ups_due,
        overdue_ratings,
        overdue_feedback,
        role_label => text(&format!("role_{}", staff.role.as_str())),
        can_issue => NOTICE_ISSUERS.contains(&staff.role),
        groups => views::group_by_category(&catalog.items),
        link_prefix => "/staff/notices/new?item=",
        ..frame
    };
    Ok(render("staff.html", context))
}

/// The officer's notice form: the situation first, then the materials the applicant brought.
pub async fn new_notice(State(state): State<AppState>, visitor: Visitor, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    visitor.require(NOTICE_ISSUERS)?;
    let code = pairs.iter().find(|(k, _)| k == "item").map(|(_, v)| v.clone()).unwrap_or_default();
    let item = item_or_404(&state, &code).await?;
    let input = ChecklistInput::from_pairs(&pairs).sanitised(&item);
    render_notice_form(&state, &visitor, &item, &input, &[]).await
}

async fn render_notice_form(state: &AppState, visitor: &Visitor, item: &Item, input: &ChecklistInput, problems: &[String]) -> PageResult {
    let frame = frame(state, visitor).await?;
    let form = views::form_state(item, input);
    let context = context! {
        questions => form.questions,
        all_answered => form.all_answered,
        materials => form.materials,
        present_hint => text("notice_present_hint"),
        problems,
        item,
        ..frame
    };
    Ok(render("notice_new.html", context))
}

pub async fn issue_notice(State(state): State<AppState>, visitor: Visitor, Form(pairs): Form<Vec<(String, String)>>) -> PageResult {
    let officer = visitor.require(NOTICE_ISSUERS)?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let item = item_or_404(&state, field("item").unwrap_or_default()).await?;
    let input = ChecklistInput::from_pairs(&pairs);
    match actions::issue_notice(&state, officer, &item.code, &input.answers, &input.present, field("applicant_name")).await {
        Ok(notice) => Ok(Redirect::to(&format!("/notices/{}", notice.number)).into_response()),
        Err(AppError::Invalid(problems)) => {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let mut response = render_notice_form(&state, &visitor, &item, &input.sanitised(&item), &problems).await?;
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
    visitor.require_staff()?;
    let staff = visitor.require_staff()?;
    let notice: Notice = state.store.notice(&number).await?.filter(|n| n.centre_code == staff.centre_code).ok_or_else(|| AppError::NotFound(number.clone()))?;
    let frame = frame(&state, &visitor).await?;
    let centre: Option<Centre> = state.store.centre(&notice.centre_code).await?;
    let supervision_phone = centre.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default();
    let issued_date = notice.issued_at.with_timezone(&chrono::Local).format("%Y年%m月%d日").to_string();
    let context = context! {
        sections => views::notice_sections(&notice.assessment),
        applicant => notice.applicant_name.as_deref().map(mask_name),
        issued_date,
        supervision_phone,
        centre,
        notice,
        ..frame
    };
    let template = if format.format == "receipt" { "notice_receipt.html" } else { "notice.html" };
    Ok(render(template, context))
}

pub async fn notice_counts(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    visitor.require(FIGURE_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let counts = state.store.notice_counts().await?;
    let total: i64 = counts.iter().map(|c| c.notices).sum();
    Ok(render("manage_notices.html", context! { counts, total, ..frame }))
}

/// The admin page, with the outcome of a form when there is one.
struct AdminNotice {
    message: Option<String>,
    problems_heading: &'static str,
    problems: Vec<String>,
}

async fn render_admin(state: &AppState, visitor: &Visitor, notice: AdminNotice) -> PageResult {
    let frame = frame(state, visitor).await?;
    let staff_list = state.store.list_staff().await?;
    let role_labels: std::collections::BTreeMap<&str, &str> =
        Role::ALL.iter().map(|r| (r.as_str(), text(&format!("role_{}", r.as_str())))).collect();
    let AdminNotice { message, problems_heading, problems } = notice;
    Ok(render("admin.html", context! { staff_list, role_labels, message, problems_heading, problems, ..frame }))
}

pub async fn admin(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    visitor.require(&[Role::Admin])?;
    render_admin(&state, &visitor, AdminNotice { message: None, problems_heading: "", problems: vec![] }).await
}

/// Answers a refused admin form on the admin page itself, with every problem listed.
async fn admin_outcome<T>(
    state: &AppState,
    visitor: &Visitor,
    outcome: Result<T, AppError>,
    problems_heading: &'static str,
    ok: impl FnOnce(T) -> String,
) -> PageResult {
    let (status, notice) = match outcome {
        Ok(value) => (StatusCode::OK, AdminNotice { message: Some(ok(value)), problems_heading, problems: vec![] }),
        Err(AppError::Invalid(problems)) => {
            let problems = problems.iter().map(ToString::to_string).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, AdminNotice { message: None, problems_heading, problems })
        }
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, AdminNotice { message: None, problems_heading, problems: vec![message] }),
        Err(other) => return Err(other.into()),
    };
    let mut response = render_admin(state, visitor, notice).await?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn admin_create_staff(State(state): State<AppState>, visitor: Visitor, Form(input): Form<StaffInput>) -> PageResult {
    let admin = visitor.require(&[Role::Admin])?;
    let outcome = actions::create_staff(&state, admin, &input).await;
    admin_outcome(&state, &visitor, outcome, text("admin_staff_problems"), |staff| format!("{}{}（{}）", text("admin_staff_created"), staff.name, staff.username)).await
}

#[derive(Deserialize)]
pub struct CatalogForm {
    catalog: String,
}

pub async fn admin_import_catalog(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CatalogForm>) -> PageResult {
    let admin = visitor.require(&[Role::Admin])?;
    let outcome = actions::import_catalog(&state, &Actor::staff(admin), &form.catalog).await;
    admin_outcome(&state, &visitor, outcome, text("admin_catalog_problems"), |count| format!("{}{count}", text("admin_catalog_imported"))).await
}

pub async fn audit_log(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    visitor.require(AUDIT_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let entries: Vec<Value> = state
        .store
        .audit_log(500)
        .await?
        .into_iter()
        .map(|e| {
            let change = serde_json::to_string_pretty(&serde_json::json!({ "before": e.before, "after": e.after })).unwrap_or_default();
            let at_local = e.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string();
            context! { at_local, actor => e.actor, action => e.action, entity => e.entity, entity_id => e.entity_id, change }
        })
        .collect();
    Ok(render("audit.html", context! { entries, ..frame }))
}
