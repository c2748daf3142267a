//! The room registry: which connections are in which room, in memory only.
//!
//! Members are seated by their admission token ([`AdmissionToken`], derived from the passphrase):
//! equal tokens form a group, each group has at most `max_peers_per_room` seats, and at most
//! `max_groups_per_room` groups may be present at once. So someone with the link but without the
//! passphrase can never take a seat of the group holding it; at worst they fill a group of their
//! own, and the next stranger's group is refused as busy. Relaying ignores groups: every member
//! hears of every other and may signal to them, which browsers need to tell a wrong passphrase.
//!
//! Every operation takes the one lock once, does its bookkeeping and queues its messages without
//! waiting, so that the room state and what its members are told can never disagree. A member whose
//! queue is full is removed on the spot (its connection closes with `SlowConsumer`) and the others
//! are told it left. A room disappears with its last member; a removed member can no longer relay,
//! even while its connection is still closing.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use protocol::{AdmissionToken, PROTOCOL_VERSION, PeerId, RoomId, ServerMessage};
use rand::Rng as _;

use crate::ice::IcePolicy;
use crate::outbox::{Outbox, Undelivered, encode};

/// Peer ids are below 2^53 so that they survive a trip through a JavaScript number.
const PEER_ID_BOUND: u64 = 1 << 53;

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("the room's seats for this admission token are taken")]
    RoomFull,
    #[error("the room holds the maximum number of admission groups")]
    RoomBusy,
    #[error("the server holds the maximum number of rooms")]
    TooManyRooms,
    #[error("the joiner's own queue is full")]
    SlowConsumer,
}

/// Why a signal was not relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RelayError {
    #[error("no such peer in the room")]
    UnknownPeer,
    #[error("the sender is no longer a member of the room")]
    NotMember,
}

/// Limits the registry enforces.
#[derive(Debug, Clone, Copy)]
pub struct RoomLimits {
    pub max_rooms: usize,
    /// Seats per group (members with one admission token).
    pub max_peers_per_room: usize,
    /// Groups with different admission tokens present at once.
    pub max_groups_per_room: usize,
}

/// All rooms of this server.
#[derive(Debug)]
pub struct Rooms {
    limits: RoomLimits,
    rooms: Mutex<HashMap<RoomId, Room>>,
}

/// Rooms and participants at one moment, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    pub rooms: usize,
    pub peers: usize,
}

#[derive(Debug, Default)]
struct Room {
    /// Oldest first.
    members: Vec<Member>,
}

#[derive(Debug)]
struct Member {
    id: PeerId,
    admission: AdmissionToken,
    outbox: Outbox,
}

impl Rooms {
    pub fn new(limits: RoomLimits) -> Self {
        Self {
            limits,
            rooms: Mutex::new(HashMap::new()),
        }
    }

    /// Adds a connection to `room`, in the group of `admission`, under a fresh random peer id. Its
    /// welcome (with the ids already present, of every group, and `ice`) is queued before anyone
    /// else hears of it, so it always comes first.
    pub fn join(
        &self,
        room: &RoomId,
        admission: &AdmissionToken,
        outbox: &Outbox,
        ice: IcePolicy,
    ) -> Result<PeerId, JoinError> {
        let mut rooms = self.lock();
        if !rooms.contains_key(room) && rooms.len() >= self.limits.max_rooms {
            return Err(JoinError::TooManyRooms);
        }
        let entry = rooms.entry(room.clone()).or_default();
        let seated = entry.seated(admission);
        if seated >= self.limits.max_peers_per_room {
            return Err(JoinError::RoomFull);
        }
        if seated == 0 && entry.groups() >= self.limits.max_groups_per_room {
            return Err(JoinError::RoomBusy);
        }
        let id = entry.fresh_id();
        let peers = entry.members.iter().map(|member| member.id).collect();
        let welcome = ServerMessage::Welcome {
            version: PROTOCOL_VERSION,
            peer_id: id,
            peers,
            ice_servers: ice.servers,
            relay_only: ice.relay_only,
        };
        let delivered = encode(&welcome).map(|text| outbox.deliver(text));
        if !matches!(delivered, Some(Ok(()))) {
            if entry.members.is_empty() {
                rooms.remove(room);
            }
            return Err(JoinError::SlowConsumer);
        }
        let slow = entry.broadcast(&ServerMessage::PeerJoined { peer_id: id });
        entry.members.push(Member {
            id,
            admission: admission.clone(),
            outbox: outbox.clone(),
        });
        entry.remove_lost(slow);
        Ok(id)
    }

