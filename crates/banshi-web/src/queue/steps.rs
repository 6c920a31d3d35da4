//! The queue as the pages and the API share it: taking tickets, calling, the ticket's actions, and
//! what a board and the duty leader see.

use crate::shared::error::AppError;
use crate::shared::events::{publish, HallEvent};
use crate::shared::hours::when_text;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use banshi_domain::hall::{issue_decision, HallSetup, IssueFacts, NoTicket, QueueSetup};
use banshi_domain::id_number;
use banshi_domain::queue::{self, ahead_at_window, ahead_in_queue, estimated_wait_minutes, Outcome, PriorityReason, TicketEvent, TicketState, Waiting};
use banshi_storage::{Actor, AtWindow, Call, NewTicket, PhoneLimit, Queue, Staff, Ticket, WaitingTicket, WindowLive, WindowStatus};
use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// 多事一次办 has a sensible limit; it also bounds the work one anonymous request can cause.
const MAX_ITEMS_PER_TICKET: usize = 20;

/// 128 random bits in hex: a ticket's public pages cannot be found by counting.
fn new_ticket_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// What the kiosk or an app asks for.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// The queue's letter (`GET /api/v1/queues`).
    #[schema(example = "A")]
    pub queue: String,
    /// Green channel reason chosen at the kiosk.
    #[serde(default)]
    pub priority: Option<PriorityReason>,
    /// Optional: read for the age (elderly visitors get the green channel), never stored.
    #[serde(default)]
    #[schema(example = "110101195001011234")]
    pub id_number: Option<String>,
    /// Optional mobile number for "almost your turn"; stored sealed.
    #[serde(default)]
    #[schema(pattern = "^1[0-9]{10}$")]
    pub phone: Option<String>,
    /// The items of the visit (多事一次办), by 实施编码.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub items: Vec<String>,
    /// The booking an officer checks in at the desk (with the priority `appointment`).
    #[serde(default)]
    #[schema(max_length = 40)]
    pub booking: Option<String>,
}

