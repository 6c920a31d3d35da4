//! The discrete-event run: visitors arrive (Poisson, at each opening hour's rate), wait in their
//! queue, and windows call them by the live system's rule, [`banshi_domain::queue::next_ticket`].
//!
//! A window that comes free calls the next ticket by that rule. Within a queue, tickets of one kind
//! (priority or not) are called in arrival order — the rule ranks them so, overdue or not — so the
//! rule is asked about each kind's oldest ticket alone, which gives the same choice as asking
//! about all of them (a property test checks this) at a fraction of the cost. A visitor who finds
//! several windows idle goes to the most specialised one that serves their queue (fewest queues),
//! the lowest number next; a green-channel window comes first for priority visitors and last for
//! the others. Service times are drawn on arrival, so two runs of one seed give every visitor the
//! same visit whatever the windows (common random numbers for what-if comparisons).

use crate::scenario::{Scenario, Service, DAY};
use crate::stats::{WaitRecorder, WaitSummary};
use banshi_domain::queue::{next_ticket, CallOrder, Caller, Instant, Waiting};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, Exp1, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// The minutes the wait distribution is given for, one by one.
pub const WAIT_CHART_MINUTES: usize = 60;

/// What a run gives, in minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub days: u32,
    pub visitors: u64,
    pub served: u64,
    pub no_shows: u64,
    /// Served after the doors closed (they had their ticket before).
    pub served_after_close: u64,
    /// By the half hour of the day visitors arrived in (0 = 00:00–00:30): the share served within
    /// the scenario's `target_minutes`; none where nobody arrived.
    pub service_level_by_half_hour: Vec<Option<f64>>,
    /// Still waiting when the run gave up on them (only when no window could take them).
    pub unserved: u64,
    pub wait: WaitSummary,
    /// All waits per whole minute: index i counts waits from i to i + 1 minutes; the last,
    /// [`WAIT_CHART_MINUTES`] or more.
    pub wait_by_minute: Vec<u64>,
    pub queues: BTreeMap<String, QueueOutcome>,
    pub windows: Vec<WindowOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueOutcome {
    pub visitors: u64,
    pub wait: WaitSummary,
    /// People waiting during opening hours: the time-weighted mean, and the most at once.
    pub queue_length_mean: f64,
    pub queue_length_max: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowOutcome {
    pub id: i32,
    pub served: u64,
    /// Busy time over the window's opening hours (and the time it stayed on after closing).
    pub utilisation: f64,
}

#[derive(Debug, Clone, Copy)]
struct Visitor {
    id: i64,
    queue: usize,
    arrived: f64,
    /// The same instant as the rule reads it.
    arrived_at: SimInstant,
    /// The half hour of the day it arrived in (0 = 00:00–00:30).
    half_hour: u8,
    service: f64,
    priority: bool,
    no_show: bool,
}

enum Sampler {
    Exponential(Exp<f64>),
    Lognormal(LogNormal<f64>),
    Empirical(Vec<f64>),
}

impl Sampler {
    fn new(service: &Service) -> Sampler {
        match service {
            Service::Exponential { mean } => Sampler::Exponential(Exp::new(1.0 / mean).expect("a positive mean, checked when read")),
            Service::Lognormal { mean, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                Sampler::Lognormal(LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).expect("a positive mean, checked when read"))
            }
            Service::Empirical { samples } => Sampler::Empirical(samples.clone()),
        }
    }

    fn draw(&self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        match self {
            Sampler::Exponential(exp) => exp.sample(rng),
            Sampler::Lognormal(lognormal) => lognormal.sample(rng),
            Sampler::Empirical(samples) => samples[rng.gen_range(0..samples.len())],
        }
    }
}

