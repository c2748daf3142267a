//! The room registry: which connections are in which room, in memory only.
//!
//! Members are seated by their admission token ([`AdmissionToken`], derived from the passphrase):
//! equal tokens form a group, each group has at most `max_peers_per_room` seats, and at most
//! `max_groups_per_room` groups may be present at once. So someone with the link but without the
//! passphrase can never take a seat of the group holding it; at worst they fill a group of their
//! own, and the next stranger's group is refused as busy. Relaying ignores groups: every member
//! hears of every other and may signal to them, which browsers need to tell a wrong passphrase.
//!
//! Rooms and groups are filed under keyed hashes ([`keys`]). Members are local (a connection of
//! this instance, with its send queue) or remote (a connection of another instance sharing rooms
//! through a [`Bus`]). With a bus, every change to local members is announced on it, numbered, and
//! the remote members follow what the other instances announce; the connection logic sees the
//! same registry either way. Without one, the registry is this process's alone.
//!
//! Every operation takes the one lock once, does its bookkeeping and queues its messages without
//! waiting, so that the room state and what its members are told can never disagree. A member whose
//! queue is full is removed on the spot (its connection closes with `SlowConsumer`) and the others
//! are told it left. A room disappears with its last member; a removed member can no longer relay,
//! even while its connection is still closing.

pub mod keys;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use protocol::{AdmissionToken, PROTOCOL_VERSION, PeerId, RoomId, ServerMessage};
use rand::Rng as _;

use self::keys::{GroupKey, Keying, RoomKey};
use crate::bus::Bus;
use crate::bus::wire::{BusMessage, InstanceId, Seat, Subject};
use crate::ice::IcePolicy;
use crate::outbox::{Outbox, Undelivered, encode};

/// Peer ids are below 2^53 so that they survive a trip through a JavaScript number.
const PEER_ID_BOUND: u64 = 1 << 53;

/// Members per snapshot message: well below NATS's default 1 MiB payload limit.
const SEATS_PER_SNAPSHOT: usize = 2_000;

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

/// All rooms this server knows: its own members and, with a bus, the other instances'.
#[derive(Debug)]
pub struct Rooms {
    limits: RoomLimits,
    keying: Keying,
    bus: Option<Bus>,
    state: Mutex<State>,
}

/// A connection's place: its room and its id there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub room: RoomKey,
    pub peer: PeerId,
}

/// This server's own rooms and participants at one moment, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    pub rooms: usize,
    pub peers: usize,
}

#[derive(Debug, Default)]
struct State {
    rooms: HashMap<RoomKey, Room>,
    /// The number of the last change announced on the bus.
    seq: u64,
}

#[derive(Debug, Default)]
struct Room {
    /// Oldest first.
    members: Vec<Member>,
}

#[derive(Debug)]
struct Member {
    id: PeerId,
    group: GroupKey,
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    /// A connection of this instance.
    Local(Outbox),
    /// A connection of another instance.
    Remote(InstanceId),
}

/// Announces changes to local members on the bus, if there is one, numbering them.
struct Announcer<'a> {
    bus: Option<&'a Bus>,
    seq: &'a mut u64,
}

impl Announcer<'_> {
    fn announce(&mut self, subject: Subject, message: impl FnOnce(InstanceId, u64) -> BusMessage) {
        if let Some(bus) = self.bus {
            *self.seq += 1;
            bus.send(subject, &message(bus.instance(), *self.seq));
        }
    }

    fn left(&mut self, room: RoomKey, peer: PeerId, lost: bool) {
        self.announce(Subject::Room(room), |from, seq| BusMessage::Left {
            from,
            seq,
            room,
            peer,
            lost,
        });
    }
}

impl Rooms {
    /// A registry of this process alone (`bus` is `None`) or shared through `bus`, filing rooms
    /// under `keying`'s names.
    pub fn new(limits: RoomLimits, keying: Keying, bus: Option<Bus>) -> Self {
        Self {
            limits,
            keying,
            bus,
            state: Mutex::new(State::default()),
        }
    }

