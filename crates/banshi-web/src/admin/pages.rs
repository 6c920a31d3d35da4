//! The admin pages: staff accounts and the catalogue import (`/admin`), the calendar
//! (`/admin/calendar`), and the audit log (`/admin/audit`, also for auditors).

use super::calendar::{self, day_view, CentreDayInput};
use super::steps::{self, StaffEdit, StaffInput};
use crate::shared::auth::Visitor;
use crate::shared::calendar::FIRST_YEAR;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{ADMINS, AUDIT_READERS, INSTALLATION_ADMINS};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text, words_or_code};
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::calendar::{HolidaySchedule, WorkingCalendar};
use banshi_domain::{LocalItem, Role};
use banshi_storage::{Actor, Staff};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

type PageResult = Result<Response, PageError>;

/// The admin page, with the outcome of a form when there is one: a message, or the problems and
/// the refused form as it was typed.
#[derive(Default)]
struct AdminNotice {
    message: Option<String>,
    problems_heading: &'static str,
    problems: Vec<String>,
    draft: Draft,
    /// The refused form's problems by field, shown beside the field.
    errors: BTreeMap<String, String>,
}

/// What was typed into the form that was refused, to be shown again as it was.
#[derive(Default)]
enum Draft {
    #[default]
    Nothing,
    /// An account's row, by its id.
    Account(i64, StaffEditForm),
    NewAccount(StaffInput),
    Catalog(String),
}

async fn render_admin(state: &AppState, visitor: &Visitor, notice: AdminNotice) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let frame = frame(state, visitor).await?;
    let now = chrono::Utc::now();
    let rows: Vec<Value> = state
        .store
        .list_staff(Some(&admin.centre_code))
        .await?
        .into_iter()
        .map(|s| {
            let typed = match &notice.draft {
                Draft::Account(id, form) if *id == s.id => Some(form),
                _ => None,
            };
            let locked = s.locked_until.is_some_and(|until| until > now);
            context! {
                name => typed.map_or(s.name.clone(), |f| f.name.clone()),
                badge_number => typed.map_or(s.badge_number.clone(), |f| f.badge_number.clone()),
                role => typed.map_or(s.role.as_str().to_string(), |f| f.role.clone()),
                centre => typed.map_or(s.centre_code.clone(), |f| f.centre.clone()),
                department => typed.map_or(s.department.clone(), |f| f.department.clone()),
                locked, me => s.id == admin.id, staff => s,
            }
        })
        .collect();
    let grantable: Vec<Role> = Role::ALL.into_iter().filter(|r| *r != Role::SystemAdmin || admin.role == Role::SystemAdmin).collect();
    let role_labels: Vec<(&str, &str)> = grantable.iter().map(|r| (r.as_str(), text(&format!("role_{}", r.as_str())))).collect();
    let centres = state.store.centres().await?;
    let installation = INSTALLATION_ADMINS.contains(&admin.role);
    let AdminNotice { message, problems_heading, problems, draft, errors } = notice;
    let blank_account = context! { role => "window_staff", centre => admin.centre_code.clone() };
    let (new_staff, catalog) = match draft {
        Draft::NewAccount(input) => {
            let centre = input.centre.unwrap_or_else(|| admin.centre_code.clone());
            let typed = context! { username => input.username, name => input.name, badge_number => input.badge_number, role => input.role, department => input.department, centre, errors };
            (typed, String::new())
        }
        Draft::Catalog(typed) => (blank_account, typed),
        _ => (blank_account, String::new()),
    };
    Ok(render("admin/admin.html", context! { rows, role_labels, centres, installation, message, problems_heading, problems, new_staff, catalog, ..frame }))
}

