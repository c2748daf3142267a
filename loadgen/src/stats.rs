//! Latency samples and their percentiles.

use std::time::Duration;

/// Latencies of relayed messages.
#[derive(Debug, Default, Clone)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, latency: Duration) {
        self.0.push(latency);
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 100), or `None` without samples.
    pub fn percentile(&mut self, p: f64) -> Option<Duration> {
        if self.0.is_empty() {
            return None;
        }
        self.0.sort_unstable();
        // The epsilon keeps 99.9 % of 1000 at rank 999 despite rounding.
        let rank = (p / 100.0 * self.0.len() as f64 - 1e-9).ceil() as usize;
        self.0.get(rank.clamp(1, self.0.len()) - 1).copied()
    }

    /// `p50 / p99 / p99.9` in microseconds, for a table cell.
    pub fn summary(&mut self) -> String {
        let micros = |d: Option<Duration>| {
            d.map_or_else(
                || "–".to_owned(),
                |d| format!("{:.0}", d.as_secs_f64() * 1e6),
            )
        };
        format!(
            "{} / {} / {} µs",
            micros(self.percentile(50.0)),
            micros(self.percentile(99.0)),
            micros(self.percentile(99.9))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut latencies = Latencies::default();
        assert_eq!(latencies.percentile(50.0), None);
        for micros in (1..=1000).rev() {
            latencies.push(Duration::from_micros(micros));
        }
        assert_eq!(latencies.percentile(50.0), Some(Duration::from_micros(500)));
        assert_eq!(latencies.percentile(99.0), Some(Duration::from_micros(990)));
        assert_eq!(latencies.percentile(99.9), Some(Duration::from_micros(999)));
        assert_eq!(
            latencies.percentile(100.0),
            Some(Duration::from_micros(1000))
        );
    }
}
