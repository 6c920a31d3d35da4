//! Queueing formulas for staffing a hall: Erlang C (M/M/c, nobody leaves) and Erlang A (M/M/c+M,
//! visitors give up after an exponential patience), and the fewest windows that meet a service
//! target.
//!
//! Rates are per minute: `arrivals` λ, `service` μ = 1 / mean service minutes, `patience` θ = 1 /
//! mean patience minutes. The offered load is a = λ/μ and the occupancy ρ = a/c.

use serde::Serialize;

/// What a number of windows gives, by Erlang C.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangC {
    pub windows: u32,
    /// Occupancy ρ: the share of time a window is busy.
    pub occupancy: f64,
    /// The probability that a visitor waits at all.
    pub wait_probability: f64,
    /// The mean wait in minutes over all visitors.
    pub mean_wait: f64,
}

impl ErlangC {
    /// The probability that a visitor waits no longer than `minutes` (the service level).
    pub fn service_level(&self, arrivals: f64, service: f64, minutes: f64) -> f64 {
        1.0 - self.wait_probability * (-(self.windows as f64 * service - arrivals) * minutes).exp()
    }
}

/// Erlang C for `windows` windows, or `None` when they cannot keep up (ρ ≥ 1) or the input is not
/// a positive rate.
pub fn erlang_c(windows: u32, arrivals: f64, service: f64) -> Option<ErlangC> {
    if windows == 0 || !(arrivals > 0.0 && service > 0.0 && arrivals.is_finite() && service.is_finite()) {
        return None;
    }
    let load = arrivals / service;
    let c = windows as f64;
    let occupancy = load / c;
    if occupancy >= 1.0 {
        return None;
    }
    let blocking = erlang_b(windows, load);
    let wait_probability = blocking / (1.0 - occupancy * (1.0 - blocking));
    let mean_wait = wait_probability / (c * service - arrivals);
    Some(ErlangC { windows, occupancy, wait_probability, mean_wait })
}

/// Erlang B by its recursion, which stays stable for any number of windows.
fn erlang_b(windows: u32, load: f64) -> f64 {
    (1..=windows).fold(1.0, |b, k| load * b / (k as f64 + load * b))
}

/// A service target: at least `share` of visitors wait no longer than `minutes` (80% in 15).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ServiceTarget {
    pub share: f64,
    pub minutes: f64,
}

impl Default for ServiceTarget {
    fn default() -> Self {
        ServiceTarget { share: 0.8, minutes: 15.0 }
    }
}

/// The fewest windows that meet `target` for these rates (none when nobody comes), by Erlang C.
pub fn windows_needed(arrivals: f64, service: f64, target: ServiceTarget) -> u32 {
    if arrivals <= 0.0 || service <= 0.0 {
        return 0;
    }
    // Start where the windows can keep up at all; the target is met a few windows later at most.
    let mut windows = (arrivals / service).floor() as u32 + 1;
    loop {
        if let Some(found) = erlang_c(windows, arrivals, service) {
            if found.service_level(arrivals, service, target.minutes) >= target.share {
                return windows;
            }
        }
        windows += 1;
    }
}

/// The fewest windows per period (a half hour, say) and queue that meet `target`:
/// `arrivals[period][queue]` per minute, `service_minutes[queue]` the mean visit.
pub fn staffing_plan(arrivals: &[Vec<f64>], service_minutes: &[f64], target: ServiceTarget) -> Vec<Vec<u32>> {
    arrivals
        .iter()
        .map(|period| period.iter().zip(service_minutes).map(|(rate, minutes)| windows_needed(*rate, 1.0 / minutes, target)).collect())
        .collect()
}

/// What a number of windows gives when visitors give up, by Erlang A.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangA {
    pub windows: u32,
    /// The probability that a visitor finds every window busy and waits.
    pub wait_probability: f64,
    /// The share of visitors who give up before being served.
    pub abandon_probability: f64,
    /// The mean wait in minutes over all visitors (those who give up count to when they leave).
    pub mean_wait: f64,
    /// The mean number waiting.
    pub mean_queue: f64,
}

