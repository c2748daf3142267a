//! Which other instances are alive and whether this one is in step with each: sans-IO, fed with
//! what arrives on the bus and the time.
//!
//! An instance is in step with another up to a change number. The next number applies; an older
//! one is a repeat; a higher one, or an `alive` naming a higher one, means something was missed,
//! and the whole list of the other's members is asked for again. While a snapshot is awaited its
//! changes are ignored: the snapshot, taken later, holds them. An instance heard of for the first
//! time is asked for its snapshot at once; one silent for [`SILENCE`] is dead.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::wire::{InstanceId, Seat};

/// How often an instance says it is alive.
pub const ALIVE_INTERVAL: Duration = Duration::from_secs(1);

/// Silence after which an instance is taken for dead (three missed `alive`s), and after which an
/// unanswered snapshot request is made again.
pub const SILENCE: Duration = Duration::from_secs(3);

/// What to do with a message from another instance.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Apply it: it is the next change.
    Apply,
    /// Nothing: a repeat, ours, or a change a snapshot will hold.
    Ignore,
    /// Ask its sender for a snapshot.
    AskSnapshot,
}

/// The other instances this one has heard of.
#[derive(Debug)]
pub struct Instances {
    me: InstanceId,
    known: HashMap<InstanceId, Known>,
}

#[derive(Debug)]
struct Known {
    heard: Instant,
    step: Step,
}

#[derive(Debug)]
enum Step {
    /// Applied every change up to this number.
    InStep(u64),
    /// A snapshot was asked for at `asked`; the parts so far.
    Awaiting { asked: Instant, seats: Vec<Seat> },
}

impl Instances {
    pub fn new(me: InstanceId) -> Self {
        Self {
            me,
            known: HashMap::new(),
        }
    }

    /// A numbered change from `from`.
    pub fn on_change(&mut self, from: InstanceId, seq: u64, now: Instant) -> Verdict {
        let Some(known) = self.heard(from, now) else {
            return Verdict::Ignore;
        };
        match known.step {
            Step::InStep(last) if seq == last + 1 => {
                known.step = Step::InStep(seq);
                Verdict::Apply
            }
            Step::InStep(last) if seq <= last => Verdict::Ignore,
            Step::InStep(_) => known.ask(now),
            Step::Awaiting { asked, .. } => known.ask_again(asked, now),
        }
    }

    /// `from` is alive and has announced changes up to `seq`.
    pub fn on_alive(&mut self, from: InstanceId, seq: u64, now: Instant) -> Verdict {
        let Some(known) = self.heard(from, now) else {
            return Verdict::Ignore;
        };
        match known.step {
            Step::InStep(last) if seq <= last => Verdict::Ignore,
            Step::InStep(_) => known.ask(now),
            Step::Awaiting { asked, .. } => known.ask_again(asked, now),
        }
    }

    /// A part of `from`'s snapshot; the whole list of its members once the last part arrived.
    pub fn on_snapshot(
        &mut self,
        from: InstanceId,
        seq: u64,
        part: Vec<Seat>,
        last: bool,
        now: Instant,
    ) -> Option<Vec<Seat>> {
        let known = self.heard(from, now)?;
        let Step::Awaiting { seats, .. } = &mut known.step else {
            return None; // unasked for, or a repeat
        };
        seats.extend(part);
        if !last {
            return None;
        }
        let seats = std::mem::take(seats);
        known.step = Step::InStep(seq);
        Some(seats)
    }

    /// Removes and returns the instances silent for [`SILENCE`].
    pub fn silent(&mut self, now: Instant) -> Vec<InstanceId> {
        let dead: Vec<InstanceId> = self
            .known
            .iter()
            .filter(|(_, known)| now.duration_since(known.heard) >= SILENCE)
            .map(|(id, _)| *id)
            .collect();
        for id in &dead {
            self.known.remove(id);
        }
        dead
    }

    /// Notes that `from` spoke; a stranger starts out awaiting its snapshot. `None` for ourselves.
    fn heard(&mut self, from: InstanceId, now: Instant) -> Option<&mut Known> {
        if from == self.me {
            return None;
        }
        let known = self.known.entry(from).or_insert_with(|| Known {
            heard: now,
            step: Step::InStep(0),
        });
        known.heard = now;
        Some(known)
    }
}

impl Known {
    fn ask(&mut self, now: Instant) -> Verdict {
        self.step = Step::Awaiting {
            asked: now,
            seats: Vec::new(),
        };
        Verdict::AskSnapshot
    }

