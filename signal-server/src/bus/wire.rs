//! What instances sharing rooms say to each other over NATS, and on which subjects.
//!
//! Every message names its sending instance. Changes of membership carry the sender's sequence
//! number, so that a receiver notices a change it missed and asks for the sender's members again
//! (a snapshot). Rooms and admission groups appear only as keyed hashes ([`RoomKey`],
//! [`GroupKey`]); payloads are the browsers' sealed envelopes, as the server relays them.

use protocol::PeerId;
use serde::{Deserialize, Serialize};

use crate::rooms::keys::{GroupKey, RoomKey};

/// The first token of every subject.
const PREFIX: &str = "stube";

/// One running instance, named at random when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceId(pub u64);

impl InstanceId {
    pub fn random() -> Self {
        Self(rand::random())
    }
}

/// One member of a room as another instance holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub room: RoomKey,
    pub peer: PeerId,
    pub group: GroupKey,
}

/// A message between instances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BusMessage {
    /// One of `from`'s connections took `seat`.
    Joined {
        from: InstanceId,
        seq: u64,
        seat: Seat,
    },
    /// One of `from`'s members left `room` (or was `lost`: it may come back under a new id).
    Left {
        from: InstanceId,
        seq: u64,
        room: RoomKey,
        peer: PeerId,
        lost: bool,
    },
    /// `from` is running and has announced changes up to `seq`.
    Alive { from: InstanceId, seq: u64 },
    /// `from` asks for the members of the instance it is sent to.
    SnapshotRequest { from: InstanceId },
    /// Part of `from`'s members as of `seq`; the whole list ends with the part marked `last`.
    Snapshot {
        from: InstanceId,
        seq: u64,
        seats: Vec<Seat>,
        last: bool,
    },
    /// A sealed payload from member `peer` of `from` to member `to` of the receiving instance.
    Signal {
        from: InstanceId,
        room: RoomKey,
        peer: PeerId,
        to: PeerId,
        payload: String,
    },
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Every instance (they all hold every room's members): changes of membership.
    Room(RoomKey),
    /// Every instance: liveness.
    Alive,
    /// One instance: snapshots, their requests and signals for its members.
    Instance(InstanceId),
}

impl Subject {
    pub fn name(&self) -> String {
        match self {
            Self::Room(room) => format!("{PREFIX}.room.{}", room.subject_token()),
            Self::Alive => format!("{PREFIX}.alive"),
            Self::Instance(instance) => format!("{PREFIX}.instance.{:016x}", instance.0),
        }
    }

    /// What an instance subscribes to: every room, liveness, and its own subject.
    pub fn subscriptions(me: InstanceId) -> [String; 3] {
        [
            format!("{PREFIX}.room.*"),
            Self::Alive.name(),
            Self::Instance(me).name(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use protocol::RoomId;

    use super::*;
    use crate::rooms::keys::Keying;

    #[test]
    fn subjects_name_rooms_by_their_keyed_hash_only() {
        let room = RoomId::parse(&"5a".repeat(32)).expect("room id");
        let key = Keying::shared(b"shared").room(&room);
        let subject = Subject::Room(key).name();
        assert!(subject.starts_with("stube.room."));
        assert_eq!(subject.split('.').count(), 3, "one token per part");
        assert!(!subject.contains("5a5a"));
        assert_eq!(
            Subject::Instance(InstanceId(255)).name(),
            "stube.instance.00000000000000ff"
        );
    }

    #[test]
    fn messages_round_trip_as_json() {
        let keying = Keying::random();
        let room = keying.room(&RoomId::parse(&"01".repeat(32)).expect("room id"));
        let message = BusMessage::Signal {
            from: InstanceId(1),
            room,
            peer: PeerId(2),
            to: PeerId(3),
            payload: "sealed".into(),
        };
        let json = serde_json::to_vec(&message).expect("serialises");
        assert_eq!(
            serde_json::from_slice::<BusMessage>(&json).expect("parses"),
            message
        );
    }
}
