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
    Commitment, HELLO_KIND, PairChannel, RngError, RoomKeys, SafetyNumber, dtls_commitment,
    envelope_kind, normalize_fingerprint, open_hello, safety_number, seal_hello,
};
use protocol::{PeerId, ServerMessage};

use crate::body::{Negotiation, SignalBody};
use crate::media::MediaState;

/// Longest display name, in characters, that is sent and shown; longer names are cut.
pub const MAX_NAME_CHARS: usize = 64;
/// Most peers tracked at once; the server allows far fewer per room, so more is an attack.
pub const MAX_PEERS: usize = 64;
/// How many challenges (ours and those of hellos we accepted) a room remembers, to drop a
/// reflected or replayed hello. Beyond that the oldest are forgotten; such a hello still leads to
/// nothing that opens (its pair key is new), it would only no longer be dropped at once.
pub const MAX_REMEMBERED_CHALLENGES: usize = 4096;

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
    /// makes the first offer, `polite` its role in perfect negotiation.
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
    commitment: Commitment,
    plaintext: Vec<u8>,
}

struct Peer {
    /// The peer was in the room before us, so it makes the offer.
    joined_before_us: bool,
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
    me: Option<PeerId>,
    peers: BTreeMap<PeerId, Peer>,
    /// Our own challenges and those of every hello accepted, across reconnects.
    seen_challenges: ChallengeLog,
    dropped_envelopes: u64,
    /// Our own microphone and camera, announced to every verified peer.
    my_media: MediaState,
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
            me: None,
            peers: BTreeMap::new(),
            seen_challenges: ChallengeLog::default(),
            dropped_envelopes: 0,
            my_media: MediaState::default(),
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
            Input::Connection { peer, state } => {
                self.on_connection(peer, state);
                Vec::new()
            }
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

    fn on_welcomed(&mut self, me: PeerId, peers: Vec<PeerId>) -> Vec<Command> {
        // After a reconnect the server hands out new ids: every old connection and key goes.
        let mut commands: Vec<Command> = std::mem::take(&mut self.peers)
            .into_keys()
            .map(|peer| Command::CloseConnection { peer })
            .collect();
        self.me = Some(me);
        for peer in peers.into_iter().filter(|&p| p != me) {
            if self.peers.len() >= MAX_PEERS || self.peers.contains_key(&peer) {
                continue;
            }
            self.peers.insert(peer, Peer::new(true));
            commands.push(Command::PrepareCertificate { peer });
        }
        commands
    }

    fn on_server(&mut self, message: ServerMessage) -> Vec<Command> {
        match message {
            ServerMessage::PeerJoined { peer_id } => {
                let known = self.peers.contains_key(&peer_id) || Some(peer_id) == self.me;
                if known || self.me.is_none() || self.peers.len() >= MAX_PEERS {
                    return Vec::new();
                }
                self.peers.insert(peer_id, Peer::new(false));
                vec![Command::PrepareCertificate { peer: peer_id }]
            }
            ServerMessage::PeerLeft { peer_id } => self.remove(peer_id),
            _ => Vec::new(),
        }
    }

    fn on_certificate_ready(&mut self, peer_id: PeerId, fingerprint: &str) -> Vec<Command> {
        let Some(me) = self.me else {
            return Vec::new();
        };
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            // It left meanwhile: the certificate is not needed.
            return vec![Command::CloseConnection { peer: peer_id }];
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
        commands.extend(self.establish(peer_id));
        commands
    }

    /// Once both hellos exist: the pair channel, and our ack under it.
    fn establish(&mut self, peer_id: PeerId) -> Vec<Command> {
        let (Some(me), Some(peer)) = (self.me, self.peers.get_mut(&peer_id)) else {
            return Vec::new();
        };
        let (Some(local), Some(remote)) = (&peer.local, &peer.remote) else {
            return Vec::new();
        };
        let keys = &self.keys;
        let Ok(mut channel) = PairChannel::new(
            keys.signal(),
            keys.room_id().clone(),
            me,
            peer_id,
            &local.plaintext,
            &remote.plaintext,
        ) else {
            return Vec::new();
        };
        let ack = SignalBody::Ack {
            echo: remote.challenge,
        };
        let envelope = seal_body(&mut channel, &ack);
        peer.channel = Some(channel);
        envelope
            .map(|envelope| Command::Send {
                to: peer_id,
                envelope,
            })
            .into_iter()
            .collect()
    }

