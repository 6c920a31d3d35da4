//! The steps of complaints, suggestions, requests for help and inquiries, shared by the pages and
//! the API: record one (by whoever is asked first, who then owns it, or from the online box), take
//! it from the box, move it a step; and what the desk shows of it.

use crate::shared::error::AppError;
use crate::shared::texts::{fill, text};
use crate::shared::forms::mobile;
use crate::shared::AppState;
use banshi_domain::complaint::{FeedbackKind, FeedbackStage};
use banshi_domain::privacy::{mask_name, mask_phone};
use banshi_domain::{Problem, Role};
use banshi_storage::{Actor, Feedback, NewFeedback, Staff};
use chrono::{Duration, Local, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// `inquiry`, `help`, `suggestion` or `complaint`.
    #[schema(example = "complaint")]
    pub kind: String,
    /// `hall` or `phone` when staff record it; the online box is always `online`.
    #[serde(default)]
    pub channel: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub body: String,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^1[0-9]{10}$")]
    pub phone: Option<String>,
    /// For a complaint about an officer: the badge number (工号) on their notices and window. That
    /// officer neither owns nor works it, nor sees it.
    #[serde(default)]
    pub about_badge: Option<String>,
}

/// Records an item: by a staff member (who owns it) or, with `staff` none, from the online box.
pub async fn record(state: &AppState, staff: Option<&Staff>, request: &FeedbackRequest) -> Result<Feedback, AppError> {
    let mut problems = Vec::new();
    let kind = FeedbackKind::parse(request.kind.trim());
    if kind.is_none() {
        problems.push(Problem { path: "kind".into(), message: text("feedback_kind_wrong").into() });
    }
    let channel = match (staff, request.channel.as_deref()) {
        (None, None | Some("online")) => "online",
        (None, Some(_)) => {
            problems.push(Problem { path: "channel".into(), message: text("feedback_box_online_only").into() });
            "online"
        }
        (Some(_), Some(channel @ ("hall" | "phone"))) => channel,
        (Some(_), _) => {
            problems.push(Problem { path: "channel".into(), message: text("feedback_channel_wrong").into() });
            "hall"
        }
    };
    let subject = request.subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        problems.push(Problem { path: "subject".into(), message: fill("text_required_at_most", &[("most", "200".to_string())]) });
    }
    if request.body.chars().count() > 4000 {
        problems.push(Problem { path: "body".into(), message: fill("text_at_most", &[("most", "4000".to_string())]) });
    }
    let name = request.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 40) {
        problems.push(Problem { path: "name".into(), message: fill("text_at_most", &[("most", "40".to_string())]) });
    }
    let phone = mobile(&mut problems, "phone", request.phone.as_deref());
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let centre = match staff {
        Some(staff) => staff.centre_code.clone(),
        None => state.cache.default_centre(state.store.as_ref()).await?.ok_or_else(|| AppError::not_found("thing_centre", ""))?,
    };
    let about_staff_id = match request.about_badge.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(badge) => match state.store.list_staff(Some(&centre)).await?.into_iter().find(|s| s.active && s.badge_number == badge) {
            Some(officer) => Some(officer.id),
            None => return Err(AppError::invalid("about_badge", text("feedback_badge_unknown"))),
        },
        None => None,
    };
    let today = Local::now().date_naive();
    let calendar = state.cache.calendar(state.store.as_ref(), &centre).await?;
    let days = state.settings.feedback_limits.days(kind);
    let due_on = calendar.add_working_days(today, days);
    let new = NewFeedback {
        centre_code: centre,
        kind,
        channel: channel.to_string(),
        // ID and mobile numbers written into the text are masked (the contact has its own sealed field).
        subject: banshi_domain::privacy::mask_personal_numbers(subject),
        body: banshi_domain::privacy::mask_personal_numbers(request.body.trim()),
        person_name: name.map(str::to_string),
        contact_cipher: phone.map(|p| state.sealer.seal(&p)),
        received_at: Utc::now(),
        received_on: today,
        due_on,
        about_staff_id,
    };
    let actor = staff.map_or_else(|| Actor::system("citizen (online)"), Actor::staff);
    Ok(state.store.create_feedback(&actor, &new).await?)
}

