//! Latency histograms: recorded in microseconds with hdrhistogram on each worker, sent
//! to the coordinator as their recorded buckets, merged, and summarized in a result as
//! percentiles and a cumulative distribution in milliseconds.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The largest latency recorded, in microseconds (ten minutes); longer ones are clamped.
const HIGHEST_MICROS: u64 = 600_000_000;

/// Points kept in a summary's cumulative distribution.
const CDF_POINTS: usize = 120;

/// A histogram of latencies in microseconds, three significant digits.
#[derive(Debug, Clone)]
pub(crate) struct Latencies {
    histogram: Histogram<u64>,
}

/// A histogram as it travels between processes: `(microseconds, count)` per recorded
/// bucket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Buckets(pub(crate) Vec<(u64, u64)>);

/// The summary of a latency distribution in a result file, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Summary {
    /// Samples recorded.
    pub(crate) count: u64,
    pub(crate) p50: f64,
    pub(crate) p90: f64,
    pub(crate) p99: f64,
    pub(crate) p999: f64,
    pub(crate) max: f64,
    pub(crate) mean: f64,
    /// `[milliseconds, fraction of samples at or below]`, increasing, ending at 1.
    pub(crate) cdf: Vec<[f64; 2]>,
}

impl Default for Latencies {
    fn default() -> Latencies {
        Latencies::new()
    }
}

impl Latencies {
    /// An empty histogram.
    pub(crate) fn new() -> Latencies {
        // The bounds are constants that hdrhistogram accepts.
        #[allow(clippy::expect_used, reason = "constant, valid bounds")]
        let histogram = Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).expect("valid bounds");
        Latencies { histogram }
    }

    /// Records one latency, clamped to the histogram's range.
    pub(crate) fn record_micros(&mut self, micros: u64) {
        self.histogram.saturating_record(micros.max(1));
    }

    /// Samples recorded.
    pub(crate) fn len(&self) -> u64 {
        self.histogram.len()
    }

    /// The buckets to send to the coordinator.
    pub(crate) fn buckets(&self) -> Buckets {
        Buckets(
            self.histogram
                .iter_recorded()
                .map(|bucket| (bucket.value_iterated_to(), bucket.count_at_value()))
                .collect(),
        )
    }

    /// Adds a worker's buckets.
    pub(crate) fn merge(&mut self, buckets: &Buckets) {
        for &(micros, count) in &buckets.0 {
            let _ = self
                .histogram
                .record_n(micros.clamp(1, HIGHEST_MICROS), count);
        }
    }

    /// Percentiles and the cumulative distribution, in milliseconds.
    pub(crate) fn summary(&self) -> Summary {
        let histogram = &self.histogram;
        if histogram.is_empty() {
            return Summary::default();
        }
        let ms = |micros: u64| round3(micros as f64 / 1_000.0);
        let mut cdf = Vec::with_capacity(CDF_POINTS + 1);
        for step in 1..=CDF_POINTS {
            // Steps are denser towards the tail (see `quantile_at`).
            let quantile = quantile_at(step);
            let point = [ms(histogram.value_at_quantile(quantile)), quantile];
            if cdf.last().is_none_or(|last: &[f64; 2]| last[0] < point[0]) {
                cdf.push(point);
            } else if let Some(last) = cdf.last_mut() {
                last[1] = quantile;
            }
        }
        if let Some(last) = cdf.last_mut() {
            last[1] = 1.0;
        }
        Summary {
            count: histogram.len(),
            p50: ms(histogram.value_at_quantile(0.50)),
            p90: ms(histogram.value_at_quantile(0.90)),
            p99: ms(histogram.value_at_quantile(0.99)),
            p999: ms(histogram.value_at_quantile(0.999)),
            max: ms(histogram.max()),
            mean: round3(histogram.mean() / 1_000.0),
            cdf,
        }
    }
}

/// The quantile of cumulative-distribution point `step` of [`CDF_POINTS`]: the first
/// half evenly from 0 to 0.9, the second half from 0.9 to 1 on a log scale of the tail.
fn quantile_at(step: usize) -> f64 {
    let half = CDF_POINTS / 2;
    if step <= half {
        0.9 * step as f64 / half as f64
    } else {
        let tail = (step - half) as f64 / (CDF_POINTS - half) as f64;
        // 0.9 → 0.99999 as tail goes 0 → 1.
        1.0 - 0.1 * 10_f64.powf(-4.0 * tail)
    }
}

fn round3(value: f64) -> f64 {
    (value * 1_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_buckets_give_the_same_percentiles() {
        let mut worker = Latencies::new();
        for micros in 1..=10_000 {
            worker.record_micros(micros);
        }
        let mut coordinator = Latencies::new();
        coordinator.merge(&worker.buckets());
        let summary = coordinator.summary();
        assert_eq!(summary.count, 10_000);
        assert!((summary.p50 - 5.0).abs() < 0.01, "{summary:?}");
        assert!((summary.p99 - 9.9).abs() < 0.01, "{summary:?}");
        assert!((summary.max - 10.0).abs() < 0.01, "{summary:?}");
        let last = summary.cdf.last().copied().unwrap_or_default();
        assert_eq!(last[1], 1.0);
        assert!(summary.cdf.windows(2).all(|pair| match pair {
            [a, b] => a[0] < b[0] && a[1] <= b[1],
            _ => true,
        }));
    }

    #[test]
    fn an_empty_histogram_summarizes_to_zeros() {
        assert_eq!(Latencies::new().summary(), Summary::default());
    }
}