pub async fn admin(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> PageResult {
    visitor.require(ADMINS)?;
    render_admin(&state, &visitor, AdminNotice { message: flash.message.or(flash.error), ..AdminNotice::default() }).await
}

/// Answers an admin form: done, with the admin page and a message; refused, on the admin page
/// itself with every problem listed and, for an account's form, each beside its field.
async fn admin_outcome<T>(
    state: &AppState,
    visitor: &Visitor,
    outcome: Result<T, AppError>,
    problems_heading: &'static str,
    draft: Draft,
    ok: impl FnOnce(T) -> String,
) -> PageResult {
    let (status, notice) = match outcome {
        // After the write, a page of its own: reloading it writes nothing again.
        Ok(value) => return Ok(Redirect::to(&format!("/admin?{}", redirect_query(Ok(ok(value)))?)).into_response()),
        Err(AppError::Invalid(problems)) => {
            // An account's messages name their field; a catalogue's need the place in the file.
            let listed = problems.iter().map(|p| if matches!(draft, Draft::Catalog(_)) { p.to_string() } else { p.message.clone() }).collect();
            let errors = problems.into_iter().map(|p| (p.path, p.message)).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, AdminNotice { problems_heading, problems: listed, draft, errors, ..AdminNotice::default() })
        }
        Err(err @ (AppError::Conflict(_) | AppError::NotFound { .. })) => (err.status(), AdminNotice { problems_heading, problems: vec![err.message()], draft, ..AdminNotice::default() }),
        Err(other) => return Err(other.into()),
    };
    let mut response = render_admin(state, visitor, notice).await?;
    *response.status_mut() = status;
    Ok(response)
}

/// The new-account form: the API's fields, and beside them the CSRF token the guard has checked.
/// Flattened, the account's fields are read by name and the token is left alone, while the API,
/// reading [`StaffInput`] itself, refuses a field it does not know.
#[derive(Deserialize)]
pub struct NewAccountForm {
    #[serde(flatten)]
    input: StaffInput,
}

pub async fn create_staff(State(state): State<AppState>, visitor: Visitor, Form(NewAccountForm { input }): Form<NewAccountForm>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let outcome = steps::create_staff(&state, admin, &input).await;
    let typed = StaffInput { password: String::new(), ..input };
    admin_outcome(&state, &visitor, outcome, text("admin_staff_problems"), Draft::NewAccount(typed), |staff| format!("{}{}（{}）", text("admin_staff_created"), staff.name, staff.username)).await
}

/// A staff row's form: its fields and the button pressed.
#[derive(Deserialize, Clone)]
pub struct StaffEditForm {
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    badge_number: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    centre: String,
    #[serde(default)]
    department: String,
}

/// A staff row's buttons: save the changes, disable or enable, unlock, remove the second factor,
/// reset the password.
pub async fn staff_action(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>, Form(form): Form<StaffEditForm>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let named = |staff: Staff| format!("{}（{}）", staff.name, staff.username);
    let outcome: Result<String, AppError> = match form.action.as_str() {
        "save" => {
            let edit = StaffEdit { name: form.name.clone(), badge_number: form.badge_number.clone(), role: form.role.clone(), centre: form.centre.clone(), department: Some(form.department.clone()) };
            steps::edit_staff(&state, admin, id, &edit).await.map(|s| format!("{}{}", text("admin_staff_saved"), named(s)))
        }
        "disable" => steps::set_active(&state, admin, id, false).await.map(|s| format!("{}{}", text("admin_staff_disabled"), named(s))),
        "enable" => steps::set_active(&state, admin, id, true).await.map(|s| format!("{}{}", text("admin_staff_enabled"), named(s))),
        "unlock" => steps::unlock(&state, admin, id).await.map(|s| format!("{}{}", text("admin_staff_unlocked"), named(s))),
        "remove_totp" => steps::remove_second_factor(&state, admin, id).await.map(|s| format!("{}{}", text("admin_staff_totp_removed"), named(s))),
        "reset" => steps::reset_password(&state, admin, id).await.map(|(s, password)| fill("admin_staff_reset", &[("who", named(s)), ("password", password)])),
        other => Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
    };
    admin_outcome(&state, &visitor, outcome, text("admin_staff_edit_problems"), Draft::Account(id, form), |message| message).await
}

#[derive(Deserialize)]
pub struct CatalogForm {
    catalog: String,
}

pub async fn import_catalog(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CatalogForm>) -> PageResult {
    let admin = visitor.require(INSTALLATION_ADMINS)?;
    let outcome = steps::import_catalog(&state, &Actor::staff(admin), &form.catalog).await;
    admin_outcome(&state, &visitor, outcome, text("admin_catalog_problems"), Draft::Catalog(form.catalog), |count| format!("{}{count}", text("admin_catalog_imported"))).await
}

