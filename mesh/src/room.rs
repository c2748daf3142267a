//! [`Room`]: one participant's view of the meeting, driven by [`Input`]s, answering with
//! [`Command`]s for the browser glue and keeping what the UI shows ([`Room::participants`],
//! [`Room::status`], [`Room::unverified_present`], [`Room::safety_number`]).
//!
//! The room seals and opens every envelope itself (construction version 2, see the crate
//! documentation and [`crypto::seal`], [`crypto::pair`]): the glue only moves bytes, generates
//! certificates and reads what DTLS verified.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use crypto::{
    Commitment, HELLO_KIND, PairChannel, RngError, RoomKeys, SafetyNumber, StreamOpener,
    StreamSealer, dtls_commitment, envelope_kind, normalize_fingerprint, open_hello, safety_number,
    seal_hello,
};
use protocol::{PeerId, ServerMessage};

use crate::body::{Negotiation, SignalBody};
use crate::hands::{Hand, HandQueue};
use crate::media::MediaState;
use crate::verification::{Marks, Verification};

/// Longest display name, in characters, that is sent and shown; longer names are cut.
pub const MAX_NAME_CHARS: usize = 64;
/// Most peers tracked at once; the server allows far fewer per room, so more is an attack.
pub const MAX_PEERS: usize = 64;
/// How many challenges (ours and those of hellos we accepted) a room remembers, to drop a
/// reflected or replayed hello. Beyond that the oldest are forgotten; such a hello still leads to
/// nothing that opens (its pair key is new), it would only no longer be dropped at once.
pub const MAX_REMEMBERED_CHALLENGES: usize = 4096;
/// Pair messages kept for a peer while the server has no route to it (after either side lost
/// the signalling connection); beyond that the oldest go. They are ICE candidates and media
/// states, which later ones supersede.
pub const MAX_UNROUTED_MESSAGES: usize = 32;
/// What a connection opened before its handshake completed (we make the offer) may negotiate
/// meanwhile: the offer first, then ICE candidates. Kept until the peer is verified; beyond this,
/// later candidates are dropped (ICE works with the ones kept, or restarts).
pub const MAX_EARLY_MESSAGES: usize = 32;
/// The kind byte of a chat frame in the chat stream.
const CHAT_FRAME_KIND: u8 = 1;

/// Where a room's challenges come from: [`crypto::challenge`] in the browser, anything
/// deterministic in tests. An error, or a challenge the room has seen before, stops that one
/// handshake (fail closed: no hello is sent).
pub type ChallengeSource = Box<dyn FnMut() -> Result<u128, RngError>>;

/// Something that happened, for the room to react to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The server welcomed us (after every (re)connect): our id and who was there, oldest first.
    Welcomed { me: PeerId, peers: Vec<PeerId> },
    /// Any other message from the signalling server (`peer_joined`, `peer_left`; a `signal`
    /// must come as [`Input::Envelope`]).
    Server(ServerMessage),
    /// The bytes of a relayed envelope the server says `from` sent (the `signal` payload, base64
    /// decoded).
    Envelope { from: PeerId, bytes: Vec<u8> },
    /// The certificate the glue generated for `peer` (after [`Command::PrepareCertificate`]) has
    /// this fingerprint (`sha-256 AB:CD:...`).
    CertificateReady { peer: PeerId, fingerprint: String },
    /// Our connection to `peer` produced a description or an ICE candidate: seal and send it.
    Local {
        peer: PeerId,
        negotiation: Negotiation,
    },
    /// DTLS verified the certificate with this fingerprint for `peer` (read from the transport,
    /// e.g. `getStats()`, after every (re)negotiation or DTLS state change).
    RemoteCertificate { peer: PeerId, fingerprint: String },
    /// Our microphone or camera went on or off: every verified peer is told.
    LocalMedia(MediaState),
    /// We raised (`true`) or lowered our hand: every verified peer is told.
    LocalHand(bool),
    /// The peer connection to `peer` changed state.
    Connection {
        peer: PeerId,
        state: ConnectionState,
    },
}

/// What the browser glue must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Generate a fresh DTLS certificate for `peer` (`RTCPeerConnection.generateCertificate`) and
    /// answer with [`Input::CertificateReady`]. The connection to `peer` must use the certificate
    /// whose fingerprint [`Room::local_fingerprint`] names.
    PrepareCertificate { peer: PeerId },
    /// Send `envelope` to `to` through the server (base64 in a `signal` message).
    Send { to: PeerId, envelope: Vec<u8> },
    /// Create the peer connection to `peer` with its certificate; `offer` says whether this side
    /// makes the first offer, `polite` its role in perfect negotiation. The side that offers
    /// opens it as soon as its hello is out, so that its offer is ready when the handshake
    /// completes; what it negotiates is sent only then (see [`MAX_EARLY_MESSAGES`]).
    OpenConnection {
        peer: PeerId,
        offer: bool,
        polite: bool,
    },
    /// Hand an SDP description or ICE candidate from `peer` to its connection.
    Deliver {
        peer: PeerId,
        negotiation: Negotiation,
    },
    /// Close the connection to `peer`, if any, and release everything held for it (certificate,
    /// tracks, callbacks).
    CloseConnection { peer: PeerId },
    /// Tell the user.
    Notify(Notice),
}

/// A toast-worthy event (the words are the app's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Joined {
        name: String,
    },
    Left {
        name: String,
    },
    /// Someone whose passphrase differs from ours tried to join after us.
    ForeignPassphraseAttempt,
    /// `name` raised their hand.
    HandRaised {
        name: String,
    },
    /// The connection to `name` used, or announced, a certificate other than the one `name`
    /// committed to: someone may be in the middle. The connection was closed.
    Untrustworthy {
        name: String,
    },
}