/// Erlang A (M/M/c+M): the birth–death chain of the number in the hall, solved numerically and cut
/// off where its remaining probability is below 1e-15. Unlike Erlang C it has an answer for any
/// load, since a long queue loses visitors.
pub fn erlang_a(windows: u32, arrivals: f64, service: f64, patience: f64) -> Option<ErlangA> {
    if windows == 0 || !(arrivals > 0.0 && service > 0.0 && patience > 0.0) || !(arrivals + service + patience).is_finite() {
        return None;
    }
    let c = windows as f64;
    // Unnormalised stationary probabilities: p(n) = p(n-1) · λ / (min(n, c)·μ + max(n − c, 0)·θ).
    let (mut p, mut total, mut waiting_mass, mut queue_mass) = (1.0f64, 1.0f64, 0.0f64, 0.0f64);
    let mut n = 0u32;
    loop {
        n += 1;
        let nf = n as f64;
        let deaths = nf.min(c) * service + (nf - c).max(0.0) * patience;
        p *= arrivals / deaths;
        total += p;
        if n >= windows {
            waiting_mass += p;
            queue_mass += (nf - c) * p;
        }
        // Past the windows, the terms fall geometrically once deaths exceed arrivals.
        if n > windows && deaths > arrivals && p < 1e-15 * total {
            break;
        }
        if n > 1_000_000 {
            return None;
        }
    }
    let wait_probability = waiting_mass / total;
    let mean_queue = queue_mass / total;
    Some(ErlangA { windows, wait_probability, abandon_probability: patience * mean_queue / arrivals, mean_wait: mean_queue / arrivals, mean_queue })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn erlang_c_matches_the_textbook() {
        // M/M/1: Wq = ρ / (μ − λ).
        let single = erlang_c(1, 0.5, 1.0).unwrap();
        assert!(close(single.wait_probability, 0.5, 1e-12) && close(single.mean_wait, 1.0, 1e-12));
        // c = 5, λ = 0.9/min, μ = 0.2/min: Wq = 7.625 min (the reference figure).
        let five = erlang_c(5, 0.9, 0.2).unwrap();
        assert!(close(five.mean_wait, 7.625, 0.0005), "{}", five.mean_wait);
        assert!(close(five.occupancy, 0.9, 1e-12));
        assert_eq!(erlang_c(4, 0.9, 0.2), None, "four windows cannot keep up with a load of 4.5");
        assert_eq!(erlang_c(3, 0.0, 0.2), None);
    }

    #[test]
    fn the_fewest_windows_that_meet_the_target() {
        let target = ServiceTarget::default();
        let needed = windows_needed(0.9, 0.2, target);
        let level = |c| erlang_c(c, 0.9, 0.2).map_or(0.0, |e| e.service_level(0.9, 0.2, 15.0));
        assert!(level(needed) >= 0.8 && level(needed - 1) < 0.8, "{needed}: {} / {}", level(needed), level(needed - 1));
        assert_eq!(windows_needed(0.0, 0.2, target), 0);
        let plan = staffing_plan(&[vec![0.9, 0.0], vec![0.1, 0.3]], &[5.0, 4.0], target);
        assert_eq!(plan, vec![vec![needed, 0], vec![windows_needed(0.1, 0.2, target), windows_needed(0.3, 0.25, target)]]);
    }

    #[test]
    fn erlang_a_loses_impatient_visitors_and_tends_to_erlang_c() {
        let patient = erlang_a(5, 0.9, 0.2, 1e-9).unwrap();
        let exact = erlang_c(5, 0.9, 0.2).unwrap();
        assert!(close(patient.wait_probability, exact.wait_probability, 1e-6) && close(patient.mean_wait, exact.mean_wait, 1e-3), "{patient:?}");
        let impatient = erlang_a(5, 0.9, 0.2, 1.0 / 10.0).unwrap();
        assert!(impatient.mean_wait < exact.mean_wait && impatient.abandon_probability > 0.0);
        let overloaded = erlang_a(2, 0.9, 0.2, 0.1).unwrap();
        assert!(overloaded.abandon_probability > 0.5, "most leave when the load is 4.5 on two windows: {overloaded:?}");
    }
}
