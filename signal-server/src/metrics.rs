//! Counts for the operator: open connections, rooms, relayed messages and bytes, and refusals by
//! reason, as Prometheus text on `--metrics-listen` (off by default). Nothing per room or per
//! client exists here to be exposed.
//!
//! Refusals are also logged, one line per reason at most once a minute, with the count since the
//! last line: a flood of refusals cannot flood the log, and no line names a client.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use protocol::CloseCode;

use crate::AppState;

/// Seconds between two log lines about the same refusal reason.
const LOG_EVERY_SECS: u64 = 60;

/// Why the server turned a client away or cut it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Closed with this code (shutdowns are not refusals and are not counted).
    Closed(CloseCode),
    /// A WebSocket upgrade from a page of another origin (403).
    ForeignOrigin,
    /// A WebSocket upgrade whose path names no valid room id (400).
    NotARoom,
}

impl Refusal {
    const COUNT: usize = CloseCode::ALL.len() + 2;

    fn index(self) -> usize {
        match self {
            Self::Closed(code) => CloseCode::ALL
                .iter()
                .position(|known| *known == code)
                .unwrap_or(0),
            Self::ForeignOrigin => CloseCode::ALL.len(),
            Self::NotARoom => CloseCode::ALL.len() + 1,
        }
    }

    fn from_index(index: usize) -> Self {
        match CloseCode::ALL.get(index) {
            Some(code) => Self::Closed(*code),
            None if index == CloseCode::ALL.len() => Self::ForeignOrigin,
            None => Self::NotARoom,
        }
    }

    /// A stable label, e.g. `too_many_messages` or `foreign_origin`.
    fn label(self) -> String {
        let name = match self {
            Self::Closed(code) => format!("{code:?}"),
            Self::ForeignOrigin => "ForeignOrigin".to_owned(),
            Self::NotARoom => "NotARoom".to_owned(),
        };
        let mut label = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                label.push('_');
            }
            label.push(c.to_ascii_lowercase());
        }
        label
    }
}

/// One refusal reason's count and when it was last logged.
#[derive(Debug, Default)]
struct RefusalCount {
    total: AtomicU64,
    /// `total` when the last line was logged.
    logged_total: AtomicU64,
    /// Seconds since start, plus one, when the last line was logged (0: never).
    logged_at: AtomicU64,
}

/// The server's counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    relayed_messages: AtomicU64,
    relayed_bytes: AtomicU64,
    refusals: [RefusalCount; Refusal::COUNT],
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            relayed_messages: AtomicU64::new(0),
            relayed_bytes: AtomicU64::new(0),
            refusals: std::array::from_fn(|_| RefusalCount::default()),
        }
    }
}

impl Metrics {
    /// One signal of `bytes` payload bytes was passed on.
    pub fn relayed(&self, bytes: usize) {
        self.relayed_messages.fetch_add(1, Ordering::Relaxed);
        self.relayed_bytes
            .fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts a refusal and logs it if its reason has not been logged for a minute.
    pub fn refused(&self, refusal: Refusal) {
        if refusal == Refusal::Closed(CloseCode::GoingAway) {
            return;
        }
        let count = &self.refusals[refusal.index()];
        let total = count.total.fetch_add(1, Ordering::Relaxed) + 1;
        let now = self.started.elapsed().as_secs() + 1;
        let last = count.logged_at.load(Ordering::Relaxed);
        let due = last == 0 || now >= last + LOG_EVERY_SECS;
        if due
            && count
                .logged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let since = total - count.logged_total.swap(total, Ordering::Relaxed);
            let reason = refusal.label();
            tracing::info!(
                reason,
                since_last_line = since,
                "refused or cut off clients"
            );
        }
    }

    /// The Prometheus text exposition of every counter and the current gauges.
    pub fn render(&self, state: &AppState) -> String {
        let census = state.rooms.census();
        let mut text = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "stube_connections",
            "gauge",
            "Open WebSocket connections.",
            state.limiter.total() as u64,
        );
        metric(
            "stube_rooms",
            "gauge",
            "Rooms with someone in them.",
            census.rooms as u64,
        );
        metric(
            "stube_participants",
            "gauge",
            "Connections that joined a room.",
            census.peers as u64,
        );
        metric(
            "stube_relayed_messages_total",
            "counter",
            "Signalling messages passed on.",
            self.relayed_messages.load(Ordering::Relaxed),
        );
        metric(
            "stube_relayed_bytes_total",
            "counter",
            "Payload bytes of the signalling messages passed on.",
            self.relayed_bytes.load(Ordering::Relaxed),
        );
        if let Some(dropped) = state.rooms.bus_dropped() {
            metric(
                "stube_bus_dropped_total",
                "counter",
                "Messages for the other instances dropped because the queue to NATS was full.",
                dropped,
            );
        }
        text.push_str(
            "# HELP stube_refusals_total Clients turned away or cut off, by reason.\n\
             # TYPE stube_refusals_total counter\n",
        );
        for (index, count) in self.refusals.iter().enumerate() {
            let refusal = Refusal::from_index(index);
            if refusal == Refusal::Closed(CloseCode::GoingAway) {
                continue;
            }
            let _ = writeln!(
                text,
                "stube_refusals_total{{reason=\"{}\"}} {}",
                refusal.label(),
                count.total.load(Ordering::Relaxed)
            );
        }
        text
    }
}

/// `GET /metrics` on the metrics address.
pub async fn handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&state),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_snake_case_and_indices_round_trip() {
        assert_eq!(
            Refusal::Closed(CloseCode::TooManyMessages).label(),
            "too_many_messages"
        );
        assert_eq!(Refusal::ForeignOrigin.label(), "foreign_origin");
        for index in 0..Refusal::COUNT {
            assert_eq!(Refusal::from_index(index).index(), index);
        }
    }

    #[test]
    fn refusals_are_counted_but_shutdown_closes_are_not() {
        let metrics = Metrics::default();
        metrics.refused(Refusal::Closed(CloseCode::RoomFull));
        metrics.refused(Refusal::Closed(CloseCode::RoomFull));
        metrics.refused(Refusal::Closed(CloseCode::GoingAway));
        let room_full = Refusal::Closed(CloseCode::RoomFull).index();
        assert_eq!(metrics.refusals[room_full].total.load(Ordering::Relaxed), 2);
        let going_away = Refusal::Closed(CloseCode::GoingAway).index();
        assert_eq!(
            metrics.refusals[going_away].total.load(Ordering::Relaxed),
            0
        );
        // Logged once (the first), the second waits for the next minute.
        assert_eq!(
            metrics.refusals[room_full]
                .logged_total
                .load(Ordering::Relaxed),
            1
        );
    }
}