    fn on_envelope(&mut self, from: PeerId, bytes: &[u8]) -> Vec<Command> {
        let is_hello = envelope_kind(bytes) == Some(HELLO_KIND);
        // A peer whose first hello did not open may still send one that does (see `on_hello`).
        let usable = self.me.is_some()
            && self.peers.get(&from).is_some_and(|p| match p.trust {
                Trust::Unverified | Trust::Verified => true,
                Trust::Mismatched => is_hello,
                Trust::Untrustworthy => false,
            });
        if !usable {
            self.dropped_envelopes += 1;
            return Vec::new();
        }
        if is_hello {
            self.on_hello(from, bytes)
        } else {
            self.on_pair_message(from, bytes)
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
                commitment,
            }) => (name, challenge, commitment),
            _ => {
                self.dropped_envelopes += 1;
                return Vec::new();
            }
        };
        let (name, challenge, commitment) = hello;
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
            commitment,
            plaintext,
        });
        self.establish(from)
    }

    fn on_pair_message(&mut self, from: PeerId, bytes: &[u8]) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&from) else {
            return Vec::new();
        };
        // Nothing but a hello opens before the pair channel exists, and nothing that does not
        // open says anything about the peer (it may be an old session's message): count it.
        let opened = peer
            .channel
            .as_mut()
            .and_then(|channel| channel.open(bytes).ok());
        let body = opened.and_then(|opened| {
            serde_json::from_slice::<SignalBody>(&opened.plaintext)
                .ok()
                .filter(|body| body.kind() == opened.kind)
        });
        let expected_echo = peer.local.as_ref().map(|local| local.challenge);
        match (body, peer.trust) {
            (Some(SignalBody::Ack { echo }), Trust::Unverified) if Some(echo) == expected_echo => {
                peer.trust = Trust::Verified;
                let mut commands = vec![
                    Command::OpenConnection {
                        peer: from,
                        offer: !peer.joined_before_us,
                        polite: peer.joined_before_us,
                    },
                    Command::Notify(Notice::Joined {
                        name: peer.name().to_owned(),
                    }),
                ];
                let media = SignalBody::Media(self.my_media);
                commands.extend(peer.channel.as_mut().and_then(|channel| {
                    let envelope = seal_body(channel, &media)?;
                    Some(Command::Send { to: from, envelope })
                }));
                commands
            }
            (Some(SignalBody::Media(media)), Trust::Verified) => {
                peer.media = media;
                Vec::new()
            }
            (Some(SignalBody::Description(description)), Trust::Verified) => {
                let committed = peer
                    .remote
                    .as_ref()
                    .is_some_and(|remote| description.fingerprints_match(&remote.commitment));
                if committed {
                    vec![Command::Deliver {
                        peer: from,
                        negotiation: Negotiation::Description(description),
                    }]
                } else {
                    self.refuse(from)
                }
            }
            (Some(SignalBody::Candidate(candidate)), Trust::Verified) => vec![Command::Deliver {
                peer: from,
                negotiation: Negotiation::Candidate(candidate),
            }],
            // Did not open, did not parse, a second ack, a wrong echo, negotiation before the
            // handshake completed.
            _ => {
                self.dropped_envelopes += 1;
                Vec::new()
            }
        }
    }

    fn on_local(&mut self, peer_id: PeerId, negotiation: Negotiation) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return Vec::new();
        };
        if peer.trust != Trust::Verified {
            return Vec::new();
        }
        let Some(channel) = peer.channel.as_mut() else {
            return Vec::new();
        };
        seal_body(channel, &SignalBody::from(negotiation))
            .map(|envelope| Command::Send {
                to: peer_id,
                envelope,
            })
            .into_iter()
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
            .filter_map(|(&to, peer)| {
                let envelope = seal_body(peer.channel.as_mut()?, &body)?;
                Some(Command::Send { to, envelope })
            })
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

    fn on_connection(&mut self, peer: PeerId, state: ConnectionState) {
        if let Some(peer) = self.peers.get_mut(&peer) {
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
        }
    }

    /// `peer_left`: everything about that id goes (a later `peer_joined` starts from scratch).
    fn remove(&mut self, peer_id: PeerId) -> Vec<Command> {
        let Some(peer) = self.peers.remove(&peer_id) else {
            return Vec::new();
        };
        let mut commands = vec![Command::CloseConnection { peer: peer_id }];
        if peer.trust == Trust::Verified {
            commands.push(Command::Notify(Notice::Left {
                name: peer.name().to_owned(),
            }));
        }
        commands
    }
}

/// Serialises and seals `body` under the pair channel; `None` if that fails (nothing is sent).
fn seal_body(channel: &mut PairChannel, body: &SignalBody) -> Option<Vec<u8>> {
    let plaintext = serde_json::to_vec(body).ok()?;
    channel.seal(body.kind(), &plaintext).ok()
}

impl Peer {
    fn new(joined_before_us: bool) -> Self {
        Self {
            joined_before_us,
            trust: Trust::Unverified,
            status: ParticipantStatus::Connecting,
            local: None,
            remote: None,
            channel: None,
            verified_certificate: None,
            media: MediaState::default(),
        }
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