/// The visitors of the run, one at a time, day after day.
struct Arrivals<'a> {
    scenario: &'a Scenario,
    rng: Xoshiro256PlusPlus,
    samplers: Vec<Sampler>,
    /// Per opening hour: its start and end (minutes after midnight) and rate per minute.
    hours: Vec<(f64, f64, f64)>,
    cumulative_shares: Vec<f64>,
    day: u32,
    hour: usize,
    clock: f64,
    next_id: i64,
}

impl<'a> Arrivals<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        let hours = scenario.hourly_rates();
        let mut total = 0.0;
        let cumulative_shares = scenario.queues.iter().map(|q| {
            total += q.share;
            total
        });
        Arrivals {
            scenario,
            rng: Xoshiro256PlusPlus::seed_from_u64(scenario.seed),
            samplers: scenario.queues.iter().map(|q| Sampler::new(&q.service)).collect(),
            hours,
            cumulative_shares: cumulative_shares.collect(),
            day: 0,
            hour: 0,
            clock: scenario.open,
            next_id: 0,
        }
    }

    fn next(&mut self) -> Option<Visitor> {
        loop {
            if self.day >= self.scenario.days {
                return None;
            }
            let Some(&(_, end, rate)) = self.hours.get(self.hour) else {
                self.day += 1;
                self.hour = 0;
                self.clock = self.hours.first().map_or(self.scenario.open, |h| h.0);
                continue;
            };
            if rate > 0.0 {
                // Exponential gaps at this hour's rate; past its end, the next hour starts afresh
                // (the process has no memory, so this is exact).
                let gap: f64 = self.rng.sample(Exp1);
                self.clock += gap / rate;
            } else {
                self.clock = end;
            }
            if self.clock >= end {
                self.hour += 1;
                self.clock = self.hours.get(self.hour).map_or(end, |h| h.0);
                continue;
            }
            let arrived = self.day as f64 * DAY + self.clock;
            // One uniform picks the queue, then the visitor's kind and whether they come: where it
            // fell within the queue's share is again uniform and independent of the queue, and so
            // on down (fewer draws per visitor; the same distribution to 53 bits).
            let pick: f64 = self.rng.gen();
            let queue = self.cumulative_shares.iter().position(|c| pick < *c).unwrap_or(self.cumulative_shares.len() - 1);
            let low = if queue == 0 { 0.0 } else { self.cumulative_shares[queue - 1] };
            let within = ((pick - low) / (self.cumulative_shares[queue] - low)).clamp(0.0, 1.0);
            let priority_share = self.scenario.priority_share + self.scenario.appointment_share;
            let priority = within < priority_share;
            let within = if priority { within / priority_share } else { (within - priority_share) / (1.0 - priority_share) };
            let no_show = within < self.scenario.no_show_share;
            let service = self.samplers[queue].draw(&mut self.rng);
            self.next_id += 1;
            let arrived_at = SimInstant::of(arrived);
            let half_hour = (self.clock / 30.0) as u8;
            return Some(Visitor { id: self.next_id, queue, arrived, arrived_at, half_hour, service, priority, no_show });
        }
    }
}

struct WindowState<'a> {
    busy: f64,
    overtime: f64,
    served: u64,
    queue_names: Vec<&'a str>,
}

/// The rule's clock in the simulation: microseconds from the start, an integer so instants order
/// totally and the waiting limit is an exact subtraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SimInstant(i64);

impl SimInstant {
    fn of(minutes: f64) -> SimInstant {
        // Times are never negative: adding a half before truncating rounds.
        SimInstant((minutes * 60e6 + 0.5) as i64)
    }
}

impl Instant for SimInstant {
    fn at_least_minutes_after(self, earlier: Self, minutes: i64) -> bool {
        self.0 - earlier.0 >= minutes * 60_000_000
    }
}