    /// Removes `peer` (if it is still the member behind `outbox`) and tells the others whether it
    /// left or was `lost`.
    pub fn leave(&self, room: &RoomId, peer: PeerId, outbox: &Outbox, lost: bool) {
        let mut rooms = self.lock();
        let Some(entry) = rooms.get_mut(room) else {
            return;
        };
        if entry.is_member(peer, outbox) {
            entry.remove(peer, lost);
        }
        if entry.members.is_empty() {
            rooms.remove(room);
        }
    }

    /// Queues `payload` for `to` alone, as a signal from `from`, if `from` is still the member
    /// behind `sender`.
    pub fn relay(
        &self,
        room: &RoomId,
        from: PeerId,
        sender: &Outbox,
        to: PeerId,
        payload: String,
    ) -> Result<(), RelayError> {
        // Serialise outside the lock: the payload may be large.
        let text = encode(&ServerMessage::Signal { from, payload });
        let mut rooms = self.lock();
        let Some(entry) = rooms
            .get_mut(room)
            .filter(|entry| entry.is_member(from, sender))
        else {
            return Err(RelayError::NotMember);
        };
        let Some(recipient) = entry.members.iter().find(|member| member.id == to) else {
            return Err(RelayError::UnknownPeer);
        };
        if let Some(text) = text
            && recipient.outbox.deliver(text) == Err(Undelivered::Full)
        {
            entry.remove_lost(vec![to]);
            if entry.members.is_empty() {
                rooms.remove(room);
            }
        }
        Ok(())
    }

    pub fn census(&self) -> Census {
        let rooms = self.lock();
        Census {
            rooms: rooms.len(),
            peers: rooms.values().map(|room| room.members.len()).sum(),
        }
    }