    /// Adds a connection to `room`, in the group of `admission`, under a fresh random peer id. Its
    /// welcome (with the ids already present, of every group and instance, and `ice`) is queued
    /// before anyone else hears of it, so it always comes first.
    pub fn join(
        &self,
        room: &RoomId,
        admission: &AdmissionToken,
        outbox: &Outbox,
        ice: IcePolicy,
    ) -> Result<Membership, JoinError> {
        let room = self.keying.room(room);
        let group = self.keying.group(admission);
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        if !rooms.contains_key(&room) && rooms.len() >= self.limits.max_rooms {
            return Err(JoinError::TooManyRooms);
        }
        let entry = rooms.entry(room).or_default();
        let seated = entry.seated(group);
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
                rooms.remove(&room);
            }
            return Err(JoinError::SlowConsumer);
        }
        let slow = entry.broadcast(&ServerMessage::PeerJoined { peer_id: id });
        entry.members.push(Member {
            id,
            group,
            place: Place::Local(outbox.clone()),
        });
        let seat = Seat {
            room,
            peer: id,
            group,
        };
        announcer.announce(Subject::Room(room), |from, seq| BusMessage::Joined {
            from,
            seq,
            seat,
        });
        entry.remove_lost(room, slow, &mut announcer);
        Ok(Membership { room, peer: id })
    }

    /// Removes the member (if it is still the one behind `outbox`) and tells the others whether it
    /// left or was `lost`.
    pub fn leave(&self, membership: Membership, outbox: &Outbox, lost: bool) {
        let Membership { room, peer } = membership;
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        let Some(entry) = rooms.get_mut(&room) else {
            return;
        };
        if entry.is_local_member(peer, outbox) {
            entry.remove(room, peer, lost, &mut announcer);
        }
        if entry.members.is_empty() {
            rooms.remove(&room);
        }
    }

    /// Queues `payload` for `to` alone (here or on its instance), as a signal from the member,
    /// if it is still the one behind `sender`.
    pub fn relay(
        &self,
        membership: Membership,
        sender: &Outbox,
        to: PeerId,
        payload: String,
    ) -> Result<(), RelayError> {
        let Membership { room, peer: from } = membership;
        let place = {
            let state = self.lock();
            let Some(entry) = state
                .rooms
                .get(&room)
                .filter(|entry| entry.is_local_member(from, sender))
            else {
                return Err(RelayError::NotMember);
            };
            let Some(recipient) = entry.member(to) else {
                return Err(RelayError::UnknownPeer);
            };
            recipient.place.clone()
        };
        // Serialise outside the lock: the payload may be large.
        match place {
            Place::Local(outbox) => self.deliver(room, to, &outbox, from, payload),
            Place::Remote(instance) => {
                if let Some(bus) = &self.bus {
                    let message = BusMessage::Signal {
                        from: bus.instance(),
                        room,
                        peer: from,
                        to,
                        payload,
                    };
                    bus.send(Subject::Instance(instance), &message);
                }
            }
        }
        Ok(())
    }

    /// This instance's rooms (those with a member here) and members.
    pub fn census(&self) -> Census {
        let state = self.lock();
        let local = |room: &Room| room.members.iter().filter(|m| m.is_local()).count();
        let counts = state.rooms.values().map(local).filter(|&n| n > 0);
        let (rooms, peers) = counts.fold((0, 0), |(rooms, peers), n| (rooms + 1, peers + n));
        Census { rooms, peers }
    }

    /// Messages the bus dropped, if rooms are shared.
    pub fn bus_dropped(&self) -> Option<u64> {
        self.bus.as_ref().map(Bus::dropped)
    }

    /// Another instance's member took a seat: this instance's members of the room hear of it.
    pub fn remote_joined(&self, instance: InstanceId, seat: Seat) {
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        let entry = rooms.entry(seat.room).or_default();
        if entry.member(seat.peer).is_some() {
            return; // an id taken already, here or elsewhere: the first holder keeps it
        }
        let slow = entry.broadcast(&ServerMessage::PeerJoined { peer_id: seat.peer });
        entry.members.push(Member {
            id: seat.peer,
            group: seat.group,
            place: Place::Remote(instance),
        });
        entry.remove_lost(seat.room, slow, &mut announcer);
    }

    /// Another instance's member left (or was lost).
    pub fn remote_left(&self, instance: InstanceId, room: RoomKey, peer: PeerId, lost: bool) {
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        let Some(entry) = rooms.get_mut(&room) else {
            return;
        };
        if entry.member(peer).is_some_and(|m| m.is_on(instance)) {
            entry.remove(room, peer, lost, &mut announcer);
        }
        if entry.members.is_empty() {
            rooms.remove(&room);
        }
    }

    /// A signal from another instance's member `from` for member `to` here.
    pub fn remote_signal(
        &self,
        instance: InstanceId,
        room: RoomKey,
        from: PeerId,
        to: PeerId,
        payload: String,
    ) {
        let outbox = {
            let state = self.lock();
            let Some(entry) = state.rooms.get(&room) else {
                return;
            };
            if !entry.member(from).is_some_and(|m| m.is_on(instance)) {
                return;
            }
            match entry.member(to).map(|m| &m.place) {
                Some(Place::Local(outbox)) => outbox.clone(),
                _ => return,
            }
        };
        self.deliver(room, to, &outbox, from, payload);
    }

    /// An instance stopped answering: its members are lost to everyone here.
    pub fn remote_gone(&self, instance: InstanceId) {
        self.replace_remote(instance, &[], true);
    }

    /// An instance's members as of its snapshot: those that came are announced as joined, those
    /// missing as left.
    pub fn remote_snapshot(&self, instance: InstanceId, seats: &[Seat]) {
        self.replace_remote(instance, seats, false);
        for seat in seats {
            self.remote_joined(instance, *seat);
        }
    }

    /// Announces that this instance is running, with the number of its last change.
    pub fn announce_alive(&self) {
        let state = self.lock();
        if let Some(bus) = &self.bus {
            let message = BusMessage::Alive {
                from: bus.instance(),
                seq: state.seq,
            };
            bus.send(Subject::Alive, &message);
        }
    }

    /// Asks instance `of` for its members.
    pub fn ask_snapshot(&self, of: InstanceId) {
        if let Some(bus) = &self.bus {
            let from = bus.instance();
            bus.send(Subject::Instance(of), &BusMessage::SnapshotRequest { from });
        }
    }

    /// Sends this instance's members to `to`, in parts, numbered as of now (under the lock, so
    /// that every later change comes after the snapshot).
    pub fn send_snapshot(&self, to: InstanceId) {
        let state = self.lock();
        let Some(bus) = &self.bus else {
            return;
        };
        let seats: Vec<Seat> = state
            .rooms
            .iter()
            .flat_map(|(room, entry)| {
                entry.members.iter().filter(|m| m.is_local()).map(|m| Seat {
                    room: *room,
                    peer: m.id,
                    group: m.group,
                })
            })
            .collect();
        let mut parts = seats.chunks(SEATS_PER_SNAPSHOT).peekable();
        loop {
            let part = parts.next().unwrap_or_default();
            let last = parts.peek().is_none();
            let message = BusMessage::Snapshot {
                from: bus.instance(),
                seq: state.seq,
                seats: part.to_vec(),
                last,
            };
            bus.send(Subject::Instance(to), &message);
            if last {
                return;
            }
        }
    }

    /// Removes `instance`'s members that are not among `keep`.
    fn replace_remote(&self, instance: InstanceId, keep: &[Seat], lost: bool) {
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        rooms.retain(|room, entry| {
            let gone: Vec<PeerId> = entry
                .members
                .iter()
                .filter(|m| m.is_on(instance))
                .filter(|m| !keep.iter().any(|s| s.room == *room && s.peer == m.id))
                .map(|m| m.id)
                .collect();
            for peer in gone {
                entry.remove(*room, peer, lost, &mut announcer);
            }
            !entry.members.is_empty()
        });
    }

    /// Queues a signal for the local member `to`; a member too slow for it is removed.
    fn deliver(&self, room: RoomKey, to: PeerId, outbox: &Outbox, from: PeerId, payload: String) {
        let Some(text) = encode(&ServerMessage::Signal { from, payload }) else {
            return;
        };
        if outbox.deliver(text) != Err(Undelivered::Full) {
            return;
        }
        let mut state = self.lock();
        let (rooms, mut announcer) = state.split(self.bus.as_ref());
        if let Some(entry) = rooms.get_mut(&room) {
            if entry.is_local_member(to, outbox) {
                entry.remove(room, to, true, &mut announcer);
            }
            if entry.members.is_empty() {
                rooms.remove(&room);
            }
        }
    }

    /// Members present in `room` per group, largest first (for tests).
    #[cfg(test)]
    fn groups(&self, room: &RoomId) -> Vec<usize> {
        let state = self.lock();
        let Some(entry) = state.rooms.get(&self.keying.room(room)) else {
            return Vec::new();
        };
        let mut sizes: HashMap<GroupKey, usize> = HashMap::new();
        for member in &entry.members {
            *sizes.entry(member.group).or_default() += 1;
        }
        let mut sizes: Vec<usize> = sizes.into_values().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every operation leaves the map consistent before it can panic, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// The rooms, and the announcer that numbers changes with this state's counter.
    fn split<'a>(
        &'a mut self,
        bus: Option<&'a Bus>,
    ) -> (&'a mut HashMap<RoomKey, Room>, Announcer<'a>) {
        (
            &mut self.rooms,
            Announcer {
                bus,
                seq: &mut self.seq,
            },
        )
    }
}

