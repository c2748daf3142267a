//! Test doubles: keys derived once, deterministic challenges and certificates, a scripted peer
//! that speaks the real protocol (and may be an attacker who knows the passphrase), a network of
//! real rooms behind a server the test controls, and the `check` helper.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use crypto::{PairChannel, RngError, RoomKeys, RoomName, derive_room_keys, open_hello, seal_hello};
use mesh::{
    Command, Description, IceCandidate, Input, Negotiation, Notice, Room, SdpType, SignalBody,
};
use protocol::{PeerId, ServerMessage};

pub const ROOM: &str = "k7qm-2xhd-9fpa-rt3w-bn6e";

/// Keys for [`ROOM`] and the meeting's passphrase, derived once per test binary.
pub fn keys() -> Arc<RoomKeys> {
    static KEYS: OnceLock<Arc<RoomKeys>> = OnceLock::new();
    Arc::clone(KEYS.get_or_init(|| derive("correct horse battery staple")))
}

/// Keys for [`ROOM`] under another passphrase.
pub fn other_keys() -> Arc<RoomKeys> {
    static KEYS: OnceLock<Arc<RoomKeys>> = OnceLock::new();
    Arc::clone(KEYS.get_or_init(|| derive("correct horse battery stapler")))
}

fn derive(passphrase: &str) -> Arc<RoomKeys> {
    let room = RoomName::parse(ROOM).expect("a valid room name");
    Arc::new(derive_room_keys(passphrase, &room).expect("the key schedule runs"))
}

/// Challenges `start`, `start + 1`, ...
pub fn counter(start: u128) -> impl FnMut() -> Result<u128, RngError> + 'static {
    let mut next = start;
    move || {
        next += 1;
        Ok(next - 1)
    }
}

/// A room with the meeting's keys whose challenges count up from `0x1000`.
pub fn room(name: &str) -> Room {
    Room::new(name, keys(), counter(0x1000))
}

/// A certificate fingerprint made of one repeated byte.
pub fn fingerprint(byte: u8) -> String {
    let hex: Vec<String> = (0..32).map(|_| format!("{byte:02X}")).collect();
    format!("sha-256 {}", hex.join(":"))
}

pub fn welcome(me: PeerId, peers: &[PeerId]) -> Input {
    Input::Welcomed {
        me,
        peers: peers.to_vec(),
    }
}

pub fn joined(peer_id: PeerId) -> Input {
    Input::Server(ServerMessage::PeerJoined { peer_id })
}

pub fn left(peer_id: PeerId) -> Input {
    Input::Server(ServerMessage::PeerLeft {
        peer_id,
        lost: false,
    })
}

/// The server lost `peer_id`'s connection (it did not close it itself).
pub fn lost(peer_id: PeerId) -> Input {
    Input::Server(ServerMessage::PeerLeft {
        peer_id,
        lost: true,
    })
}

pub fn ready(peer: PeerId, fingerprint: &str) -> Input {
    Input::CertificateReady {
        peer,
        fingerprint: fingerprint.to_owned(),
    }
}

/// An SDP offer whose fingerprint lines name `fingerprints`, one m-section each.
pub fn sdp(fingerprints: &[&str]) -> String {
    let mut sdp = String::from("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n");
    for (i, fingerprint) in fingerprints.iter().enumerate() {
        sdp.push_str(&format!(
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:{i}\r\na=fingerprint:{fingerprint}\r\na=setup:actpass\r\n"
        ));
    }
    sdp
}

pub fn offer(fingerprints: &[&str]) -> Description {
    Description {
        sdp_type: SdpType::Offer,
        sdp: sdp(fingerprints),
    }
}

pub fn candidate(n: u16) -> IceCandidate {
    IceCandidate {
        candidate: format!("candidate:{n} 1 udp 2122260223 192.0.2.{n} 5000{n} typ host"),
        sdp_mid: Some("0".to_owned()),
        sdp_m_line_index: Some(0),
    }
}

pub const HELLO: u8 = 1;
pub const DESCRIPTION: u8 = 2;
pub const CANDIDATE: u8 = 3;
pub const ACK: u8 = 4;
/// The kind byte of a media-state message.
pub const MEDIA: u8 = 5;
/// The kind byte of a chat-stream announcement.
pub const CHAT_STREAM: u8 = 8;