/// Issues a ticket: at the kiosk (`desk` is `None`), or at the desk by an officer, who alone may
/// check an appointment in (priority `appointment` with its booking reference).
pub async fn take_ticket(state: &AppState, centre: &str, request: &TicketRequest, desk: Option<&Staff>) -> Result<Ticket, AppError> {
    let mut problems = Vec::new();
    let booking = request.booking.as_deref().map(str::trim).filter(|b| !b.is_empty());
    match (request.priority == Some(PriorityReason::Appointment), desk, booking) {
        (true, None, _) => problems.push(("priority", text("ticket_appointment_at_desk").to_string())),
        (true, Some(_), None) => problems.push(("booking", text("ticket_booking_missing").to_string())),
        (false, _, Some(_)) => problems.push(("booking", text("ticket_booking_without_appointment").to_string())),
        _ => {}
    }
    if booking.is_some_and(|b| b.chars().count() > 40) {
        problems.push(("booking", text("ticket_booking_too_long").to_string()));
    }
    if request.items.len() > MAX_ITEMS_PER_TICKET {
        problems.push(("items", fill("ticket_too_many_items", &[("most", MAX_ITEMS_PER_TICKET.to_string())])));
    }
    let mut age = None;
    if let Some(id) = request.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match id_number::birth_date(id) {
            Ok(birth) => age = Some(id_number::age_on(birth, chrono::Local::now().date_naive())),
            Err(key) => problems.push(("id_number", text(key).to_string())),
        }
    }
    let policy = &state.settings.policy;
    let priority = policy.green_channel(request.priority, age).unwrap_or_else(|()| {
        problems.push(("priority", fill("ticket_elderly_too_young", &[("age", policy.green_channel_age.to_string())])));
        None
    });
    let phone = request.phone.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(phone) = phone {
        if !banshi_domain::privacy::is_mobile_number(phone) {
            problems.push(("phone", text("phone_malformed").to_string()));
        }
    }
    let queues = state.cache.queues(state.store.as_ref(), centre).await?;
    if !queues.iter().any(|q| q.prefix == request.queue) {
        problems.push(("queue", fill("ticket_queue_unknown", &[("queue", request.queue.clone())])));
    }
    for code in request.items.iter().take(MAX_ITEMS_PER_TICKET) {
        if state.cache.item(state.store.as_ref(), centre, code).await?.is_none() {
            problems.push(("items", fill("hall_fault_unknown_item", &[("value", code.clone())])));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.into_iter().map(|(path, message)| banshi_domain::Problem { path: path.into(), message }).collect()));
    }
    // The kiosk follows the hall: its hours, the time issue stops, the quota, a window staffed.
    // An officer at the desk is a window already, and decides for the visitor in front of them.
    let daily_quota = match desk {
        Some(_) => None,
        None => {
            let hall = state.cache.hall(state.store.as_ref(), centre).await?;
            let setup = hall.queue(&request.queue).ok_or_else(|| AppError::invalid("queue", fill("ticket_queue_unknown", &[("queue", request.queue.clone())])))?;
            let now = state.clock.local();
            if let Err(refusal) = CentreNow::read(state, centre, &hall, &[setup], now).await?.decide(&hall, setup, now) {
                return Err(AppError::Unavailable { code: refusal.code(), message: no_ticket_text(&refusal, now) });
            }
            setup.daily_quota
        }
    };
    let ticket = NewTicket {
        centre_code: centre.to_string(),
        queue: request.queue.clone(),
        priority,
        items: request.items.clone(),
        phone_cipher: phone.map(|p| state.sealer.seal(p)),
        arrived_at: state.clock.now(),
        token: new_ticket_token(),
        issuer: desk.map_or_else(|| Actor::system("kiosk"), Actor::staff),
        booking: booking.map(str::to_string),
        daily_quota,
        // One number cannot take the day's tickets (nor have the hall text it all day); an
        // officer at the desk decides for the visitor in front of them.
        phone_limit: phone.filter(|_| desk.is_none()).and_then(|phone| {
            let per_day = state.settings.limits.tickets_per_phone_per_day;
            (per_day > 0).then(|| PhoneLimit { key: state.sealer.lookup_key(phone), per_day })
        }),
    };
    let issued = match state.store.take_ticket(&ticket).await {
        Err(banshi_storage::StoreError::Rule { key: key @ "ticket_phone_limit", values }) => {
            return Err(AppError::Unavailable { code: "phone_limit_reached", message: fill(key, &values) });
        }
        // Another kiosk took the last ticket of the quota a moment before.
        Err(banshi_storage::StoreError::QuotaReached(quota)) => {
            let now = state.clock.local();
            let refusal = NoTicket::QuotaReached { quota, opens: None };
            return Err(AppError::Unavailable { code: refusal.code(), message: no_ticket_text(&refusal, now) });
        }
        other => other?,
    };
    crate::shared::metrics::record_taken(centre);
    publish(state, HallEvent::Changed { centre: centre.to_string() }).await;
    Ok(issued)
}

/// What the kiosk's rule reads of the centre now: its calendar, the tickets each queue issued
/// today (when a queue asked about has a quota), its windows (when the hall issues only while a
/// window is staffed). Every ticket taken asks, so it reads nothing the answer does not need.
struct CentreNow {
    calendar: std::sync::Arc<crate::shared::calendar::CentreCalendar>,
    issued: Vec<(String, u32)>,
    windows: Vec<WindowLive>,
}

impl CentreNow {
    async fn read(state: &AppState, centre: &str, hall: &HallSetup, queues: &[&QueueSetup], now: NaiveDateTime) -> Result<Self, AppError> {
        let issued = match queues.iter().any(|q| q.daily_quota.is_some()) {
            true => state.store.issued_counts(centre, now.date()).await?,
            false => Vec::new(),
        };
        let windows = match hall.issue_without_open_window {
            false => state.store.windows_live(centre).await?,
            true => Vec::new(),
        };
        Ok(CentreNow { calendar: state.cache.calendar(state.store.as_ref(), centre).await?, issued, windows })
    }

    /// Whether the hall issues a ticket of `queue` now: by its hours on the centre's calendar, the
    /// time issue stops, its quota, and whether a window serving it is staffed.
    fn decide(&self, hall: &HallSetup, queue: &QueueSetup, now: NaiveDateTime) -> Result<(), NoTicket> {
        let issued_today = self.issued.iter().find(|(prefix, _)| *prefix == queue.prefix).map_or(0, |(_, n)| *n);
        let staffed_windows = self.windows.iter().filter(|w| w.status != WindowStatus::Closed && w.queues.contains(&queue.prefix)).count();
        issue_decision(hall, queue, &self.calendar.calendar, &IssueFacts { now, issued_today, staffed_windows })
    }
}

