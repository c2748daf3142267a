//! The session task: one per meeting. It owns the signalling socket, the sealed channel, the
//! [`Room`] state machine, the local media and one [`PeerLink`] per participant, and runs them from
//! a single event queue that the browser callbacks and the UI feed. The UI reads [`MeetingState`].

use super::error::JsError;
use super::handle::Share;
use super::media::{LocalMedia, MediaKind, MediaProblem, request_track};
use super::peer::{IceConfig, PeerEvent, PeerLink};
use super::signalling::{Signalling, SocketEvent};
use crypto::{RoomKeys, SignalChannel};
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use mesh::{
    Command, ConnectionState, Description, Input, Negotiation, Notice, ParticipantStatus, Room,
    RoomStatus, SignalBody,
};
use protocol::{ClientMessage, CloseCode, PROTOCOL_VERSION, PeerId, ServerMessage};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use web_sys::{MediaStream, MediaStreamTrack};

/// How long a toast stays.
const TOAST_MILLIS: u32 = 6_000;
/// Reconnect delays after losing the server, in milliseconds; the last one repeats.
const RECONNECT_DELAYS_MILLIS: [u32; 5] = [500, 1_000, 2_000, 5_000, 10_000];

/// The signalling server connection, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    Connecting,
    Connected,
    /// Lost; a reconnect is scheduled.
    Lost,
    /// The server closed the connection for good (room full, too many rooms, …).
    Refused(Option<CloseCode>),
}

/// One remote participant's tile.
#[derive(Clone)]
pub struct TileView {
    pub peer: PeerId,
    pub name: String,
    pub status: ParticipantStatus,
    pub stream: SendWrapper<MediaStream>,
    /// Changes whenever a track is added, so the tile re-attaches the stream.
    pub tracks: u32,
    /// The safety number of this connection, once it is up ("12345 67890 12345").
    pub safety_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub id: u32,
    pub text: String,
}

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiAction {
    ToggleMicrophone,
    ToggleCamera,
    Leave,
}

/// Everything the meeting UI shows, written by the session task.
#[derive(Clone, Copy)]
pub struct MeetingState {
    pub server: RwSignal<ServerState>,
    pub room: RwSignal<RoomStatus>,
    pub tiles: RwSignal<Vec<TileView>>,
    pub toasts: RwSignal<Vec<Toast>>,
    pub microphone: RwSignal<bool>,
    pub camera: RwSignal<bool>,
    pub media_problem: RwSignal<Option<MediaProblem>>,
    pub local_stream: RwSignal<Option<SendWrapper<MediaStream>>>,
    /// Signalling messages dropped because they did not open or made no sense.
    pub dropped: RwSignal<u64>,
    /// The session has ended (left, or refused); the local devices are off.
    pub ended: RwSignal<bool>,
}

impl MeetingState {
    pub fn new() -> Self {
        Self {
            server: RwSignal::new(ServerState::Connecting),
            room: RwSignal::new(RoomStatus::Joining),
            tiles: RwSignal::new(Vec::new()),
            toasts: RwSignal::new(Vec::new()),
            microphone: RwSignal::new(false),
            camera: RwSignal::new(false),
            media_problem: RwSignal::new(None),
            local_stream: RwSignal::new(None),
            dropped: RwSignal::new(0),
            ended: RwSignal::new(false),
        }
    }
}

/// The UI's handle on a running session.
#[derive(Clone)]
pub struct Session {
    events: SendWrapper<UnboundedSender<Event>>,
}