/// A command with its envelope reduced to what the server sees of it (recipient, kind, seq), so
/// that expectations do not depend on random nonces.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Prepare(PeerId),
    Send {
        to: PeerId,
        kind: u8,
        seq: u64,
    },
    Open {
        peer: PeerId,
        offer: bool,
        polite: bool,
    },
    Deliver {
        peer: PeerId,
        negotiation: Negotiation,
    },
    Close(PeerId),
    Notify(Notice),
}

impl From<&Command> for Out {
    fn from(command: &Command) -> Self {
        match command {
            Command::PrepareCertificate { peer } => Out::Prepare(*peer),
            Command::Send { to, envelope } => Out::Send {
                to: *to,
                kind: envelope[1],
                seq: u64::from_be_bytes(envelope[2..10].try_into().expect("a header")),
            },
            Command::OpenConnection {
                peer,
                offer,
                polite,
            } => Out::Open {
                peer: *peer,
                offer: *offer,
                polite: *polite,
            },
            Command::Deliver { peer, negotiation } => Out::Deliver {
                peer: *peer,
                negotiation: negotiation.clone(),
            },
            Command::CloseConnection { peer } => Out::Close(*peer),
            Command::Notify(notice) => Out::Notify(notice.clone()),
        }
    }
}

pub fn hello_to(to: PeerId) -> Out {
    Out::Send {
        to,
        kind: HELLO,
        seq: 0,
    }
}

/// Our ack: always the first pair message.
pub fn ack_to(to: PeerId) -> Out {
    Out::Send {
        to,
        kind: ACK,
        seq: 1,
    }
}

/// What a peer's verification produces: the connection, the toast, and our media state and chat
/// stream sealed under the pair key (right after the ack, so sequence numbers 2 and 3).
/// What the room does when the handshake with `peer` completes: it opens the connection, unless
/// it makes the offer and so opened it already ([`opened_early`]); says who joined; and sends its
/// media state and chat stream.
pub fn verified(peer: PeerId, name: &str, offer: bool) -> Vec<Out> {
    let open = Out::Open {
        peer,
        offer,
        polite: !offer,
    };
    let mut out: Vec<Out> = (!offer).then_some(open).into_iter().collect();
    out.extend([
        Out::Notify(Notice::Joined {
            name: name.to_owned(),
        }),
        Out::Send {
            to: peer,
            kind: MEDIA,
            seq: 2,
        },
        Out::Send {
            to: peer,
            kind: CHAT_STREAM,
            seq: 3,
        },
    ]);
    out
}

/// The connection we offer on, opened as soon as our hello to `peer` is out.
pub fn opened_early(peer: PeerId) -> Out {
    Out::Open {
        peer,
        offer: true,
        polite: false,
    }
}

pub fn untrustworthy(peer: PeerId, name: &str) -> [Out; 2] {
    [
        Out::Close(peer),
        Out::Notify(Notice::Untrustworthy {
            name: name.to_owned(),
        }),
    ]
}

/// Feeds `inputs` in order, compares every command they produced with `expected`, and returns
/// the commands (for their envelopes).
#[track_caller]
pub fn check(room: &mut Room, inputs: Vec<Input>, expected: Vec<Out>) -> Vec<Command> {
    let commands: Vec<Command> = inputs
        .into_iter()
        .flat_map(|input| room.handle(input))
        .collect();
    let actual: Vec<Out> = commands.iter().map(Out::from).collect();
    assert_eq!(actual, expected);
    commands
}

/// The envelopes among `commands` sent to `to`, in order.
pub fn sent_to(commands: &[Command], to: PeerId) -> Vec<Vec<u8>> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Send { to: t, envelope } if *t == to => Some(envelope.clone()),
            _ => None,
        })
        .collect()
}

/// The one envelope among `commands` sent to `to`.
#[track_caller]
pub fn only_to(commands: &[Command], to: PeerId) -> Vec<u8> {
    let mut envelopes = sent_to(commands, to);
    assert_eq!(envelopes.len(), 1, "one envelope to {to}");
    envelopes.remove(0)
}