/// `/admin/items`: the base items, each offered here or not, with this centre's own facts.
pub async fn local_items(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let list = state.store.local_items(&admin.centre_code).await?;
    render_local_items(&state, &visitor, admin, &list, list.is_empty(), Vec::new(), flash).await
}

async fn render_local_items(state: &AppState, visitor: &Visitor, admin: &Staff, list: &[LocalItem], whole_list: bool, problems: Vec<String>, flash: Flash) -> PageResult {
    let frame = frame(state, visitor).await?;
    let base = state.store.catalog().await?;
    let rows: Vec<Value> = base
        .items
        .iter()
        .map(|item| {
            let local = list.iter().find(|l| l.code == item.code);
            context! {
                code => item.code, name => item.name, category => item.category,
                statutory => item.statutory_limit.working_days, promised => item.promised_limit.working_days,
                offered => whole_list || local.is_some(),
                local_promised => local.and_then(|l| l.promised_working_days).map(|d| d.to_string()).unwrap_or_default(),
                location => local.and_then(|l| l.location.clone()).unwrap_or_default(),
                hours => local.and_then(|l| l.hours.clone()).unwrap_or_default(),
                consult_phone => local.and_then(|l| l.consult_phone.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let _ = admin;
    Ok(render("admin/items.html", context! { rows, whole_list, problems, message => flash.message, ..frame }))
}

/// The list as one form: `offered` for each item offered, and its facts by `<field>.<code>`.
pub async fn save_local_items(State(state): State<AppState>, visitor: Visitor, Form(pairs): Form<Vec<(String, String)>>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let field = |name: &str, code: &str| pairs.iter().find(|(k, _)| *k == format!("{name}.{code}")).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let mut list = Vec::new();
    let mut problems = Vec::new();
    for (_, code) in pairs.iter().filter(|(k, _)| k == "offered") {
        let promised = match field("promised", code) {
            None => None,
            Some(days) => match days.parse() {
                Ok(days) => Some(days),
                Err(_) => {
                    problems.push(format!("{code}：{}", text("hall_fault_number")));
                    None
                }
            },
        };
        list.push(LocalItem { code: code.clone(), promised_working_days: promised, location: field("location", code), hours: field("hours", code), consult_phone: field("consult_phone", code), supervision_phone: None });
    }
    let outcome = if problems.is_empty() { steps::save_local_items(&state, admin, &list).await } else { Err(AppError::Invalid(Vec::new())) };
    match outcome {
        Ok(()) => {
            let query = redirect_query(Ok(text("admin_items_saved").to_string()))?;
            Ok(Redirect::to(&format!("/admin/items?{query}")).into_response())
        }
        Err(AppError::Invalid(found)) => {
            problems.extend(found.iter().map(|p| match p.path.strip_prefix("items[").and_then(|rest| rest.split(']').next()).and_then(|i| i.parse::<usize>().ok()).and_then(|i| list.get(i)) {
                Some(item) => format!("{}：{}", item.code, p.message),
                None => p.to_string(),
            }));
            let mut response = render_local_items(&state, &visitor, admin, &list, false, problems, Flash::default()).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn audit_log(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let reader = visitor.require(AUDIT_READERS)?;
    let frame = frame(&state, &visitor).await?;
    let entries: Vec<Value> = state
        .store
        .audit_log(super::api::audit_scope(reader), 500)
        .await?
        .into_iter()
        .map(|e| {
            let changed = changed_fields(e.before.as_ref(), e.after.as_ref());
            let change = serde_json::to_string_pretty(&serde_json::json!({ "before": e.before, "after": e.after })).unwrap_or_default();
            let at_local = e.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string();
            let action = words_or_code(&format!("audit_action_{}", e.action), &e.action);
            let entity = words_or_code(&format!("audit_entity_{}", e.entity), &e.entity);
            context! { at_local, actor => crate::shared::actors::shown(&e.actor), action, entity, entity_id => e.entity_id, changed, change }
        })
        .collect();
    Ok(render("admin/audit.html", context! { entries, ..frame }))
}

/// What a write changed, one line a field, named in words: `状态：open → paused`; a new record lists what it
/// holds, a removed one what it held.
fn changed_fields(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<String> {
    let short = |value: Option<&serde_json::Value>| match value {
        None | Some(serde_json::Value::Null) => "—".to_string(),
        // A moment as the hall's clock shows it, not as UTC in RFC 3339.
        Some(serde_json::Value::String(text)) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string(),
            Err(_) => text.chars().take(60).collect(),
        },
        Some(other) => other.to_string().chars().take(60).collect(),
    };
    let empty = serde_json::Map::new();
    let fields = |value: Option<&serde_json::Value>| value.and_then(serde_json::Value::as_object).cloned().unwrap_or_else(|| empty.clone());
    let (old, new) = (fields(before), fields(after));
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    let word = |name: &str| words_or_code(&format!("audit_field_{name}"), name);
    names.into_iter().filter(|name| old.get(*name) != new.get(*name)).map(|name| format!("{}：{} → {}", word(name), short(old.get(name)), short(new.get(name)))).collect()
}

#[derive(Deserialize)]
pub struct CalendarPageQuery {
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// One year on the admin page: where its schedule comes from.
#[derive(Serialize)]
struct YearRow {
    year: i32,
    /// `built_in`, `loaded` or `missing` (dates counted through it are provisional).
    source: &'static str,
}

/// `/admin/calendar`: the years and their schedules, the centre's own days, a date checked.
pub async fn calendar(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CalendarPageQuery>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let frame = frame(&state, &visitor).await?;
    let loaded: Vec<i32> = state.store.calendar_years().await?.iter().map(|s| s.year).collect();
    let built_in: Vec<i32> = WorkingCalendar::china().years().collect();
    let this_year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let last_shown = (this_year + 1).max(loaded.iter().copied().max().unwrap_or(0));
    let years: Vec<YearRow> = (FIRST_YEAR..=last_shown)
        .map(|year| YearRow { year, source: if loaded.contains(&year) { "loaded" } else if built_in.contains(&year) { "built_in" } else { "missing" } })
        .collect();
    let days = state.store.centre_days(&admin.centre_code).await?;
    let counted = state.cache.calendar(state.store.as_ref(), &admin.centre_code).await?;
    let checked = match query.check.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => Some(calendar::parse_date("check", text).map(|date| day_view(date, &counted.calendar.day(date)))?),
        None => None,
    };
    let context = context! { years, days, checked, message => query.message, error => query.error, ..frame };
    Ok(render("admin/calendar.html", context).into_response())
}

#[derive(Deserialize)]
pub struct CalendarForm {
    action: String,
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

/// The calendar page's forms: load a year (holiday-cn JSON), set or remove a centre's day.
pub async fn calendar_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<CalendarForm>) -> PageResult {
    let admin = visitor.require(ADMINS)?;
    let outcome: Result<String, AppError> = async {
        match form.action.as_str() {
            "load_year" if !INSTALLATION_ADMINS.contains(&admin.role) => Err(AppError::Forbidden),
            "load_year" => {
                let schedule: HolidaySchedule = serde_json::from_str(&form.schedule).map_err(|e| {
                    let detail = crate::shared::texts::fault_text(&banshi_domain::Fault::syntax("", &e.to_string()));
                    AppError::invalid("schedule", fill("calendar_schedule_unreadable", &[("detail", detail)]))
                })?;
                calendar::load_year(&state, admin, &schedule).await?;
                Ok(format!("{} {}", schedule.year, text("calendar_year_loaded")))
            }
            "set_day" => {
                let input = CentreDayInput { date: form.date.clone(), kind: form.kind.clone(), reason: form.reason.clone() };
                let day = calendar::set_centre_day(&state, admin, &input).await?;
                Ok(format!("{} {}", day.date, text("calendar_day_saved")))
            }
            "remove_day" => Ok(format!("{} {}", calendar::remove_centre_day(&state, admin, &form.date).await?, text("calendar_day_removed"))),
            other => Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        }
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/admin/calendar?{query}")).into_response())
}
