//! What every handler of an instance shares: the store, the data key, the hall settings, and the
//! instance's own caches, throttles and events hub.

use super::cache::HallCache;
use super::clock::Clock;
use super::events::Hub;
use super::limits::RateLimits;
use super::password_checks::PasswordChecks;
use super::sealing::Sealer;
use super::settings::HallSettings;
use super::throttle::LoginThrottle;
use banshi_storage::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Seals personal data before it is stored.
    pub sealer: Arc<Sealer>,
    pub settings: Arc<HallSettings>,
    /// The time the hall's rules read; fixed in tests of the hours.
    pub clock: Clock,
    /// Addresses that read `/metrics` without signing in (a Prometheus server's).
    pub metrics_from: Arc<Vec<std::net::IpAddr>>,
    /// Cookies marked `Secure` (`serve --public-url https://…`).
    pub secure_cookies: bool,
    /// The address people reach the hall at (`serve --public-url`), for printed links and QR codes.
    pub public_url: Option<Arc<str>>,
    pub(crate) login_throttle: Arc<LoginThrottle>,
    pub(crate) cache: Arc<HallCache>,
    pub(crate) hub: Arc<Hub>,
    /// Requests per address on the routes anyone may call.
    pub(crate) rate_limits: Arc<RateLimits>,
    /// The threads that check passwords (`limits.password_checks_at_once`).
    pub(crate) password_checks: Arc<PasswordChecks>,
}

impl AppState {
    /// The state alone, without the instance's background work (which [`AppState::new`] starts,
    /// above the capabilities). Must be called within a tokio runtime: it starts the events hub.
    pub(crate) fn build(store: Arc<dyn Store>, sealer: Sealer, settings: HallSettings) -> Self {
        let hub = Arc::new(Hub::start(store.clone()));
        let rate_limits = Arc::new(RateLimits::new(&settings.limits));
        let password_checks = Arc::new(PasswordChecks::start(settings.limits.password_checks_at_once));
        AppState { store, sealer: Arc::new(sealer), settings: Arc::new(settings), clock: Clock::default(), metrics_from: Arc::default(), secure_cookies: false, public_url: None, login_throttle: Arc::default(), cache: Arc::default(), hub, rate_limits, password_checks }
    }
}
