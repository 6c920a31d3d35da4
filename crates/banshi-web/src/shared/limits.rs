//! What a client may send before it is refused: requests per address on the routes anyone can
//! call (sign-in, tickets, the complaints box, ratings, the progress query), body sizes by who is
//! asking, and password checks at once. Every figure is a hall setting (`limits`,
//! docs/hall-settings.md); a rate of 0 turns that limit off. The connection's own limits (header
//! and body read timeouts, the cap on connections) are applied where the server accepts them.

use super::error::{ApiError, AppError, PageError};
use super::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Sign-in attempts per minute from one address (besides the lock of an account).
    pub sign_ins_per_minute: u32,
    /// Tickets per minute from one address; the hall's own kiosks (`kiosks_from`) are not counted.
    pub tickets_per_minute: u32,
    /// Tickets a day with one phone number, at one centre.
    pub tickets_per_phone_per_day: u32,
    /// Complaints, suggestions and requests per hour from one address.
    pub feedback_per_hour: u32,
    /// Ratings per minute from one address.
    pub ratings_per_minute: u32,
    /// Progress queries per minute from one address.
    pub progress_queries_per_minute: u32,
    /// The hall's own kiosks, which take tickets for everyone who comes.
    pub kiosks_from: Vec<IpAddr>,
    /// Reverse proxies whose `X-Forwarded-For` names the client; from anywhere else it is ignored.
    pub forwarded_by: Vec<IpAddr>,
    /// The largest body an anonymous client may send.
    pub anonymous_body_bytes: usize,
    /// The largest body a signed-in staff member may send.
    pub staff_body_bytes: usize,
    /// The largest import (catalogue, hall, calendar year, eligibility rules), for the roles that
    /// import.
    pub import_body_bytes: usize,
    /// A connection that has not sent its request's headers in this time is closed.
    pub header_read_seconds: u64,
    /// A request whose body has not arrived in this time is refused.
    pub body_read_seconds: u64,
    /// Connections held at once (boards and consoles keep one open each); the next wait to be
    /// accepted.
    pub max_connections: usize,
    /// Password checks at once: each takes 19 MiB of memory for a moment, by design.
    pub password_checks_at_once: usize,
    /// How long a sign-in waits for a password check before it is answered "busy".
    pub password_check_wait_seconds: u64,
    /// A session unused this long ends (an officer who leaves the window unlocked).
    pub session_idle_minutes: i64,
    /// A session ends this long after its sign-in, however much it is used: a working day and
    /// then some.
    pub session_hours: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sign_ins_per_minute: 20,
            tickets_per_minute: 10,
            tickets_per_phone_per_day: 3,
            feedback_per_hour: 10,
            ratings_per_minute: 10,
            progress_queries_per_minute: 10,
            kiosks_from: vec![],
            forwarded_by: vec![],
            anonymous_body_bytes: 16 * 1024,
            staff_body_bytes: 256 * 1024,
            import_body_bytes: 8 * 1024 * 1024,
            header_read_seconds: 10,
            body_read_seconds: 30,
            max_connections: 4096,
            password_checks_at_once: 4,
            password_check_wait_seconds: 5,
            session_idle_minutes: 30,
            session_hours: 12,
        }
    }
}

/// The routes anyone may call, each limited per address.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    SignIn,
    Ticket,
    Feedback,
    Rating,
    Progress,
}

fn open_route(method: &Method, path: &str) -> Option<Open> {
    let post = method == Method::POST;
    match path {
        "/login" | "/api/v1/session" if post => Some(Open::SignIn),
        "/kiosk" | "/api/v1/tickets" if post => Some(Open::Ticket),
        "/feedback/new" | "/api/v1/feedback" if post => Some(Open::Feedback),
        "/ratings" | "/api/v1/ratings" if post => Some(Open::Rating),
        "/progress" | "/api/v1/progress" | "/progress/phone-code" | "/api/v1/progress/phone-code" if post => Some(Open::Progress),
        _ if post && path.starts_with("/pad/") => Some(Open::Rating),
        _ => None,
    }
}

/// The API writes anyone may make without signing in: the open routes and the self-check. Every
/// other write is refused (401) before its body is read, so that nobody learns a route's rules
/// without being allowed to use it.
pub fn is_anonymous_api_write(method: &Method, path: &str) -> bool {
    open_route(method, path).is_some() || (method == Method::POST && path.starts_with("/api/v1/items/") && path.ends_with("/check"))
}

/// The routes that take a whole file.
pub fn is_import(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        ("POST", "/admin/catalog") | ("PUT", "/api/v1/catalog") | ("POST", "/admin/hall") | ("PUT", "/api/v1/hall/setup") | ("POST", "/api/v1/calendar/years") | ("POST", "/admin/calendar") | ("PUT", "/api/v1/eligibility/rules") | ("POST", "/followups")
    )
}

/// One limiter per open route, keyed by the client's address.
pub struct RateLimits {
    limits: Limits,
    sign_in: Option<DefaultKeyedRateLimiter<IpAddr>>,
    ticket: Option<DefaultKeyedRateLimiter<IpAddr>>,
    feedback: Option<DefaultKeyedRateLimiter<IpAddr>>,
    rating: Option<DefaultKeyedRateLimiter<IpAddr>>,
    progress: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

fn keyed(quota: Option<Quota>) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    quota.map(RateLimiter::keyed)
}

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