/// Runs the scenario to the end of its days and until everyone who came has been served.
pub fn simulate(scenario: &Scenario) -> Outcome {
    // The rule reads queue names, borrowed from the scenario for the run.
    let names: Vec<&str> = scenario.queues.iter().map(|q| q.id.as_str()).collect();
    let mut arrivals = Arrivals::new(scenario);
    let mut upcoming = arrivals.next();
    // Per queue: [walk-ins, priority], each in arrival order.
    let mut lanes: Vec<[VecDeque<Visitor>; 2]> = scenario.queues.iter().map(|_| [VecDeque::new(), VecDeque::new()]).collect();
    let mut windows: Vec<WindowState> = scenario
        .windows
        .iter()
        .map(|w| WindowState { busy: 0.0, overtime: 0.0, served: 0, queue_names: w.serves.iter().map(|q| names[*q]).collect() })
        .collect();
    // When each window's visit under way ends; infinity while it is idle. Apart from the rest of
    // a window's state, so finding the next end reads one short run of memory.
    let mut ends: Vec<f64> = vec![f64::INFINITY; scenario.windows.len()];
    // When windows open in a day, in order: a window opening is an event while someone waits.
    let mut openings: Vec<f64> = scenario.windows.iter().flat_map(|w| w.shifts.iter().map(|(from, _)| *from)).collect();
    openings.sort_by(f64::total_cmp);
    openings.dedup();
    let mut overall = WaitRecorder::default();
    let mut per_queue: Vec<WaitRecorder> = scenario.queues.iter().map(|_| WaitRecorder::default()).collect();
    let mut visitors_per_queue = vec![0u64; scenario.queues.len()];
    let mut waiting = vec![0u64; scenario.queues.len()];
    let mut waiting_total = 0u64;
    let mut lengths = Lengths { area: vec![0.0; scenario.queues.len()], since: vec![0.0; scenario.queues.len()] };
    let mut longest = vec![0u64; scenario.queues.len()];
    let mut visitors = 0u64;
    let mut tally = Tally { no_shows: 0, after_close: 0, served_by_half_hour: [0; 48], within_target_by_half_hour: [0; 48] };
    let mut now = 0.0f64;
    let mut day = Day::default();
    let give_up = (scenario.days as f64 + 30.0) * DAY;
    // Reused for every call: the lanes' oldest tickets as the rule sees them, and where each is.
    let mut view: Vec<Waiting<'_, SimInstant>> = Vec::new();
    let mut places: Vec<(usize, usize)> = Vec::new();
    // Per queue and kind (walk-in, priority): the windows a visitor who finds them idle goes to,
    // best first (green channel first for priority, last for others; most specialised; lowest).
    let idle_order: Vec<[Vec<usize>; 2]> = (0..scenario.queues.len())
        .map(|q| {
            [false, true].map(|priority| {
                let mut order: Vec<usize> = (0..scenario.windows.len()).filter(|w| scenario.windows[*w].serves.contains(&q)).collect();
                order.sort_by_key(|w| {
                    let spec = &scenario.windows[*w];
                    (spec.green_channel != priority, spec.serves.len(), spec.id)
                });
                order
            })
        })
        .collect();
    // The earliest end of a visit under way: kept as visits start, found afresh when one ends
    // (a scan of a dozen numbers beat a heap here, measured).
    let mut done_at = f64::INFINITY;
    let mut done_window = usize::MAX;

    let available = |w: usize, clock: f64| {
        let spec = &scenario.windows[w];
        spec.staffed(clock, scenario.close)
    };

    loop {
        let arrival_at = upcoming.map_or(f64::INFINITY, |v| v.arrived);
        let opening_at = if waiting_total > 0 { day.next_opening(now, &openings) } else { f64::INFINITY };
        let next = arrival_at.min(done_at).min(opening_at);
        if !next.is_finite() || next > give_up {
            break;
        }
        now = next;
        // Each day is a batch for the confidence intervals.
        if day.advance(now) {
            overall.end_batch();
            per_queue.iter_mut().for_each(WaitRecorder::end_batch);
        }
        let clock = day.clock(now);

        let callers: &mut dyn Iterator<Item = usize> = &mut if done_at == next {
            let ended = done_window;
            ends[ended] = f64::INFINITY;
            (done_window, done_at) = earliest_end(&ends);
            ended..ended + 1
        } else if arrival_at == next {
            let visitor = upcoming.take().expect("the arrival just chosen");
            upcoming = arrivals.next();
            visitors += 1;
            visitors_per_queue[visitor.queue] += 1;
            // The most specialised idle window for the visitor's queue; green channel first for
            // priority visitors, last for the others.
            let idle = idle_order[visitor.queue][usize::from(visitor.priority)].iter().copied().find(|w| ends[*w] == f64::INFINITY && available(*w, clock));
            match idle {
                Some(w) => {
                    ends[w] = serve(&mut windows[w], &visitor, now, clock, scenario);
                    if ends[w] < done_at {
                        (done_window, done_at) = (w, ends[w]);
                    }
                    record(&visitor, now, &day, scenario, &mut overall, &mut per_queue, &mut tally);
                }
                None => {
                    lanes[visitor.queue][usize::from(visitor.priority)].push_back(visitor);
                    lengths.account(visitor.queue, waiting[visitor.queue], now, scenario);
                    waiting[visitor.queue] += 1;
                    waiting_total += 1;
                    longest[visitor.queue] = longest[visitor.queue].max(waiting[visitor.queue]);
                }
            }
            0..0
        } else {
            // A window opened: every idle one tries.
            0..windows.len()
        };

        for w in callers {
            if ends[w] != f64::INFINITY || !available(w, clock) || waiting_total == 0 {
                continue;
            }
            let spec = &scenario.windows[w];
            view.clear();
            places.clear();
            for &q in &spec.serves {
                for (lane, line) in lanes[q].iter().enumerate() {
                    if let Some(front) = line.front() {
                        view.push(Waiting { id: front.id, queue: names[q], arrived_at: front.arrived_at, priority: lane == 1, for_window: None });
                        places.push((q, lane));
                    }
                }
            }
            let caller = Caller { window: spec.id, queues: &windows[w].queue_names, order: CallOrder::Preference };
            let Some(chosen) = next_ticket(caller, &view, SimInstant::of(now), &scenario.policy) else { continue };
            let (q, lane) = places[chosen];
            let visitor = lanes[q][lane].pop_front().expect("the head just chosen");
            lengths.account(q, waiting[q], now, scenario);
            waiting[q] -= 1;
            waiting_total -= 1;
            ends[w] = serve(&mut windows[w], &visitor, now, clock, scenario);
            if ends[w] < done_at {
                (done_window, done_at) = (w, ends[w]);
            }
            record(&visitor, now, &day, scenario, &mut overall, &mut per_queue, &mut tally);
        }
    }
    overall.end_batch();
    per_queue.iter_mut().for_each(WaitRecorder::end_batch);

    let opening_minutes = scenario.days as f64 * (scenario.close - scenario.open);
    let queues = scenario
        .queues
        .iter()
        .enumerate()
        .map(|(q, spec)| {
            let outcome = QueueOutcome { visitors: visitors_per_queue[q], wait: per_queue[q].summary(), queue_length_mean: lengths.area[q] / opening_minutes, queue_length_max: longest[q] };
            (spec.id.clone(), outcome)
        })
        .collect();
    let windows = scenario
        .windows
        .iter()
        .zip(&windows)
        .map(|(spec, state)| {
            let scheduled = scenario.days as f64 * spec.shifts.iter().map(|(from, to)| to - from).sum::<f64>();
            WindowOutcome { id: spec.id, served: state.served, utilisation: state.busy / (scheduled + state.overtime) }
        })
        .collect();
    let served = overall.count();
    Outcome {
        days: scenario.days,
        visitors,
        served,
        no_shows: tally.no_shows,
        served_after_close: tally.after_close,
        service_level_by_half_hour: tally
            .served_by_half_hour
            .iter()
            .zip(tally.within_target_by_half_hour)
            .map(|(served, within)| (*served > 0).then(|| within as f64 / *served as f64))
            .collect(),
        unserved: waiting_total,
        wait_by_minute: overall.by_minute(WAIT_CHART_MINUTES),
        wait: overall.summary(),
        queues,
        windows,
    }
}