/// A queue as the kiosk and apps see it now: whether it issues tickets, and if not why and when.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueNow {
    #[serde(flatten)]
    pub queue: Queue,
    pub issuing: bool,
    /// Why not (`queue_closed`, `issue_stopped`, `quota_reached`, `no_window_open`).
    pub refusal: Option<&'static str>,
    /// The same in words.
    pub message: Option<String>,
    /// When it issues tickets again, local time (`2026-12-02T13:30:00`).
    pub opens_at: Option<NaiveDateTime>,
}

/// The centre's queues as the kiosk offers them now.
pub async fn queues_now(state: &AppState, centre: &str) -> Result<Vec<QueueNow>, AppError> {
    let hall = state.cache.hall(state.store.as_ref(), centre).await?;
    let now = state.clock.local();
    let setups: Vec<&QueueSetup> = hall.queues.iter().collect();
    let facts = CentreNow::read(state, centre, &hall, &setups, now).await?;
    let mut found = Vec::new();
    for queue in state.cache.queues(state.store.as_ref(), centre).await? {
        let refusal = hall.queue(&queue.prefix).and_then(|setup| facts.decide(&hall, setup, now).err());
        found.push(QueueNow {
            issuing: refusal.is_none(),
            refusal: refusal.as_ref().map(NoTicket::code),
            message: refusal.as_ref().map(|r| no_ticket_text(r, now)),
            opens_at: refusal.as_ref().and_then(NoTicket::opens),
            queue,
        });
    }
    Ok(found)
}

/// Why a queue issues no ticket, and when it does again, as the kiosk says it.
pub fn no_ticket_text(refusal: &NoTicket, now: NaiveDateTime) -> String {
    let why = match refusal {
        NoTicket::Closed { .. } => text("queue_closed_now").to_string(),
        NoTicket::IssueStopped { .. } => text("queue_issue_stopped").to_string(),
        NoTicket::QuotaReached { quota, .. } => fill("queue_quota_reached", &[("quota", quota.to_string())]),
        NoTicket::NoWindowOpen => text("queue_no_window_open").to_string(),
    };
    match refusal.opens() {
        Some(opens) => format!("{why}{}", fill("queue_opens_again", &[("when", when_text(opens, now))])),
        None => why,
    }
}

/// Signs a staff member in at a window (open), pauses it with a reason, or closes it. The store
/// refuses, under the centre's lock, a window someone else is signed in at.
/// The most a reason (a pause, a forced close, a call out of order) may say: it is shown on the
/// hall's public snapshot and in every audit entry.
pub const REASON_MAX_CHARS: usize = 60;

fn reason_within_limit(reason: &str) -> Result<(), AppError> {
    match reason.chars().count() > REASON_MAX_CHARS {
        true => Err(AppError::invalid("reason", fill("reason_too_long", &[("most", REASON_MAX_CHARS.to_string())]))),
        false => Ok(()),
    }
}

pub async fn set_window(state: &AppState, staff: &Staff, number: i32, status: WindowStatus, reason: Option<&str>) -> Result<WindowLive, AppError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if status == WindowStatus::Paused && reason.is_none() {
        return Err(AppError::invalid("reason", text("window_pause_reason_missing")));
    }
    reason.map_or(Ok(()), reason_within_limit)?;
    let live = state.store.set_window_status(&Actor::staff(staff), &staff.centre_code, number, status, reason).await?;
    publish(state, HallEvent::Changed { centre: staff.centre_code.clone() }).await;
    Ok(live)
}

/// The duty leader closes a window its officer left: its tickets go back to their queues.
pub async fn close_window_for(state: &AppState, manager: &Staff, number: i32, reason: &str) -> Result<(WindowLive, Vec<Ticket>), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", text("window_close_reason_missing")));
    }
    reason_within_limit(reason)?;
    let closed = state.store.close_window_for(&Actor::staff(manager), &manager.centre_code, number, reason, &state.settings.policy, Utc::now()).await?;
    publish(state, HallEvent::Changed { centre: manager.centre_code.clone() }).await;
    notify_almost_turn(state, &manager.centre_code).await;
    Ok(closed)
}