/// The state of a peer connection, as the browser reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    New,
    Connecting,
    Connected,
    Disconnected,
    Failed,
    Closed,
}

/// What the UI shows for a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantStatus {
    Connecting,
    Connected,
    Reconnecting,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub peer: PeerId,
    pub name: String,
    pub status: ParticipantStatus,
    /// Its microphone and camera, as it last announced them.
    pub media: MediaState,
    /// Whether the user marked its safety number as compared ("Mark as verified").
    pub verification: Verification,
    /// Its place among the raised hands (1 for the first up), if its hand is up.
    pub hand: Option<usize>,
}

/// The meeting as a whole, from this participant's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomStatus {
    /// Not yet welcomed by the server.
    Joining,
    /// Nobody else is here (or only people with another passphrase who came after us).
    WaitingForOthers,
    /// Peers are here, and none has completed the handshake yet.
    Verifying,
    /// Those who were here before us could not open our messages nor we theirs.
    PassphraseMismatch,
    /// At least one peer shares our passphrase.
    InMeeting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Handshake under way (or not even started: a silent peer).
    Unverified,
    /// Its ack opened under our pair key: same passphrase, this session.
    Verified,
    /// Its first hello did not open: another passphrase.
    Mismatched,
    /// It announced or used a certificate it had not committed to.
    Untrustworthy,
}

/// Our half of the handshake with one peer.
struct LocalHello {
    /// The normalised fingerprint of the certificate we committed to.
    fingerprint: String,
    challenge: u128,
    plaintext: Vec<u8>,
}

/// The peer's hello, as it opened.
struct RemoteHello {
    name: String,
    challenge: u128,
    session: u128,
    commitment: Commitment,
    plaintext: Vec<u8>,
}

/// One peer, under the handle the room and its glue know it by: the server's id for it when the
/// handshake began. The server may later know it under another id ([`Peer::route`]).
struct Peer {
    /// The peer was in the room before us, so it makes the offer.
    joined_before_us: bool,
    /// The server's id for the peer now: where its messages come from and ours go. `None` after
    /// the server lost it or us, until the peer resumes under its new id.
    route: Option<PeerId>,
    /// Pair messages for it while unrouted, oldest first, at most [`MAX_UNROUTED_MESSAGES`];
    /// sealed only when sent, so that they follow the resume in sequence.
    unrouted: VecDeque<SignalBody>,
    /// We opened its connection before the handshake completed (we make the offer).
    opened_early: bool,
    /// What that connection negotiated before the peer was verified, oldest first, at most
    /// [`MAX_EARLY_MESSAGES`]; sealed and sent when it is.
    early: VecDeque<SignalBody>,
    /// For a peer still in its handshake: the handle of the verified peer whose session its
    /// hello names, whose connection it may resume instead of starting a new one.
    resumes: Option<PeerId>,
    /// While resuming: the peer answered with an ack instead (it has no connection to resume),
    /// which waits until our own old connection to it fails.
    fresh_ack: bool,
    /// After our own reconnect, while unrouted, if the server still lists the peer under its
    /// handle (only we lost the server): the challenge of the hello we sent it there. Its hello
    /// naming its session is answered with a resume, and then routes it back.
    rejoin: Option<u128>,
    /// The peer's chat stream, once it announced it.
    chat_stream: Option<StreamOpener>,
    trust: Trust,
    status: ParticipantStatus,
    local: Option<LocalHello>,
    remote: Option<RemoteHello>,
    channel: Option<PairChannel>,
    /// The normalised fingerprint DTLS verified, once it matched the commitment.
    verified_certificate: Option<String>,
    media: MediaState,
}

/// A bounded set of challenges, forgetting the oldest first.
#[derive(Default)]
struct ChallengeLog {
    order: VecDeque<u128>,
    set: BTreeSet<u128>,
}

impl ChallengeLog {
    /// Adds `challenge`; `false` if it was already there.
    fn insert(&mut self, challenge: u128) -> bool {
        if !self.set.insert(challenge) {
            return false;
        }
        self.order.push_back(challenge);
        if self.order.len() > MAX_REMEMBERED_CHALLENGES
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }
}

/// One participant's room state machine.
pub struct Room {
    my_name: String,
    keys: Arc<RoomKeys>,
    challenges: ChallengeSource,
    /// This page's session ([`SignalBody::Hello`]), drawn with the first hello.
    session: Option<u128>,
    me: Option<PeerId>,
    peers: BTreeMap<PeerId, Peer>,
    /// Our own challenges and those of every hello accepted, across reconnects.
    seen_challenges: ChallengeLog,
    dropped_envelopes: u64,
    /// Our own microphone and camera, announced to every verified peer.
    my_media: MediaState,
    /// The safety numbers the user marked as verified.
    marks: Marks,
    /// Raised hands, ours among them, in the order they went up.
    hands: HandQueue,
    /// Our chat stream, announced to every verified peer; `None` until the first peer is
    /// verified (or if randomness failed: then no chat frame can be sent).
    chat_stream: Option<StreamSealer>,
}

impl fmt::Debug for Room {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Room")
            .field("me", &self.me)
            .field("peers", &self.peers.len())
            .field("dropped_envelopes", &self.dropped_envelopes)
            .finish_non_exhaustive()
    }
}

