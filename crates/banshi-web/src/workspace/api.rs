//! The session through the API: sign in (the answer carries the CSRF token every later write
//! sends as `X-CSRF-Token`), who am I, sign out.

use super::account::{self, PasswordChange};
use super::second_factor::{self, Confirmation, Offer, RecoveryCodes, Standing};
use crate::shared::auth::{self, Visitor};
use crate::shared::error::AppError;
use crate::shared::extract::{ApiResult, Body};
use crate::shared::AppState;
use axum::extract::{Path, State};
use crate::shared::roles::ADMINS;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use banshi_storage::Staff;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
    /// The authenticator app's 6-digit code, or a recovery code, for an account with a second
    /// factor.
    #[serde(default)]
    totp: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    staff: Staff,
    /// Sent as the `X-CSRF-Token` header with every write of this session.
    csrf_token: String,
}

/// Sign in: sets the session cookie; five wrong passwords or codes in a row lock the account for 5
/// minutes. An account whose role needs a second factor and has none is let in only to enrol one.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn, responses((status = 200, description = "signed in; the session cookie is set", body = SignedIn)))]
pub async fn sign_in(State(state): State<AppState>, source: auth::Source, jar: CookieJar, Body(request): Body<SignIn>) -> ApiResult<Response> {
    match auth::sign_in(&state, &source, &request.username, &request.password, &request.totp).await? {
        Some((staff, token, csrf_token)) => Ok((jar.add(auth::session_cookie(&state, token)), Json(SignedIn { staff, csrf_token })).into_response()),
        None => Err(AppError::SignInRefused.into()),
    }
}

/// Sign out: the session ends.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204, description = "signed out")), security(("session" = [], "csrf" = [])))]
pub async fn sign_out(State(state): State<AppState>, visitor: Visitor, jar: CookieJar) -> ApiResult<Response> {
    visitor.require_staff()?;
    auth::sign_out(&state, &visitor).await?;
    Ok((jar.add(auth::removal_cookie(&state)), StatusCode::NO_CONTENT).into_response())
}

/// The signed-in staff member.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, description = "the signed-in staff member", body = Staff)), security(("session" = [])))]
pub async fn whoami(visitor: Visitor) -> ApiResult<Json<Staff>> {
    Ok(Json(visitor.require_staff()?.clone()))
}

/// Change one's own password (with the current one); the account's other sessions end.
#[utoipa::path(post, path = "/api/v1/account/password", tag = "session", request_body = PasswordChange, responses((status = 204, description = "changed")), security(("session" = [], "csrf" = [])))]
pub async fn change_password(State(state): State<AppState>, visitor: Visitor, Body(change): Body<PasswordChange>) -> ApiResult<StatusCode> {
    account::change_password(&state, &visitor, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One's own live sessions (the one asking marked `current`).
#[utoipa::path(get, path = "/api/v1/account/sessions", tag = "session", responses((status = 200, description = "the account's live sessions, newest first", body = Vec<account::SessionView>)), security(("session" = [])))]
pub async fn my_sessions(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Vec<account::SessionView>>> {
    let staff = visitor.require_staff()?;
    Ok(Json(account::sessions(&state, &visitor, staff.id).await?))
}

/// End one of one's own sessions.
#[utoipa::path(delete, path = "/api/v1/account/sessions/{id}", tag = "session", params(("id" = String, Path, description = "the session's short id")), responses((status = 204, description = "ended")), security(("session" = [], "csrf" = [])))]
pub async fn end_my_session(State(state): State<AppState>, visitor: Visitor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let staff = visitor.require_staff()?;
    account::end_session(&state, staff, staff.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's live sessions, for an admin of its centre.
#[utoipa::path(get, path = "/api/v1/staff/{id}/sessions", tag = "staff", params(("id" = i64, Path, description = "the account's id")), responses((status = 200, description = "the account's live sessions", body = Vec<account::SessionView>)), security(("session" = [])))]
pub async fn staff_sessions(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> ApiResult<Json<Vec<account::SessionView>>> {
    let admin = visitor.require(ADMINS)?;
    let account = crate::admin::account_of_centre(&state, admin, id).await?;
    Ok(Json(account::sessions(&state, &visitor, account.id).await?))
}

/// End one of an account's sessions, for an admin of its centre.
#[utoipa::path(delete, path = "/api/v1/staff/{id}/sessions/{session}", tag = "staff", params(("id" = i64, Path, description = "the account's id"), ("session" = String, Path, description = "the session's short id")), responses((status = 204, description = "ended")), security(("session" = [], "csrf" = [])))]
pub async fn end_staff_session(State(state): State<AppState>, visitor: Visitor, Path((id, session)): Path<(i64, String)>) -> ApiResult<StatusCode> {
    let admin = visitor.require(ADMINS)?;
    let account = crate::admin::account_of_centre(&state, admin, id).await?;
    account::end_session(&state, admin, account.id, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where one's second factor stands: enrolled or not, required for one's role or not.
#[utoipa::path(get, path = "/api/v1/account/totp", tag = "session", responses((status = 200, description = "the account's second factor", body = Standing)), security(("session" = [])))]
pub async fn second_factor_standing(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Standing>> {
    let staff = visitor.require_staff()?;
    Ok(Json(second_factor::standing(&state, staff).await?))
}

/// A fresh secret to enrol (or to replace the one enrolled); nothing is kept until confirmed.
#[utoipa::path(post, path = "/api/v1/account/totp", tag = "session", responses((status = 200, description = "a secret to put into an authenticator app", body = Offer)), security(("session" = [], "csrf" = [])))]
pub async fn offer_second_factor(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Json<Offer>> {
    let staff = visitor.require_staff()?;
    Ok(Json(second_factor::offer(&state, staff)))
}

/// Confirm an offered secret with the app's current code: it becomes the account's second factor,
/// the account's other sessions end, and ten recovery codes are given, this once.
#[utoipa::path(post, path = "/api/v1/account/totp/confirm", tag = "session", request_body = Confirmation, responses((status = 200, description = "enrolled", body = RecoveryCodes)), security(("session" = [], "csrf" = [])))]
pub async fn confirm_second_factor(State(state): State<AppState>, visitor: Visitor, Body(confirmation): Body<Confirmation>) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(second_factor::confirm(&state, &visitor, &confirmation).await?))
}
