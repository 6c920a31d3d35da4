//! Which centre a request is about: the one it names, the staff member's own, or the hall this
//! installation serves.

use super::error::AppError;
use super::auth::Visitor;
use super::AppState;
use banshi_storage::Centre;
use serde::Deserialize;

/// `?centre=CODE` on public pages and API calls (boards, kiosks, results).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreQuery {
    /// The centre's code; by default the signed-in staff member's, or the installation's hall.
    #[serde(default)]
    pub centre: Option<String>,
}

/// The centre a request is about: the one named, the staff member's own, or the hall's.
pub async fn resolve_centre(state: &AppState, visitor: &Visitor, named: Option<String>) -> Result<String, AppError> {
    if let Some(code) = named.filter(|c| !c.is_empty()) {
        return match state.store.centre(&code).await? {
            Some(centre) => Ok(centre.code),
            None => Err(AppError::NotFound(format!("centre {code}"))),
        };
    }
    if let Some(staff) = &visitor.staff {
        return Ok(staff.centre_code.clone());
    }
    state.cache.default_centre(state.store.as_ref()).await?.ok_or_else(|| AppError::NotFound("centre".into()))
}

/// The staff member's own centre, or for the public the hall this installation serves.
pub async fn visitor_centre(state: &AppState, visitor: &Visitor) -> Result<Option<Centre>, AppError> {
    Ok(match &visitor.staff {
        Some(staff) => state.store.centre(&staff.centre_code).await?,
        None => state.store.default_centre().await?,
    })
}