impl Session {
    /// Starts the session task: connects, joins the room the keys belong to, and runs the meeting
    /// until [`UiAction::Leave`] or a final refusal.
    pub fn start(
        my_name: &str,
        keys: RoomKeys,
        local: LocalMedia,
        state: MeetingState,
        texts: &'static crate::i18n::Texts,
    ) -> Self {
        let (sender, receiver) = unbounded();
        state.microphone.set(local.is_on(MediaKind::Audio));
        state.camera.set(local.is_on(MediaKind::Video));
        state
            .local_stream
            .set(Some(SendWrapper::new(local.stream().share())));
        let task = Task {
            keys,
            room: Room::new(my_name),
            channel: None,
            socket: None,
            socket_generation: 0,
            ice: IceConfig::default(),
            links: BTreeMap::new(),
            safety_numbers: BTreeMap::new(),
            local,
            requesting: None,
            state,
            texts,
            sender: sender.clone(),
            timers: BTreeMap::new(),
            next_timer: 0,
            reconnect_attempt: 0,
        };
        leptos::task::spawn_local(task.run(receiver));
        Self {
            events: SendWrapper::new(sender),
        }
    }

    pub fn act(&self, action: UiAction) {
        let _ = self.events.unbounded_send(Event::Ui(action));
    }
}

enum Event {
    Socket {
        generation: u32,
        event: SocketEvent,
    },
    Peer {
        peer: PeerId,
        event: PeerEvent,
    },
    Ui(UiAction),
    /// A device request the session started has an answer (the prompt may have taken a while).
    Device {
        kind: MediaKind,
        result: Result<MediaStreamTrack, MediaProblem>,
    },
    /// Timer `id` fired: reconnect.
    Reconnect(u32),
    /// Timer `id` fired: the toast with that id goes.
    ExpireToast(u32),
}

struct Task {
    keys: RoomKeys,
    room: Room,
    channel: Option<SignalChannel>,
    socket: Option<Signalling>,
    socket_generation: u32,
    ice: IceConfig,
    links: BTreeMap<PeerId, PeerLink>,
    safety_numbers: BTreeMap<PeerId, String>,
    local: LocalMedia,
    /// The device being requested right now, if any (one prompt at a time).
    requesting: Option<MediaKind>,
    state: MeetingState,
    texts: &'static crate::i18n::Texts,
    sender: UnboundedSender<Event>,
    /// Pending reconnect and toast timers, cancelled when the task ends.
    timers: BTreeMap<u32, Timeout>,
    next_timer: u32,
    reconnect_attempt: usize,
}

impl Task {
    async fn run(mut self, mut events: UnboundedReceiver<Event>) {
        self.connect();
        while let Some(event) = events.next().await {
            match event {
                Event::Socket { generation, event } if generation == self.socket_generation => {
                    if !self.on_socket(event).await {
                        break;
                    }
                }
                Event::Socket { .. } => {}
                Event::Peer { peer, event } => self.on_peer(peer, event).await,
                Event::Ui(UiAction::Leave) => break,
                Event::Ui(UiAction::ToggleMicrophone) => self.toggle(MediaKind::Audio).await,
                Event::Ui(UiAction::ToggleCamera) => self.toggle(MediaKind::Video).await,
                Event::Device { kind, result } => self.on_device(kind, result).await,
                Event::Reconnect(id) => {
                    self.timers.remove(&id);
                    self.connect();
                }
                Event::ExpireToast(id) => {
                    self.timers.remove(&id);
                    self.state
                        .toasts
                        .update(|toasts| toasts.retain(|toast| toast.id != id));
                }
            }
            self.publish();
        }
        self.end();
    }

    fn connect(&mut self) {
        self.socket_generation += 1;
        self.state.server.set(ServerState::Connecting);
        let generation = self.socket_generation;
        match Signalling::connect(self.sender.clone(), move |event| Event::Socket {
            generation,
            event,
        }) {
            Ok(socket) => self.socket = Some(socket),
            Err(_) => self.schedule_reconnect(),
        }
    }

