//! Staff sign-in, sessions, roles and CSRF protection.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256. Every
//! request passes [`guard`], which finds the visitor's session and, for any request that can change
//! something (not GET or HEAD), demands the CSRF token: the session's own when signed in, otherwise
//! the pre-session cookie's (double submit, which protects the login form). Forms send it as the
//! field `csrf`, API clients as the header `X-CSRF-Token`. A handler then asks [`Visitor::require`]
//! for the roles it admits.

use super::error::{ApiError, AppError, PageError};
use super::AppState;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use banshi_domain::Role;
use banshi_storage::{Actor, NewSession, Staff};
use chrono::{Duration, Utc};
use rand::RngCore;
use super::throttle::{LOCK_FOR, MAX_FAILURES};
use std::time::Instant;

pub const SESSION_COOKIE: &str = "banshi_session";
pub const PRE_SESSION_COOKIE: &str = "banshi_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";
/// What an account signed in with a one-time password may reach until it has changed it.
const PASSWORD_CHANGE_PATHS: [&str; 5] = ["/account/password", "/logout", "/api/v1/account/password", "/api/v1/session", "/login"];
/// What an account that must have a second factor, and has none yet, may reach until it enrols.
const ENROLMENT_PATHS: [&str; 6] = ["/account/totp", "/logout", "/api/v1/account/totp", "/api/v1/account/totp/confirm", "/api/v1/session", "/login"];
/// A session's idle end is moved on at most this often, not on every request.
const KEEP_ALIVE_EVERY_SECONDS: i64 = 60;

/// Who is asking: a signed-in staff member or an anonymous visitor, and the CSRF token their
/// forms must carry.
#[derive(Clone)]
pub struct Visitor {
    pub staff: Option<Staff>,
    pub csrf_token: String,
    session_token_hash: Option<String>,
}

/// The client's address (a configured proxy's `X-Forwarded-For` read, IPv6 by its /64 as the
/// limits count it) and its browser, as the audit log keeps them.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Source {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// Read only where it is kept (the sign-in handlers), not on every request.
impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let address = super::limits::client_of(&parts.extensions, &parts.headers, &state.settings.limits).map(|a| a.to_string());
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|v| v.chars().take(200).collect());
        Ok(Source { address, user_agent })
    }
}

impl Source {
    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl Visitor {
    /// The signed-in staff member if their role is among `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&Staff, AppError> {
        let staff = self.staff.as_ref().ok_or(AppError::Unauthenticated)?;
        if roles.contains(&staff.role) {
            Ok(staff)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Any signed-in staff member.
    pub fn require_staff(&self) -> Result<&Staff, AppError> {
        self.require(super::roles::ACCOUNTS)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Visitor>().cloned().ok_or_else(|| {
            PageError(AppError::Internal("the auth guard did not run for this route".into())).into_response()
        })
    }
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A one-time password an admin reads out to its owner: lower-case letters and digits, none that
/// look alike, as long as any password must be (a weak draw, a run or a repeat, is drawn again).
pub fn random_password() -> String {
    use rand::seq::SliceRandom;
    let alphabet = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    loop {
        let password: String = (0..banshi_domain::staff::MIN_PASSWORD_CHARS).map(|_| *alphabet.choose(&mut rng).expect("an alphabet") as char).collect();
        if banshi_domain::staff::password_weakness(&password, "").is_none() {
            return password;
        }
    }
}

/// What is wrong with a new password, in the words of `too_short` (the form's own text) and the
/// shared ones: too short, too common, holding the username.
pub fn password_problem(password: &str, username: &str, too_short: &str) -> Option<String> {
    use banshi_domain::staff::PasswordWeakness;
    banshi_domain::staff::password_weakness(password, username).map(|weakness| {
        match weakness {
            PasswordWeakness::TooShort => super::texts::text(too_short),
            PasswordWeakness::Common => super::texts::text("password_common"),
            PasswordWeakness::HoldsUsername => super::texts::text("password_holds_username"),
        }
        .to_string()
    })
}

/// Checks a staff member's password, off the async workers (argon2 takes a while by design).
pub async fn password_is(state: &AppState, username: &str, password: &str) -> Result<bool, AppError> {
    let Some(login) = state.store.staff_by_username(username).await? else { return Ok(false) };
    check_password(state, password, Some(login.password_hash)).await
}

/// Checks a password against its hash (the decoy's when there is none) on the password threads.
async fn check_password(state: &AppState, password: &str, hash: Option<String>) -> Result<bool, AppError> {
    let wait = std::time::Duration::from_secs(state.settings.limits.password_check_wait_seconds);
    let password = password.to_string();
    state.password_checks.run(wait, move || password_matches(&password, hash.as_deref().unwrap_or_else(|| decoy_hash()))).await
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

/// Checks a password against its PHC hash in memory this thread keeps: argon2 takes 19 MiB a
/// check, and allocated afresh each time the allocator keeps every copy (its mmap threshold rises
/// to the block's size after the first is freed), 19 MiB more a sign-in until the memory is gone.
fn password_matches(password: &str, hash: &str) -> bool {
    use argon2::{Algorithm, Block, Params, Version};
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else { return false };
    let Ok(version) = parsed.version.map(Version::try_from).unwrap_or(Ok(Version::default())) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut computed = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let hashed = MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut memory[..blocks])
    });
    hashed.is_ok() && constant_time_eq(&computed, expected.as_bytes())
}

/// A hash that matches no password, verified when the username is unknown so that the answer
/// takes as long as for a known one and does not reveal which usernames exist.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()))
}

