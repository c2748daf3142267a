//! Who is speaking. The browser samples each participant's received audio level (0 to 1, as
//! `RTCRtpReceiver.getSynchronizationSources()` reports it) a few times a second; a participant
//! counts as speaking from the first loud sample until [`HOLD_MILLIS`] after the last one, so that
//! the highlight on the tile does not flicker between words.

use protocol::PeerId;
use std::collections::{BTreeMap, BTreeSet};

/// The audio level from which a sample counts as speech (about -30 dBov on the linear scale).
pub const SPEAKING_LEVEL: f64 = 0.03;
/// How long a participant stays "speaking" after the last loud sample, in milliseconds.
pub const HOLD_MILLIS: f64 = 700.0;

/// When each participant was last heard speaking.
#[derive(Debug, Default)]
pub struct Speaking {
    last_loud: BTreeMap<PeerId, f64>,
}

impl Speaking {
    /// Records a sample of `peer`'s audio level taken at `now` (milliseconds, any steady clock).
    pub fn hear(&mut self, peer: PeerId, level: f64, now: f64) {
        if level >= SPEAKING_LEVEL {
            self.last_loud.insert(peer, now);
        }
    }

    /// Who is speaking at `now`.
    pub fn speakers(&self, now: f64) -> BTreeSet<PeerId> {
        self.last_loud
            .iter()
            .filter(|&(_, &heard)| now - heard <= HOLD_MILLIS)
            .map(|(&peer, _)| peer)
            .collect()
    }

    /// Forgets a participant who left.
    pub fn forget(&mut self, peer: PeerId) {
        self.last_loud.remove(&peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: PeerId = PeerId(1);
    const BOB: PeerId = PeerId(2);

    #[test]
    fn a_loud_sample_makes_a_speaker_who_stays_through_short_pauses() {
        let mut speaking = Speaking::default();
        speaking.hear(ADA, 0.2, 1_000.0);
        speaking.hear(BOB, 0.001, 1_000.0);
        assert_eq!(speaking.speakers(1_000.0), BTreeSet::from([ADA]));
        // A pause between words keeps the highlight…
        speaking.hear(ADA, 0.0, 1_400.0);
        assert_eq!(speaking.speakers(1_400.0), BTreeSet::from([ADA]));
        // …silence longer than the hold ends it.
        assert!(speaking.speakers(1_000.0 + HOLD_MILLIS + 1.0).is_empty());
    }

    #[test]
    fn quiet_samples_never_make_a_speaker_and_leavers_are_forgotten() {
        let mut speaking = Speaking::default();
        speaking.hear(BOB, SPEAKING_LEVEL / 2.0, 0.0);
        assert!(speaking.speakers(0.0).is_empty());
        speaking.hear(ADA, 1.0, 0.0);
        speaking.forget(ADA);
        assert!(speaking.speakers(0.0).is_empty());
    }
}