impl Member {
    fn is_local(&self) -> bool {
        matches!(self.place, Place::Local(_))
    }

    fn is_on(&self, instance: InstanceId) -> bool {
        matches!(self.place, Place::Remote(on) if on == instance)
    }
}

impl Room {
    /// Members of `group`, on every instance.
    fn seated(&self, group: GroupKey) -> usize {
        self.members
            .iter()
            .filter(|member| member.group == group)
            .count()
    }

    /// Distinct groups among the members.
    fn groups(&self) -> usize {
        let mut groups: Vec<GroupKey> = Vec::with_capacity(self.members.len());
        for member in &self.members {
            if !groups.contains(&member.group) {
                groups.push(member.group);
            }
        }
        groups.len()
    }

    fn member(&self, peer: PeerId) -> Option<&Member> {
        self.members.iter().find(|member| member.id == peer)
    }

    /// Whether `peer` is a member here, and still the one behind `outbox`.
    fn is_local_member(&self, peer: PeerId, outbox: &Outbox) -> bool {
        self.member(peer).is_some_and(
            |member| matches!(&member.place, Place::Local(own) if own.same_connection(outbox)),
        )
    }

    /// A random id that nobody in the room has.
    fn fresh_id(&self) -> PeerId {
        let mut rng = rand::rng();
        loop {
            let id = PeerId(rng.random_range(0..PEER_ID_BOUND));
            if self.member(id).is_none() {
                return id;
            }
        }
    }