/// Checks a username, password and (for an account enrolled in one) second-factor code; on
/// success stores a new session and returns the staff member, the cookie's token and the session's
/// CSRF token. A wrong code counts as a failed sign-in, and the answer does not say which of the
/// three was wrong. An account locks after repeated failures, on every instance alike (the count
/// is in the database, so an admin unlocks it for all); failures for names that are no account are
/// counted in this instance's memory.
pub async fn sign_in(state: &AppState, source: &Source, username: &str, password: &str, code: &str) -> Result<Option<(Staff, String, String)>, AppError> {
    let username: String = username.trim().chars().take(60).collect();
    let username = username.as_str();
    let now = Utc::now();
    let login = state.store.staff_by_username(username).await?;
    let known = login.as_ref().map(|login| login.staff.id);
    let login_centre = login.as_ref().map(|login| (login.staff.id, login.staff.centre_code.clone()));
    match &login {
        Some(login) if login.staff.locked_until.is_some_and(|until| until > now) => return Err(AppError::TooManyAttempts("login_locked")),
        None if !state.login_throttle.allows(username, Instant::now()) => return Err(AppError::TooManyAttempts("login_locked")),
        _ => {}
    }
    let (hash, active) = match &login {
        Some(login) if login.staff.active => (Some(login.password_hash.clone()), Some(login)),
        _ => (None, None),
    };
    let password_matches = check_password(state, password, hash).await?;
    // The code is checked only after the password, so that a guess cannot use a code up.
    let matches = match active {
        Some(login) if password_matches => super::second_factor::accepts(state.store.as_ref(), &state.sealer, login, code).await?,
        _ => false,
    };
    let staff = active.map(|login| login.staff.clone());
    match known {
        Some(id) => state.store.record_sign_in(id, matches && staff.is_some(), now, MAX_FAILURES, Duration::from_std(LOCK_FOR).unwrap_or_default()).await?,
        None => state.login_throttle.record(username, false, Instant::now()),
    }
    let Some(staff) = staff.filter(|_| matches) else {
        tracing::info!(username, address = ?source.address, "sign-in refused");
        let account = login_centre.as_ref().map(|(id, centre)| (*id, centre.as_str()));
        state.store.audit_refused_sign_in(username, account, &source.to_json()).await?;
        return Ok(None);
    };
    let token = random_token();
    let csrf_token = random_token();
    let session = NewSession {
        token_hash: state.sealer.token_hash(&token),
        staff_id: staff.id,
        centre_code: staff.centre_code.clone(),
        csrf_token: csrf_token.clone(),
        created_at: now,
        expires_at: now + Duration::hours(state.settings.limits.session_hours),
        idle_until: now + Duration::minutes(state.settings.limits.session_idle_minutes),
        source: source.to_json(),
    };
    state.store.create_session(&session).await?;
    Ok(Some((staff, token, csrf_token)))
}