    /// Asks again if the last request went unanswered for [`SILENCE`].
    fn ask_again(&mut self, asked: Instant, now: Instant) -> Verdict {
        if now.duration_since(asked) >= SILENCE {
            self.ask(now)
        } else {
            Verdict::Ignore
        }
    }
}

#[cfg(test)]
mod tests {
    use protocol::{PeerId, RoomId};

    use super::*;
    use crate::rooms::keys::Keying;

    const ME: InstanceId = InstanceId(1);
    const OTHER: InstanceId = InstanceId(2);

    fn seat(peer: u64) -> Seat {
        let keying = Keying::shared(b"the instances' secret");
        let room = RoomId::parse(&"11".repeat(32)).expect("room id");
        let token = protocol::AdmissionToken::parse(&"22".repeat(32)).expect("token");
        Seat {
            room: keying.room(&room),
            peer: PeerId(peer),
            group: keying.group(&token),
        }
    }

    /// An instance that has heard of OTHER and applied its snapshot as of `seq`.
    fn in_step_at(seq: u64, now: Instant) -> Instances {
        let mut instances = Instances::new(ME);
        assert_eq!(instances.on_alive(OTHER, seq, now), Verdict::AskSnapshot);
        let seats = instances.on_snapshot(OTHER, seq, vec![seat(7)], true, now);
        assert_eq!(seats, Some(vec![seat(7)]));
        instances
    }

    #[test]
    fn a_stranger_is_asked_for_its_snapshot_and_its_changes_wait_for_it() {
        let now = Instant::now();
        let mut instances = Instances::new(ME);
        assert_eq!(instances.on_change(OTHER, 5, now), Verdict::AskSnapshot);
        assert_eq!(instances.on_change(OTHER, 6, now), Verdict::Ignore);
        assert_eq!(
            instances.on_snapshot(OTHER, 6, vec![seat(1)], false, now),
            None
        );
        assert_eq!(
            instances.on_snapshot(OTHER, 6, vec![seat(2)], true, now),
            Some(vec![seat(1), seat(2)])
        );
        assert_eq!(instances.on_change(OTHER, 6, now), Verdict::Ignore, "held");
        assert_eq!(instances.on_change(OTHER, 7, now), Verdict::Apply);
    }

    #[test]
    fn a_missed_change_asks_for_a_snapshot_again() {
        let now = Instant::now();
        let mut instances = in_step_at(3, now);
        assert_eq!(instances.on_change(OTHER, 4, now), Verdict::Apply);
        assert_eq!(instances.on_change(OTHER, 6, now), Verdict::AskSnapshot);
        let mut instances = in_step_at(3, now);
        assert_eq!(instances.on_alive(OTHER, 3, now), Verdict::Ignore);
        assert_eq!(
            instances.on_alive(OTHER, 4, now),
            Verdict::AskSnapshot,
            "the alive names a change that never came"
        );
    }

    #[test]
    fn an_unanswered_request_is_made_again_after_the_silence() {
        let now = Instant::now();
        let mut instances = Instances::new(ME);
        assert_eq!(instances.on_alive(OTHER, 1, now), Verdict::AskSnapshot);
        assert_eq!(
            instances.on_alive(OTHER, 1, now + SILENCE / 2),
            Verdict::Ignore
        );
        assert_eq!(
            instances.on_alive(OTHER, 1, now + SILENCE),
            Verdict::AskSnapshot
        );
    }

    #[test]
    fn unasked_snapshots_and_our_own_messages_are_ignored() {
        let now = Instant::now();
        let mut instances = in_step_at(2, now);
        assert_eq!(
            instances.on_snapshot(OTHER, 9, vec![seat(1)], true, now),
            None
        );
        assert_eq!(instances.on_change(OTHER, 3, now), Verdict::Apply);
        assert_eq!(instances.on_change(ME, 1, now), Verdict::Ignore);
        assert_eq!(instances.on_alive(ME, 9, now), Verdict::Ignore);
    }

    #[test]
    fn an_instance_silent_for_three_seconds_is_dead_and_a_talking_one_is_not() {
        let now = Instant::now();
        let mut instances = in_step_at(1, now);
        let third = InstanceId(3);
        instances.on_alive(third, 0, now);
        instances.on_alive(third, 0, now + SILENCE / 2);
        assert_eq!(instances.silent(now + SILENCE / 2), []);
        assert_eq!(instances.silent(now + SILENCE), [OTHER]);
        assert_eq!(instances.silent(now + SILENCE * 2), [third]);
        assert_eq!(
            instances.on_alive(OTHER, 1, now + SILENCE * 2),
            Verdict::AskSnapshot,
            "a dead instance that speaks again is a stranger"
        );
    }
}