    /// Queues `message` for every local member; returns those whose queue was full.
    fn broadcast(&self, message: &ServerMessage) -> Vec<PeerId> {
        let Some(text) = encode(message) else {
            return Vec::new();
        };
        self.members
            .iter()
            .filter(|member| match &member.place {
                Place::Local(outbox) => outbox.deliver(text.clone()) == Err(Undelivered::Full),
                Place::Remote(_) => false,
            })
            .map(|member| member.id)
            .collect()
    }

    /// Removes `peer` and announces its departure to the local members left (and, if it was
    /// local, to the other instances); anyone too slow to take the announcement goes as well
    /// (lost).
    fn remove(&mut self, room: RoomKey, peer: PeerId, lost: bool, announcer: &mut Announcer<'_>) {
        let Some(index) = self.members.iter().position(|member| member.id == peer) else {
            return;
        };
        if self.members.remove(index).is_local() {
            announcer.left(room, peer, lost);
        }
        let slow = self.broadcast(&ServerMessage::PeerLeft {
            peer_id: peer,
            lost,
        });
        self.remove_lost(room, slow, announcer);
    }

    /// Removes members the server cut off as too slow: lost, not left (they may come back).
    fn remove_lost(&mut self, room: RoomKey, gone: Vec<PeerId>, announcer: &mut Announcer<'_>) {
        for peer in gone {
            self.remove(room, peer, true, announcer);
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

    fn limits(max_rooms: usize, max_peers_per_room: usize, max_groups: usize) -> RoomLimits {
        RoomLimits {
            max_rooms,
            max_peers_per_room,
            max_groups_per_room: max_groups,
        }
    }

    fn registry(max_rooms: usize, max_peers_per_room: usize, max_groups: usize) -> Rooms {
        Rooms::new(
            limits(max_rooms, max_peers_per_room, max_groups),
            Keying::random(),
            None,
        )
    }

    /// A connection's queue with room for plenty of messages.
    fn connection() -> (Outbox, Inbox, CloseRequests) {
        outbox(1 << 20, &SendBudget::new(1 << 30))
    }

    /// A connection's queue that takes one message (the welcome) and no more.
    fn slow_connection() -> (Outbox, Inbox, CloseRequests) {
        outbox(1, &SendBudget::new(1 << 30))
    }

    fn join(rooms: &Rooms, n: u8, admission: u8, outbox: &Outbox) -> Result<Membership, JoinError> {
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
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_a = at_a.peer;
        let at_b = join(&rooms, 1, 1, &b).expect("joins");
        let id_b = at_b.peer;
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
        rooms.leave(at_b, &b, false);
        assert_eq!(
            received(&mut a_in),
            [ServerMessage::PeerLeft {
                peer_id: id_b,
                lost: false
            }]
        );
        rooms.leave(at_a, &a, true);
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
        let at_b = join(&rooms, 1, 2, &b).expect("group 2");
        assert_eq!(join(&rooms, 1, 3, &c), Err(JoinError::RoomBusy));
        join(&rooms, 1, 2, &d).expect("an existing group still has seats");
        join(&rooms, 2, 3, &c).expect("other rooms are unaffected");
        rooms.leave(at_b, &b, false);
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
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_a = at_a.peer;
        let at_b = join(&rooms, 1, 2, &b).expect("joins");
        let id_b = at_b.peer;
        let ServerMessage::Welcome { peers, .. } = &received(&mut b_in)[0] else {
            panic!("expected a welcome first")
        };
        assert_eq!(peers, &[id_a]);
        assert_eq!(rooms.relay(at_b, &b, id_a, "hello".into()), Ok(()));
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
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        let at_b = join(&rooms, 1, 1, &b).expect("joins"); // fills b's queue
        let id_b = at_b.peer;
        assert_eq!(rooms.relay(at_a, &a, id_b, "x".into()), Ok(()));
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
            rooms.relay(at_a, &a, id_b, "x".into()),
            Err(RelayError::UnknownPeer)
        );
    }

    #[test]
    fn a_member_removed_as_a_slow_consumer_can_no_longer_relay() {
        let rooms = registry(10, 8, 3);
        let (a, mut a_in, _a_close) = connection();
        let (b, _b_in, b_close) = slow_connection();
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        let id_a = at_a.peer;
        let at_b = join(&rooms, 1, 1, &b).expect("joins"); // fills b's queue
        let id_b = at_b.peer;
        assert_eq!(rooms.relay(at_a, &a, id_b, "x".into()), Ok(()));
        assert_eq!(b_close.close_requested(), Some(CloseCode::SlowConsumer));
        received(&mut a_in); // welcome, joined, left
        // b's connection is still closing and still reading: its signals go nowhere.
        assert_eq!(
            rooms.relay(at_b, &b, id_a, "late".into()),
            Err(RelayError::NotMember)
        );
        assert_eq!(received(&mut a_in), []);
        // Nor can anyone else pass as a member by naming its id.
        let (stranger, _s_in, _s_close) = connection();
        assert_eq!(
            rooms.relay(at_a, &stranger, id_a, "forged".into()),
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
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        rooms.leave(at_a, &stranger, false);
        assert_eq!(rooms.census(), Census { rooms: 1, peers: 1 });
    }

    /// A registry sharing its rooms, and what it says on the bus.
    fn shared_registry(
        max_peers_per_room: usize,
    ) -> (Rooms, tokio::sync::mpsc::Receiver<crate::bus::Outgoing>) {
        let (bus, outgoing) = Bus::new(InstanceId(1));
        let rooms = Rooms::new(
            limits(10, max_peers_per_room, 3),
            Keying::shared(b"the instances' secret"),
            Some(bus),
        );
        (rooms, outgoing)
    }

    fn said(
        outgoing: &mut tokio::sync::mpsc::Receiver<crate::bus::Outgoing>,
    ) -> Vec<(Subject, BusMessage)> {
        let mut messages = Vec::new();
        while let Ok(message) = outgoing.try_recv() {
            let parsed = serde_json::from_slice(&message.payload).expect("bus JSON");
            messages.push((message.subject, parsed));
        }
        messages
    }

    fn remote_seat(rooms: &Rooms, n: u8, peer: u64, admission: u8) -> Seat {
        Seat {
            room: rooms.keying.room(&room(n)),
            peer: PeerId(peer),
            group: rooms.keying.group(&token(admission)),
        }
    }

    #[test]
    fn changes_to_local_members_are_announced_in_order() {
        let (rooms, mut outgoing) = shared_registry(8);
        let (a, _a_in, _a_close) = connection();
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        rooms.leave(at_a, &a, false);
        rooms.announce_alive();
        let key = rooms.keying.room(&room(1));
        let seat = Seat {
            room: key,
            peer: at_a.peer,
            group: rooms.keying.group(&token(1)),
        };
        assert_eq!(
            said(&mut outgoing),
            [
                (
                    Subject::Room(key),
                    BusMessage::Joined {
                        from: InstanceId(1),
                        seq: 1,
                        seat
                    }
                ),
                (
                    Subject::Room(key),
                    BusMessage::Left {
                        from: InstanceId(1),
                        seq: 2,
                        room: key,
                        peer: at_a.peer,
                        lost: false
                    }
                ),
                (
                    Subject::Alive,
                    BusMessage::Alive {
                        from: InstanceId(1),
                        seq: 2
                    }
                ),
            ]
        );
    }

    #[test]
    fn members_of_other_instances_are_welcomed_announced_and_reached_through_the_bus() {
        let (rooms, mut outgoing) = shared_registry(8);
        let elsewhere = InstanceId(2);
        let (a, mut a_in, _a_close) = connection();
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        rooms.remote_joined(elsewhere, remote_seat(&rooms, 1, 42, 1));
        assert_eq!(
            received(&mut a_in)[1..],
            [ServerMessage::PeerJoined {
                peer_id: PeerId(42)
            }]
        );
        let (b, mut b_in, _b_close) = connection();
        join(&rooms, 1, 1, &b).expect("joins");
        let ServerMessage::Welcome { peers, .. } = &received(&mut b_in)[0] else {
            panic!("expected a welcome first")
        };
        assert_eq!(peers, &[at_a.peer, PeerId(42)]);
        said(&mut outgoing);
        rooms
            .relay(at_a, &a, PeerId(42), "sealed".into())
            .expect("relayed");
        assert_eq!(
            said(&mut outgoing),
            [(
                Subject::Instance(elsewhere),
                BusMessage::Signal {
                    from: InstanceId(1),
                    room: at_a.room,
                    peer: at_a.peer,
                    to: PeerId(42),
                    payload: "sealed".into()
                }
            )]
        );
        rooms.remote_signal(elsewhere, at_a.room, PeerId(42), at_a.peer, "back".into());
        // Only the instance holding a member may speak for it.
        rooms.remote_signal(
            InstanceId(3),
            at_a.room,
            PeerId(42),
            at_a.peer,
            "forged".into(),
        );
        assert_eq!(
            received(&mut a_in)[1..],
            [ServerMessage::Signal {
                from: PeerId(42),
                payload: "back".into()
            }]
        );
    }

    #[test]
    fn seats_count_the_members_of_every_instance() {
        let (rooms, _outgoing) = shared_registry(2);
        rooms.remote_joined(InstanceId(2), remote_seat(&rooms, 1, 41, 1));
        rooms.remote_joined(InstanceId(3), remote_seat(&rooms, 1, 42, 1));
        let (a, _a_in, _a_close) = connection();
        assert_eq!(join(&rooms, 1, 1, &a), Err(JoinError::RoomFull));
        join(&rooms, 1, 2, &a).expect("another group has seats");
    }

    #[test]
    fn a_dead_instance_s_members_are_lost_and_a_snapshot_replaces_an_instance_s_members() {
        let (rooms, _outgoing) = shared_registry(8);
        let (a, mut a_in, _a_close) = connection();
        join(&rooms, 1, 1, &a).expect("joins");
        rooms.remote_joined(InstanceId(2), remote_seat(&rooms, 1, 41, 1));
        rooms.remote_joined(InstanceId(3), remote_seat(&rooms, 1, 42, 1));
        received(&mut a_in);
        rooms.remote_gone(InstanceId(2));
        assert_eq!(
            received(&mut a_in),
            [ServerMessage::PeerLeft {
                peer_id: PeerId(41),
                lost: true
            }]
        );
        rooms.remote_snapshot(InstanceId(3), &[remote_seat(&rooms, 1, 43, 1)]);
        assert_eq!(
            received(&mut a_in),
            [
                ServerMessage::PeerLeft {
                    peer_id: PeerId(42),
                    lost: false
                },
                ServerMessage::PeerJoined {
                    peer_id: PeerId(43)
                }
            ]
        );
        assert_eq!(
            rooms.census(),
            Census { rooms: 1, peers: 1 },
            "local members only"
        );
    }

    #[test]
    fn a_snapshot_lists_the_local_members_as_of_the_last_change() {
        let (rooms, mut outgoing) = shared_registry(8);
        let (a, _a_in, _a_close) = connection();
        let at_a = join(&rooms, 1, 1, &a).expect("joins");
        rooms.remote_joined(InstanceId(2), remote_seat(&rooms, 1, 41, 1));
        said(&mut outgoing);
        rooms.send_snapshot(InstanceId(2));
        assert_eq!(
            said(&mut outgoing),
            [(
                Subject::Instance(InstanceId(2)),
                BusMessage::Snapshot {
                    from: InstanceId(1),
                    seq: 1,
                    seats: vec![remote_seat(&rooms, 1, at_a.peer.0, 1)],
                    last: true
                }
            )]
        );
    }
}