/// People waiting per queue over time: each queue's count times how long it held, added when the
/// count changes, for the spans that began in opening hours.
struct Lengths {
    area: Vec<f64>,
    /// When each queue's count last changed.
    since: Vec<f64>,
}

impl Lengths {
    /// The queue's count was `count` from its last change until `now`, when it changes again.
    fn account(&mut self, queue: usize, count: u64, now: f64, scenario: &Scenario) {
        let since = self.since[queue];
        let began = since - (since / DAY).floor() * DAY;
        if count > 0 && (scenario.open..scenario.close).contains(&began) {
            self.area[queue] += count as f64 * (now - since);
        }
        self.since[queue] = now;
    }
}

/// The window whose visit ends first, and when (infinity when all are idle).
fn earliest_end(ends: &[f64]) -> (usize, f64) {
    let mut earliest = (usize::MAX, f64::INFINITY);
    for (i, end) in ends.iter().enumerate() {
        if *end < earliest.1 {
            earliest = (i, *end);
        }
    }
    earliest
}

/// The day the clock is in, followed as it moves on (a division per day, not per event).
#[derive(Default)]
struct Day {
    index: u64,
    start: f64,
}

impl Day {
    /// Moves to the day `now` is in; true when that is a new day.
    fn advance(&mut self, now: f64) -> bool {
        if now < self.start + DAY {
            return false;
        }
        self.index = (now / DAY) as u64;
        self.start = self.index as f64 * DAY;
        true
    }