/// The hash of a session's cookie token, as the database keeps it.
pub fn session_hash(visitor: &Visitor) -> Option<&str> {
    visitor.session_token_hash.as_deref()
}

pub async fn sign_out(state: &AppState, visitor: &Visitor) -> Result<(), AppError> {
    if let (Some(hash), Some(staff)) = (&visitor.session_token_hash, &visitor.staff) {
        state.store.delete_session(&Actor::staff(staff), hash).await?;
        state.cache.forget_session(hash);
    }
    Ok(())
}

pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token)).path("/").http_only(true).same_site(SameSite::Lax).secure(state.secure_cookies).build()
}

pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").secure(state.secure_cookies).build()
}

/// Finds the visitor, enforces CSRF on every request that can change something, and hands the
/// visitor to the handler.
pub async fn guard(State(state): State<AppState>, jar: CookieJar, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let refuse = |err: AppError| if is_api { ApiError(err).into_response() } else { PageError(err).into_response() };

    let mut session_token_hash = None;
    let mut signed_in = None;
    if let Some(cookie) = jar.get(SESSION_COOKIE).filter(|c| !c.value().is_empty()) {
        let hash = state.sealer.token_hash(cookie.value());
        match state.cache.session(state.store.as_ref(), &hash).await {
            Ok(Some((session, staff))) => {
                if let Err(err) = keep_alive(&state, &hash, &session).await {
                    return refuse(err);
                }
                session_token_hash = Some(hash);
                signed_in = Some((session, staff));
            }
            Ok(None) => {}
            Err(err) => return refuse(err),
        }
    }
    let pre_session = jar.get(PRE_SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 64);
    // Pages carry forms and need the pre-session token; API clients never get the cookie.
    let new_pre_session = (pre_session.is_none() && !is_api).then(random_token);
    let csrf_token = match &signed_in {
        Some((session, _)) => session.csrf_token.clone(),
        None => pre_session.clone().or_else(|| new_pre_session.clone()).unwrap_or_default(),
    };

    // The body's limit follows who is asking, known now, before any of it is read.
    let limit = body_limit(&state.settings.limits, &request, signed_in.as_ref().map(|(_, staff)| staff));
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return refuse(AppError::TooLarge { limit });
    }
    let mut request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    request.extensions_mut().insert(BodyLimit(limit));
    if !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        // An API call without a session has no ambient authority to abuse: it acts anonymously.
        // (Signing in through the API needs a JSON body, which no cross-site form can send.)
        let (provided, rebuilt) = match provided_token(request, limit).await {
            Ok(found) => found,
            Err(err) => return refuse(err),
        };
        request = rebuilt;
        let expected = match &signed_in {
            Some((session, _)) => Some(session.csrf_token.as_str()),
            None => pre_session.as_deref(),
        };
        let valid = match (expected, provided.as_deref()) {
            (Some(expected), Some(provided)) => constant_time_eq(expected.as_bytes(), provided.as_bytes()),
            _ => false,
        };
        if !valid && (signed_in.is_some() || !is_api) {
            tracing::warn!(path = %request.uri().path(), "request refused: CSRF token missing or wrong");
            return refuse(AppError::Csrf);
        }
    }

    // The caller is known before a body is read: an anonymous write to a staff route is refused
    // as such, not answered with what its body got wrong.
    let reads = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if is_api && signed_in.is_none() && !reads && !super::limits::is_anonymous_api_write(request.method(), request.uri().path()) {
        return refuse(AppError::Unauthenticated);
    }

    // An account signed in with a one-time password changes it, and one that must have a second
    // factor enrols it, before anything else.
    let path = request.uri().path();
    match signed_in.as_ref().and_then(|(_, staff)| first_step(&state, staff)) {
        Some(FirstStep::ChangePassword) if !PASSWORD_CHANGE_PATHS.contains(&path) && !path.starts_with("/static/") => {
            return if is_api { ApiError(AppError::PasswordChangeRequired).into_response() } else { Redirect::to("/account/password").into_response() };
        }
        Some(FirstStep::EnrolSecondFactor) if !ENROLMENT_PATHS.contains(&path) && !path.starts_with("/static/") => {
            return if is_api { ApiError(AppError::SecondFactorRequired).into_response() } else { Redirect::to("/account/totp").into_response() };
        }
        _ => {}
    }
    let visitor = Visitor { staff: signed_in.map(|(_, staff)| staff), csrf_token, session_token_hash };
    request.extensions_mut().insert(visitor);
    let response = next.run(request).await;
    match new_pre_session {
        Some(token) => {
            let cookie = Cookie::build((PRE_SESSION_COOKIE, token)).path("/").http_only(true).same_site(SameSite::Strict).secure(state.secure_cookies).build();
            (CookieJar::new().add(cookie), response).into_response()
        }
        None => response,
    }
}