impl Room {
    /// A room for a participant called `my_name` (cleaned and cut to [`MAX_NAME_CHARS`]) holding
    /// `keys`, drawing its challenges from `challenges` (`crypto::challenge` in the browser).
    pub fn new(
        my_name: &str,
        keys: Arc<RoomKeys>,
        challenges: impl FnMut() -> Result<u128, RngError> + 'static,
    ) -> Self {
        Self {
            my_name: clean_name(my_name),
            keys,
            challenges: Box::new(challenges),
            session: None,
            me: None,
            peers: BTreeMap::new(),
            seen_challenges: ChallengeLog::default(),
            dropped_envelopes: 0,
            my_media: MediaState::default(),
            marks: Marks::default(),
            hands: HandQueue::default(),
            chat_stream: None,
        }
    }

    /// The keys of this room (room id, admission token, chat and media keys).
    pub fn keys(&self) -> &RoomKeys {
        &self.keys
    }

    /// Our id, once the server has welcomed us.
    pub fn me(&self) -> Option<PeerId> {
        self.me
    }

    /// How many envelopes were dropped because they did not open, did not parse, or made no
    /// sense at that point of the handshake.
    pub fn dropped_envelopes(&self) -> u64 {
        self.dropped_envelopes
    }

    /// Counts an envelope the glue dropped before it reached the room (a malformed frame).
    pub fn count_dropped(&mut self) {
        self.dropped_envelopes += 1;
    }

    /// Advances the state by one input.
    pub fn handle(&mut self, input: Input) -> Vec<Command> {
        match input {
            Input::Welcomed { me, peers } => self.on_welcomed(me, peers),
            Input::Server(message) => self.on_server(message),
            Input::Envelope { from, bytes } => self.on_envelope(from, &bytes),
            Input::CertificateReady { peer, fingerprint } => {
                self.on_certificate_ready(peer, &fingerprint)
            }
            Input::Local { peer, negotiation } => self.on_local(peer, negotiation),
            Input::RemoteCertificate { peer, fingerprint } => {
                self.on_remote_certificate(peer, &fingerprint)
            }
            Input::LocalMedia(media) => self.on_local_media(media),
            Input::LocalHand(raised) => self.on_local_hand(raised),
            Input::Connection { peer, state } => self.on_connection(peer, state),
        }
    }

    /// Verified participants other than us, in order of their ids.
    pub fn participants(&self) -> Vec<Participant> {
        self.peers
            .iter()
            .filter(|(_, state)| state.trust == Trust::Verified)
            .map(|(&peer, state)| Participant {
                peer,
                name: state.name().to_owned(),
                status: state.status,
                media: state.media,
                verification: state
                    .remote
                    .as_ref()
                    .map_or_else(Verification::default, |remote| {
                        self.marks
                            .verification(remote.session, self.safety_number(peer))
                    }),
                hand: self.hands.position(Hand::Peer(peer)),
            })
            .collect()
    }

    /// Peers in the room that are not verified: still in the handshake, silent, with another
    /// passphrase, or refused as untrustworthy ("N present, not verified").
    pub fn unverified_present(&self) -> usize {
        self.peers
            .values()
            .filter(|state| state.trust != Trust::Verified)
            .count()
    }

    pub fn status(&self) -> RoomStatus {
        if self.me.is_none() {
            return RoomStatus::Joining;
        }
        let peers = || self.peers.values();
        if peers().any(|p| p.trust == Trust::Verified) {
            RoomStatus::InMeeting
        } else if peers().any(|p| p.joined_before_us && p.trust == Trust::Mismatched) {
            RoomStatus::PassphraseMismatch
        } else if peers().all(|p| matches!(p.trust, Trust::Mismatched | Trust::Untrustworthy)) {
            // Nobody we could meet: people with another passphrase, or refused connections.
            RoomStatus::WaitingForOthers
        } else {
            RoomStatus::Verifying
        }
    }

    /// The fingerprint of the certificate we committed to toward `peer` (normalised): the one
    /// its connection must use.
    pub fn local_fingerprint(&self, peer: PeerId) -> Option<&str> {
        let local = self.peers.get(&peer)?.local.as_ref()?;
        Some(&local.fingerprint)
    }

    /// Whether `fingerprint` is the certificate the verified peer `peer` committed to. A pure
    /// check; [`Input::RemoteCertificate`] acts on the answer.
    pub fn check_remote_certificate(&self, peer: PeerId, fingerprint: &str) -> bool {
        self.peers.get(&peer).is_some_and(|state| {
            state.trust == Trust::Verified
                && state
                    .remote
                    .as_ref()
                    .is_some_and(|remote| remote.commitment.opens_to(fingerprint))
        })
    }

    /// The safety number of the connection to `peer`, from our committed certificate and the
    /// remote certificate DTLS verified ([`Input::RemoteCertificate`]); `None` before that.
    pub fn safety_number(&self, peer: PeerId) -> Option<SafetyNumber> {
        let state = self.peers.get(&peer)?;
        if state.trust != Trust::Verified {
            return None;
        }
        let local = state.local.as_ref()?;
        let remote = state.verified_certificate.as_ref()?;
        safety_number(self.keys.safety(), &local.fingerprint, remote).ok()
    }

    /// Seals one chat frame (the same bytes go to every peer) under our chat stream; `None` if
    /// there is none (no peer verified yet, or no randomness).
    pub fn seal_chat(&mut self, frame: &[u8]) -> Option<Vec<u8>> {
        self.chat_stream.as_mut()?.seal(CHAT_FRAME_KIND, frame).ok()
    }