/// An item as the desk shows it: names and numbers masked, the deadline's state.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeskRow {
    #[serde(flatten)]
    pub item: Feedback,
    pub kind_name: &'static str,
    pub stage_name: &'static str,
    /// The next step and its name, while there is one.
    pub next: Option<(FeedbackStage, &'static str)>,
    pub overdue: bool,
    /// The person's name, masked.
    pub person: Option<String>,
    /// The phone, masked.
    pub contact: Option<String>,
    /// The steps so far, as a person reads them.
    pub history: Vec<StepShown>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StepShown {
    pub stage_name: &'static str,
    pub actor_name: String,
    pub note: String,
}

pub fn desk_row(state: &AppState, item: Feedback) -> DeskRow {
    let today = Local::now().date_naive();
    let overdue = !item.stage.answered() && today > item.due_on;
    let contact = item.contact_cipher.as_deref().and_then(|c| state.sealer.open(c).ok()).map(|p| mask_phone(&p));
    let history = item
        .steps
        .iter()
        .map(|step| StepShown {
            stage_name: step.stage.name(),
            actor_name: crate::shared::actors::shown(&step.actor),
            note: step.note.clone(),
        })
        .collect();
    DeskRow {
        history,
        kind_name: item.kind.name(),
        stage_name: item.stage.name(),
        next: item.stage.next().map(|s| (s, s.name())),
        person: item.person_name.as_deref().map(mask_name),
        overdue,
        contact,
        item,
    }
}

/// The centre's items of the last 30 days, as the desk shows them.
/// The centre's items of the last 30 days, but those about the staff member asking.
pub async fn recent(state: &AppState, staff: &Staff) -> Result<Vec<DeskRow>, AppError> {
    let items = state.store.feedback_list(&staff.centre_code, Local::now().date_naive() - Duration::days(30)).await?;
    Ok(items.into_iter().filter(|i| i.about_staff_id != Some(staff.id)).map(|i| desk_row(state, i)).collect())
}

/// Items not answered by their deadline: escalated to the manager's workspace.
pub async fn overdue_count(state: &AppState, centre: &str) -> Result<usize, AppError> {
    let today = Local::now().date_naive();
    Ok(state.store.feedback_list(centre, today).await?.iter().filter(|f| !f.stage.answered() && today > f.due_on).count())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// `investigating`, `handled`, `answered` or `archived`: the next step.
    pub stage: FeedbackStage,
    pub note: String,
}

/// An item of the staff member's centre that is not about them: nobody works a complaint about
/// themself.
async fn in_centre(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    match state.store.feedback(id).await? {
        Some(item) if item.centre_code == staff.centre_code && item.about_staff_id == Some(staff.id) => Err(AppError::Duty(text("duty_feedback_about_self").to_string())),
        Some(item) if item.centre_code == staff.centre_code => Ok(()),
        _ => Err(AppError::not_found("thing_feedback", id)),
    }
}

/// Takes an item from the online box; the manager may also take one over from its owner (who is
/// away, or has left), so nothing stays stuck.
pub async fn take(state: &AppState, staff: &Staff, id: i64) -> Result<Feedback, AppError> {
    in_centre(state, staff, id).await?;
    Ok(state.store.take_feedback(&Actor::staff(staff), id, staff.role == Role::Manager).await?)
}

pub async fn step(state: &AppState, staff: &Staff, id: i64, request: &StepRequest) -> Result<Feedback, AppError> {
    in_centre(state, staff, id).await?;
    if request.note.trim().chars().count() > 2000 {
        return Err(AppError::invalid("note", fill("text_at_most", &[("most", "2000".to_string())])));
    }
    // ID and mobile numbers typed into the note are masked before it is kept.
    let note = banshi_domain::privacy::mask_personal_numbers(&request.note);
    Ok(state.store.advance_feedback(&Actor::staff(staff), id, request.stage, &note, Utc::now(), Local::now().date_naive()).await?)
}

