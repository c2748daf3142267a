//! Who is speaking. The browser samples each participant's received audio level (0 to 1, as
//! `RTCRtpReceiver.getSynchronizationSources()` reports it) a few times a second; a participant
//! counts as speaking from the first loud sample until [`HOLD_MILLIS`] after the last one, so that
//! the highlight on the tile does not flicker between words.
//!
//! In a meeting of [`SPOTLIGHT_FROM`] people or more, where nobody shares a screen, the one who
//! speaks is shown large ([`Spotlight`]): whoever began speaking most recently, kept through
//! their pauses and through others' interjections while they still speak, and kept after
//! everyone fell silent, so that the picture does not jump.

use protocol::PeerId;
use std::collections::{BTreeMap, BTreeSet};

/// The audio level from which a sample counts as speech (about -30 dBov on the linear scale).
pub const SPEAKING_LEVEL: f64 = 0.03;
/// How long a participant stays "speaking" after the last loud sample, in milliseconds.
pub const HOLD_MILLIS: f64 = 700.0;

/// Meetings of this many people (ourselves included) or more show the speaker large.
pub const SPOTLIGHT_FROM: usize = 4;

/// Whether the meeting shows its speaker large: `people` in all, nobody sharing a screen.
pub fn spotlight_applies(people: usize, sharing: bool) -> bool {
    people >= SPOTLIGHT_FROM && !sharing
}

/// Who is shown large: the participant who most recently began speaking, until someone else
/// speaks while they do not.
#[derive(Debug, Default)]
pub struct Spotlight {
    shown: Option<PeerId>,
    speaking_before: BTreeSet<PeerId>,
}

impl Spotlight {
    /// Follows the set of `speakers` (as [`Speaking::speakers`] gives it); returns who is shown.
    pub fn follow(&mut self, speakers: &BTreeSet<PeerId>) -> Option<PeerId> {
        let still_speaking = self.shown.is_some_and(|shown| speakers.contains(&shown));
        if !still_speaking {
            let began = speakers.difference(&self.speaking_before).next();
            if let Some(&next) = began.or_else(|| speakers.iter().next()) {
                self.shown = Some(next);
            }
        }
        self.speaking_before.clone_from(speakers);
        self.shown
    }

    /// Forgets a participant who left: nobody is shown until someone speaks.
    pub fn forget(&mut self, peer: PeerId) {
        if self.shown == Some(peer) {
            self.shown = None;
        }
        self.speaking_before.remove(&peer);
    }
}

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

    const CEM: PeerId = PeerId(3);

    #[test]
    fn the_spotlight_follows_who_began_speaking_and_stays_through_silence() {
        let mut spotlight = Spotlight::default();
        assert_eq!(spotlight.follow(&BTreeSet::new()), None);
        assert_eq!(spotlight.follow(&BTreeSet::from([BOB])), Some(BOB));
        // Ada interjects while Bob still speaks: Bob stays.
        assert_eq!(spotlight.follow(&BTreeSet::from([ADA, BOB])), Some(BOB));
        // Bob stops; Ada, who still speaks, takes over.
        assert_eq!(spotlight.follow(&BTreeSet::from([ADA])), Some(ADA));
        // Everyone silent: Ada stays shown.
        assert_eq!(spotlight.follow(&BTreeSet::new()), Some(ADA));
        // Bob and Cem, Cem newly: with Ada silent, the newcomer to speech is shown.
        spotlight.follow(&BTreeSet::from([BOB]));
        assert_eq!(spotlight.follow(&BTreeSet::from([BOB, CEM])), Some(BOB));
        assert_eq!(spotlight.follow(&BTreeSet::from([CEM])), Some(CEM));
        spotlight.forget(CEM);
        assert_eq!(spotlight.follow(&BTreeSet::new()), None);
    }

    #[test]
    fn only_a_meeting_of_four_without_a_shared_screen_shows_its_speaker_large() {
        assert!(!spotlight_applies(3, false));
        assert!(spotlight_applies(4, false));
        assert!(!spotlight_applies(6, true));
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