    /// Opens a chat frame that came from `peer`'s data channel under the stream it announced;
    /// `None` (and counted as dropped) if it does not open: forged, replayed, reordered, or
    /// before the announcement.
    pub fn open_chat(&mut self, peer: PeerId, frame: &[u8]) -> Option<Vec<u8>> {
        let opened = self
            .peers
            .get_mut(&peer)
            .filter(|p| p.trust == Trust::Verified)
            .and_then(|p| p.chat_stream.as_mut())
            .and_then(|stream| stream.open(frame).ok())
            .filter(|opened| opened.kind == CHAT_FRAME_KIND);
        if opened.is_none() {
            self.dropped_envelopes += 1;
        }
        opened.map(|opened| opened.plaintext)
    }

    /// Our place among the raised hands, if ours is up.
    pub fn my_hand(&self) -> Option<usize> {
        self.hands.position(Hand::Mine)
    }

    /// The user compared `peer`'s safety number with that person and marks it as verified for
    /// this meeting; `false` if there is no safety number yet.
    pub fn mark_verified(&mut self, peer: PeerId) -> bool {
        let (Some(number), Some(remote)) = (
            self.safety_number(peer),
            self.peers.get(&peer).and_then(|p| p.remote.as_ref()),
        ) else {
            return false;
        };
        self.marks.mark(remote.session, number)
    }

    fn on_welcomed(&mut self, me: PeerId, present: Vec<PeerId>) -> Vec<Command> {
        self.me = Some(me);
        // After a reconnect the server hands out new ids. A verified peer whose connection still
        // works stays, unrouted, until it resumes under its new id; everything else goes.
        let mut commands = Vec::new();
        for (handle, mut peer) in std::mem::take(&mut self.peers) {
            if peer.trust == Trust::Verified && peer.is_alive() {
                peer.route = None;
                self.peers.insert(handle, peer);
            } else {
                commands.push(Command::CloseConnection { peer: handle });
            }
        }
        for peer in present.into_iter().filter(|&p| p != me) {
            if self.peers.contains_key(&peer) {
                // Still there under the same id: only we lost the server.
                commands.extend(self.rejoin(peer));
                continue;
            }
            if !self.is_new(peer) {
                continue;
            }
            self.peers.insert(peer, Peer::new(true, peer));
            commands.push(Command::PrepareCertificate { peer });
        }
        commands
    }

    /// A new server id that is the handle of an unrouted peer (a server that reuses ids; an
    /// honest one draws them at random from 2^53): that peer goes, as it would have on
    /// `peer_left` before ids could change.
    fn make_way(&mut self, id: PeerId) -> Vec<Command> {
        match self.peers.get(&id) {
            Some(peer) if peer.route != Some(id) => self.remove(id),
            _ => Vec::new(),
        }
    }

    /// Whether the server id `peer` may start a handshake: not known (as a handle or a route)
    /// and room for one more.
    fn is_new(&self, peer: PeerId) -> bool {
        self.peers.len() < MAX_PEERS
            && !self.peers.contains_key(&peer)
            && self.handle_of(peer).is_none()
    }

    /// The handle of the peer the server now knows as `route` (or lists again under its handle,
    /// while we rejoin it).
    fn handle_of(&self, route: PeerId) -> Option<PeerId> {
        self.peers
            .iter()
            .find(|&(&handle, peer)| {
                peer.route == Some(route) || (peer.rejoin.is_some() && handle == route)
            })
            .map(|(&handle, _)| handle)
    }

    /// After our own reconnect, the server lists the kept (unrouted) peer `handle` under the id
    /// it had: we send it a fresh hello there, committing to the certificate of the connection
    /// that works, so that it resumes our connection under our new id; its own hello is answered
    /// in [`Room::on_rejoin_hello`].
    fn rejoin(&mut self, handle: PeerId) -> Vec<Command> {
        let (Some(me), Some(session)) = (self.me, self.session()) else {
            return Vec::new();
        };
        let Ok(challenge) = (self.challenges)() else {
            return Vec::new();
        };
        if !self.seen_challenges.insert(challenge) {
            return Vec::new();
        }
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        let Some(Ok(commitment)) = peer.local.as_ref().map(|l| dtls_commitment(&l.fingerprint))
        else {
            return Vec::new();
        };
        let hello = SignalBody::Hello {
            name: self.my_name.clone(),
            challenge,
            session,
            commitment,
        };
        let Ok(plaintext) = serde_json::to_vec(&hello) else {
            return Vec::new();
        };
        let keys = &self.keys;
        let Ok(envelope) = seal_hello(keys.signal(), keys.room_id(), me, handle, &plaintext) else {
            return Vec::new();
        };
        peer.rejoin = Some(challenge);
        vec![Command::Send {
            to: handle,
            envelope,
        }]
    }