/// Calls the next ticket by the call rule; the store checks that the officer is signed in at the
/// open window and that nobody is at it.
pub async fn call_next(state: &AppState, staff: &Staff, window: i32) -> Result<Option<Ticket>, AppError> {
    let called = state.store.call_next(&Actor::staff(staff), &staff.centre_code, window, &state.settings.policy, Utc::now()).await?;
    if let Some(ticket) = &called {
        announce(state, ticket, window, false).await;
        notify_almost_turn(state, &staff.centre_code).await;
    }
    Ok(called)
}

async fn announce(state: &AppState, ticket: &Ticket, window: i32, recall: bool) {
    let text = queue::call_announcement(&ticket.number, window);
    publish(state, HallEvent::Call { centre: ticket.centre_code.clone(), number: ticket.number.clone(), window, recall, text }).await;
}

/// An action at the window on a ticket, as the console and the API name them.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
// Variants without fields are `{}`: a unit variant would take any field (see CaseEvent).
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum TicketAction {
    /// Call this ticket out of order (特呼), with a reason that is recorded.
    Call {
        #[schema(max_length = 60)]
        reason: String,
    },
    Recall {},
    Start {},
    Finish { outcome: Outcome },
    /// 转窗: to another queue, or handed to another window (its officer calls the visitor next),
    /// or both.
    Transfer {
        #[serde(default)]
        queue: Option<String>,
        #[serde(default)]
        window: Option<i32>,
    },
    Park {},
    Resume {},
    Return {},
    NoShow {},
    Cancel {},
}

/// An action on a ticket from a window; the store checks, under the centre's lock, that the officer
/// is signed in there and that the ticket is the window's to act on.
pub async fn act_on_ticket(state: &AppState, staff: &Staff, window: i32, ticket_id: i64, action: TicketAction) -> Result<Ticket, AppError> {
    let event = match action {
        TicketAction::Call { reason } => {
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                return Err(AppError::invalid("reason", text("ticket_call_reason_missing")));
            }
            reason_within_limit(&reason)?;
            TicketEvent::Called { window, out_of_order_reason: Some(reason) }
        }
        TicketAction::Recall {} => TicketEvent::Recalled,
        TicketAction::Start {} => TicketEvent::Started,
        TicketAction::Finish { outcome } => TicketEvent::Finished { outcome },
        TicketAction::Transfer { queue, window: to_window } => {
            let to_queue = queue.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
            if to_queue.is_none() && to_window.is_none() {
                return Err(AppError::invalid("queue", text("ticket_transfer_nowhere")));
            }
            TicketEvent::Transferred { to_queue, to_window }
        }
        TicketAction::Park {} => TicketEvent::Parked,
        TicketAction::Resume {} => TicketEvent::Resumed,
        TicketAction::Return {} => TicketEvent::Returned,
        TicketAction::NoShow {} => TicketEvent::NoShow,
        TicketAction::Cancel {} => TicketEvent::Cancelled,
    };
    let at = AtWindow { centre_code: &staff.centre_code, window };
    let updated = state.store.update_ticket(&Actor::staff(staff), at, ticket_id, &event, &state.settings.policy, Utc::now()).await?;
    if matches!(updated.state, TicketState::Done { .. }) {
        crate::shared::metrics::record_served(&staff.centre_code);
    }
    match (&event, &updated.state) {
        (TicketEvent::Called { .. }, _) => announce(state, &updated, window, false).await,
        (TicketEvent::Recalled, TicketState::Called { .. }) => announce(state, &updated, window, true).await,
        _ => publish(state, HallEvent::Changed { centre: staff.centre_code.clone() }).await,
    }
    if matches!(event, TicketEvent::Called { .. } | TicketEvent::Transferred { .. } | TicketEvent::Returned) {
        notify_almost_turn(state, &staff.centre_code).await;
    }
    Ok(updated)
}

