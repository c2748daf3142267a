//! [`Room`]: one participant's view of the meeting, driven by [`Input`]s, answering with
//! [`Command`]s for the browser glue and keeping what the UI shows ([`Room::participants`],
//! [`Room::status`]).
//!
//! A peer is trusted only after both halves of the handshake: its sealed hello opened (same
//! passphrase) and it echoed the challenge of our current session (a live peer, not a replay).

use crate::body::{Negotiation, SignalBody};
use protocol::{PeerId, ServerMessage};
use std::collections::BTreeMap;

/// Longest display name, in characters, that is shown; longer names are cut.
pub const MAX_NAME_CHARS: usize = 64;
/// Most peers tracked at once; the server allows far fewer per room, so more is an attack.
pub const MAX_PEERS: usize = 64;

/// Something that happened, for the room to react to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The server welcomed us (after every (re)connect): our id, who was there, and a fresh
    /// random challenge for this session.
    Welcomed {
        me: PeerId,
        peers: Vec<PeerId>,
        challenge: u128,
    },
    /// Any other message from the signalling server.
    Server(ServerMessage),
    /// A sealed envelope from `from` that opened and parsed.
    Opened { from: PeerId, body: SignalBody },
    /// An envelope from `from` that did not open (wrong passphrase, tampering) or did not parse.
    Unopenable { from: PeerId },
    /// The peer connection to `peer` changed state.
    Connection {
        peer: PeerId,
        state: ConnectionState,
    },
}

/// What the browser glue must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Seal `body` for `to` and send it through the server.
    Send { to: PeerId, body: SignalBody },
    /// Create the peer connection to `peer`; `offer` says whether this side makes the first offer,
    /// `polite` its role in perfect negotiation.
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
    /// Close the connection to `peer` and release its tracks and callbacks.
    CloseConnection { peer: PeerId },
    /// Tell the user.
    Notify(Notice),
}

/// A toast-worthy event.
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum Trust {
    /// Handshake under way: the name from its hello, once it opened, and whether it echoed our
    /// challenge.
    Unverified { name: Option<String>, echoed: bool },
    /// Both halves done: same passphrase, live session.
    Verified { name: String },
    /// The first message from this peer did not open.
    Mismatched,
}

#[derive(Debug, Clone)]
struct Peer {
    /// The peer was in the room before us, so it makes the offer.
    joined_before_us: bool,
    trust: Trust,
    status: ParticipantStatus,
}

/// One participant's room state machine.
#[derive(Debug, Clone)]
pub struct Room {
    my_name: String,
    me: Option<PeerId>,
    challenge: u128,
    peers: BTreeMap<PeerId, Peer>,
    dropped_envelopes: u64,
}

impl Room {
    pub fn new(my_name: &str) -> Self {
        Self {
            my_name: clean_name(my_name),
            me: None,
            challenge: 0,
            peers: BTreeMap::new(),
            dropped_envelopes: 0,
        }
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
            Input::Welcomed {
                me,
                peers,
                challenge,
            } => self.on_welcomed(me, peers, challenge),
            Input::Server(message) => self.on_server(message),
            Input::Opened { from, body } => self.on_opened(from, body),
            Input::Unopenable { from } => self.on_unopenable(from),
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
            .filter_map(|(&peer, state)| match &state.trust {
                Trust::Verified { name } => Some(Participant {
                    peer,
                    name: name.clone(),
                    status: state.status,
                }),
                _ => None,
            })
            .collect()
    }

    pub fn status(&self) -> RoomStatus {
        if self.me.is_none() {
            return RoomStatus::Joining;
        }
        let peers = || self.peers.values();
        if peers().any(|p| matches!(p.trust, Trust::Verified { .. })) {
            RoomStatus::InMeeting
        } else if peers().any(|p| p.joined_before_us && p.trust == Trust::Mismatched) {
            RoomStatus::PassphraseMismatch
        } else if peers().all(|p| p.trust == Trust::Mismatched) {
            RoomStatus::WaitingForOthers
        } else {
            RoomStatus::Verifying
        }
    }