    /// A hello from a peer we rejoin: if it names the session of the connection we kept, we
    /// resume it (under its pair channel, which only that peer opens) and route it back, with
    /// what waited meanwhile. Anything else is dropped.
    fn on_rejoin_hello(&mut self, handle: PeerId, challenge: u128, session: u128) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        let same_session = peer.remote.as_ref().is_some_and(|r| r.session == session);
        if peer.rejoin.is_none() || !same_session || !self.seen_challenges.insert(challenge) {
            self.dropped_envelopes += 1;
            return Vec::new();
        }
        let resume = SignalBody::Resume { echo: challenge };
        let Some(envelope) = peer.channel.as_mut().and_then(|c| seal_body(c, &resume)) else {
            return Vec::new();
        };
        peer.rejoin = None;
        peer.route = Some(handle);
        let mut commands = vec![Command::Send {
            to: handle,
            envelope,
        }];
        let waiting = std::mem::take(&mut peer.unrouted);
        commands.extend(waiting.into_iter().filter_map(|body| peer.dispatch(body)));
        commands
    }

    fn on_server(&mut self, message: ServerMessage) -> Vec<Command> {
        match message {
            ServerMessage::PeerJoined { peer_id } => {
                if self.me.is_none() || Some(peer_id) == self.me {
                    return Vec::new();
                }
                let mut commands = self.make_way(peer_id);
                if self.is_new(peer_id) {
                    self.peers.insert(peer_id, Peer::new(false, peer_id));
                    commands.push(Command::PrepareCertificate { peer: peer_id });
                }
                commands
            }
            ServerMessage::PeerLeft { peer_id, lost } => {
                let Some(handle) = self.handle_of(peer_id) else {
                    return Vec::new();
                };
                match self.peers.get_mut(&handle) {
                    // The server lost it, and we did not: the connection goes on and it may come
                    // back under a new id. If it is gone for good, its connection fails (and so
                    // it goes).
                    Some(peer) if lost && peer.trust == Trust::Verified && peer.is_alive() => {
                        peer.route = None;
                        Vec::new()
                    }
                    _ => self.remove(handle),
                }
            }
            _ => Vec::new(),
        }
    }

    fn on_certificate_ready(&mut self, peer_id: PeerId, fingerprint: &str) -> Vec<Command> {
        let Some(me) = self.me else {
            return Vec::new();
        };
        if !self.peers.contains_key(&peer_id) {
            // It left meanwhile: the certificate is not needed.
            return vec![Command::CloseConnection { peer: peer_id }];
        }
        let Some(session) = self.session() else {
            return Vec::new();
        };
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        // A peer whose hello did not open still gets ours: that is how the people already in
        // the room learn that someone with another passphrase tried to join.
        if peer.local.is_some() {
            return Vec::new();
        }
        let (Ok(fingerprint), Ok(commitment)) = (
            normalize_fingerprint(fingerprint),
            dtls_commitment(fingerprint),
        ) else {
            return Vec::new();
        };
        // A fresh challenge per pair session; without one (or with one seen before) no hello.
        let Ok(challenge) = (self.challenges)() else {
            return Vec::new();
        };
        if !self.seen_challenges.insert(challenge) {
            return Vec::new();
        }
        let hello = SignalBody::Hello {
            name: self.my_name.clone(),
            challenge,
            session,
            commitment,
        };
        let Ok(plaintext) = serde_json::to_vec(&hello) else {
            return Vec::new();
        };
        let keys = &self.keys;
        let Ok(envelope) = seal_hello(keys.signal(), keys.room_id(), me, peer_id, &plaintext)
        else {
            return Vec::new();
        };
        peer.local = Some(LocalHello {
            fingerprint,
            challenge,
            plaintext,
        });
        let mut commands = vec![Command::Send {
            to: peer_id,
            envelope,
        }];
        commands.extend(self.open_early(peer_id));
        commands.extend(self.establish(peer_id));
        commands
    }

    /// Opens the connection to `handle` while the hellos cross, if we make the offer: the offer
    /// is then ready when the handshake completes, instead of being made only then. Not while a
    /// kept connection may resume under this id (it would be closed again at once).
    fn open_early(&mut self, handle: PeerId) -> Option<Command> {
        let may_resume = self
            .peers
            .values()
            .any(|peer| peer.trust == Trust::Verified && peer.route.is_none());
        let peer = self.peers.get_mut(&handle)?;
        if peer.joined_before_us || peer.trust == Trust::Verified || may_resume {
            return None;
        }
        peer.opened_early = true;
        Some(Command::OpenConnection {
            peer: handle,
            offer: true,
            polite: false,
        })
    }

    /// This page's session, drawn once; `None` (no hello) if randomness fails.
    fn session(&mut self) -> Option<u128> {
        if self.session.is_none() {
            self.session = (self.challenges)().ok();
        }
        self.session
    }

    /// Once both hellos exist: the pair channel, and our answer: an ack under it, or, when the
    /// hello names the session of a peer whose connection still works, a resume under that
    /// peer's channel.
    fn establish(&mut self, peer_id: PeerId) -> Vec<Command> {
        let Some(me) = self.me else {
            return Vec::new();
        };
        let resumes = self.resumable(peer_id);
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        let (Some(local), Some(remote)) = (&peer.local, &peer.remote) else {
            return Vec::new();
        };
        let keys = &self.keys;
        let Ok(channel) = PairChannel::new(
            keys.signal(),
            keys.room_id().clone(),
            me,
            peer_id,
            &local.plaintext,
            &remote.plaintext,
        ) else {
            return Vec::new();
        };
        peer.channel = Some(channel);
        peer.resumes = resumes;
        peer.fresh_ack = false;
        match resumes {
            Some(old) => self.send_resume(old, peer_id),
            None => self.send_ack(peer_id),
        }
    }

    /// The verified peer, other than `peer_id`, whose session `peer_id`'s hello names and whose
    /// connection still works.
    fn resumable(&self, peer_id: PeerId) -> Option<PeerId> {
        let session = self.peers.get(&peer_id)?.remote.as_ref()?.session;
        self.peers
            .iter()
            .find(|&(&handle, peer)| {
                handle != peer_id
                    && peer.trust == Trust::Verified
                    && peer.is_alive()
                    && peer.remote.as_ref().is_some_and(|r| r.session == session)
            })
            .map(|(&handle, _)| handle)
    }

    /// Our ack to `peer_id`'s hello, under the new pair channel.
    fn send_ack(&mut self, peer_id: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        let Some(remote) = &peer.remote else {
            return Vec::new();
        };
        let ack = SignalBody::Ack {
            echo: remote.challenge,
        };
        peer.dispatch(ack).into_iter().collect()
    }

    /// Our resume of the connection to `old`, under its pair channel, to where `fresh` (the
    /// same session under a new id) is now.
    fn send_resume(&mut self, old: PeerId, fresh: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.get(&fresh) else {
            return Vec::new();
        };
        let (Some(route), Some(remote)) = (peer.route, &peer.remote) else {
            return Vec::new();
        };
        let resume = SignalBody::Resume {
            echo: remote.challenge,
        };
        let channel = self.peers.get_mut(&old).and_then(|p| p.channel.as_mut());
        channel
            .and_then(|channel| seal_body(channel, &resume))
            .map(|envelope| Command::Send {
                to: route,
                envelope,
            })
            .into_iter()
            .collect()
    }

    fn on_envelope(&mut self, from: PeerId, bytes: &[u8]) -> Vec<Command> {
        let is_hello = envelope_kind(bytes) == Some(HELLO_KIND);
        let handle = self.handle_of(from);
        // A peer whose first hello did not open may still send one that does (see `on_hello`).
        // Hellos only come from a peer still under the id it began with.
        let usable = self.me.is_some()
            && handle
                .and_then(|h| self.peers.get(&h))
                .is_some_and(|p| match p.trust {
                    Trust::Unverified => true,
                    Trust::Verified => !is_hello || handle == Some(from),
                    Trust::Mismatched => is_hello,
                    Trust::Untrustworthy => false,
                });
        let Some(handle) = handle.filter(|_| usable) else {
            self.dropped_envelopes += 1;
            return Vec::new();
        };
        if is_hello {
            self.on_hello(from, bytes)
        } else {
            self.on_pair_message(handle, bytes)
        }
    }

    fn on_hello(&mut self, from: PeerId, bytes: &[u8]) -> Vec<Command> {
        let (Some(me), Some(peer)) = (self.me, self.peers.get_mut(&from)) else {
            return Vec::new();
        };
        let keys = &self.keys;
        let plaintext = match open_hello(keys.signal(), keys.room_id(), from, me, bytes) {
            Ok(plaintext) => plaintext,
            Err(_) => {
                self.dropped_envelopes += 1;
                // Our own hello to that peer, reflected: the server's doing, not the peer's.
                let reflected = open_hello(keys.signal(), keys.room_id(), me, from, bytes).is_ok();
                if reflected || peer.remote.is_some() || peer.trust != Trust::Unverified {
                    return Vec::new();
                }
                // The first hello from this peer does not open: another passphrase.
                peer.trust = Trust::Mismatched;
                return if peer.joined_before_us {
                    Vec::new()
                } else {
                    vec![Command::Notify(Notice::ForeignPassphraseAttempt)]
                };
            }
        };
        let hello = match serde_json::from_slice(&plaintext) {
            Ok(SignalBody::Hello {
                name,
                challenge,
                session,
                commitment,
            }) => (name, challenge, session, commitment),
            _ => {
                self.dropped_envelopes += 1;
                return Vec::new();
            }
        };
        let (name, challenge, session, commitment) = hello;
        if peer.trust == Trust::Verified && peer.rejoin.is_some() {
            return self.on_rejoin_hello(from, challenge, session);
        }
        // None once the handshake completed (or the peer was refused); none carrying a challenge
        // seen before (one of ours reflected, or an earlier hello replayed).
        let settled = matches!(peer.trust, Trust::Verified | Trust::Untrustworthy);
        if settled || !self.seen_challenges.insert(challenge) {
            self.dropped_envelopes += 1;
            return Vec::new();
        }
        // Until then the newest hello that opens is the one the handshake goes on with: a
        // garbage "hello" the server sent first, or a stale one it replayed to a page that
        // reloaded, cannot block the real one. The stale one's ack never opens anyway.
        peer.trust = Trust::Unverified;
        peer.channel = None;
        peer.remote = Some(RemoteHello {
            name: clean_name(&name),
            challenge,
            session,
            commitment,
            plaintext,
        });
        self.establish(from)
    }

    fn on_pair_message(&mut self, handle: PeerId, bytes: &[u8]) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        // Nothing but a hello opens before the pair channel exists, and nothing that does not
        // open says anything about the peer (it may be an old session's message): count it.
        let mut body = peer
            .channel
            .as_mut()
            .and_then(|channel| open_body(channel, bytes));
        // A peer in its handshake may instead answer under the channel it resumes.
        let mut resumed = None;
        if body.is_none()
            && peer.trust == Trust::Unverified
            && let Some(old) = peer.resumes
        {
            body = self
                .peers
                .get_mut(&old)
                .and_then(|p| p.channel.as_mut())
                .and_then(|channel| open_body(channel, bytes))
                .filter(|body| matches!(body, SignalBody::Resume { .. }));
            resumed = Some(old);
        }
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        let expected_echo = peer.local.as_ref().map(|local| local.challenge);
        match (body, peer.trust) {
            (Some(SignalBody::Resume { echo }), Trust::Unverified)
                if Some(echo) == expected_echo
                    && let Some(old) = resumed =>
            {
                self.resume(old, handle)
            }
            (Some(SignalBody::Ack { echo }), Trust::Unverified) if Some(echo) == expected_echo => {
                let Some(old) = peer.resumes else {
                    return self.verify(handle);
                };
                // It has no connection to resume while ours still works: ours will fail soon
                // (its side is closed), and only when it goes do we start anew. A server that
                // knows the passphrase cannot make us drop a working connection.
                peer.fresh_ack = true;
                if self.peers.get(&old).is_some_and(Peer::is_alive) {
                    Vec::new()
                } else {
                    self.remove(old)
                }
            }
            (Some(SignalBody::Media(media)), Trust::Verified) => {
                peer.media = media;
                Vec::new()
            }
            (Some(SignalBody::ChatStream { id }), Trust::Verified)
                if peer.chat_stream.is_none() =>
            {
                let keys = &self.keys;
                peer.chat_stream = Some(StreamOpener::new(keys.chat(), keys.room_id(), id));
                Vec::new()
            }
            (Some(SignalBody::Hand { raised }), Trust::Verified) => {
                let name = peer.name().to_owned();
                if !raised {
                    self.hands.lower(Hand::Peer(handle));
                    Vec::new()
                } else if self.hands.raise(Hand::Peer(handle)) {
                    vec![Command::Notify(Notice::HandRaised { name })]
                } else {
                    Vec::new()
                }
            }
            (Some(SignalBody::Description(description)), Trust::Verified) => {
                let committed = peer
                    .remote
                    .as_ref()
                    .is_some_and(|remote| description.fingerprints_match(&remote.commitment));
                if committed {
                    vec![Command::Deliver {
                        peer: handle,
                        negotiation: Negotiation::Description(description),
                    }]
                } else {
                    self.refuse(handle)
                }
            }
            (Some(SignalBody::Candidate(candidate)), Trust::Verified) => vec![Command::Deliver {
                peer: handle,
                negotiation: Negotiation::Candidate(candidate),
            }],
            // The peer resumed our connection to our new id after we rejoined it (we resumed
            // when its hello came): nothing left to do.
            (Some(SignalBody::Resume { .. }), Trust::Verified) if peer.route.is_some() => {
                Vec::new()
            }
            // Did not open, did not parse, a second ack, a wrong echo, negotiation before the
            // handshake completed.
            _ => {
                self.dropped_envelopes += 1;
                Vec::new()
            }
        }
    }

    /// The handshake with `handle` completed: open the connection and tell everyone.
    fn verify(&mut self, handle: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        peer.trust = Trust::Verified;
        let mut commands = Vec::new();
        if peer.opened_early {
            let early = std::mem::take(&mut peer.early);
            commands.extend(early.into_iter().filter_map(|body| peer.dispatch(body)));
        } else {
            commands.push(Command::OpenConnection {
                peer: handle,
                offer: !peer.joined_before_us,
                polite: peer.joined_before_us,
            });
        }
        commands.push(Command::Notify(Notice::Joined {
            name: peer.name().to_owned(),
        }));
        commands.extend(peer.dispatch(SignalBody::Media(self.my_media)));
        if self.chat_stream.is_none() {
            self.chat_stream = StreamSealer::new(self.keys.chat(), self.keys.room_id()).ok();
        }
        if let Some(stream) = &self.chat_stream {
            let id = stream.stream_id();
            commands.extend(peer.dispatch(SignalBody::ChatStream { id }));
        }
        if self.hands.position(Hand::Mine).is_some() {
            commands.extend(peer.dispatch(SignalBody::Hand { raised: true }));
        }
        commands
    }

    /// `fresh` proved, under the pair channel of `old`, to be the same peer under a new id:
    /// the connection to `old` goes on, routed there, and the new handshake is dropped.
    fn resume(&mut self, old: PeerId, fresh: PeerId) -> Vec<Command> {
        let Some(route) = self.peers.remove(&fresh).and_then(|peer| peer.route) else {
            return Vec::new();
        };
        let mut commands = vec![Command::CloseConnection { peer: fresh }];
        if let Some(peer) = self.peers.get_mut(&old) {
            peer.route = Some(route);
            let waiting = std::mem::take(&mut peer.unrouted);
            commands.extend(waiting.into_iter().filter_map(|body| peer.dispatch(body)));
        }
        commands
    }

    /// `handle` would have resumed a connection that is gone: it goes on as a new handshake
    /// (our ack, held back until now; verified if the peer's ack came already).
    fn start_anew(&mut self, handle: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&handle) else {
            return Vec::new();
        };
        peer.resumes = None;
        let acked = std::mem::take(&mut peer.fresh_ack);
        let mut commands = self.send_ack(handle);
        if acked {
            commands.extend(self.verify(handle));
        }
        commands
    }

    fn on_local(&mut self, peer_id: PeerId, negotiation: Negotiation) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        if peer.trust != Trust::Verified {
            // A connection opened early: its offer and candidates wait for the handshake.
            if peer.opened_early && peer.early.len() < MAX_EARLY_MESSAGES {
                peer.early.push_back(SignalBody::from(negotiation));
            }
            return Vec::new();
        }
        peer.dispatch(SignalBody::from(negotiation))
            .into_iter()
            .collect()
    }

    fn on_local_hand(&mut self, raised: bool) -> Vec<Command> {
        let changed = if raised {
            self.hands.raise(Hand::Mine)
        } else {
            let was_up = self.hands.position(Hand::Mine).is_some();
            self.hands.lower(Hand::Mine);
            was_up
        };
        if !changed {
            return Vec::new();
        }
        let body = SignalBody::Hand { raised };
        self.peers
            .values_mut()
            .filter(|peer| peer.trust == Trust::Verified)
            .filter_map(|peer| peer.dispatch(body.clone()))
            .collect()
    }

    fn on_local_media(&mut self, media: MediaState) -> Vec<Command> {
        if media == self.my_media {
            return Vec::new();
        }
        self.my_media = media;
        let body = SignalBody::Media(media);
        self.peers
            .iter_mut()
            .filter(|(_, peer)| peer.trust == Trust::Verified)
            .filter_map(|(_, peer)| peer.dispatch(body.clone()))
            .collect()
    }

    fn on_remote_certificate(&mut self, peer_id: PeerId, fingerprint: &str) -> Vec<Command> {
        let verified = self
            .peers
            .get(&peer_id)
            .is_some_and(|p| p.trust == Trust::Verified);
        if !verified {
            return Vec::new();
        }
        if !self.check_remote_certificate(peer_id, fingerprint) {
            return self.refuse(peer_id);
        }
        if let (Some(peer), Ok(normalised)) = (
            self.peers.get_mut(&peer_id),
            normalize_fingerprint(fingerprint),
        ) {
            peer.verified_certificate = Some(normalised);
        }
        Vec::new()
    }

    /// The peer announced or used a certificate it had not committed to: close, forget its keys,
    /// and say so.
    fn refuse(&mut self, peer_id: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        peer.trust = Trust::Untrustworthy;
        peer.channel = None;
        peer.verified_certificate = None;
        vec![
            Command::CloseConnection { peer: peer_id },
            Command::Notify(Notice::Untrustworthy {
                name: peer.name().to_owned(),
            }),
        ]
    }

    /// Tracks the connection's state for the UI. A connection that fails while the server has no
    /// route to its peer (or while a new id of the peer waits to resume it) cannot be repaired:
    /// the peer goes, and comes back with a new handshake if it is still there.
    fn on_connection(&mut self, handle: PeerId, state: ConnectionState) -> Vec<Command> {
        if let Some(peer) = self.peers.get_mut(&handle) {
            peer.status = match state {
                ConnectionState::New | ConnectionState::Connecting => match peer.status {
                    ParticipantStatus::Connected | ParticipantStatus::Reconnecting => {
                        ParticipantStatus::Reconnecting
                    }
                    other => other,
                },
                ConnectionState::Connected => ParticipantStatus::Connected,
                ConnectionState::Disconnected => ParticipantStatus::Reconnecting,
                ConnectionState::Failed | ConnectionState::Closed => ParticipantStatus::Failed,
            };
            let resumed = self.peers.values().any(|p| p.resumes == Some(handle));
            let beyond_repair = self.peers.get(&handle).is_some_and(|peer| {
                !peer.is_alive()
                    && peer.trust == Trust::Verified
                    && (peer.route.is_none() || resumed)
            });
            if beyond_repair {
                return self.remove(handle);
            }
        }
        Vec::new()
    }

    /// The peer left: everything about it goes (a later `peer_joined` starts from scratch), and
    /// a new id of it that waited to resume this connection starts anew instead.
    fn remove(&mut self, handle: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.remove(&handle) else {
            return Vec::new();
        };
        self.hands.lower(Hand::Peer(handle));
        let mut commands = vec![Command::CloseConnection { peer: handle }];
        if peer.trust == Trust::Verified {
            commands.push(Command::Notify(Notice::Left {
                name: peer.name().to_owned(),
            }));
        }
        let resumers: Vec<PeerId> = (self.peers.iter())
            .filter(|(_, p)| p.resumes == Some(handle))
            .map(|(&h, _)| h)
            .collect();
        for resumer in resumers {
            commands.extend(self.start_anew(resumer));
        }
        commands
    }
}

