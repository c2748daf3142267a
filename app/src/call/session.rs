//! The session task: one per meeting. It owns the signalling socket, the sealed channel, the
//! [`Room`] state machine, the local media and one [`PeerLink`] per participant, and runs them from
//! a single event queue that the browser callbacks and the UI feed. The UI reads [`MeetingState`].

use super::error::JsError;
use super::media::{LocalMedia, MediaKind, MediaProblem};
use super::peer::{PeerEvent, PeerLink};
use super::signalling::{Signalling, SocketEvent};
use crypto::{RoomKeys, SignalChannel};
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use mesh::{Command, Input, Notice, ParticipantStatus, Room, RoomStatus, SignalBody};
use protocol::{ClientMessage, CloseCode, IceServer, PROTOCOL_VERSION, PeerId, ServerMessage};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use web_sys::MediaStream;

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
            .set(Some(SendWrapper::new(local.stream().clone())));
        let task = Task {
            keys,
            room: Room::new(my_name),
            channel: None,
            socket: None,
            socket_generation: 0,
            ice_servers: Vec::new(),
            links: BTreeMap::new(),
            local,
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
    Socket { generation: u32, event: SocketEvent },
    Peer { peer: PeerId, event: PeerEvent },
    Ui(UiAction),
    Reconnect,
    ExpireToast(u32),
}

struct Task {
    keys: RoomKeys,
    room: Room,
    channel: Option<SignalChannel>,
    socket: Option<Signalling>,
    socket_generation: u32,
    ice_servers: Vec<IceServer>,
    links: BTreeMap<PeerId, PeerLink>,
    local: LocalMedia,
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
                Event::Reconnect => self.connect(),
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
            SocketEvent::Malformed => {}
            SocketEvent::Closed(code) => {
                self.socket = None;
                let close = CloseCode::from_code(code);
                let final_refusal = matches!(
                    close,
                    Some(
                        CloseCode::RoomFull
                            | CloseCode::TooManyRooms
                            | CloseCode::UnsupportedVersion
                            | CloseCode::ProtocolViolation
                            | CloseCode::MessageTooLarge
                            | CloseCode::BinaryFrame
                    )
                );
                if final_refusal {
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
        match &message {
            ServerMessage::Welcome {
                peer_id,
                ice_servers,
                ..
            } => {
                self.state.server.set(ServerState::Connected);
                self.ice_servers = ice_servers.clone();
                self.channel = Some(SignalChannel::new(
                    self.keys.signal(),
                    self.keys.room_id().clone(),
                    *peer_id,
                ));
            }
            ServerMessage::Signal { from, payload } => {
                let input = self.open(*from, payload);
                let commands = self.room.handle(input);
                return self.execute(commands).await;
            }
            ServerMessage::PeerLeft { peer_id } => {
                if let Some(channel) = &mut self.channel {
                    channel.forget(*peer_id);
                }
            }
            _ => {}
        }
        let commands = self.room.handle(Input::Server(message));
        self.execute(commands).await;
    }

    /// Opens a relayed envelope into an input for the room: anything that fails is `Unopenable`.
    fn open(&mut self, from: PeerId, payload: &str) -> Input {
        let opened = self.channel.as_mut().and_then(|channel| {
            let envelope = crypto::from_base64(payload).ok()?;
            let opened = channel.open(from, &envelope).ok()?;
            let body: SignalBody = serde_json::from_slice(&opened.plaintext).ok()?;
            (body.kind() == opened.kind).then_some(body)
        });
        match opened {
            Some(body) => Input::Opened { from, body },
            None => Input::Unopenable { from },
        }
    }

    async fn execute(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Send { to, body } => self.seal_and_send(to, &body),
                Command::OpenConnection {
                    peer,
                    offer,
                    polite,
                } => {
                    let link = PeerLink::open(
                        peer,
                        &self.ice_servers,
                        offer,
                        polite,
                        &self.local,
                        self.sender.clone(),
                        |peer, event| Event::Peer { peer, event },
                    );
                    if let Ok(link) = link {
                        self.links.insert(peer, link);
                    }
                }
                Command::Deliver { peer, body } => self.deliver(peer, body).await,
                Command::CloseConnection { peer } => {
                    self.links.remove(&peer);
                }
                Command::Notify(notice) => self.toast(match notice {
                    Notice::Joined { name } => self.texts.joined(&self.display_name(&name)),
                    Notice::Left { name } => self.texts.left(&self.display_name(&name)),
                    Notice::ForeignPassphraseAttempt => self.texts.foreign_attempt.to_owned(),
                }),
            }
        }
    }

    async fn deliver(&mut self, peer: PeerId, body: SignalBody) {
        let Some(link) = self.links.get_mut(&peer) else {
            return;
        };
        let reply = match body {
            SignalBody::Description(description) => {
                link.receive_description(&description, &self.local).await
            }
            SignalBody::Candidate(candidate) => {
                link.receive_candidate(&candidate).await.map(|()| None)
            }
            SignalBody::Hello { .. } => Ok(None),
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

    /// Sends a local description that negotiation produced; a failure is left to ICE's own
    /// failure state, which the tile shows.
    fn reply(&mut self, peer: PeerId, description: Result<Option<mesh::Description>, JsError>) {
        if let Ok(Some(description)) = description {
            self.seal_and_send(peer, &SignalBody::Description(description));
        }
    }

    async fn toggle(&mut self, kind: MediaKind) {
        let track = if self.local.is_on(kind) {
            self.local.stop(kind);
            None
        } else {
            match self.local.start(kind).await {
                Ok(()) => self.local.track(kind).cloned(),
                Err(problem) => {
                    self.state.media_problem.set(Some(problem));
                    return;
                }
            }
        };
        self.state.media_problem.set(None);
        for link in self.links.values() {
            let _ = link.send_track(kind, track.as_ref()).await;
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
        let sender = self.sender.clone();
        self.add_timer(delay, move || {
            let _ = sender.unbounded_send(Event::Reconnect);
        });
    }

    fn toast(&mut self, text: String) {
        let id = self.next_timer;
        self.state
            .toasts
            .update(|toasts| toasts.push(Toast { id, text }));
        let sender = self.sender.clone();
        self.add_timer(TOAST_MILLIS, move || {
            let _ = sender.unbounded_send(Event::ExpireToast(id));
        });
    }

    fn add_timer(&mut self, millis: u32, callback: impl FnOnce() + 'static) {
        let id = self.next_timer;
        self.next_timer = self.next_timer.wrapping_add(1);
        self.timers.insert(id, Timeout::new(millis, callback));
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
                    stream: SendWrapper::new(link.remote_stream().clone()),
                    tracks,
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
