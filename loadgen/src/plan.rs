//! What a run does and for how long: the full bench (a few minutes) or the quick check (a few
//! seconds, for `cargo xtask test`).

use std::time::Duration;

use crate::abuse::Abuse;
use crate::churn::Churn;

/// Sizes and durations of each scenario.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Idle connections held at each memory step (the last one stays open to the end).
    pub idle_steps: Vec<usize>,
    /// How long each latency measurement runs.
    pub latency_for: Duration,
    /// Pairs that carry the background load, in rooms of their own.
    pub background_pairs: usize,
    /// Background messages per second, all pairs together.
    pub background_rate: f64,
    pub throughput_pairs: usize,
    /// Messages in flight per throughput pair.
    pub throughput_window: usize,
    pub throughput_for: Duration,
    pub churn: Churn,
    pub abuse: Abuse,
    /// Whether the flooder must be closed with 4009 (the per-sender rate limit).
    pub expect_flood_close: bool,
    /// Extra arguments for the measurement server.
    pub server_args: Vec<String>,
    pub join_timeout: Duration,
    /// A quick run (for `cargo xtask test`): its figures judge no goal.
    pub quick: bool,
}

/// Bytes of every relayed payload in the latency and throughput scenarios.
pub const PAYLOAD: usize = 1024;

impl Plan {
    pub fn full() -> Self {
        let join_timeout = Duration::from_secs(2);
        Self {
            idle_steps: vec![1_000, 10_000],
            latency_for: Duration::from_secs(10),
            background_pairs: 50,
            background_rate: 10_000.0,
            throughput_pairs: 8,
            throughput_window: 32,
            throughput_for: Duration::from_secs(10),
            churn: Churn {
                joins_per_second: 100,
                duration: Duration::from_secs(90),
                stay: Duration::from_secs(2),
            },
            abuse: Abuse {
                flood_for: Duration::from_secs(10),
                join_timeout,
                normal_for: Duration::from_secs(20),
            },
            expect_flood_close: true,
            server_args: Vec::new(),
            join_timeout,
            quick: false,
        }
    }

    pub fn quick() -> Self {
        let join_timeout = Duration::from_secs(2);
        Self {
            idle_steps: vec![200],
            latency_for: Duration::from_secs(1),
            background_pairs: 4,
            background_rate: 400.0,
            throughput_pairs: 2,
            throughput_window: 8,
            throughput_for: Duration::from_secs(1),
            churn: Churn {
                joins_per_second: 20,
                duration: Duration::from_secs(2),
                stay: Duration::from_millis(500),
            },
            abuse: Abuse {
                // Only an upper bound: with the message rate the flood ends at once.
                flood_for: Duration::from_secs(10),
                join_timeout,
                normal_for: Duration::from_secs(2),
            },
            expect_flood_close: true,
            server_args: Vec::new(),
            join_timeout,
            quick: true,
        }
    }

    /// The most idle connections held at once.
    pub fn idle(&self) -> usize {
        self.idle_steps.iter().copied().max().unwrap_or(0)
    }

    /// Holds at most `most` idle connections.
    pub fn cap_idle(&mut self, most: usize) {
        for step in &mut self.idle_steps {
            *step = (*step).min(most);
        }
        self.idle_steps.dedup();
    }

    /// Connections the measurement server must allow at once.
    pub fn connections(&self) -> usize {
        let churning = f64::from(self.churn.joins_per_second) * self.churn.stay.as_secs_f64();
        self.idle() + 2 * (self.background_pairs + self.throughput_pairs) + churning as usize + 1000
    }
}
