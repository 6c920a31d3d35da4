//! Which centre a request is about: the one it names, the staff member's own, or the hall this
//! installation serves.

use super::error::AppError;
use super::auth::Visitor;
use super::AppState;
use banshi_domain::Region;
use banshi_storage::{Centre, Staff};
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
            None => Err(AppError::not_found("thing_centre", code)),
        };
    }
    if let Some(staff) = &visitor.staff {
        return Ok(staff.centre_code.clone());
    }
    state.cache.default_centre(state.store.as_ref()).await?.ok_or_else(|| AppError::not_found("thing_centre", ""))
}

/// The staff member's own centre, or for the public the hall this installation serves.
pub async fn visitor_centre(state: &AppState, visitor: &Visitor) -> Result<Option<Centre>, AppError> {
    Ok(match &visitor.staff {
        Some(staff) => state.store.centre(&staff.centre_code).await?,
        None => state.store.default_centre().await?,
    })
}

/// The centres a district or city role reads: those of its own centre's district (in the same
/// city) or city. None for any other role, and none while its centre names no district or city.
pub async fn region_centres(state: &AppState, staff: &Staff) -> Result<Vec<Centre>, AppError> {
    let (Some(region), Some(home)) = (staff.role.region(), state.store.centre(&staff.centre_code).await?) else { return Ok(Vec::new()) };
    let centres = state.store.centres().await?;
    Ok(centres
        .into_iter()
        .filter(|c| match region {
            Region::District => !home.district.is_empty() && c.district == home.district && c.city == home.city,
            Region::City => !home.city.is_empty() && c.city == home.city,
        })
        .collect())
}

/// The centre whose figures a reader asks for (`?centre=`): their own; a district or city role
/// any centre of its region, its own by default. Any other centre is not found.
pub async fn figures_centre(state: &AppState, staff: &Staff, named: Option<String>) -> Result<String, AppError> {
    let Some(code) = named.filter(|c| !c.is_empty() && *c != staff.centre_code) else { return Ok(staff.centre_code.clone()) };
    if region_centres(state, staff).await?.iter().any(|c| c.code == code) {
        return Ok(code);
    }
    Err(AppError::not_found("thing_centre", code))
}