    fn on_welcomed(&mut self, me: PeerId, peers: Vec<PeerId>, challenge: u128) -> Vec<Command> {
        let mut commands = self.forget_everyone();
        self.me = Some(me);
        self.challenge = challenge;
        for peer in peers.into_iter().filter(|&p| p != me).take(MAX_PEERS) {
            self.peers.insert(peer, Peer::new(true));
            commands.push(self.hello(peer));
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
                vec![self.hello(peer_id)]
            }
            ServerMessage::PeerLeft { peer_id } => self.remove(peer_id),
            ServerMessage::Welcome { .. }
            | ServerMessage::Signal { .. }
            | ServerMessage::Pong
            | ServerMessage::Error { .. } => Vec::new(),
        }
    }

    fn on_opened(&mut self, from: PeerId, body: SignalBody) -> Vec<Command> {
        let challenge = self.challenge;
        let Some(peer) = self.peers.get_mut(&from) else {
            self.dropped_envelopes += 1;
            return Vec::new();
        };
        let mut commands = Vec::new();
        match (body, &mut peer.trust) {
            (
                SignalBody::Hello {
                    name,
                    challenge: theirs,
                },
                Trust::Unverified {
                    name: slot @ None, ..
                },
            ) => {
                *slot = Some(clean_name(&name));
                commands.push(Command::Send {
                    to: from,
                    body: SignalBody::Ack { echo: theirs },
                });
            }
            (
                SignalBody::Ack { echo },
                Trust::Unverified {
                    echoed: echoed @ false,
                    ..
                },
            ) if echo == challenge => {
                *echoed = true;
            }
            (SignalBody::Description(description), Trust::Verified { .. }) => {
                return vec![Command::Deliver {
                    peer: from,
                    negotiation: Negotiation::Description(description),
                }];
            }
            (SignalBody::Candidate(candidate), Trust::Verified { .. }) => {
                return vec![Command::Deliver {
                    peer: from,
                    negotiation: Negotiation::Candidate(candidate),
                }];
            }
            // A second hello or ack, a wrong echo, negotiation before the handshake, anything
            // from a mismatched peer.
            _ => {
                self.dropped_envelopes += 1;
                return Vec::new();
            }
        }
        if let Trust::Unverified {
            name: Some(name),
            echoed: true,
        } = &peer.trust
        {
            let name = name.clone();
            peer.trust = Trust::Verified { name: name.clone() };
            commands.push(Command::OpenConnection {
                peer: from,
                offer: !peer.joined_before_us,
                polite: peer.joined_before_us,
            });
            commands.push(Command::Notify(Notice::Joined { name }));
        }
        commands
    }

    fn on_unopenable(&mut self, from: PeerId) -> Vec<Command> {
        self.dropped_envelopes += 1;
        let Some(peer) = self.peers.get_mut(&from) else {
            return Vec::new();
        };
        if peer.trust
            != (Trust::Unverified {
                name: None,
                echoed: false,
            })
        {
            return Vec::new();
        }
        peer.trust = Trust::Mismatched;
        if peer.joined_before_us {
            Vec::new()
        } else {
            vec![Command::Notify(Notice::ForeignPassphraseAttempt)]
        }
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

    fn hello(&self, to: PeerId) -> Command {
        Command::Send {
            to,
            body: SignalBody::Hello {
                name: self.my_name.clone(),
                challenge: self.challenge,
            },
        }
    }

    fn remove(&mut self, peer_id: PeerId) -> Vec<Command> {
        match self.peers.remove(&peer_id) {
            Some(Peer {
                trust: Trust::Verified { name },
                ..
            }) => {
                vec![
                    Command::CloseConnection { peer: peer_id },
                    Command::Notify(Notice::Left { name }),
                ]
            }
            _ => Vec::new(),
        }
    }

    /// After a reconnect the server hands out new ids: every old connection goes.
    fn forget_everyone(&mut self) -> Vec<Command> {
        let peers: Vec<PeerId> = self.peers.keys().copied().collect();
        peers
            .into_iter()
            .flat_map(|peer| self.remove(peer))
            .filter(|command| matches!(command, Command::CloseConnection { .. }))
            .collect()
    }
}

impl Peer {
    fn new(joined_before_us: bool) -> Self {
        Self {
            joined_before_us,
            trust: Trust::Unverified {
                name: None,
                echoed: false,
            },
            status: ParticipantStatus::Connecting,
        }
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
