//! When to try the signalling server again after the socket closed: never after a refusal that
//! will not pass (a full room, another protocol version, a breach of the rules), else after a
//! delay that grows with each failed attempt and starts short again once the server welcomed us.
//!
//! Each delay is jittered by ±50 % so that a server restart does not bring every browser back in
//! the same millisecond; the jitter's randomness comes from the caller, so this stays
//! deterministic under test.

use protocol::CloseCode;

/// Delays after losing the server (or being asked to retry later), in milliseconds; the last one
/// repeats.
pub const RECONNECT_DELAYS_MILLIS: [u32; 5] = [500, 1_000, 2_000, 5_000, 10_000];

/// What to do after the socket closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// The server refused us for a reason that will not pass: say so and stop.
    GiveUp,
    /// Try again after this many milliseconds.
    RetryAfterMillis(u32),
}

/// The attempts since the last welcome.
#[derive(Debug, Default)]
pub struct Reconnect {
    attempt: usize,
}

impl Reconnect {
    /// The socket closed with `code` (`None`: no code, or one this version does not know: the
    /// connection was lost); `random` is uniform in `[0, 1)` and jitters the delay.
    pub fn after_close(&mut self, code: Option<CloseCode>, random: f64) -> AfterClose {
        if code.is_some_and(|code| !code.is_retryable()) {
            return AfterClose::GiveUp;
        }
        let last = RECONNECT_DELAYS_MILLIS.len() - 1;
        let delay = RECONNECT_DELAYS_MILLIS[self.attempt.min(last)];
        self.attempt += 1;
        let jitter = 0.5 + random.clamp(0.0, 1.0);
        // At most 15 s: no overflow, and the cast only drops the fraction of a millisecond.
        AfterClose::RetryAfterMillis((f64::from(delay) * jitter) as u32)
    }

    /// The server welcomed us: the next loss starts from the shortest delay again.
    pub fn welcomed(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_repeat_and_start_short_again_after_a_welcome() {
        let mut reconnect = Reconnect::default();
        let delays: Vec<AfterClose> = (0..7).map(|_| reconnect.after_close(None, 0.5)).collect();
        let expected = [500, 1_000, 2_000, 5_000, 10_000, 10_000, 10_000];
        assert_eq!(delays, expected.map(AfterClose::RetryAfterMillis));
        reconnect.welcomed();
        assert_eq!(
            reconnect.after_close(Some(CloseCode::GoingAway), 0.5),
            AfterClose::RetryAfterMillis(500)
        );
    }

    #[test]
    fn the_jitter_stays_within_half_the_delay_either_way() {
        let delay = |random| Reconnect::default().after_close(None, random);
        assert_eq!(delay(0.0), AfterClose::RetryAfterMillis(250));
        assert_eq!(delay(0.999_999), AfterClose::RetryAfterMillis(749));
        assert_eq!(delay(7.0), AfterClose::RetryAfterMillis(750), "clamped");
    }

    #[test]
    fn a_refusal_that_will_not_pass_gives_up_and_a_temporary_one_retries() {
        let mut reconnect = Reconnect::default();
        for code in [
            CloseCode::RoomFull,
            CloseCode::UnsupportedVersion,
            CloseCode::ProtocolViolation,
        ] {
            assert_eq!(
                reconnect.after_close(Some(code), 0.5),
                AfterClose::GiveUp,
                "{code:?}"
            );
        }
        for code in [
            CloseCode::TooManyConnections,
            CloseCode::RoomBusy,
            CloseCode::IdleTimeout,
        ] {
            assert!(matches!(
                reconnect.after_close(Some(code), 0.5),
                AfterClose::RetryAfterMillis(_)
            ));
        }
    }
}