    /// Handles a socket event; `false` ends the session.
    async fn on_socket(&mut self, event: SocketEvent) -> bool {
        match event {
            SocketEvent::Open => {
                self.reconnect_attempt = 0;
                let join = ClientMessage::Join {
                    version: PROTOCOL_VERSION,
                    room: self.keys.room_id().clone(),
                };
                self.send(&join);
            }
            SocketEvent::Message(message) => self.on_server(message).await,
            SocketEvent::Malformed => self.room.count_dropped(),
            SocketEvent::Closed(code) => {
                self.socket = None;
                let close = CloseCode::from_code(code);
                if close.is_some_and(is_final) {
                    self.state.server.set(ServerState::Refused(close));
                    return false;
                }
                self.state.server.set(ServerState::Lost);
                self.schedule_reconnect();
            }
        }
        true
    }

    async fn on_server(&mut self, message: ServerMessage) {
        let input = match message {
            ServerMessage::Welcome {
                peer_id,
                peers,
                ice_servers,
                relay_only,
                ..
            } => {
                // Without a fresh challenge there is no replay protection: fail closed.
                let Ok(challenge) = crypto::challenge() else {
                    self.state.server.set(ServerState::Refused(None));
                    return;
                };
                self.state.server.set(ServerState::Connected);
                self.ice = IceConfig {
                    servers: ice_servers,
                    relay_only,
                };
                self.channel = Some(SignalChannel::new(
                    self.keys.signal(),
                    self.keys.room_id().clone(),
                    peer_id,
                ));
                Input::Welcomed {
                    me: peer_id,
                    peers,
                    challenge,
                }
            }
            ServerMessage::Signal { from, payload } => match self.open(from, &payload) {
                Some(input) => input,
                None => return,
            },
            ServerMessage::PeerLeft { peer_id } => {
                if let Some(channel) = &mut self.channel {
                    channel.forget(peer_id);
                }
                Input::Server(ServerMessage::PeerLeft { peer_id })
            }
            other => Input::Server(other),
        };
        let commands = self.room.handle(input);
        self.execute(commands).await;
    }

    /// Opens a relayed envelope into an input for the room. An envelope that does not open under
    /// our key is `Unopenable` (a different passphrase, or tampering); one that opens but does
    /// not make sense is only counted, never blamed on the passphrase.
    fn open(&mut self, from: PeerId, payload: &str) -> Option<Input> {
        let channel = self.channel.as_mut()?;
        let opened = crypto::from_base64(payload)
            .ok()
            .and_then(|envelope| channel.open(from, &envelope).ok());
        let Some(opened) = opened else {
            return Some(Input::Unopenable { from });
        };
        let body = serde_json::from_slice::<SignalBody>(&opened.plaintext)
            .ok()
            .filter(|b| b.kind() == opened.kind);
        if body.is_none() {
            self.room.count_dropped();
        }
        body.map(|body| Input::Opened { from, body })
    }

