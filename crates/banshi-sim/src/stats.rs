//! Wait statistics: the mean exactly, percentiles from a fine histogram (to the hundredth of a
//! minute), and 95% confidence intervals by batch means over the days.

use serde::Serialize;

/// Histogram resolution: a hundredth of a minute, up to four hours; longer waits are kept one by
/// one.
const BINS_PER_MINUTE: f64 = 100.0;
const BINS: usize = 240 * 100;

/// Waits of one kind (a queue, or all), collected as they happen.
#[derive(Debug, Clone)]
pub struct WaitRecorder {
    count: u64,
    sum: f64,
    max: f64,
    bins: Vec<u32>,
    beyond: Vec<f64>,
    /// The current batch's waits above zero, for its percentiles, and how many were zero (most
    /// visitors of a well-staffed hall wait for nothing; counting them apart keeps the daily
    /// percentile searches short).
    batch: Vec<f64>,
    batch_zeros: usize,
    batch_sum: f64,
    batches: Batches,
}

#[derive(Debug, Clone, Default)]
struct Batches {
    means: Vec<f64>,
    p90: Vec<f64>,
    p95: Vec<f64>,
}

impl Default for WaitRecorder {
    fn default() -> Self {
        WaitRecorder { count: 0, sum: 0.0, max: 0.0, bins: vec![0; BINS], beyond: Vec::new(), batch: Vec::new(), batch_zeros: 0, batch_sum: 0.0, batches: Batches::default() }
    }
}

impl WaitRecorder {
    pub fn record(&mut self, wait: f64) {
        self.count += 1;
        self.sum += wait;
        self.max = self.max.max(wait);
        let bin = (wait * BINS_PER_MINUTE) as usize;
        match self.bins.get_mut(bin) {
            Some(count) => *count += 1,
            None => self.beyond.push(wait),
        }
        if wait > 0.0 {
            self.batch.push(wait);
            self.batch_sum += wait;
        } else {
            self.batch_zeros += 1;
        }
    }

    /// Closes the current batch (a day); a day without visitors is no batch.
    pub fn end_batch(&mut self) {
        let len = self.batch.len() + self.batch_zeros;
        if len == 0 {
            return;
        }
        // The 90th first; the 95th lies among the tenth above it, a short second search. A rank
        // among the zeros is zero.
        let (p90_rank, p95_rank) = (rank(len, 0.90), rank(len, 0.95));
        let zeros = self.batch_zeros;
        let p90 = if p90_rank < zeros { 0.0 } else { *self.batch.select_nth_unstable_by(p90_rank - zeros, f64::total_cmp).1 };
        let p95 = match (p95_rank.checked_sub(zeros), p90_rank.checked_sub(zeros)) {
            (None, _) => 0.0,
            (Some(p95_at), None) => *self.batch.select_nth_unstable_by(p95_at, f64::total_cmp).1,
            (Some(p95_at), Some(p90_at)) => *self.batch[p90_at..].select_nth_unstable_by(p95_at - p90_at, f64::total_cmp).1,
        };
        self.batches.means.push(self.batch_sum / len as f64);
        self.batches.p90.push(p90);
        self.batches.p95.push(p95);
        self.batch.clear();
        self.batch_zeros = 0;
        self.batch_sum = 0.0;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Waits per whole minute: index i counts waits from i to i + 1 minutes; the last, `minutes`
    /// or more.
    pub fn by_minute(&self, minutes: usize) -> Vec<u64> {
        let mut counts = vec![0u64; minutes + 1];
        for (bin, count) in self.bins.iter().enumerate() {
            counts[(bin / BINS_PER_MINUTE as usize).min(minutes)] += u64::from(*count);
        }
        counts[minutes] += self.beyond.len() as u64;
        counts
    }

    /// The values at `shares` (ascending) of all waits (nearest rank), to the histogram's
    /// resolution, in one pass over the bins up to the longest wait.
    fn percentiles<const N: usize>(&mut self, shares: [f64; N]) -> [f64; N] {
        let mut found = [0.0; N];
        if self.count == 0 {
            return found;
        }
        let ranks = shares.map(|share| ((share * self.count as f64).ceil() as u64).max(1));
        let mut next = 0;
        let mut seen = 0u64;
        let last = ((self.max * BINS_PER_MINUTE) as usize).min(BINS - 1);
        for (bin, count) in self.bins[..=last].iter().enumerate() {
            seen += u64::from(*count);
            while next < N && seen >= ranks[next] {
                found[next] = (bin as f64 + 0.5) / BINS_PER_MINUTE;
                next += 1;
            }
        }
        self.beyond.sort_by(f64::total_cmp);
        for (index, rank) in ranks.iter().enumerate().skip(next) {
            found[index] = self.beyond[(rank - seen - 1) as usize];
        }
        found
    }

    pub fn summary(&mut self) -> WaitSummary {
        let [p50, p90, p95] = self.percentiles([0.50, 0.90, 0.95]);
        let mean = if self.count == 0 { 0.0 } else { self.sum / self.count as f64 };
        WaitSummary {
            served: self.count,
            mean,
            p50,
            p90,
            p95,
            max: self.max,
            mean_ci95: interval_around(mean, &self.batches.means),
            p90_ci95: interval_around(p90, &self.batches.p90),
            p95_ci95: interval_around(p95, &self.batches.p95),
        }
    }
}

/// The 0-based nearest rank of `share` among `len` values.
fn rank(len: usize, share: f64) -> usize {
    ((share * len as f64).ceil() as usize).clamp(1, len) - 1
}

/// Waits in minutes, over those served (no-shows are counted apart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitSummary {
    pub served: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub max: f64,
    /// 95% confidence intervals by batch means over the days; absent with fewer than two days.
    pub mean_ci95: Option<[f64; 2]>,
    pub p90_ci95: Option<[f64; 2]>,
    pub p95_ci95: Option<[f64; 2]>,
}