    /// Minutes after midnight; `now` lies in this day or the next.
    fn clock(&self, now: f64) -> f64 {
        now - self.start
    }

    /// The first window opening after `now`.
    fn next_opening(&self, now: f64, openings: &[f64]) -> f64 {
        let clock = self.clock(now);
        match openings.iter().find(|open| **open > clock) {
            Some(open) => self.start + open,
            None => self.start + DAY + openings[0],
        }
    }
}

/// The window takes the visitor now (`clock` minutes after midnight): busy for the visit, or for
/// the calls to an absent visitor, until the time returned.
fn serve(window: &mut WindowState, visitor: &Visitor, now: f64, clock: f64, scenario: &Scenario) -> f64 {
    let length = if visitor.no_show { scenario.no_show_minutes } else { visitor.service };
    window.busy += length;
    if clock >= scenario.close {
        window.overtime += length;
    }
    if !visitor.no_show {
        window.served += 1;
    }
    now + length
}

/// Counts the call: a wait for a visitor served (after closing, if so), or a no-show.
#[inline]
fn record(visitor: &Visitor, now: f64, day: &Day, scenario: &Scenario, overall: &mut WaitRecorder, per_queue: &mut [WaitRecorder], tally: &mut Tally) {
    if visitor.no_show {
        tally.no_shows += 1;
        return;
    }
    let wait = now - visitor.arrived;
    overall.record(wait);
    per_queue[visitor.queue].record(wait);
    if day.clock(now) >= scenario.close || visitor.arrived < day.start {
        tally.after_close += 1;
    }
    let slot = usize::from(visitor.half_hour).min(47);
    tally.served_by_half_hour[slot] += 1;
    tally.within_target_by_half_hour[slot] += u64::from(wait <= scenario.target_minutes);
}

/// Counts kept beside the waits.
struct Tally {
    no_shows: u64,
    after_close: u64,
    /// By the half hour of the day the visitor arrived in: served, and served within the target.
    served_by_half_hour: [u64; 48],
    within_target_by_half_hour: [u64; 48],
}