    async fn execute(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Send { to, body } => self.seal_and_send(to, &body),
                Command::OpenConnection {
                    peer,
                    offer,
                    polite,
                } => self.open_connection(peer, offer, polite),
                Command::Deliver { peer, negotiation } => self.deliver(peer, negotiation).await,
                Command::CloseConnection { peer } => {
                    self.links.remove(&peer);
                    self.safety_numbers.remove(&peer);
                }
                Command::Notify(notice) => self.toast(match notice {
                    Notice::Joined { name } => self.texts.joined(&self.display_name(&name)),
                    Notice::Left { name } => self.texts.left(&self.display_name(&name)),
                    Notice::ForeignPassphraseAttempt => self.texts.foreign_attempt.to_owned(),
                }),
            }
        }
    }

    fn open_connection(&mut self, peer: PeerId, offer: bool, polite: bool) {
        let events = self.sender.clone();
        let wrap = |peer, event| Event::Peer { peer, event };
        match PeerLink::open(peer, &self.ice, offer, polite, &self.local, events, wrap) {
            Ok(link) => {
                self.links.insert(peer, link);
            }
            // The browser refused to create a connection: the tile says it failed.
            Err(_) => {
                self.room.handle(Input::Connection {
                    peer,
                    state: ConnectionState::Failed,
                });
            }
        }
    }

    async fn deliver(&mut self, peer: PeerId, negotiation: Negotiation) {
        let Some(link) = self.links.get_mut(&peer) else {
            return;
        };
        let reply = match negotiation {
            Negotiation::Description(description) => {
                link.receive_description(&description, &self.local).await
            }
            Negotiation::Candidate(candidate) => {
                link.receive_candidate(&candidate).await.map(|()| None)
            }
        };
        self.reply(peer, reply);
    }

    async fn on_peer(&mut self, peer: PeerId, event: PeerEvent) {
        match event {
            PeerEvent::NegotiationNeeded => {
                let Some(link) = self.links.get_mut(&peer) else {
                    return;
                };
                let offer = link.negotiate().await;
                self.reply(peer, offer);
            }
            PeerEvent::Candidate(candidate) => {
                if self.links.contains_key(&peer) {
                    self.seal_and_send(peer, &SignalBody::Candidate(candidate));
                }
            }
            PeerEvent::State(state) => {
                match state {
                    ConnectionState::Connected => self.compute_safety_number(peer),
                    ConnectionState::Failed => self
                        .links
                        .get(&peer)
                        .into_iter()
                        .for_each(PeerLink::recover),
                    _ => {}
                }
                let commands = self.room.handle(Input::Connection { peer, state });
                self.execute(commands).await;
            }
            PeerEvent::Track(track) => {
                if let Some(link) = self.links.get(&peer) {
                    link.add_remote_track(&track);
                    self.state.tiles.update(|tiles| {
                        if let Some(tile) = tiles.iter_mut().find(|tile| tile.peer == peer) {
                            tile.tracks += 1;
                        }
                    });
                }
            }
        }
    }

    /// The short code both sides can compare aloud, from the room key and both DTLS fingerprints.
    fn compute_safety_number(&mut self, peer: PeerId) {
        let Some((ours, theirs)) = self.links.get(&peer).and_then(PeerLink::fingerprints) else {
            return;
        };
        if let Ok(number) = crypto::safety_number(self.keys.safety(), &ours, &theirs) {
            self.safety_numbers.insert(peer, number.to_string());
        }
    }

    /// Sends a local description that negotiation produced; a failure is left to ICE's own
    /// failure state, which the tile shows.
    fn reply(&mut self, peer: PeerId, description: Result<Option<Description>, JsError>) {
        if let Ok(Some(description)) = description {
            self.seal_and_send(peer, &SignalBody::Description(description));
        }
    }

    /// Turns a device off at once, or asks for it in a task of its own so that a permission
    /// prompt never holds up the meeting.
    async fn toggle(&mut self, kind: MediaKind) {
        if self.local.is_on(kind) {
            self.local.stop(kind);
            self.send_track(kind, None).await;
        } else if self.requesting.is_none() {
            self.requesting = Some(kind);
            let sender = self.sender.clone();
            leptos::task::spawn_local(async move {
                let result = request_track(kind).await;
                if let Err(Event::Device {
                    result: Ok(track), ..
                }) = sender
                    .unbounded_send(Event::Device { kind, result })
                    .map_err(|error| error.into_inner())
                {
                    // The session ended while the prompt was open: release the device at once.
                    track.stop();
                }
            });
        }
    }

    async fn on_device(&mut self, kind: MediaKind, result: Result<MediaStreamTrack, MediaProblem>) {
        self.requesting = None;
        match result {
            Ok(track) => {
                self.local.insert(kind, track.share());
                self.state.media_problem.set(None);
                self.send_track(kind, Some(&track)).await;
            }
            Err(problem) => self.state.media_problem.set(Some(problem)),
        }
    }

    async fn send_track(&mut self, kind: MediaKind, track: Option<&MediaStreamTrack>) {
        for link in self.links.values() {
            let _ = link.send_track(kind, track).await;
        }
        let signal = match kind {
            MediaKind::Audio => self.state.microphone,
            MediaKind::Video => self.state.camera,
        };
        signal.set(track.is_some());
    }

    fn seal_and_send(&mut self, to: PeerId, body: &SignalBody) {
        let Some(channel) = &mut self.channel else {
            return;
        };
        let Ok(plaintext) = serde_json::to_vec(body) else {
            return;
        };
        // Sealing fails only without a random number generator: then nothing is sent at all.
        let Ok(envelope) = channel.seal(to, body.kind(), &plaintext) else {
            return;
        };
        self.send(&ClientMessage::Signal {
            to,
            payload: crypto::to_base64(&envelope),
        });
    }

    fn send(&self, message: &ClientMessage) {
        if let Some(socket) = &self.socket {
            let _ = socket.send(message);
        }
    }

    fn schedule_reconnect(&mut self) {
        let delay = RECONNECT_DELAYS_MILLIS[self
            .reconnect_attempt
            .min(RECONNECT_DELAYS_MILLIS.len() - 1)];
        self.reconnect_attempt += 1;
        self.add_timer(delay, Event::Reconnect);
    }

    fn toast(&mut self, text: String) {
        let id = self.add_timer(TOAST_MILLIS, Event::ExpireToast);
        self.state
            .toasts
            .update(|toasts| toasts.push(Toast { id, text }));
    }

    /// Starts a timer that sends `event(id)` when it fires; returns the id.
    fn add_timer(&mut self, millis: u32, event: fn(u32) -> Event) -> u32 {
        let id = self.next_timer;
        self.next_timer = self.next_timer.wrapping_add(1);
        let sender = self.sender.clone();
        self.timers.insert(
            id,
            Timeout::new(millis, move || drop(sender.unbounded_send(event(id)))),
        );
        id
    }

    fn display_name(&self, name: &str) -> String {
        if name.is_empty() {
            self.texts.guest.to_owned()
        } else {
            name.to_owned()
        }
    }

    /// Copies the room's view into the UI's signals.
    fn publish(&self) {
        self.state.room.set(self.room.status());
        self.state.dropped.set(self.room.dropped_envelopes());
        let previous = self.state.tiles.get_untracked();
        let tiles = self
            .room
            .participants()
            .into_iter()
            .filter_map(|participant| {
                let link = self.links.get(&participant.peer)?;
                let tracks = previous
                    .iter()
                    .find(|tile| tile.peer == participant.peer)
                    .map_or(0, |tile| tile.tracks);
                Some(TileView {
                    peer: participant.peer,
                    name: self.display_name(&participant.name),
                    status: participant.status,
                    stream: SendWrapper::new(link.remote_stream().share()),
                    tracks,
                    safety_number: self.safety_numbers.get(&participant.peer).cloned(),
                })
            })
            .collect();
        self.state.tiles.set(tiles);
    }

    /// Leaves: every connection closed, the devices stopped (camera light off), the socket closed.
    fn end(mut self) {
        self.links.clear();
        self.local.stop(MediaKind::Audio);
        self.local.stop(MediaKind::Video);
        self.socket = None;
        self.timers.clear();
        self.state.local_stream.set(None);
        self.state.tiles.set(Vec::new());
        self.state.microphone.set(false);
        self.state.camera.set(false);
        self.state.ended.set(true);
    }
}

/// Close codes after which reconnecting cannot help: the session ends with the reason shown.
fn is_final(code: CloseCode) -> bool {
    matches!(
        code,
        CloseCode::RoomFull
            | CloseCode::TooManyRooms
            | CloseCode::TooManyConnections
            | CloseCode::UnsupportedVersion
            | CloseCode::ProtocolViolation
            | CloseCode::MessageTooLarge
            | CloseCode::BinaryFrame
    )
}