/// A played peer's session is its challenge with these bits flipped: distinct per peer.
const SESSION_MASK: u128 = 0x5e55_0000 << 64;

/// A peer played by the test with the real crypto: a genuine participant, or an attacker who knows
/// the passphrase (or, with [`other_keys`], one who does not).
pub struct Remote {
    pub id: PeerId,
    keys: Arc<RoomKeys>,
    pub fingerprint: String,
    /// The session its hello names.
    pub session: u128,
    hello: Vec<u8>,
    channel: Option<PairChannel>,
    /// The challenge in the hello it received, to echo.
    theirs: Option<u128>,
}

impl Remote {
    pub fn new(id: PeerId, name: &str, challenge: u128, fingerprint: &str) -> Self {
        Self::with_keys(keys(), id, name, challenge, fingerprint)
    }

    pub fn with_keys(
        keys: Arc<RoomKeys>,
        id: PeerId,
        name: &str,
        challenge: u128,
        fingerprint: &str,
    ) -> Self {
        Self::with_session(
            keys,
            id,
            name,
            challenge,
            challenge ^ SESSION_MASK,
            fingerprint,
        )
    }

    /// A peer whose hello names `session`: an impostor's, if it is someone else's.
    pub fn with_session(
        keys: Arc<RoomKeys>,
        id: PeerId,
        name: &str,
        challenge: u128,
        session: u128,
        fingerprint: &str,
    ) -> Self {
        let hello = SignalBody::Hello {
            name: name.to_owned(),
            challenge,
            session,
            commitment: crypto::dtls_commitment(fingerprint).expect("a valid fingerprint"),
        };
        Self {
            id,
            keys,
            session,
            fingerprint: fingerprint.to_owned(),
            hello: serde_json::to_vec(&hello).expect("serialises"),
            channel: None,
            theirs: None,
        }
    }

    /// Its hello to `to`, as the server relays it.
    pub fn hello_to(&self, to: PeerId) -> Input {
        let bytes = seal_hello(
            self.keys.signal(),
            self.keys.room_id(),
            self.id,
            to,
            &self.hello,
        )
        .expect("seals");
        Input::Envelope {
            from: self.id,
            bytes,
        }
    }

    /// Opens the hello `from` sent it and derives the pair keys; returns that hello.
    #[track_caller]
    pub fn receive_hello(&mut self, from: PeerId, envelope: &[u8]) -> SignalBody {
        let plaintext = open_hello(
            self.keys.signal(),
            self.keys.room_id(),
            from,
            self.id,
            envelope,
        )
        .expect("the hello opens");
        let hello: SignalBody = serde_json::from_slice(&plaintext).expect("a hello");
        let SignalBody::Hello { challenge, .. } = hello else {
            panic!("not a hello: {hello:?}");
        };
        self.theirs = Some(challenge);
        self.channel = Some(
            PairChannel::new(
                self.keys.signal(),
                self.keys.room_id().clone(),
                self.id,
                from,
                &self.hello,
                &plaintext,
            )
            .expect("two different hellos"),
        );
        hello
    }

    /// `body` sealed under its pair channel, as the server relays it.
    pub fn send(&mut self, body: &SignalBody) -> Input {
        let channel = self.channel.as_mut().expect("a pair channel");
        let plaintext = serde_json::to_vec(body).expect("serialises");
        let bytes = channel.seal(body.kind(), &plaintext).expect("seals");
        Input::Envelope {
            from: self.id,
            bytes,
        }
    }

    /// Its ack, echoing the challenge of the hello it received.
    pub fn ack(&mut self) -> Input {
        let echo = self.theirs.expect("a hello received");
        self.send(&SignalBody::Ack { echo })
    }

    /// Opens a pair message the room sent it.
    #[track_caller]
    pub fn open(&mut self, envelope: &[u8]) -> SignalBody {
        self.try_open(envelope).expect("opens")
    }

    /// Opens a pair message, if it opens under its channel.
    pub fn try_open(&mut self, envelope: &[u8]) -> Option<SignalBody> {
        let opened = self.channel.as_mut()?.open(envelope).ok()?;
        Some(serde_json::from_slice(&opened.plaintext).expect("a signal body"))
    }
}