/// What a signed-in account must do before it may reach anything else.
pub enum FirstStep {
    ChangePassword,
    EnrolSecondFactor,
}

pub fn first_step(state: &AppState, staff: &Staff) -> Option<FirstStep> {
    if staff.must_change_password {
        Some(FirstStep::ChangePassword)
    } else if !staff.second_factor && super::second_factor::required(state, staff.role) {
        Some(FirstStep::EnrolSecondFactor)
    } else {
        None
    }
}

/// Moves a session's idle end on as it is used (at most once a minute); the store refuses one
/// whose idle end has passed, on every instance alike.
async fn keep_alive(state: &AppState, hash: &str, session: &banshi_storage::Session) -> Result<(), AppError> {
    let now = Utc::now();
    let idle = Duration::minutes(state.settings.limits.session_idle_minutes);
    if session.idle_until - now < idle - Duration::seconds(KEEP_ALIVE_EVERY_SECONDS) {
        state.store.keep_session_alive(hash, now + idle).await?;
        state.cache.forget_session(hash);
    }
    Ok(())
}

/// The CSRF token a request carries: the header, or the `csrf` field of a URL-encoded form. The
/// form body is read and put back for the handler.
async fn provided_token(request: Request, limit: usize) -> Result<(Option<String>, Request), AppError> {
    if let Some(value) = request.headers().get(CSRF_HEADER) {
        return Ok((value.to_str().ok().map(str::to_string), request));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, request));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|err| unread_body(&err, limit))?;
    let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The body limit [`guard`] chose for a request, for whoever reads the body after it.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Why a body could not be read: larger than `limit`, or not sent whole in time.
pub fn unread_body(err: &axum::Error, limit: usize) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return AppError::TooLarge { limit };
        }
        source = cause.source();
    }
    AppError::invalid("body", super::texts::text("error_body_unreadable"))
}

/// The largest body this caller may send here: a few kilobytes for anyone, more for staff, a whole
/// file for the roles that import one, on the routes that take it.
fn body_limit(limits: &super::limits::Limits, request: &Request, staff: Option<&Staff>) -> usize {
    match staff {
        Some(staff) if super::roles::IMPORTERS.contains(&staff.role) && super::limits::is_import(request.method(), request.uri().path()) => limits.import_body_bytes,
        Some(_) => limits.staff_body_bytes,
        None => limits.anonymous_body_bytes,
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse");
        assert!(password_matches("correct horse", &hash));
        assert!(!password_matches("wrong horse", &hash));
        assert!(!password_matches("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"ab", b"abc"));
    }
}