    /// Members present in `room` per group, largest first (for tests).
    #[cfg(test)]
    fn groups(&self, room: &RoomId) -> Vec<usize> {
        let rooms = self.lock();
        let Some(entry) = rooms.get(room) else {
            return Vec::new();
        };
        let mut sizes: HashMap<&AdmissionToken, usize> = HashMap::new();
        for member in &entry.members {
            *sizes.entry(&member.admission).or_default() += 1;
        }
        let mut sizes: Vec<usize> = sizes.into_values().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<RoomId, Room>> {
        // Every operation leaves the map consistent before it can panic, so a poisoned lock is usable.
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Room {
    /// Members holding `admission`.
    fn seated(&self, admission: &AdmissionToken) -> usize {
        self.members
            .iter()
            .filter(|member| member.admission == *admission)
            .count()
    }

    /// Distinct admission tokens among the members.
    fn groups(&self) -> usize {
        let mut tokens: Vec<&AdmissionToken> = Vec::with_capacity(self.members.len());
        for member in &self.members {
            if !tokens.contains(&&member.admission) {
                tokens.push(&member.admission);
            }
        }
        tokens.len()
    }

    /// Whether `peer` is a member, and still the one behind `outbox`.
    fn is_member(&self, peer: PeerId, outbox: &Outbox) -> bool {
        self.members
            .iter()
            .any(|member| member.id == peer && member.outbox.same_connection(outbox))
    }

    /// A random id that nobody in the room has.
    fn fresh_id(&self) -> PeerId {
        let mut rng = rand::rng();
        loop {
            let id = PeerId(rng.random_range(0..PEER_ID_BOUND));
            if self.members.iter().all(|member| member.id != id) {
                return id;
            }
        }
    }

    /// Queues `message` for every member; returns those whose queue was full.
    fn broadcast(&self, message: &ServerMessage) -> Vec<PeerId> {
        let Some(text) = encode(message) else {
            return Vec::new();
        };
        self.members
            .iter()
            .filter(|member| member.outbox.deliver(text.clone()) == Err(Undelivered::Full))
            .map(|member| member.id)
            .collect()
    }

    /// Removes `peer` and announces its departure to those left; anyone too slow to take the
    /// announcement goes as well (lost).
    fn remove(&mut self, peer: PeerId, lost: bool) {
        let Some(index) = self.members.iter().position(|member| member.id == peer) else {
            return;
        };
        self.members.remove(index);
        let slow = self.broadcast(&ServerMessage::PeerLeft {
            peer_id: peer,
            lost,
        });
        self.remove_lost(slow);
    }

    /// Removes members the server cut off as too slow: lost, not left (they may come back).
    fn remove_lost(&mut self, gone: Vec<PeerId>) {
        for peer in gone {
            self.remove(peer, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use protocol::CloseCode;

    use super::*;
    use crate::outbox::budget::SendBudget;
    use crate::outbox::{CloseRequests, Inbox, outbox};

    fn room(n: u8) -> RoomId {
        RoomId::parse(&format!("{n:02x}").repeat(32)).expect("valid room id")
    }

    fn token(n: u8) -> AdmissionToken {
        AdmissionToken::parse(&format!("{n:02x}").repeat(32)).expect("valid token")
    }

    fn registry(max_rooms: usize, max_peers_per_room: usize, max_groups: usize) -> Rooms {
        Rooms::new(RoomLimits {
            max_rooms,
            max_peers_per_room,
            max_groups_per_room: max_groups,
        })
    }

    /// A connection's queue with room for plenty of messages.
    fn connection() -> (Outbox, Inbox, CloseRequests) {
        outbox(1 << 20, &SendBudget::new(1 << 30))
    }

    /// A connection's queue that takes one message (the welcome) and no more.
    fn slow_connection() -> (Outbox, Inbox, CloseRequests) {
        outbox(1, &SendBudget::new(1 << 30))
    }

    fn join(rooms: &Rooms, n: u8, admission: u8, outbox: &Outbox) -> Result<PeerId, JoinError> {
        rooms.join(&room(n), &token(admission), outbox, IcePolicy::default())
    }

    fn received(inbox: &mut Inbox) -> Vec<ServerMessage> {
        let mut messages = Vec::new();
        while let Some(text) = inbox.try_next() {
            messages.push(serde_json::from_str(text.as_str()).expect("server JSON"));
        }
        messages
    }

    #[test]
    fn joiners_get_distinct_ids_and_hear_of_each_other_in_order() {
        let rooms = registry(10, 8, 3);
        let (a, mut a_in, _a_close) = connection();
        let (b, mut b_in, _b_close) = connection();
        let id_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_b = join(&rooms, 1, 1, &b).expect("joins");
        assert_ne!(id_a, id_b);
        assert!(id_a.0 < PEER_ID_BOUND && id_b.0 < PEER_ID_BOUND);
        assert_eq!(
            received(&mut a_in)[1],
            ServerMessage::PeerJoined { peer_id: id_b }
        );
        let ServerMessage::Welcome { peer_id, peers, .. } = &received(&mut b_in)[0] else {
            panic!("expected a welcome first")
        };
        assert_eq!((*peer_id, peers.as_slice()), (id_b, [id_a].as_slice()));
        rooms.leave(&room(1), id_b, &b, false);
        assert_eq!(
            received(&mut a_in),
            [ServerMessage::PeerLeft {
                peer_id: id_b,
                lost: false
            }]
        );
        rooms.leave(&room(1), id_a, &a, true);
        assert_eq!(rooms.census(), Census { rooms: 0, peers: 0 });
    }

    #[test]
    fn limits_refuse_a_full_room_and_one_room_too_many() {
        let rooms = registry(1, 1, 3);
        let (a, _a_in, _a_close) = connection();
        let (b, _b_in, _b_close) = connection();
        join(&rooms, 1, 1, &a).expect("joins");
        assert_eq!(join(&rooms, 1, 1, &b), Err(JoinError::RoomFull));
        assert_eq!(join(&rooms, 2, 1, &b), Err(JoinError::TooManyRooms));
        assert_eq!(rooms.census(), Census { rooms: 1, peers: 1 });
    }

    #[test]
    fn each_admission_group_has_its_own_seats() {
        let rooms = registry(10, 2, 3);
        let connections: Vec<_> = (0..6).map(|_| connection()).collect();
        let outbox = |n: usize| &connections[n].0;
        join(&rooms, 1, 1, outbox(0)).expect("the first with the passphrase");
        // Two without it fill their own group, not the first one's.
        join(&rooms, 1, 2, outbox(1)).expect("a stranger");
        join(&rooms, 1, 2, outbox(2)).expect("another with the same wrong token");
        assert_eq!(join(&rooms, 1, 2, outbox(3)), Err(JoinError::RoomFull));
        join(&rooms, 1, 1, outbox(3)).expect("the second with the passphrase still has a seat");
        assert_eq!(join(&rooms, 1, 1, outbox(4)), Err(JoinError::RoomFull));
        assert_eq!(rooms.groups(&room(1)), [2, 2]);
    }

    #[test]
    fn a_room_holds_at_most_the_configured_number_of_groups() {
        let rooms = registry(10, 8, 2);
        let (a, _a_in, _a_close) = connection();
        let (b, _b_in, _b_close) = connection();
        let (c, _c_in, _c_close) = connection();
        let (d, _d_in, _d_close) = connection();
        join(&rooms, 1, 1, &a).expect("group 1");
        let id_b = join(&rooms, 1, 2, &b).expect("group 2");
        assert_eq!(join(&rooms, 1, 3, &c), Err(JoinError::RoomBusy));
        join(&rooms, 1, 2, &d).expect("an existing group still has seats");
        join(&rooms, 2, 3, &c).expect("other rooms are unaffected");
        rooms.leave(&room(1), id_b, &b, false);
        assert_eq!(rooms.groups(&room(1)), [1, 1]);
        let (e, _e_in, _e_close) = connection();
        assert_eq!(
            join(&rooms, 1, 3, &e),
            Err(JoinError::RoomBusy),
            "d holds group 2"
        );
    }

    #[test]
    fn members_of_all_groups_hear_of_each_other_and_relay() {
        let rooms = registry(10, 8, 3);
        let (a, mut a_in, _a_close) = connection();
        let (b, mut b_in, _b_close) = connection();
        let id_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_b = join(&rooms, 1, 2, &b).expect("joins");
        let ServerMessage::Welcome { peers, .. } = &received(&mut b_in)[0] else {
            panic!("expected a welcome first")
        };
        assert_eq!(peers, &[id_a]);
        assert_eq!(
            rooms.relay(&room(1), id_b, &b, id_a, "hello".into()),
            Ok(())
        );
        assert_eq!(
            received(&mut a_in)[1..],
            [
                ServerMessage::PeerJoined { peer_id: id_b },
                ServerMessage::Signal {
                    from: id_b,
                    payload: "hello".into()
                }
            ]
        );
    }

    #[test]
    fn a_member_too_slow_for_a_relay_is_removed_and_announced() {
        let rooms = registry(10, 8, 3);
        let (a, mut a_in, _a_close) = connection();
        let (b, mut b_in, b_close) = slow_connection();
        let id_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_b = join(&rooms, 1, 1, &b).expect("joins"); // fills b's queue
        assert_eq!(rooms.relay(&room(1), id_a, &a, id_b, "x".into()), Ok(()));
        assert_eq!(b_close.close_requested(), Some(CloseCode::SlowConsumer));
        assert_eq!(received(&mut b_in).len(), 1, "only the welcome");
        assert_eq!(
            received(&mut a_in)[1..],
            [
                ServerMessage::PeerJoined { peer_id: id_b },
                ServerMessage::PeerLeft {
                    peer_id: id_b,
                    lost: true
                }
            ]
        );
        assert_eq!(
            rooms.relay(&room(1), id_a, &a, id_b, "x".into()),
            Err(RelayError::UnknownPeer)
        );
    }

    #[test]
    fn a_member_removed_as_a_slow_consumer_can_no_longer_relay() {
        let rooms = registry(10, 8, 3);
        let (a, mut a_in, _a_close) = connection();
        let (b, _b_in, b_close) = slow_connection();
        let id_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_b = join(&rooms, 1, 1, &b).expect("joins"); // fills b's queue
        assert_eq!(rooms.relay(&room(1), id_a, &a, id_b, "x".into()), Ok(()));
        assert_eq!(b_close.close_requested(), Some(CloseCode::SlowConsumer));
        received(&mut a_in); // welcome, joined, left
        // b's connection is still closing and still reading: its signals go nowhere.
        assert_eq!(
            rooms.relay(&room(1), id_b, &b, id_a, "late".into()),
            Err(RelayError::NotMember)
        );
        assert_eq!(received(&mut a_in), []);
        // Nor can anyone else pass as a member by naming its id.
        let (stranger, _s_in, _s_close) = connection();
        assert_eq!(
            rooms.relay(&room(1), id_a, &stranger, id_a, "forged".into()),
            Err(RelayError::NotMember)
        );
        assert_eq!(received(&mut a_in), []);
    }

    #[test]
    fn a_joiner_whose_welcome_does_not_fit_is_refused_and_leaves_no_room() {
        let rooms = registry(10, 8, 3);
        let (a, _a_in, _a_close) = outbox(1 << 20, &SendBudget::new(10));
        assert_eq!(join(&rooms, 1, 1, &a), Err(JoinError::SlowConsumer));
        assert_eq!(rooms.census(), Census { rooms: 0, peers: 0 });
    }

    #[test]
    fn a_stale_leave_does_not_remove_someone_else() {
        let rooms = registry(10, 8, 3);
        let (a, _a_in, _a_close) = connection();
        let (stranger, _s_in, _stranger_close) = connection();
        let id_a = join(&rooms, 1, 1, &a).expect("joins");
        rooms.leave(&room(1), id_a, &stranger, false);
        assert_eq!(rooms.census(), Census { rooms: 1, peers: 1 });
    }
}
