//! The hall's setup page (`/admin/hall`), for the centre's admin and manager: the opening hours,
//! each queue and each window as a form of its own, the hall file imported and exported, and the
//! days closed. A form that is refused comes back as it was typed, the wrong field marked.

use super::steps;
use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::hours::hours_text;
use crate::shared::roles::HALL_KEEPERS;
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::hall::{hall_file, hall_toml, HallFile, HoursFile, QueueFile, WindowFile, WEEKDAYS};
use banshi_domain::Problem;
use minijinja::context;
use serde::Serialize;
use std::collections::BTreeMap;

type PageResult = Result<Response, PageError>;

/// A form's fields as posted (several `items` at once).
struct Posted(Vec<(String, String)>);

impl Posted {
    fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
    }

    fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

fn some(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// The hours form's values.
#[derive(Serialize, Default)]
struct HoursForm {
    working_days: String,
    every_day: String,
    day_close: String,
    /// By weekday, Monday first: (name, its label, spans).
    extended: Vec<(&'static str, &'static str, String)>,
    issue_without_open_window: bool,
    errors: BTreeMap<String, String>,
}

#[derive(Serialize, Default)]
struct QueueForm {
    original: String,
    prefix: String,
    name: String,
    items: Vec<String>,
    daily_quota: String,
    issue_until: String,
    own_hours: String,
    errors: BTreeMap<String, String>,
}

#[derive(Serialize, Default)]
struct WindowForm {
    original: String,
    number: String,
    name: String,
    queues: String,
    call_order: String,
    green_channel: bool,
    errors: BTreeMap<String, String>,
}

fn weekday_labels() -> [&'static str; 7] {
    ["weekday_0", "weekday_1", "weekday_2", "weekday_3", "weekday_4", "weekday_5", "weekday_6"].map(text)
}

fn hours_form(hours: &HoursFile) -> HoursForm {
    HoursForm {
        working_days: hours.working_days.clone().unwrap_or_default(),
        every_day: hours.every_day.clone().unwrap_or_default(),
        day_close: hours.day_close.clone().unwrap_or_default(),
        extended: WEEKDAYS.iter().zip(weekday_labels()).map(|(day, label)| (*day, label, hours.extended.get(*day).cloned().unwrap_or_default())).collect(),
        issue_without_open_window: hours.issue_without_open_window,
        errors: BTreeMap::new(),
    }
}

fn queue_form(queue: &QueueFile) -> QueueForm {
    QueueForm {
        original: queue.prefix.clone(),
        prefix: queue.prefix.clone(),
        name: queue.name.clone(),
        items: queue.items.clone(),
        daily_quota: queue.daily_quota.map(|q| q.to_string()).unwrap_or_default(),
        issue_until: queue.issue_until.clone().unwrap_or_default(),
        own_hours: queue.hours.as_ref().and_then(|h| h.working_days.clone()).unwrap_or_default(),
        errors: BTreeMap::new(),
    }
}

fn window_form(window: &WindowFile) -> WindowForm {
    WindowForm {
        original: window.number.to_string(),
        number: window.number.to_string(),
        name: window.name.clone().unwrap_or_default(),
        queues: window.queues.join(" "),
        call_order: window.call_order.clone().unwrap_or_else(|| "preference".into()),
        green_channel: window.green_channel,
        errors: BTreeMap::new(),
    }
}

/// The page's forms, each from the stored hall, or for the form refused as it was typed.
struct Forms {
    hours: HoursForm,
    queues: Vec<QueueForm>,
    new_queue: QueueForm,
    windows: Vec<WindowForm>,
    new_window: WindowForm,
    import: String,
}

impl Forms {
    fn of(file: &HallFile) -> Self {
        Forms {
            hours: hours_form(&file.hours),
            queues: file.queues.iter().map(queue_form).collect(),
            new_queue: QueueForm::default(),
            windows: file.windows.iter().map(window_form).collect(),
            new_window: WindowForm { call_order: "preference".into(), ..WindowForm::default() },
            import: String::new(),
        }
    }
}

/// What a form changes in the hall file; and which entity it edits, to mark its fields.
enum Edit {
    Hours,
    Queue(usize),
    Window(usize),
    Whole,
}

/// Applies a posted form to the stored hall file: the candidate and the edited entity, or a
/// problem with a field that is not even a number.
fn apply(file: &HallFile, posted: &Posted) -> Result<(HallFile, Edit), AppError> {
    let mut file = file.clone();
    let original = posted.get("original");
    let edit = match posted.get("action").as_str() {
        "hours" => {
            file.hours = HoursFile {
                working_days: some(posted.get("working_days")),
                every_day: some(posted.get("every_day")),
                day_close: some(posted.get("day_close")),
                extended: WEEKDAYS.iter().filter_map(|day| some(posted.get(&format!("extended_{day}"))).map(|spans| (day.to_string(), spans))).collect(),
                issue_without_open_window: posted.checked("issue_without_open_window"),
            };
            Edit::Hours
        }
        "save_queue" => {
            let daily_quota = match posted.get("daily_quota").as_str() {
                "" => None,
                quota => Some(quota.parse().map_err(|_| AppError::invalid("daily_quota", text("hall_fault_quota")))?),
            };
            let own_hours = some(posted.get("own_hours")).map(|spans| HoursFile { working_days: Some(spans), ..HoursFile::default() });
            let queue = QueueFile {
                prefix: posted.get("prefix").to_ascii_uppercase(),
                name: posted.get("name"),
                items: posted.all("items"),
                daily_quota,
                issue_until: some(posted.get("issue_until")),
                hours: own_hours,
            };
            let at = match file.queues.iter().position(|q| !original.is_empty() && q.prefix == original) {
                Some(at) => {
                    // A renamed letter follows into the windows that serve it.
                    for window in &mut file.windows {
                        for served in window.queues.iter_mut().filter(|q| **q == original) {
                            *served = queue.prefix.clone();
                        }
                    }
                    file.queues[at] = queue;
                    at
                }
                None => {
                    file.queues.push(queue);
                    file.queues.len() - 1
                }
            };
            Edit::Queue(at)
        }
        "remove_queue" => {
            file.queues.retain(|q| q.prefix != original);
            for window in &mut file.windows {
                window.queues.retain(|q| *q != original);
            }
            Edit::Whole
        }
        "save_window" => {
            let number = posted.get("number").parse().map_err(|_| AppError::invalid("number", text("hall_fault_window_number")))?;
            let window = WindowFile {
                number,
                name: some(posted.get("name")),
                queues: posted.get("queues").split([' ', ',', '，', '、']).filter(|q| !q.is_empty()).map(str::to_ascii_uppercase).collect(),
                call_order: some(posted.get("call_order")),
                green_channel: posted.checked("green_channel"),
            };
            let at = match file.windows.iter().position(|w| !original.is_empty() && w.number.to_string() == original) {
                Some(at) => {
                    file.windows[at] = window;
                    at
                }
                None => {
                    file.windows.push(window);
                    file.windows.len() - 1
                }
            };
            file.windows.sort_by_key(|w| w.number);
            Edit::Window(file.windows.iter().position(|w| w.number == number).unwrap_or(at))
        }
        "remove_window" => {
            file.windows.retain(|w| w.number.to_string() != original);
            Edit::Whole
        }
        other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
    };
    Ok((file, edit))
}

/// The label of a problem's place for the list at the top: 「队列A」「3号窗口」「营业时间」.
fn place(file: &HallFile, path: &str) -> String {
    let index = |table: &str| path.strip_prefix(table).and_then(|rest| rest.split(']').next()).and_then(|i| i.parse::<usize>().ok());
    if let Some(queue) = index("queue[").and_then(|i| file.queues.get(i)) {
        fill("hall_label_queue", &[("queue", queue.prefix.clone())])
    } else if let Some(window) = index("window[").and_then(|i| file.windows.get(i)) {
        fill("hall_label_window", &[("window", window.number.to_string())])
    } else if path.starts_with("hours") {
        text("hall_label_hours").to_string()
    } else {
        text("hall_label_hall").to_string()
    }
}

/// The form field a problem's place names, within the entity it belongs to.
fn field_of(path: &str) -> String {
    let field = path.split_once('.').map_or(path, |(_, rest)| rest);
    let field = field.split('[').next().unwrap_or(field);
    match field {
        f if f.starts_with("hours") => "own_hours".to_string(),
        f if f.starts_with("extended.") => f.replacen("extended.", "extended_", 1),
        f => f.to_string(),
    }
}

async fn render_page(state: &AppState, visitor: &Visitor, forms: Forms, problems: Vec<String>, flash: Flash) -> PageResult {
    let staff = visitor.require(HALL_KEEPERS)?;
    let frame = frame(state, visitor).await?;
    let hall = state.store.hall(&staff.centre_code).await?;
    let hours_now = hours_text(&hall.hours);
    let items: Vec<(String, String)> = state.cache.catalog(state.store.as_ref(), &staff.centre_code).await?.items.iter().map(|item| (item.code.clone(), item.name.clone())).collect();
    let days = state.store.closed_days(&staff.centre_code, 14).await?;
    let gaps = steps::gaps(state.store.as_ref(), &staff.centre_code, &hall_file(&hall)).await?;
    let Forms { hours, queues, new_queue, windows, new_window, import } = forms;
    let context = context! {
        hours, queues, new_queue, windows, new_window, import, items, days, hours_now, problems, gaps,
        day_close_default => banshi_domain::hall::format_minute(banshi_domain::hall::DEFAULT_DAY_CLOSE),
        message => flash.message, error => flash.error,
        ..frame
    };
    Ok(render("hall/setup.html", context))
}

pub async fn page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> PageResult {
    let staff = visitor.require(HALL_KEEPERS)?;
    let file = hall_file(&state.store.hall(&staff.centre_code).await?);
    render_page(&state, &visitor, Forms::of(&file), Vec::new(), flash).await
}

/// Every form of the page posts here; the hall is saved whole or not at all.
pub async fn action(State(state): State<AppState>, visitor: Visitor, Form(pairs): Form<Vec<(String, String)>>) -> PageResult {
    let staff = visitor.require(HALL_KEEPERS)?;
    let posted = Posted(pairs);
    let stored = hall_file(&state.store.hall(&staff.centre_code).await?);
    let outcome = if posted.get("action") == "import" {
        import(&state, staff, &posted.get("file")).await.map(|file| (file, Edit::Whole))
    } else {
        match apply(&stored, &posted) {
            Ok((candidate, edit)) => steps::save_step(&state, staff, &candidate).await.map(|_| (candidate, edit)),
            Err(err) => Err(err),
        }
    };
    match outcome {
        Ok(_) => {
            let query = redirect_query(Ok(text("hall_saved").to_string()))?;
            Ok(Redirect::to(&format!("/admin/hall?{query}")).into_response())
        }
        Err(AppError::Invalid(problems)) => refused(&state, &visitor, &stored, &posted, problems, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(AppError::Conflict(message)) => refused(&state, &visitor, &stored, &posted, vec![Problem { path: String::new(), message }], StatusCode::CONFLICT).await,
        Err(other) => Err(other.into()),
    }
}

/// Reads a hall file (TOML) and saves it; its faults carry their lines.
async fn import(state: &AppState, staff: &banshi_storage::Staff, text: &str) -> Result<HallFile, AppError> {
    let hall = steps::import_toml(state.store.as_ref(), &banshi_storage::Actor::staff(staff), &staff.centre_code, text, state.clock.local().date()).await?;
    steps::changed(state, &staff.centre_code).await;
    Ok(hall_file(&hall))
}

/// The page again with the refused form as it was typed, its wrong fields marked, and every
/// problem listed with its place.
async fn refused(state: &AppState, visitor: &Visitor, stored: &HallFile, posted: &Posted, problems: Vec<Problem>, status: StatusCode) -> PageResult {
    let mut forms = Forms::of(stored);
    let (candidate, edit) = apply(stored, posted).unwrap_or_else(|_| (stored.clone(), Edit::Whole));
    let mut listed = Vec::new();
    for problem in &problems {
        listed.push(format!("{}：{}", place(&candidate, &problem.path), problem.message));
    }
    let marks = |entity: &str| -> BTreeMap<String, String> {
        problems.iter().filter(|p| p.path.strip_prefix(entity).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))).map(|p| (field_of(&p.path), p.message.clone())).collect()
    };
    match edit {
        Edit::Hours => {
            let mut hours = hours_form(&candidate.hours);
            hours.errors = problems.iter().filter(|p| p.path.starts_with("hours")).map(|p| (field_of(&p.path), p.message.clone())).collect();
            forms.hours = hours;
        }
        Edit::Queue(at) => {
            let mut form = candidate.queues.get(at).map(queue_form).unwrap_or_default();
            form.original = posted.get("original");
            form.daily_quota = posted.get("daily_quota");
            form.errors = marks(&format!("queue[{at}]"));
            match forms.queues.iter_mut().find(|q| q.original == form.original && !form.original.is_empty()) {
                Some(row) => *row = form,
                None => forms.new_queue = form,
            }
        }
        Edit::Window(at) => {
            let mut form = candidate.windows.get(at).map(window_form).unwrap_or_default();
            form.original = posted.get("original");
            form.number = posted.get("number");
            form.errors = marks(&format!("window[{at}]"));
            match forms.windows.iter_mut().find(|w| w.original == form.original && !form.original.is_empty()) {
                Some(row) => *row = form,
                None => forms.new_window = form,
            }
        }
        Edit::Whole => {
            if posted.get("action") == "import" {
                forms.import = posted.get("file");
            }
        }
    }
    // A field that is not even a number never reached the candidate: keep it as typed.
    if let Some(problem) = problems.iter().find(|p| p.path == "number" || p.path == "daily_quota") {
        let original = posted.get("original");
        if problem.path == "number" {
            let form = WindowForm {
                original: original.clone(),
                number: posted.get("number"),
                name: posted.get("name"),
                queues: posted.get("queues"),
                call_order: posted.get("call_order"),
                green_channel: posted.checked("green_channel"),
                errors: BTreeMap::from([("number".to_string(), problem.message.clone())]),
            };
            match forms.windows.iter_mut().find(|w| w.original == original && !original.is_empty()) {
                Some(row) => *row = form,
                None => forms.new_window = form,
            }
        } else {
            let form = QueueForm {
                original: original.clone(),
                prefix: posted.get("prefix"),
                name: posted.get("name"),
                items: posted.all("items"),
                daily_quota: posted.get("daily_quota"),
                issue_until: posted.get("issue_until"),
                own_hours: posted.get("own_hours"),
                errors: BTreeMap::from([("daily_quota".to_string(), problem.message.clone())]),
            };
            match forms.queues.iter_mut().find(|q| q.original == original && !original.is_empty()) {
                Some(row) => *row = form,
                None => forms.new_queue = form,
            }
        }
    }
    let mut response = render_page(state, visitor, forms, listed, Flash::default()).await?;
    *response.status_mut() = status;
    Ok(response)
}

/// The hall file, for a copy or another centre (`banshi hall import`).
pub async fn export(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let staff = visitor.require(HALL_KEEPERS)?;
    let toml = hall_toml(&state.store.hall(&staff.centre_code).await?);
    let disposition = format!("attachment; filename=\"hall-{}.toml\"", staff.centre_code);
    Ok(([(header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], toml).into_response())
}