/// Queues "almost your turn" messages for waiting visitors with a phone who are now near the front.
async fn notify_almost_turn(state: &AppState, centre: &str) {
    let result: Result<(), AppError> = async {
        if !state.store.has_unnotified_phones(centre).await? {
            return Ok(());
        }
        let tickets = state.store.active_tickets(centre).await?;
        let waiting = state.store.waiting_tickets(centre, None).await?;
        let view: Vec<Waiting> = waiting.iter().map(WaitingTicket::view).collect();
        let now = Utc::now();
        for ticket in tickets.iter().filter(|t| t.has_phone && t.state == TicketState::Waiting) {
            if ahead_in_queue(&view, ticket.id, now, &state.settings.policy).is_some_and(|ahead| ahead <= state.settings.notify_when_ahead) {
                let message = format!("【办事提醒】您的{}号前面还有不超过{}人，请到等候区留意叫号。", ticket.number, state.settings.notify_when_ahead);
                if let Some(cipher) = state.store.ticket_phone(ticket.id).await? {
                    state.store.enqueue_notification(ticket.id, "almost_your_turn", &cipher, &message).await?;
                    tracing::info!(ticket = %ticket.number, "almost-your-turn message queued");
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(?err, "almost-your-turn check failed");
    }
}

/// What a window holds now: the visitor called or served, the ones parked aside, and the waiting
/// tickets it would call, in the order it calls them (handed ones and its queues'), each with its
/// id — so that a console that lost an answer finds the ticket that blocks its next call.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowHolding {
    pub window: WindowLive,
    pub current: Option<Ticket>,
    pub parked: Vec<Ticket>,
    pub waiting: Vec<Ticket>,
}

pub async fn window_holding(state: &AppState, centre: &str, number: i32) -> Result<WindowHolding, AppError> {
    let window = state.store.windows_live(centre).await?.into_iter().find(|w| w.number == number).ok_or_else(|| AppError::not_found("thing_window", number))?;
    let tickets = state.store.active_tickets(centre).await?;
    let current = tickets.iter().find(|t| t.state.window() == Some(number) && matches!(t.state, TicketState::Called { .. } | TicketState::Serving { .. })).cloned();
    let parked = tickets.iter().filter(|t| t.state == TicketState::Parked { window: number }).cloned().collect();
    let waiting_view: Vec<Waiting> = tickets
        .iter()
        .filter(|t| t.state == TicketState::Waiting)
        .map(|t| Waiting { id: t.id, queue: &t.queue, arrived_at: t.arrived_at, priority: t.priority.is_some(), for_window: t.for_window })
        .collect();
    let queues: Vec<&str> = window.queues.iter().map(String::as_str).collect();
    let caller = queue::Caller { window: number, queues: &queues, order: window.call_order };
    let now = Utc::now();
    let mut waiting: Vec<(usize, Ticket)> = tickets
        .iter()
        .filter_map(|t| (t.state == TicketState::Waiting).then(|| ahead_at_window(caller, &waiting_view, t.id, now, &state.settings.policy).map(|ahead| (ahead, t.clone()))).flatten())
        .collect();
    waiting.sort_by_key(|(ahead, _)| *ahead);
    Ok(WindowHolding { window, current, parked, waiting: waiting.into_iter().map(|(_, t)| t).collect() })
}

/// A ticket's place for its holder: people ahead and the estimated wait. Anyone with the ticket's
/// link may read it, so it says "green channel" but never why (age, disability, pregnancy …).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketStatus {
    pub ticket: Ticket,
    pub green_channel: bool,
    pub queue_name: String,
    pub ahead: Option<usize>,
    /// Whole minutes.
    pub estimated_wait_minutes: Option<u32>,
    pub window: Option<i32>,
}

/// The status of the ticket a public link's token names.
pub async fn ticket_status_by_token(state: &AppState, token: &str) -> Result<TicketStatus, AppError> {
    ticket_status(state, ticket_by_token(state, token).await?).await
}

/// The ticket its printed token names (the token is never echoed back).
pub async fn ticket_by_token(state: &AppState, token: &str) -> Result<Ticket, AppError> {
    state.store.ticket_by_token(token).await?.ok_or_else(|| AppError::not_found("thing_ticket", ""))
}

pub async fn ticket_status(state: &AppState, ticket: Ticket) -> Result<TicketStatus, AppError> {
    let queue_name = state.cache.queues(state.store.as_ref(), &ticket.centre_code).await?.into_iter().find(|q| q.prefix == ticket.queue).map(|q| q.name).unwrap_or_default();
    let (ahead, wait) = if ticket.state == TicketState::Waiting {
        let windows = state.store.windows_live(&ticket.centre_code).await?;
        let (ahead, open) = match ticket.for_window.and_then(|number| windows.iter().find(|w| w.number == number)) {
            // Handed to a window (转窗): its place is that window's, over everything it serves.
            Some(window) => {
                let waiting = state.store.waiting_tickets(&ticket.centre_code, None).await?;
                let view: Vec<Waiting> = waiting.iter().map(WaitingTicket::view).collect();
                let queues: Vec<&str> = window.queues.iter().map(String::as_str).collect();
                let caller = queue::Caller { window: window.number, queues: &queues, order: window.call_order };
                (ahead_at_window(caller, &view, ticket.id, Utc::now(), &state.settings.policy).unwrap_or(0), usize::from(window.status == WindowStatus::Open))
            }
            None => {
                let waiting = state.store.waiting_tickets(&ticket.centre_code, Some(&ticket.queue)).await?;
                let view: Vec<Waiting> = waiting.iter().map(WaitingTicket::view).collect();
                let ahead = ahead_in_queue(&view, ticket.id, Utc::now(), &state.settings.policy).unwrap_or(0);
                (ahead, windows.iter().filter(|w| w.status == WindowStatus::Open && w.queues.contains(&ticket.queue)).count())
            }
        };
        let mean = state.cache.service_minutes(state.store.as_ref(), &ticket.centre_code, &ticket.queue).await?.unwrap_or(state.settings.default_service_minutes);
        (Some(ahead), estimated_wait_minutes(ahead + 1, mean, open).map(|m| m.round().max(0.0) as u32))
    } else {
        (None, None)
    };
    let window = ticket.state.window();
    let green_channel = ticket.priority.is_some();
    let ticket = Ticket { priority: None, ..ticket };
    Ok(TicketStatus { ticket, green_channel, queue_name, ahead, estimated_wait_minutes: wait, window })
}

/// One queue on the board and the overview.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    pub prefix: String,
    pub name: String,
    pub waiting: usize,
    pub longest_wait_minutes: i64,
    /// Open windows serving the queue now.
    pub open_windows: usize,
    /// green, yellow or red by the longest wait; `unserved` when people wait and no open window serves the queue.
    #[schema(example = "green")]
    pub light: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    #[serde(flatten)]
    pub window: WindowLive,
    /// The number of the ticket called or served there now.
    pub current: Option<String>,
    /// `called` or `serving`.
    pub current_state: Option<&'static str>,
}