/// Completes the handshake of `room` (welcomed as `me`, already asked for a certificate for
/// `remote`) with `remote`: our certificate, our hello, its hello, its ack. Returns the commands.
pub fn handshake(room: &mut Room, me: PeerId, remote: &mut Remote) -> Vec<Command> {
    let ours = room.handle(ready(remote.id, &fingerprint(0xAA)));
    remote.receive_hello(me, &only_to(&ours, remote.id));
    let mut commands = ours;
    commands.extend(room.handle(remote.hello_to(me)));
    commands.extend(room.handle(remote.ack()));
    commands
}

/// One participant of a [`Net`], with what its glue was asked to do.
pub struct Member {
    pub name: String,
    pub id: PeerId,
    pub room: Room,
    pub notices: Vec<Notice>,
    /// `(peer, offer)` of every connection opened.
    pub opened: Vec<(PeerId, bool)>,
    pub delivered: Vec<(PeerId, Negotiation)>,
    pub closed: Vec<PeerId>,
    certificates: u8,
}

/// An envelope the server relayed (or held).
#[derive(Debug, Clone)]
pub struct Relayed {
    pub from: PeerId,
    pub to: PeerId,
    pub envelope: Vec<u8>,
}

impl Relayed {
    pub fn kind(&self) -> u8 {
        self.envelope[1]
    }
}

/// Real rooms behind a server the test plays: it routes every envelope to every member whose id
/// is the recipient (so ids may be shared), logs them all, and holds them instead while `hold`.
pub struct Net {
    pub members: Vec<Member>,
    /// Inputs for members, handled first.
    queue: VecDeque<(usize, Input)>,
    /// Envelopes on their way through the server, in order (per sender, as a WebSocket keeps it).
    in_flight: VecDeque<Relayed>,
    pub log: Vec<Relayed>,
    /// While set, the server relays nothing (it keeps what is in flight).
    pub hold: bool,
}

impl Net {
    pub fn new() -> Self {
        Self {
            members: Vec::new(),
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            log: Vec::new(),
            hold: false,
        }
    }

    /// A new participant `name` with id `id`, welcomed with the ids of everyone there (in order of
    /// arrival, without duplicates), each of whom is told it joined. Returns its index.
    pub fn join(&mut self, name: &str, id: PeerId) -> usize {
        self.join_with_keys(name, id, keys())
    }

    /// [`Net::join`] for a participant who typed another passphrase (`keys`).
    pub fn join_with_keys(&mut self, name: &str, id: PeerId, keys: Arc<RoomKeys>) -> usize {
        let index = self.members.len();
        let challenges = counter(0x1_0000 * (index as u128 + 1));
        self.members.push(Member {
            name: name.to_owned(),
            id,
            room: Room::new(name, keys, challenges),
            notices: Vec::new(),
            opened: Vec::new(),
            delivered: Vec::new(),
            closed: Vec::new(),
            certificates: 0,
        });
        self.arrive(index, &(0..index).collect::<Vec<_>>());
        index
    }

    /// Member `index` (under its current id) is welcomed with the ids of the members `present`
    /// (in order, without duplicates), each of whom is told it joined.
    fn arrive(&mut self, index: usize, present: &[usize]) {
        let id = self.members[index].id;
        let mut ids: Vec<PeerId> = Vec::new();
        for &other in present {
            let other_id = self.members[other].id;
            if other_id != id && !ids.contains(&other_id) {
                ids.push(other_id);
                self.queue.push_back((other, joined(id)));
            }
        }
        self.queue.push_back((index, welcome(id, &ids)));
        self.run();
    }

    /// The server restarts: what it held is lost, and every member comes back, in order, under
    /// the new id given for it.
    pub fn restart_server(&mut self, new_ids: &[PeerId]) {
        self.in_flight.clear();
        for member in &mut self.members {
            member.opened.clear();
            member.closed.clear();
            member.notices.clear();
        }
        for (index, &id) in new_ids.iter().enumerate() {
            self.members[index].id = id;
            self.arrive(index, &(0..index).collect::<Vec<_>>());
        }
    }