/// The 95% confidence interval of `estimate`, a figure over all waits, from the spread of the same
/// figure day by day (batch means, Student's t). Centred on the figure printed beside it: the mean
/// of the days' p90s is another number than the p90 of all waits (a hall printed p90 6.3 with
/// [7.1, 9.3]), and days of unequal size move them apart.
pub fn interval_around(estimate: f64, batches: &[f64]) -> Option<[f64; 2]> {
    let n = batches.len();
    if n < 2 {
        return None;
    }
    let mean = batches.iter().sum::<f64>() / n as f64;
    let variance = batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_975(n - 1) * (variance / n as f64).sqrt();
    // Every figure it bounds is a wait, never negative: 「-0.0–0.0」 said nothing true.
    Some([(estimate - half).max(0.0), estimate + half])
}

/// Student's t at 97.5% for `df` degrees of freedom.
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
        2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_intervals() {
        let mut waits = WaitRecorder::default();
        for day in 0..10 {
            for i in 0..100 {
                waits.record(i as f64 / 10.0 + day as f64 * 0.01);
            }
            waits.end_batch();
        }
        let summary = waits.summary();
        assert_eq!(summary.served, 1000);
        assert!((summary.p90 - 8.99).abs() < 0.01, "{}", summary.p90);
        assert!((summary.max - 9.99).abs() < 1e-9);
        let [low, high] = summary.mean_ci95.unwrap();
        assert!(low < summary.mean && summary.mean < high && high - low < 0.1, "{low} {high}");
        let mut mostly_zero = WaitRecorder::default();
        for day in 0..3 {
            for i in 0..100 {
                mostly_zero.record(if i < 92 { 0.0 } else { (i - 91) as f64 + day as f64 });
            }
            mostly_zero.end_batch();
        }
        assert_eq!(mostly_zero.batches.p90, [0.0; 3], "the 90th of 100 falls among 92 zeros");
        assert_eq!(mostly_zero.batches.p95, [3.0, 4.0, 5.0], "the 95th is the third wait above zero");
        // Nine quiet days of ten visitors and one busy day of a thousand: every interval holds the
        // figure it is printed beside (the days' own mean and p90 are near 1, the hall's near 10).
        let mut uneven = WaitRecorder::default();
        for day in 0..10 {
            for _ in 0..if day == 9 { 1000 } else { 10 } {
                uneven.record(if day == 9 { 10.0 } else { 1.0 });
            }
            uneven.end_batch();
        }
        let summary = uneven.summary();
        for (figure, ci) in [(summary.mean, summary.mean_ci95), (summary.p90, summary.p90_ci95), (summary.p95, summary.p95_ci95)] {
            let [low, high] = ci.unwrap();
            assert!(low <= figure && figure <= high, "{figure} in [{low}, {high}]");
        }
        let mut long = WaitRecorder::default();
        long.record(1.0);
        long.record(2000.0);
        let summary = long.summary();
        assert_eq!((summary.p50, summary.p95), (1.005, 2000.0), "waits beyond four hours are kept exactly");
    }
}