/// Opens a pair message and parses its body; `None` unless both work and the body's kind is the
/// envelope's.
fn open_body(channel: &mut PairChannel, envelope: &[u8]) -> Option<SignalBody> {
    let opened = channel.open(envelope).ok()?;
    serde_json::from_slice::<SignalBody>(&opened.plaintext)
        .ok()
        .filter(|body| body.kind() == opened.kind)
}

/// Serialises and seals `body` under the pair channel; `None` if that fails (nothing is sent).
fn seal_body(channel: &mut PairChannel, body: &SignalBody) -> Option<Vec<u8>> {
    let plaintext = serde_json::to_vec(body).ok()?;
    channel.seal(body.kind(), &plaintext).ok()
}

impl Peer {
    fn new(joined_before_us: bool, route: PeerId) -> Self {
        Self {
            joined_before_us,
            route: Some(route),
            unrouted: VecDeque::new(),
            opened_early: false,
            early: VecDeque::new(),
            resumes: None,
            fresh_ack: false,
            rejoin: None,
            chat_stream: None,
            trust: Trust::Unverified,
            status: ParticipantStatus::Connecting,
            local: None,
            remote: None,
            channel: None,
            verified_certificate: None,
            media: MediaState::default(),
        }
    }

    /// Whether its connection may still work (it has not failed or closed).
    fn is_alive(&self) -> bool {
        self.status != ParticipantStatus::Failed
    }

    /// A pair message for the peer: sealed and sent to where the server knows it now, or kept
    /// (bounded) until it resumes. Nothing without a pair channel, or if sealing fails.
    fn dispatch(&mut self, body: SignalBody) -> Option<Command> {
        let channel = self.channel.as_mut()?;
        let Some(to) = self.route else {
            if self.unrouted.len() == MAX_UNROUTED_MESSAGES {
                self.unrouted.pop_front();
            }
            self.unrouted.push_back(body);
            return None;
        };
        let envelope = seal_body(channel, &body)?;
        Some(Command::Send { to, envelope })
    }

    /// The name from its hello (empty before one opened).
    fn name(&self) -> &str {
        self.remote.as_ref().map_or("", |remote| &remote.name)
    }
}

/// Trims, removes control characters and cuts to [`MAX_NAME_CHARS`].
fn clean_name(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect()
}