    /// Member `index` alone loses the server and comes back under `id`: the others keep their
    /// ids, and hear first that its old id was lost (as when its socket broke) if `lost_first`.
    pub fn reconnect(&mut self, index: usize, id: PeerId, lost_first: bool) {
        let old = self.members[index].id;
        let others: Vec<usize> = (0..self.members.len()).filter(|&i| i != index).collect();
        for member in &mut self.members {
            member.opened.clear();
            member.closed.clear();
            member.notices.clear();
        }
        if lost_first {
            for &other in &others {
                self.queue.push_back((other, lost(old)));
            }
        }
        self.members[index].id = id;
        self.arrive(index, &others);
        if !lost_first {
            for &other in &others {
                self.queue.push_back((other, lost(old)));
            }
            self.run();
        }
    }

    /// Feeds `input` to member `index` and runs until nothing moves.
    pub fn input(&mut self, index: usize, input: Input) {
        self.queue.push_back((index, input));
        self.run();
    }

    /// Delivers an envelope at once, as a malicious server may (whatever it is, and whenever).
    pub fn relay(&mut self, relayed: &Relayed) {
        self.deliver(relayed);
        self.run();
    }

    /// Delivers the next envelope the server holds, and lets the recipients react (their answers
    /// are held too).
    pub fn deliver_next(&mut self) {
        if let Some(relayed) = self.in_flight.pop_front() {
            self.deliver(&relayed);
        }
        self.run();
    }

    /// Member `index` reloads the page: a new room, which remembers nothing, with challenges
    /// counting from `start`.
    pub fn reload(&mut self, index: usize, start: u128) {
        let member = &mut self.members[index];
        member.room = Room::new(&member.name, keys(), counter(start));
    }

    /// Lets what the server held through, in order.
    pub fn release(&mut self) {
        self.hold = false;
        self.run();
    }

    /// Member `index` sends its offer to `peer` (with the certificate it committed to).
    pub fn offer(&mut self, index: usize, peer: PeerId) {
        let fingerprint = self.members[index]
            .room
            .local_fingerprint(peer)
            .expect("a committed certificate")
            .to_owned();
        let negotiation = Negotiation::Description(offer(&[&fingerprint, &fingerprint]));
        self.input(index, Input::Local { peer, negotiation });
    }

    pub fn member(&self, name: &str) -> &Member {
        self.members
            .iter()
            .find(|m| m.name == name)
            .expect("a member")
    }

    pub fn names(&self, index: usize) -> Vec<String> {
        let room = &self.members[index].room;
        room.participants().into_iter().map(|p| p.name).collect()
    }

    fn recipients(&self, to: PeerId) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].id == to)
            .collect()
    }

    fn deliver(&mut self, relayed: &Relayed) {
        for index in self.recipients(relayed.to) {
            self.queue.push_back((
                index,
                Input::Envelope {
                    from: relayed.from,
                    bytes: relayed.envelope.clone(),
                },
            ));
        }
    }

    fn run(&mut self) {
        loop {
            if let Some((index, input)) = self.queue.pop_front() {
                let commands = self.members[index].room.handle(input);
                for command in commands {
                    self.carry_out(index, command);
                }
            } else if !self.hold
                && let Some(relayed) = self.in_flight.pop_front()
            {
                self.deliver(&relayed);
            } else {
                break;
            }
        }
    }

    fn carry_out(&mut self, index: usize, command: Command) {
        let member = &mut self.members[index];
        match command {
            Command::PrepareCertificate { peer } => {
                member.certificates += 1;
                let byte = (index as u8) << 5 | member.certificates;
                self.queue
                    .push_back((index, ready(peer, &fingerprint(byte))));
            }
            Command::Send { to, envelope } => {
                let relayed = Relayed {
                    from: member.id,
                    to,
                    envelope,
                };
                self.log.push(relayed.clone());
                self.in_flight.push_back(relayed);
            }
            Command::OpenConnection { peer, offer, .. } => member.opened.push((peer, offer)),
            Command::Deliver { peer, negotiation } => member.delivered.push((peer, negotiation)),
            Command::CloseConnection { peer } => member.closed.push(peer),
            Command::Notify(notice) => member.notices.push(notice),
        }
    }
}
