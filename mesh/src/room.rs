//! [`Room`]: one participant's view of the meeting, driven by [`Input`]s, answering with
//! [`Command`]s for the browser glue and keeping what the UI shows ([`Room::participants`],
//! [`Room::status`]).

use crate::body::SignalBody;
use protocol::{PeerId, ServerMessage};
use std::collections::BTreeMap;

/// Longest display name, in characters, that is shown; longer names are cut.
pub const MAX_NAME_CHARS: usize = 64;

/// Something that happened, for the room to react to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A message from the signalling server.
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
    Deliver { peer: PeerId, body: SignalBody },
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
    /// Nobody else is here.
    WaitingForOthers,
    /// Peers are here, and none has proved the same passphrase yet.
    Verifying,
    /// Everyone who spoke to us could not open our messages nor we theirs: our passphrase differs.
    PassphraseMismatch,
    /// At least one peer shares our passphrase.
    InMeeting,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Trust {
    /// Nothing opened from this peer yet.
    Unverified,
    /// A message from this peer opened: same passphrase.
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
    peers: BTreeMap<PeerId, Peer>,
    dropped_envelopes: u64,
}

impl Room {
    pub fn new(my_name: &str) -> Self {
        Self {
            my_name: clean_name(my_name),
            me: None,
            peers: BTreeMap::new(),
            dropped_envelopes: 0,
        }
    }

    /// Our id, once the server has welcomed us.
    pub fn me(&self) -> Option<PeerId> {
        self.me
    }

    /// How many envelopes were dropped because they did not open or parse.
    pub fn dropped_envelopes(&self) -> u64 {
        self.dropped_envelopes
    }

    /// Advances the state by one input.
    pub fn handle(&mut self, input: Input) -> Vec<Command> {
        match input {
            Input::Server(message) => self.on_server(message),
            Input::Opened { from, body } => self.on_opened(from, body),
            Input::Unopenable { from } => self.on_unopenable(from),
            Input::Connection { peer, state } => {
                self.on_connection(peer, state);
                Vec::new()
            }
        }
    }

    /// Verified participants other than us, in join order of their ids.
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
        let trusts = || self.peers.values().map(|p| &p.trust);
        if trusts().any(|t| matches!(t, Trust::Verified { .. })) {
            RoomStatus::InMeeting
        } else if self
            .peers
            .values()
            .any(|p| p.joined_before_us && p.trust == Trust::Mismatched)
        {
            RoomStatus::PassphraseMismatch
        } else if self.peers.is_empty() {
            RoomStatus::WaitingForOthers
        } else {
            RoomStatus::Verifying
        }
    }

    fn on_server(&mut self, message: ServerMessage) -> Vec<Command> {
        match message {
            ServerMessage::Welcome { peer_id, peers, .. } => {
                let mut commands = self.forget_everyone();
                self.me = Some(peer_id);
                for peer in peers.into_iter().filter(|&p| p != peer_id) {
                    self.peers.insert(peer, Peer::new(true));
                    commands.push(self.hello(peer));
                }
                commands
            }
            ServerMessage::PeerJoined { peer_id } if Some(peer_id) != self.me => {
                self.peers.insert(peer_id, Peer::new(false));
                vec![self.hello(peer_id)]
            }
            ServerMessage::PeerLeft { peer_id } => self.remove(peer_id),
            ServerMessage::PeerJoined { .. }
            | ServerMessage::Signal { .. }
            | ServerMessage::Pong
            | ServerMessage::Error { .. } => Vec::new(),
        }
    }

    fn on_opened(&mut self, from: PeerId, body: SignalBody) -> Vec<Command> {
        let Some(peer) = self.peers.get_mut(&from) else {
            self.dropped_envelopes += 1;
            return Vec::new();
        };
        match (body, &peer.trust) {
            (SignalBody::Hello { name }, Trust::Unverified) => {
                let name = clean_name(&name);
                peer.trust = Trust::Verified { name: name.clone() };
                vec![
                    Command::OpenConnection {
                        peer: from,
                        offer: !peer.joined_before_us,
                        polite: peer.joined_before_us,
                    },
                    Command::Notify(Notice::Joined { name }),
                ]
            }
            (
                body @ (SignalBody::Description(_) | SignalBody::Candidate(_)),
                Trust::Verified { .. },
            ) => {
                vec![Command::Deliver { peer: from, body }]
            }
            // A second hello, or anything before a hello, or anything from a mismatched peer.
            _ => {
                self.dropped_envelopes += 1;
                Vec::new()
            }
        }
    }

    fn on_unopenable(&mut self, from: PeerId) -> Vec<Command> {
        self.dropped_envelopes += 1;
        let Some(peer) = self.peers.get_mut(&from) else {
            return Vec::new();
        };
        if peer.trust != Trust::Unverified {
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
            .filter(|c| matches!(c, Command::CloseConnection { .. }))
            .collect()
    }
}

impl Peer {
    fn new(joined_before_us: bool) -> Self {
        Self {
            joined_before_us,
            trust: Trust::Unverified,
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