impl RateLimits {
    pub fn new(limits: &Limits) -> Self {
        RateLimits {
            limits: limits.clone(),
            sign_in: keyed(per_minute(limits.sign_ins_per_minute)),
            ticket: keyed(per_minute(limits.tickets_per_minute)),
            feedback: keyed(NonZeroU32::new(limits.feedback_per_hour).map(Quota::per_hour)),
            rating: keyed(per_minute(limits.ratings_per_minute)),
            progress: keyed(per_minute(limits.progress_queries_per_minute)),
        }
    }

    fn limiter(&self, route: Open) -> Option<&DefaultKeyedRateLimiter<IpAddr>> {
        match route {
            Open::SignIn => self.sign_in.as_ref(),
            Open::Ticket => self.ticket.as_ref(),
            Open::Feedback => self.feedback.as_ref(),
            Open::Rating => self.rating.as_ref(),
            Open::Progress => self.progress.as_ref(),
        }
    }

    /// `Err(seconds to wait)` when `client` has used up its allowance on `route`.
    fn check(&self, route: Open, client: IpAddr) -> Result<(), u64> {
        if route == Open::Ticket && self.limits.kiosks_from.contains(&client) {
            return Ok(());
        }
        let Some(limiter) = self.limiter(route) else { return Ok(()) };
        limiter.check_key(&client).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs() + 1)
    }

    /// Forgets addresses whose allowance is whole again, so the limiters do not grow with every
    /// address ever seen.
    pub fn forget_idle(&self) {
        for limiter in [&self.sign_in, &self.ticket, &self.feedback, &self.rating, &self.progress].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The address a request comes from: the peer's, or for a configured reverse proxy the last
/// address it put in `X-Forwarded-For`. IPv6 clients are counted by their /64, which one
/// household or phone holds whole.
pub fn client_address(request: &Request, limits: &Limits) -> Option<IpAddr> {
    client_of(request.extensions(), request.headers(), limits)
}

/// [`client_address`] from a request's extensions and headers.
pub fn client_of(extensions: &axum::http::Extensions, headers: &axum::http::HeaderMap, limits: &Limits) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let client = if limits.forwarded_by.contains(&peer) {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(peer)
    } else {
        peer
    };
    Some(match client {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let segments = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(segments[0], segments[1], segments[2], segments[3], 0, 0, 0, 0))
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("checked above")),
        v4 => v4,
    })
}

/// Refuses a request on an open route once its address has used up its allowance: 429 with
/// `Retry-After`, before anything of the request is read.
pub async fn limit_open_routes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(route) = open_route(request.method(), request.uri().path()) {
        if let Some(client) = client_address(&request, &state.settings.limits) {
            if let Err(seconds) = state.rate_limits.check(route, client) {
                tracing::info!(%client, ?route, "request refused: rate limit");
                let err = AppError::RateLimited { retry_after: seconds };
                return if request.uri().path().starts_with("/api/") { ApiError(err).into_response() } else { PageError(err).into_response() };
            }
        }
    }
    next.run(request).await
}

/// Forgets idle addresses every minute; every hour removes ended sessions and the progress
/// query's counts left a day untouched.
pub async fn forget_idle_regularly(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    for minute in 0u64.. {
        every.tick().await;
        state.rate_limits.forget_idle();
        if minute % 60 == 0 {
            match state.store.purge_sessions(chrono::Utc::now()).await {
                Ok(purged) if purged > 0 => tracing::info!(purged, "ended sessions removed"),
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "ended sessions not removed"),
            }
            if let Err(err) = state.store.purge_progress_attempts(chrono::Utc::now() - chrono::Duration::days(1)).await {
                tracing::warn!(%err, "old progress query counts not removed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_allowance_then_waits_and_others_and_kiosks_are_not_affected() {
        let limits = Limits { tickets_per_minute: 3, kiosks_from: vec!["10.0.0.9".parse().unwrap()], ..Limits::default() };
        let rate = RateLimits::new(&limits);
        let (client, other, kiosk) = ("203.0.113.7".parse().unwrap(), "203.0.113.8".parse().unwrap(), "10.0.0.9".parse().unwrap());
        for _ in 0..3 {
            assert!(rate.check(Open::Ticket, client).is_ok());
        }
        let wait = rate.check(Open::Ticket, client).unwrap_err();
        assert!((1..=21).contains(&wait), "about a third of a minute, got {wait}");
        assert!(rate.check(Open::Ticket, other).is_ok());
        assert!((0..100).all(|_| rate.check(Open::Ticket, kiosk).is_ok()));
        assert!(rate.check(Open::SignIn, client).is_ok(), "each route has its own allowance");
    }

    #[test]
    fn a_rate_of_zero_is_no_limit_and_the_open_routes_are_the_public_writes() {
        let rate = RateLimits::new(&Limits { sign_ins_per_minute: 0, ..Limits::default() });
        let client = "203.0.113.7".parse().unwrap();
        assert!((0..1000).all(|_| rate.check(Open::SignIn, client).is_ok()));
        assert_eq!(open_route(&Method::POST, "/api/v1/tickets"), Some(Open::Ticket));
        assert_eq!(open_route(&Method::GET, "/api/v1/tickets"), None);
        assert_eq!(open_route(&Method::POST, "/pad/3"), Some(Open::Rating));
        assert_eq!(open_route(&Method::POST, "/progress"), Some(Open::Progress));
        assert!(is_import(&Method::PUT, "/api/v1/catalog") && !is_import(&Method::GET, "/api/v1/catalog"));
    }
}