/// What the board and the duty leader's overview show.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallSnapshot {
    pub centre: String,
    pub queues: Vec<QueueView>,
    pub windows: Vec<WindowView>,
    /// Newest first; the first ones are shown large.
    pub calls: Vec<Call>,
}

pub async fn snapshot(state: &AppState, centre: &str) -> Result<HallSnapshot, AppError> {
    let tickets = state.store.active_tickets(centre).await?;
    let now = Utc::now();
    let live = state.store.windows_live(centre).await?;
    let queues = state
        .store
        .queues(centre)
        .await?
        .into_iter()
        .map(|q| {
            let waiting: Vec<&Ticket> = tickets.iter().filter(|t| t.queue == q.prefix && t.state == TicketState::Waiting).collect();
            let longest = waiting.iter().map(|t| (now - t.arrived_at).num_minutes()).max().unwrap_or(0);
            let open_windows = live.iter().filter(|w| w.status == WindowStatus::Open && w.queues.contains(&q.prefix)).count();
            // People waiting with no open window to call them: nobody is being served, however short the wait so far.
            let light = if !waiting.is_empty() && open_windows == 0 {
                "unserved"
            } else if longest <= state.settings.green_until_minutes {
                "green"
            } else if longest <= state.settings.yellow_until_minutes {
                "yellow"
            } else {
                "red"
            };
            QueueView { prefix: q.prefix, name: q.name, waiting: waiting.len(), longest_wait_minutes: longest, open_windows, light }
        })
        .collect();
    let windows = live
        .into_iter()
        .map(|w| {
            let current = tickets.iter().find(|t| t.state.window() == Some(w.number));
            WindowView { current: current.map(|t| t.number.clone()), current_state: current.map(|t| t.state.name()), window: w }
        })
        .collect();
    // A recall is a second call of the same ticket: the board shows each ticket once, where it was last called.
    let mut calls = state.store.recent_calls(centre, 16).await?;
    let mut seen = std::collections::HashSet::new();
    calls.retain(|call| seen.insert(call.ticket_id));
    calls.truncate(8);
    Ok(HallSnapshot { centre: centre.to_string(), queues, windows, calls })
}

/// Hides officers' names for public screens: `张三` → `张*`.
pub fn mask_staff(snapshot: &mut HallSnapshot) {
    for window in &mut snapshot.windows {
        window.window.staff_name = window.window.staff_name.as_deref().map(banshi_domain::privacy::mask_name);
        window.window.staff_id = None;
    }
}
