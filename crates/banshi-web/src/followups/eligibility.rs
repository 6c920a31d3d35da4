//! Proactive eligibility (免申即享): the centre's rules (docs/eligibility.md) run over its
//! residents' facts make a follow-up task for every policy in force a resident meets, once per
//! policy and resident — when facts are saved, when rules are loaded, and every hour on every
//! instance, which is how a policy that starts on a later day reaches its residents on that day.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::eligibility::{parse_rules, Rules, DEFAULT_RULES};
use banshi_domain::{Fault, Problem};
use banshi_storage::{Actor, NewFollowUp, Resident, Staff};
use chrono::{DateTime, Local, NaiveDate, Utc};

/// The centre's rules in force: its loaded file, or the built-in one.
pub async fn rules(state: &AppState, centre: &str) -> Result<Rules, AppError> {
    let text = state.store.eligibility_rules(centre).await?.unwrap_or_else(|| DEFAULT_RULES.to_string());
    // A stored file was checked when loaded; one that no longer parses is reported, not fatal.
    parse_rules(&text).or_else(|problems| {
        tracing::error!(?problems, "the stored eligibility rules do not parse; using the built-in ones");
        parse_rules(DEFAULT_RULES).map_err(|faults| AppError::Internal(format!("the built-in rules do not parse: {faults:?}")))
    })
}

/// An instant before any task: the list with every task done since then is every task.
fn since_ever() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// Makes a task for every policy in force on `date` that one of `residents` meets and has none
/// yet; the number made.
pub async fn sweep(state: &AppState, centre: &str, residents: &[Resident], date: NaiveDate) -> Result<usize, AppError> {
    let rules = rules(state, centre).await?;
    let calendar = state.cache.calendar(state.store.as_ref(), centre).await?;
    // The tasks there are already, read once: most runs find nothing new, and then write nothing.
    let known: std::collections::HashSet<String> = state.store.follow_ups(centre, None, since_ever()).await?.into_iter().map(|t| t.source).collect();
    let mut made = 0;
    for resident in residents {
        for found in rules.matches(&resident.facts, date) {
            let source = format!("policy:{}:resident:{}", found.policy_id, resident.id);
            if known.contains(&source) {
                continue;
            }
            let task = NewFollowUp {
                centre_code: centre.to_string(),
                kind: "eligibility".into(),
                source,
                resident_id: Some(resident.id),
                case_id: None,
                title: found.title,
                reason: found.reason,
                assignee_id: None,
                due_on: calendar.add_working_days(date, state.settings.follow_up_days),
                created_at: Utc::now(),
            };
            made += usize::from(state.store.create_follow_up(&Actor::system("eligibility rules"), &task).await?.is_some());
        }
    }
    Ok(made)
}

/// How often every instance runs the rules for every centre, so a policy reaches its residents on
/// the day it starts even when nobody opens the list (a task is made once however many run).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs the rules for every centre now and then every [`SWEEP_EVERY`]; failures are logged and
/// retried at the next round.
pub async fn sweep_regularly(state: AppState) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let today = Local::now().date_naive();
        let outcome: Result<usize, AppError> = async {
            let mut made = 0;
            for centre in state.store.centres().await? {
                let residents = state.store.residents(&centre.code).await?;
                made += sweep(&state, &centre.code, &residents, today).await?;
            }
            Ok(made)
        }
        .await;
        match outcome {
            Ok(0) => {}
            Ok(made) => tracing::info!(made, "eligibility rules made follow-up tasks"),
            Err(err) => tracing::error!(?err, "eligibility rules could not run"),
        }
    }
}

/// Checks and loads a rules file, then runs it for the centre's residents.
pub async fn load_rules(state: &AppState, staff: &Staff, text: &str) -> Result<usize, AppError> {
    // Every problem stands at `rules`, the form's one field; its place in the file leads its words.
    let at_rules = |fault: &Fault| {
        let words = crate::shared::texts::fault_text(fault);
        Problem { path: "rules".into(), message: if fault.path.is_empty() { words } else { format!("{}：{words}", fault.path) } }
    };
    parse_rules(text).map_err(|faults| AppError::Invalid(faults.iter().map(at_rules).collect()))?;
    state.store.save_eligibility_rules(&Actor::staff(staff), &staff.centre_code, text).await?;
    let residents = state.store.residents(&staff.centre_code).await?;
    sweep(state, &staff.centre_code, &residents, Local::now().date_naive()).await
}

