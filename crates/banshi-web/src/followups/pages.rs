//! The follow-up page (`/followups`): my tasks with their contact logs, the residents, and for the
//! manager the eligibility rules.

use super::eligibility::load_rules;
use super::steps::{self, ContactRequest, ResidentRequest};
use crate::shared::auth::Visitor;
use crate::shared::error::{AppError, PageError};
use crate::shared::flash::{redirect_query, Flash};
use crate::shared::frame::frame;
use crate::shared::roles::{CASE_ROLES, PLANNERS};
use crate::shared::templates::render;
use crate::shared::texts::{fill, text};
use crate::shared::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use banshi_domain::eligibility::DEFAULT_RULES;
use banshi_domain::privacy::mask_name;
use banshi_domain::Role;
use minijinja::context;
use serde::Deserialize;
use serde_json::{Map, Value};

/// 跟踪回访: my tasks with their contact logs, the residents, and (for the manager) the rules.
pub async fn page(State(state): State<AppState>, visitor: Visitor, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let staff = visitor.require(CASE_ROLES)?;
    let frame = frame(&state, &visitor).await?;
    let rows = steps::tasks(&state, staff).await?;
    let mut residents = Vec::new();
    for resident in state.store.residents(&staff.centre_code).await? {
        // Each resident's contact log, across their tasks (留心持续接力).
        let contacts = state.store.contacts(Some(resident.id), None).await?;
        residents.push(context! { id => resident.id, name => mask_name(&resident.name), facts => facts_shown(&resident.facts), contacts });
    }
    let rules_text = if staff.role == Role::Manager { Some(state.store.eligibility_rules(&staff.centre_code).await?.unwrap_or_else(|| DEFAULT_RULES.to_string())) } else { None };
    Ok(render("followups/tasks.html", context! { rows, residents, rules_text, message => flash.message, error => flash.error, ..frame }))
}

#[derive(Deserialize)]
pub struct PageForm {
    action: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    work_type: String,
    #[serde(default)]
    employment: String,
    #[serde(default)]
    benefit_months_left: String,
    #[serde(default)]
    insured_months: String,
    #[serde(default)]
    serious_illness: Option<String>,
    #[serde(default)]
    rules: String,
}

/// A resident's facts as the page words them (性别：男, 患重大疾病：是); a fact the form does not
/// know (set through the API) shows as it is.
fn facts_shown(facts: &Map<String, Value>) -> Vec<String> {
    let texts = crate::shared::texts::texts();
    facts
        .iter()
        .map(|(name, value)| {
            let label = texts.get(&format!("resident_{name}")).cloned().unwrap_or_else(|| name.clone());
            let value = match value {
                Value::Bool(yes) => text(if *yes { "resident_yes" } else { "resident_no" }).to_string(),
                Value::String(code) => [format!("resident_{code}"), format!("resident_{name}_{code}"), format!("resident_work_{code}")]
                    .iter()
                    .find_map(|key| texts.get(key).cloned())
                    .unwrap_or_else(|| code.clone()),
                other => other.to_string(),
            };
            format!("{label}：{value}")
        })
        .collect()
}

/// The resident form's fields as facts: blanks left out, numbers as numbers.
fn form_facts(form: &PageForm) -> Result<Map<String, Value>, AppError> {
    let mut facts = Map::new();
    for (name, value) in [("birth", &form.birth), ("sex", &form.sex), ("work_type", &form.work_type), ("employment", &form.employment)] {
        if !value.trim().is_empty() {
            facts.insert(name.into(), Value::String(value.trim().to_string()));
        }
    }
    for (name, value) in [("benefit_months_left", &form.benefit_months_left), ("insured_months", &form.insured_months)] {
        if !value.trim().is_empty() {
            let number: u32 = value.trim().parse().map_err(|_| AppError::invalid(name, text("months_wrong")))?;
            facts.insert(name.into(), Value::from(number));
        }
    }
    facts.insert("serious_illness".into(), Value::Bool(form.serious_illness.is_some()));
    Ok(facts)
}

pub async fn page_action(State(state): State<AppState>, visitor: Visitor, Form(form): Form<PageForm>) -> Result<Response, PageError> {
    let staff = visitor.require(CASE_ROLES)?;
    let id = || form.id.ok_or_else(|| AppError::invalid("id", text("followup_which")));
    let outcome: Result<String, AppError> = async {
        Ok(match form.action.as_str() {
            "contact" => {
                steps::contact(&state, staff, id()?, &ContactRequest { channel: form.channel.clone(), note: form.note.clone() }).await?;
                text("followup_contact_recorded").to_string()
            }
            "complete" => format!("{} #{}", text("followup_completed"), steps::complete(&state, staff, id()?, &form.note).await?.id),
            "resident" => {
                let request = ResidentRequest { id: form.id, name: form.name.clone(), phone: form.phone.clone(), facts: form_facts(&form)? };
                let (resident, made) = steps::save_resident(&state, staff, &request).await?;
                format!("{} #{}；{} {made}", text("followup_resident_saved"), resident.id, text("followup_tasks_made"))
            }
            "rules" => {
                let staff = visitor.require(PLANNERS)?;
                format!("{}；{} {}", text("followup_rules_loaded"), text("followup_tasks_made"), load_rules(&state, staff, &form.rules).await?)
            }
            other => return Err(AppError::invalid("action", fill("action_unknown", &[("action", other.to_string())]))),
        })
    }
    .await;
    let query = redirect_query(outcome)?;
    Ok(Redirect::to(&format!("/followups?{query}")).into_response())
}
