//! The session task: one per meeting. It owns the signalling socket, the sealed channel, the
//! [`Room`] state machine, the local media and one [`PeerLink`] per participant, and runs them from
//! a single event queue that the browser callbacks and the UI feed. The UI reads [`MeetingState`].

mod devices;
mod files;

pub use devices::DeviceState;
pub use files::{TransferKey, TransferState, TransferView};

use super::caps;
use super::devices::DeviceWatch;
use super::dtls::{self, Certificate};
use super::error::JsError;
use super::handle::Share;
use super::media::{LocalMedia, MediaKind, MediaProblem};
use super::peer::{IceConfig, PeerEvent, PeerLink, Role, is_relay_candidate};
use super::screen::request_screen;
use super::signalling::{Signalling, SocketEvent};
use super::track_watch::{TrackEvent, TrackWatch};
use crate::i18n::Texts;
use crypto::RoomKeys;
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use mesh::{
    AfterClose, Author, Chat, ChatError, ChatEvent, Command, ConnectionProblem, ConnectionState,
    Description, IceOutcome, Input, MediaState, Negotiation, Notice, ParticipantStatus, Reconnect,
    RelayOffer, Room, RoomStatus, Route, Speaking, Spotlight, Verification, video_caps,
};
use protocol::{AdmissionToken, ClientMessage, CloseCode, PROTOCOL_VERSION, PeerId, ServerMessage};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use std::sync::Arc;
use web_sys::{MediaStream, MediaStreamTrack};

/// Chat messages kept per peer while its channel is still opening.
const MAX_PENDING_CHAT: usize = 100;
/// How often the received audio levels are sampled for the speaking indicator.
const LEVEL_SAMPLE_MILLIS: u32 = 150;
/// How long a toast stays.
const TOAST_MILLIS: u32 = 6_000;
/// How long a connection may stay `disconnected` (a network change, a lost packet burst) before
/// ICE is restarted; a `failed` one is restarted at once.
const ICE_GRACE_MILLIS: u32 = 2_000;

/// The signalling server connection, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    Connecting,
    Connected,
    /// Lost; a reconnect is scheduled (or under way). The call goes on meanwhile.
    Lost,
    /// The server closed the connection for good (room full, too many rooms, …).
    Refused(Option<CloseCode>),
}

/// One line of the chat, as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    pub id: u64,
    pub name: String,
    pub mine: bool,
    pub text: String,
    /// Local time, "14:05".
    pub time: String,
    /// The people our message could not be delivered to.
    pub not_delivered_to: Vec<String>,
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
    /// Its shared screen while it shares one, and a count that changes with its tracks.
    pub screen: Option<SendWrapper<MediaStream>>,
    pub screen_tracks: u32,
    /// The safety number of this connection, once it is up ("12345 67890 12345").
    pub safety_number: Option<String>,
    /// Its microphone and camera, as it announced them.
    pub media: MediaState,
    /// Direct or through a relay, once connected.
    pub route: Option<Route>,
    /// Whether the user marked its safety number as verified (or it changed since).
    pub verification: Verification,
    /// Why the connection could not be made, once the browser showed it.
    pub problem: Option<ConnectionProblem>,
    /// Its place among the raised hands, if its hand is up.
    pub hand: Option<usize>,
}

/// A short notice that goes by itself. It is put in words when shown, so it follows the language
/// switch.
#[derive(Clone)]
pub struct Toast {
    pub id: u32,
    pub text: Arc<dyn Fn(&'static Texts) -> String + Send + Sync>,
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub enum UiAction {
    /// Send a chat message to everyone.
    SendChat(String),
    /// Empty this browser's chat.
    ClearChat,
    /// Empty the chat here and ask every other browser to do the same.
    ClearChatForEveryone,
    /// The chat panel was opened (everything read) or closed.
    ChatPanel(bool),
    ToggleMicrophone,
    ToggleCamera,
    /// Video off in both directions (the camera too), or back on.
    ToggleAudioOnly,
    /// The user compared this participant's safety number with them: mark it as verified.
    MarkVerified(PeerId),
    /// Raise our hand, or lower it.
    ToggleHand,
    /// Share our screen (the browser's picker), or stop sharing it.
    ToggleScreen,
    /// Use this camera, microphone or speaker from now on (and remember it).
    UseDevice(mesh::DeviceKind, String),
    /// Send this file to everyone, or to one person.
    SendFile(SendWrapper<web_sys::File>, Option<PeerId>),
    /// Stop a file transfer, ours or one we receive.
    CancelTransfer(TransferKey),
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
    /// No video is sent or received; the camera stays off.
    pub audio_only: RwSignal<bool>,
    /// Our place among the raised hands, if our hand is up.
    pub hand: RwSignal<Option<usize>>,
    /// We share our screen.
    pub sharing: RwSignal<bool>,
    /// Sharing the screen was refused (by the user in the picker, or by the browser).
    pub screen_problem: RwSignal<Option<MediaProblem>>,
    pub media_problem: RwSignal<Option<MediaProblem>>,
    pub local_stream: RwSignal<Option<SendWrapper<MediaStream>>>,
    pub devices: DeviceState,
    /// File transfers, in the order they started.
    pub transfers: RwSignal<Vec<TransferView>>,
    /// Signalling messages dropped because they did not open or made no sense.
    pub dropped: RwSignal<u64>,
    /// Members of the room who have not completed the handshake with us (a silent joiner, someone
    /// still connecting, someone with another passphrase).
    pub unverified: RwSignal<usize>,
    /// The chat, oldest line first, and how many lines came while the panel was closed.
    pub chat: RwSignal<Vec<ChatLine>>,
    pub chat_unread: RwSignal<usize>,
    /// Who is speaking now (their tiles are highlighted).
    pub speaking: RwSignal<std::collections::BTreeSet<PeerId>>,
    /// Who would be shown large in a larger meeting: the last to begin speaking.
    pub spotlight: RwSignal<Option<PeerId>>,
    /// Names of participants whose connection was closed because it was not trustworthy (a
    /// certificate other than the one committed to); stays until the meeting ends.
    pub untrustworthy: RwSignal<Vec<String>>,
    /// The session has ended (left, or refused); the local devices are off.
    pub ended: RwSignal<bool>,
    /// What the last welcome offered for relaying (the pre-join page shares this signal, so it
    /// knows once the page has joined).
    pub relay: RwSignal<Option<RelayOffer>>,
    /// The user asked to hide their IP address (relayed connections only).
    pub hide_ip: RwSignal<bool>,
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
            audio_only: RwSignal::new(false),
            hand: RwSignal::new(None),
            sharing: RwSignal::new(false),
            screen_problem: RwSignal::new(None),
            media_problem: RwSignal::new(None),
            local_stream: RwSignal::new(None),
            devices: DeviceState::new(),
            transfers: RwSignal::new(Vec::new()),
            dropped: RwSignal::new(0),
            unverified: RwSignal::new(0),
            untrustworthy: RwSignal::new(Vec::new()),
            speaking: RwSignal::new(std::collections::BTreeSet::new()),
            spotlight: RwSignal::new(None),
            chat: RwSignal::new(Vec::new()),
            chat_unread: RwSignal::new(0),
            ended: RwSignal::new(false),
            relay: RwSignal::new(None),
            hide_ip: RwSignal::new(false),
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
        audio_only: bool,
        hide_ip: bool,
        state: MeetingState,
        texts: Signal<&'static Texts>,
    ) -> Self {
        let (sender, receiver) = unbounded();
        state.audio_only.set(audio_only);
        state.hide_ip.set(hide_ip);
        state.microphone.set(local.is_on(MediaKind::Audio));
        state.camera.set(local.is_on(MediaKind::Video));
        state
            .local_stream
            .set(Some(SendWrapper::new(local.stream().share())));
        let keys = Arc::new(keys);
        let task = Task {
            room: Room::new(my_name, Arc::clone(&keys), crypto::challenge),
            keys,
            transfers: files::Transfers::default(),
            my_name: my_name.trim().to_owned(),
            chat: Chat::default(),
            chat_pending: BTreeMap::new(),
            socket: None,
            socket_generation: 0,
            ice: IceConfig::default(),
            relay_offer: RelayOffer::None,
            relay_candidates: std::collections::BTreeSet::new(),
            problems: BTreeMap::new(),
            links: BTreeMap::new(),
            certificates: BTreeMap::new(),
            routes: BTreeMap::new(),
            capped: BTreeMap::new(),
            local,
            device_watch: None,
            track_watches: BTreeMap::new(),
            requesting: None,
            screen: None,
            state,
            texts,
            sender: sender.clone(),
            timers: BTreeMap::new(),
            speaking: Speaking::default(),
            spotlight: Spotlight::default(),
            level_sampler: None,
            next_timer: 0,
            reconnect: Reconnect::default(),
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
    /// The certificate generated for `peer` (after the room asked for one).
    Certificate {
        peer: PeerId,
        result: Result<Certificate, JsError>,
    },
    /// The screen picker has an answer.
    Screen(Result<MediaStreamTrack, MediaProblem>),
    /// The shared screen's track ended (the browser's own "Stop sharing", say).
    ScreenEnded,
    /// A chunk of our file transfer `transfer` was read.
    FileRead {
        transfer: u64,
        result: Result<Vec<u8>, JsError>,
    },
    /// The browser's device list changed (something plugged in or out).
    DevicesChanged,
    /// The device list, read again.
    DeviceList(mesh::Devices),
    /// Something happened to the capture track `id` underneath the page.
    Track {
        kind: MediaKind,
        id: String,
        event: TrackEvent,
    },
    /// A device request the session started has an answer (the prompt may have taken a while).
    Device {
        kind: MediaKind,
        result: Result<MediaStreamTrack, MediaProblem>,
    },
    /// Timer `id` fired: reconnect.
    Reconnect(u32),
    /// Timer `timer` fired: if the connection to `peer` is still disconnected, restart ICE.
    IceGrace {
        timer: u32,
        peer: PeerId,
    },
    /// Timer `id` fired: the toast with that id goes.
    ExpireToast(u32),
    /// Time to sample who is speaking.
    SampleLevels,
}

struct Task {
    room: Room,
    /// The room's keys, for the streams of file transfers.
    keys: Arc<RoomKeys>,
    transfers: files::Transfers,
    my_name: String,
    chat: Chat,
    /// Sealed chat frames for peers whose channel is not open yet: `(message id, frame)`,
    /// bounded.
    chat_pending: BTreeMap<PeerId, Vec<(u64, Vec<u8>)>>,
    socket: Option<Signalling>,
    socket_generation: u32,
    ice: IceConfig,
    /// What the last welcome offered for relaying.
    relay_offer: RelayOffer,
    /// The connections that gathered a relay candidate of ours.
    relay_candidates: std::collections::BTreeSet<PeerId>,
    /// Why a connection could not be made, until it connects.
    problems: BTreeMap<PeerId, ConnectionProblem>,
    links: BTreeMap<PeerId, PeerLink>,
    /// The certificate our hello to each peer committed to, until its connection opens with it.
    certificates: BTreeMap<PeerId, Certificate>,
    /// How each connection reaches its peer, once ICE has chosen.
    routes: BTreeMap<PeerId, Route>,
    /// The (meeting size, capture height) whose video caps each connection's sender has.
    capped: BTreeMap<PeerId, (usize, u32)>,
    local: LocalMedia,
    /// Keeps the device lists fresh.
    device_watch: Option<DeviceWatch>,
    /// Follows the capture tracks we send (unplugged, muted below the browser).
    track_watches: BTreeMap<MediaKind, TrackWatch>,
    /// The device being requested right now, if any (one prompt at a time).
    requesting: Option<MediaKind>,
    /// Our shared screen, and the listener that notices when the browser ends it.
    screen: Option<(MediaStreamTrack, gloo_events::EventListener)>,
    state: MeetingState,
    /// The language shown: a toast or name is put in words when it is shown, in the language of
    /// that moment.
    texts: Signal<&'static Texts>,
    sender: UnboundedSender<Event>,
    /// Pending reconnect and toast timers, cancelled when the task ends.
    timers: BTreeMap<u32, Timeout>,
    next_timer: u32,
    /// When to try the server again after losing it.
    reconnect: Reconnect,
    speaking: Speaking,
    spotlight: Spotlight,
    /// Samples the received audio levels while the session runs.
    level_sampler: Option<Interval>,
}

impl Task {
    async fn run(mut self, mut events: UnboundedReceiver<Event>) {
        self.announce_media().await;
        self.watch_devices();
        let sender = self.sender.clone();
        self.level_sampler = Some(Interval::new(LEVEL_SAMPLE_MILLIS, move || {
            drop(sender.unbounded_send(Event::SampleLevels))
        }));
        self.connect();
        while let Some(event) = events.next().await {
            match event {
                Event::Socket { generation, event } if generation == self.socket_generation => {
                    if !self.on_socket(event).await {
                        break;
                    }
                }
                Event::Socket { .. } => {}
                Event::Peer { peer, event } => {
                    // File chunks come thousands a second: they change no tile.
                    let file_traffic =
                        matches!(event, PeerEvent::FileFrame(_) | PeerEvent::FileRoom);
                    self.on_peer(peer, event).await;
                    if file_traffic {
                        continue;
                    }
                }
                Event::Certificate { peer, result } => self.on_certificate(peer, result).await,
                Event::Ui(UiAction::Leave) => break,
                Event::Ui(UiAction::ToggleMicrophone) => self.toggle(MediaKind::Audio).await,
                Event::Ui(UiAction::ToggleCamera) if self.state.audio_only.get_untracked() => {}
                Event::Ui(UiAction::ToggleCamera) => self.toggle(MediaKind::Video).await,
                Event::Ui(UiAction::SendChat(text)) => self.send_chat(&text),
                Event::Ui(UiAction::ClearChat) => {
                    self.chat.clear();
                    self.show_chat();
                }
                Event::Ui(UiAction::ClearChatForEveryone) => {
                    let frame = self.chat.clear_for_everyone();
                    self.broadcast_chat(None, &frame);
                    self.show_chat();
                }
                Event::Ui(UiAction::ChatPanel(open)) => {
                    self.chat.set_open(open);
                    self.show_chat();
                }
                Event::Ui(UiAction::MarkVerified(peer)) => {
                    self.room.mark_verified(peer);
                }
                Event::Ui(UiAction::ToggleScreen) => self.toggle_screen().await,
                Event::Screen(result) => self.on_screen(result).await,
                Event::ScreenEnded => self.stop_screen().await,
                Event::Ui(UiAction::ToggleHand) => {
                    let raise = self.room.my_hand().is_none();
                    self.handle(Input::LocalHand(raise)).await;
                }
                Event::Ui(UiAction::ToggleAudioOnly) => {
                    let on = !self.state.audio_only.get_untracked();
                    self.set_audio_only(on).await;
                }
                Event::Device { kind, result } => self.on_device(kind, result).await,
                Event::Ui(UiAction::UseDevice(kind, id)) => self.use_device(kind, id).await,
                Event::Ui(UiAction::SendFile(file, to)) => self.send_file(file.take(), to),
                Event::Ui(UiAction::CancelTransfer(key)) => self.cancel_transfer(key),
                Event::FileRead { transfer, result } => {
                    self.on_file_read(transfer, result);
                    continue;
                }
                Event::DevicesChanged => self.refresh_devices(),
                Event::DeviceList(devices) => self.state.devices.devices.set(devices),
                Event::Track { kind, id, event } => self.on_track(kind, &id, event).await,
                Event::Reconnect(id) => {
                    self.timers.remove(&id);
                    self.connect();
                }
                Event::IceGrace { timer, peer } => {
                    self.timers.remove(&timer);
                    self.links
                        .get(&peer)
                        .filter(|link| link.state() == ConnectionState::Disconnected)
                        .into_iter()
                        .for_each(PeerLink::recover);
                }
                Event::ExpireToast(id) => {
                    self.timers.remove(&id);
                    self.state
                        .toasts
                        .update(|toasts| toasts.retain(|toast| toast.id != id));
                }
                Event::SampleLevels => {
                    self.sample_levels();
                    continue;
                }
            }
            self.cap_video().await;
            self.publish();
        }
        self.end();
    }

    fn connect(&mut self) {
        self.socket_generation += 1;
        // Once in the meeting, the banner says "Reconnecting to the server" until it is back.
        if self.state.server.get_untracked() != ServerState::Lost {
            self.state.server.set(ServerState::Connecting);
        }
        let generation = self.socket_generation;
        let room = self.room.keys().room_id();
        match Signalling::connect(room, self.sender.clone(), move |event| Event::Socket {
            generation,
            event,
        }) {
            Ok(socket) => self.socket = Some(socket),
            Err(_) => {
                self.retry_later(None);
            }
        }
    }

    /// Schedules the next attempt to reach the server after the socket closed with `close` (or
    /// could not open); `false`, and the refusal shown, when it will not pass.
    fn retry_later(&mut self, close: Option<CloseCode>) -> bool {
        match self.reconnect.after_close(close, js_sys::Math::random()) {
            AfterClose::GiveUp => {
                self.state.server.set(ServerState::Refused(close));
                false
            }
            AfterClose::RetryAfterMillis(delay) => {
                self.add_timer(delay, Event::Reconnect);
                true
            }
        }
    }

    /// Handles a socket event; `false` ends the session.
    async fn on_socket(&mut self, event: SocketEvent) -> bool {
        match event {
            SocketEvent::Open => {
                let keys = self.room.keys();
                let Ok(admission) = AdmissionToken::parse(keys.admission_token()) else {
                    self.state.server.set(ServerState::Refused(None));
                    return false;
                };
                let join = ClientMessage::Join {
                    version: PROTOCOL_VERSION,
                    room: keys.room_id().clone(),
                    admission,
                };
                self.send(&join);
            }
            SocketEvent::Message(message) => self.on_server(message).await,
            SocketEvent::Malformed => self.room.count_dropped(),
            SocketEvent::Closed(code) => {
                self.socket = None;
                if !self.retry_later(CloseCode::from_code(code)) {
                    return false;
                }
                self.state.server.set(ServerState::Lost);
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
                self.reconnect.welcomed();
                self.state.server.set(ServerState::Connected);
                let urls = ice_servers.iter().flat_map(|server| &server.urls);
                self.relay_offer = RelayOffer::of_welcome(urls.map(String::as_str), relay_only);
                self.state.relay.set(Some(self.relay_offer));
                self.ice = IceConfig {
                    servers: ice_servers,
                    relay_only: self
                        .relay_offer
                        .relay_policy(self.state.hide_ip.get_untracked()),
                };
                // Connections that outlived the old signalling connection (a server restart)
                // get the fresh credentials too; one that refuses keeps its old servers.
                for link in self.links.values() {
                    let _ = link.use_ice(&self.ice);
                }
                Input::Welcomed { me: peer_id, peers }
            }
            ServerMessage::Signal { from, payload } => match crypto::from_base64(&payload) {
                Ok(bytes) => Input::Envelope { from, bytes },
                Err(_) => {
                    self.room.count_dropped();
                    return;
                }
            },
            other => Input::Server(other),
        };
        self.handle(input).await;
    }

    /// Feeds the room one input and carries out what it asks for.
    async fn handle(&mut self, input: Input) {
        let commands = self.room.handle(input);
        self.execute(commands).await;
    }

    async fn execute(&mut self, commands: Vec<Command>) {
        let mut pending = std::collections::VecDeque::from(commands);
        while let Some(command) = pending.pop_front() {
            match command {
                Command::PrepareCertificate { peer } => self.prepare_certificate(peer),
                Command::Send { to, envelope } => self.send(&ClientMessage::Signal {
                    to,
                    payload: crypto::to_base64(&envelope),
                }),
                Command::OpenConnection {
                    peer,
                    offer,
                    polite,
                } => {
                    pending.extend(self.open_connection(peer, offer, polite));
                    let (Some(link), Some((track, _))) = (self.links.get_mut(&peer), &self.screen)
                    else {
                        continue;
                    };
                    let _ = link.share_screen(Some(track)).await;
                }
                Command::Deliver { peer, negotiation } => {
                    pending.extend(self.deliver(peer, negotiation).await);
                }
                Command::CloseConnection { peer } => {
                    self.chat_not_delivered(peer);
                    self.links.remove(&peer);
                    self.files_lost(peer);
                    self.certificates.remove(&peer);
                    self.routes.remove(&peer);
                    self.problems.remove(&peer);
                    self.relay_candidates.remove(&peer);
                    self.capped.remove(&peer);
                    self.speaking.forget(peer);
                    self.spotlight.forget(peer);
                }
                Command::Notify(notice) => self.notify(notice),
            }
        }
    }

    /// Joins and leaves are toasts; a refused connection stays on screen until the meeting ends.
    fn notify(&mut self, notice: Notice) {
        match notice {
            Notice::Joined { name } => {
                self.toast(move |texts| texts.joined(&display_name(texts, &name)));
            }
            Notice::Left { name } => {
                self.toast(move |texts| texts.left(&display_name(texts, &name)));
            }
            Notice::ForeignPassphraseAttempt => {
                self.toast(|texts| texts.foreign_attempt.to_owned());
            }
            Notice::HandRaised { name } => {
                self.toast(move |texts| texts.hand_raised_by(&display_name(texts, &name)));
            }
            Notice::Untrustworthy { name } => {
                let name = self.display_name(&name);
                self.state.untrustworthy.update(|names| names.push(name));
            }
        }
    }

    /// Generates the certificate for `peer` in a task of its own; the answer comes back as an
    /// event, and the room then sends the hello that commits to it.
    fn prepare_certificate(&self, peer: PeerId) {
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let result = dtls::generate().await;
            let _ = sender.unbounded_send(Event::Certificate { peer, result });
        });
    }

    async fn on_certificate(&mut self, peer: PeerId, result: Result<Certificate, JsError>) {
        // Without a certificate there is no hello, so no connection: the peer stays "present,
        // not verified", which the room shows.
        let Ok(certificate) = result else {
            return;
        };
        let fingerprint = certificate.fingerprint.clone();
        self.handle(Input::CertificateReady { peer, fingerprint })
            .await;
        // Keep it only if the room committed to this one (a second request for the same peer
        // id, after it left and came back, may have raced it).
        let committed = crypto::normalize_fingerprint(&certificate.fingerprint)
            .is_ok_and(|ours| self.room.local_fingerprint(peer) == Some(ours.as_str()));
        if committed {
            self.certificates.insert(peer, certificate);
        }
    }

    /// Opens the connection with the certificate our hello committed to. Returns what the room
    /// says when the browser refuses.
    fn open_connection(&mut self, peer: PeerId, offer: bool, polite: bool) -> Vec<Command> {
        let sender = self.sender.clone();
        let notify = move |event| drop(sender.unbounded_send(Event::Peer { peer, event }));
        let role = Role {
            offer,
            polite,
            audio_only: self.state.audio_only.get_untracked(),
        };
        let link = self.certificates.get(&peer).map(|certificate| {
            PeerLink::open(
                &self.ice,
                &certificate.certificate,
                role,
                &self.local,
                notify,
            )
        });
        match link {
            Some(Ok(link)) => {
                self.links.insert(peer, link);
                Vec::new()
            }
            // The browser refused to create a connection: the tile says it failed.
            _ => self.room.handle(Input::Connection {
                peer,
                state: ConnectionState::Failed,
            }),
        }
    }

    /// Hands a description or candidate to the connection; returns what the room makes of the
    /// answer and of the certificate DTLS now uses.
    async fn deliver(&mut self, peer: PeerId, negotiation: Negotiation) -> Vec<Command> {
        let Some(link) = self.links.get_mut(&peer) else {
            return Vec::new();
        };
        let reply = match negotiation {
            Negotiation::Description(description) => {
                // A negotiation may reset the senders' parameters: cap them again after it.
                self.capped.remove(&peer);
                link.receive_description(&description, &self.local).await
            }
            Negotiation::Candidate(candidate) => {
                link.receive_candidate(&candidate).await.map(|()| None)
            }
        };
        let mut commands = self.reply(peer, reply);
        commands.extend(self.check_certificate(peer).await);
        commands
    }

    async fn on_peer(&mut self, peer: PeerId, event: PeerEvent) {
        match event {
            PeerEvent::NegotiationNeeded => {
                let Some(link) = self.links.get_mut(&peer) else {
                    return;
                };
                self.capped.remove(&peer);
                let offer = link.negotiate().await;
                let commands = self.reply(peer, offer);
                self.execute(commands).await;
            }
            PeerEvent::Candidate(candidate) => {
                if is_relay_candidate(&candidate.candidate) {
                    self.relay_candidates.insert(peer);
                }
                if self.links.contains_key(&peer) {
                    let negotiation = Negotiation::Candidate(candidate);
                    self.handle(Input::Local { peer, negotiation }).await;
                }
            }
            PeerEvent::GatheringDone => {
                if !self.relay_candidates.contains(&peer) {
                    self.diagnose(peer, IceOutcome::GatheredNoRelay);
                }
            }
            PeerEvent::State(state) => {
                match state {
                    ConnectionState::Failed => {
                        self.diagnose(peer, IceOutcome::Failed);
                        self.links
                            .get(&peer)
                            .into_iter()
                            .for_each(PeerLink::recover);
                    }
                    ConnectionState::Connected => {
                        self.problems.remove(&peer);
                    }
                    ConnectionState::Disconnected => {
                        self.add_timer(ICE_GRACE_MILLIS, move |timer| Event::IceGrace {
                            timer,
                            peer,
                        });
                    }
                    _ => {}
                }
                self.handle(Input::Connection { peer, state }).await;
                let commands = self.check_certificate(peer).await;
                self.execute(commands).await;
            }
            PeerEvent::ChatOpen => {
                let pending = self.chat_pending.remove(&peer).unwrap_or_default();
                let Some(link) = self.links.get(&peer) else {
                    return;
                };
                let failed: Vec<u64> = pending
                    .into_iter()
                    .filter(|(_, frame)| !link.chat().send(frame))
                    .map(|(id, _)| id)
                    .collect();
                let name = self.participant_name(peer);
                failed
                    .into_iter()
                    .for_each(|id| self.chat.mark_not_delivered(id, &name));
                self.show_chat();
            }
            PeerEvent::ChatFrame(sealed) => {
                let Some(frame) = self.room.open_chat(peer, &sealed) else {
                    return;
                };
                let name = self.participant_name(peer);
                let now = js_sys::Date::now();
                match self.chat.receive(peer, &name, &frame, now) {
                    Some(ChatEvent::ClearedBy(by)) => {
                        self.toast(move |texts| texts.chat_cleared_by(&by));
                    }
                    Some(ChatEvent::File(wire)) => return self.on_file_message(peer, wire),
                    Some(ChatEvent::Message(_)) | None => {}
                }
                self.show_chat();
            }
            PeerEvent::FileFrame(frame) => self.on_file_frame(peer, &frame),
            PeerEvent::FileRoom => self.on_file_room(peer),
            PeerEvent::FilesClosed => self.files_lost(peer),
            // The peer closed its side (it left, or reloaded): the connection is over, even if
            // the server has not said so (it may have lost that peer, or us).
            PeerEvent::ChatClosed => {
                self.chat_not_delivered(peer);
                let state = ConnectionState::Closed;
                self.handle(Input::Connection { peer, state }).await;
            }
            PeerEvent::Track { track, screen } => {
                if let Some(link) = self.links.get(&peer) {
                    link.add_remote_track(&track, screen);
                    self.state.tiles.update(|tiles| {
                        if let Some(tile) = tiles.iter_mut().find(|tile| tile.peer == peer) {
                            if screen {
                                tile.screen_tracks += 1;
                            } else {
                                tile.tracks += 1;
                            }
                        }
                    });
                }
            }
        }
    }

    /// Notes why the connection to `peer` cannot be made, if `outcome` shows a problem; its tile
    /// says so until it connects.
    fn diagnose(&mut self, peer: PeerId, outcome: IceOutcome) {
        if !self.links.contains_key(&peer) {
            return;
        }
        if let Some(problem) = mesh::diagnose(self.relay_offer, self.ice.relay_only, outcome) {
            self.problems.insert(peer, problem);
        }
    }

    /// Once connected (and after every renegotiation): tells the room which certificate DTLS
    /// verified for `peer`. The room closes the connection if it is not the committed one, and
    /// otherwise computes the safety number from it. Also notes the connection's route.
    async fn check_certificate(&mut self, peer: PeerId) -> Vec<Command> {
        let Some(link) = self.links.get(&peer).filter(|link| link.is_connected()) else {
            return Vec::new();
        };
        let Ok(stats) = link.stats().await else {
            return Vec::new();
        };
        if let Some(route) = stats.route() {
            self.routes.insert(peer, route);
        }
        let fingerprints = dtls::verified_remote_fingerprints(&stats);
        let mut commands = Vec::new();
        for fingerprint in fingerprints {
            commands.extend(
                self.room
                    .handle(Input::RemoteCertificate { peer, fingerprint }),
            );
        }
        commands
    }

    /// Hands a local description that negotiation produced to the room, which seals it for the
    /// peer; a failure is left to ICE's own failure state, which the tile shows.
    fn reply(
        &mut self,
        peer: PeerId,
        description: Result<Option<Description>, JsError>,
    ) -> Vec<Command> {
        match description {
            Ok(Some(description)) => self.room.handle(Input::Local {
                peer,
                negotiation: Negotiation::Description(description),
            }),
            _ => Vec::new(),
        }
    }

    /// Turns a device off at once, or asks for it in a task of its own so that a permission
    /// prompt never holds up the meeting.
    async fn toggle(&mut self, kind: MediaKind) {
        if self.local.is_on(kind) {
            self.local.stop(kind);
            self.forget_track(kind);
            self.send_track(kind, None).await;
        } else if self.requesting.is_none() {
            self.requesting = Some(kind);
            self.request_device(kind, None);
        }
    }

    async fn on_device(&mut self, kind: MediaKind, result: Result<MediaStreamTrack, MediaProblem>) {
        self.requesting = None;
        match result {
            // Audio only was chosen while the camera prompt was open: release it at once.
            Ok(track) if kind == MediaKind::Video && self.state.audio_only.get_untracked() => {
                track.stop();
            }
            Ok(track) => {
                // A track already there (another device) is stopped: its light goes off.
                self.local.insert(kind, track.share());
                self.watch_track(kind, &track);
                self.state.media_problem.set(None);
                self.send_track(kind, Some(&track)).await;
                // With permission given, the lists name the devices.
                self.refresh_devices();
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
        self.announce_media().await;
    }

    /// Sends a chat message to every participant: at once where the channel is open, once it
    /// opens where it is still connecting.
    fn send_chat(&mut self, text: &str) {
        let now = js_sys::Date::now();
        match self.chat.compose(&self.my_name, text, now) {
            Ok((id, frame)) => self.broadcast_chat(Some(id), &frame),
            Err(ChatError::TooLong) => self.toast(|texts| texts.chat_too_long.to_owned()),
            Err(ChatError::Empty) => {}
        }
        self.show_chat();
    }

    /// Seals `frame` under our chat stream and sends it to every participant; message `id` (if
    /// any) is marked not delivered for whoever cannot get it (everyone, if it cannot be sealed).
    fn broadcast_chat(&mut self, id: Option<u64>, frame: &[u8]) {
        let sealed = self.room.seal_chat(frame);
        for participant in self.room.participants() {
            let peer = participant.peer;
            let channel = self.links.get(&peer).map(|link| link.chat());
            let Some(frame) = sealed.as_deref() else {
                if let Some(id) = id {
                    let name = self.display_name(&participant.name);
                    self.chat.mark_not_delivered(id, &name);
                }
                continue;
            };
            if channel.is_some_and(|channel| channel.send(frame)) {
                continue;
            }
            let connecting = channel.is_some_and(|channel| !channel.is_open());
            let queue = self.chat_pending.entry(peer).or_default();
            match id {
                Some(id) if connecting && queue.len() < MAX_PENDING_CHAT => {
                    queue.push((id, frame.to_owned()));
                }
                Some(id) => {
                    let name = self.display_name(&participant.name);
                    self.chat.mark_not_delivered(id, &name);
                }
                None => {}
            }
        }
    }

    /// `peer`'s channel closed, or it left: what waited for it was not delivered.
    fn chat_not_delivered(&mut self, peer: PeerId) {
        let pending = self.chat_pending.remove(&peer).unwrap_or_default();
        if pending.is_empty() {
            return;
        }
        let name = self.participant_name(peer);
        for (id, _) in pending {
            self.chat.mark_not_delivered(id, &name);
        }
        self.show_chat();
    }

    fn participant_name(&self, peer: PeerId) -> String {
        let name = self
            .room
            .participants()
            .into_iter()
            .find(|participant| participant.peer == peer)
            .map(|participant| participant.name)
            .unwrap_or_default();
        self.display_name(&name)
    }

    /// Copies the chat into the UI's signals.
    fn show_chat(&self) {
        let lines = self
            .chat
            .entries()
            .map(|entry| ChatLine {
                id: entry.id,
                name: self.display_name(&entry.name),
                mine: entry.author == Author::Me,
                text: entry.text.clone(),
                time: local_time(entry.at_millis),
                not_delivered_to: entry.not_delivered_to.clone(),
            })
            .collect();
        self.state.chat.set(lines);
        self.state.chat_unread.set(self.chat.unread());
    }

    /// Samples every connection's received audio level; the UI's speakers change only when the
    /// set of people speaking does.
    fn sample_levels(&mut self) {
        let now = js_sys::Date::now();
        for (&peer, link) in &mut self.links {
            self.speaking.hear(peer, link.audio_level(), now);
        }
        let speakers = self.speaking.speakers(now);
        let spotlight = self.spotlight.follow(&speakers);
        if self.state.spotlight.get_untracked() != spotlight {
            self.state.spotlight.set(spotlight);
        }
        if self
            .state
            .speaking
            .with_untracked(|shown| *shown != speakers)
        {
            self.state.speaking.set(speakers);
        }
    }

    /// Audio only: the camera goes off and every connection stops sending and receiving video
    /// (renegotiated); or video comes back (the camera stays off until turned on).
    async fn set_audio_only(&mut self, on: bool) {
        self.state.audio_only.set(on);
        crate::prefs::remember_audio_only(on);
        if on && self.local.is_on(MediaKind::Video) {
            self.local.stop(MediaKind::Video);
            self.forget_track(MediaKind::Video);
            self.send_track(MediaKind::Video, None).await;
        }
        for link in self.links.values_mut() {
            link.set_audio_only(on);
        }
    }

    /// Caps the video every connection sends for the meeting's size ([`mesh::video_caps`]), where
    /// the size or the camera changed since, or a negotiation has ended since (they are set
    /// only between negotiations, which may reset them).
    async fn cap_video(&mut self) {
        let Some(height) = self
            .local
            .track(MediaKind::Video)
            .and_then(caps::capture_height)
        else {
            return;
        };
        let people = self.room.participants().len() + 1;
        let limits = video_caps(people);
        for (&peer, link) in &self.links {
            if self.capped.get(&peer) == Some(&(people, height)) || !link.is_stable() {
                continue;
            }
            let Some(sender) = link.camera_sender() else {
                continue;
            };
            if caps::apply(&sender, limits, height).await.unwrap_or(false) {
                self.capped.insert(peer, (people, height));
            }
        }
    }

    /// Opens the screen picker in a task of its own, or stops sharing.
    async fn toggle_screen(&mut self) {
        if self.screen.is_some() {
            self.stop_screen().await;
            return;
        }
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let result = request_screen().await;
            if let Err(Event::Screen(Ok(track))) = sender
                .unbounded_send(Event::Screen(result))
                .map_err(|error| error.into_inner())
            {
                // The session ended while the picker was open.
                track.stop();
            }
        });
    }

    async fn on_screen(&mut self, result: Result<MediaStreamTrack, MediaProblem>) {
        let track = match result {
            Ok(track) if self.screen.is_none() => track,
            Ok(track) => return track.stop(),
            Err(problem) => return self.state.screen_problem.set(Some(problem)),
        };
        self.state.screen_problem.set(None);
        let sender = self.sender.clone();
        let ended = gloo_events::EventListener::new(&track, "ended", move |_| {
            drop(sender.unbounded_send(Event::ScreenEnded));
        });
        for link in self.links.values_mut() {
            let _ = link.share_screen(Some(&track)).await;
        }
        self.screen = Some((track, ended));
        self.state.sharing.set(true);
        self.announce_media().await;
    }

    /// Stops sharing: the capture ends (the browser's sharing indicator goes) and every peer's
    /// screen tile goes.
    async fn stop_screen(&mut self) {
        let Some((track, _ended)) = self.screen.take() else {
            return;
        };
        track.stop();
        for link in self.links.values_mut() {
            let _ = link.share_screen(None).await;
        }
        self.state.sharing.set(false);
        self.announce_media().await;
    }

    /// Tells the room (and so every verified peer) whether our microphone, camera and screen
    /// share are on.
    async fn announce_media(&mut self) {
        let media = MediaState {
            microphone: self.local.is_on(MediaKind::Audio),
            camera: self.local.is_on(MediaKind::Video),
            screen: self.screen.is_some(),
        };
        self.handle(Input::LocalMedia(media)).await;
    }

    fn send(&self, message: &ClientMessage) {
        if let Some(socket) = &self.socket {
            let _ = socket.send(message);
        }
    }

    fn toast(&mut self, text: impl Fn(&'static Texts) -> String + Send + Sync + 'static) {
        let id = self.add_timer(TOAST_MILLIS, Event::ExpireToast);
        let text = Arc::new(text);
        self.state
            .toasts
            .update(|toasts| toasts.push(Toast { id, text }));
    }

    /// Starts a timer that sends `event(id)` when it fires; returns the id.
    fn add_timer(&mut self, millis: u32, event: impl FnOnce(u32) -> Event + 'static) -> u32 {
        let id = self.next_timer;
        self.next_timer = self.next_timer.wrapping_add(1);
        let sender = self.sender.clone();
        self.timers.insert(
            id,
            Timeout::new(millis, move || drop(sender.unbounded_send(event(id)))),
        );
        id
    }

    fn texts(&self) -> &'static Texts {
        self.texts.get_untracked()
    }

    fn display_name(&self, name: &str) -> String {
        display_name(self.texts(), name)
    }

    /// Copies the room's view into the UI's signals.
    fn publish(&self) {
        self.state.room.set(self.room.status());
        self.show_dropped();
        self.state.unverified.set(self.room.unverified_present());
        self.state.hand.set(self.room.my_hand());
        let previous = self.state.tiles.get_untracked();
        let tiles = self
            .room
            .participants()
            .into_iter()
            .filter_map(|participant| {
                let link = self.links.get(&participant.peer)?;
                let earlier = previous.iter().find(|tile| tile.peer == participant.peer);
                let tracks = earlier.map_or(0, |tile| tile.tracks);
                let screen_tracks = earlier.map_or(0, |tile| tile.screen_tracks);
                Some(TileView {
                    peer: participant.peer,
                    name: self.display_name(&participant.name),
                    status: participant.status,
                    stream: SendWrapper::new(link.remote_stream().share()),
                    tracks,
                    screen: participant
                        .media
                        .screen
                        .then(|| SendWrapper::new(link.remote_screen().share())),
                    screen_tracks,
                    safety_number: self
                        .room
                        .safety_number(participant.peer)
                        .map(|number| number.to_string()),
                    media: participant.media,
                    route: self.routes.get(&participant.peer).copied(),
                    verification: participant.verification,
                    hand: participant.hand,
                    problem: self.problems.get(&participant.peer).copied(),
                })
            })
            .collect();
        self.state.tiles.set(tiles);
    }

    /// How many messages did not open: signalling and chat (the room's count) and file frames.
    fn show_dropped(&self) {
        let dropped = self.room.dropped_envelopes() + self.transfers.dropped;
        if self.state.dropped.get_untracked() != dropped {
            self.state.dropped.set(dropped);
        }
    }

    /// Leaves: every connection closed, the devices stopped (camera light off), the socket closed.
    fn end(mut self) {
        self.level_sampler = None;
        self.device_watch = None;
        self.track_watches.clear();
        self.end_transfers();
        self.links.clear();
        self.certificates.clear();
        self.local.stop(MediaKind::Audio);
        self.local.stop(MediaKind::Video);
        if let Some((track, _)) = self.screen.take() {
            track.stop();
        }
        self.state.sharing.set(false);
        self.socket = None;
        self.timers.clear();
        self.state.local_stream.set(None);
        self.state.tiles.set(Vec::new());
        self.state.microphone.set(false);
        self.state.camera.set(false);
        self.state.ended.set(true);
    }
}

/// The name someone gave, or "Guest" if they gave none.
fn display_name(texts: &Texts, name: &str) -> String {
    if name.is_empty() {
        texts.guest.to_owned()
    } else {
        name.to_owned()
    }
}

/// `at_millis` (since the Unix epoch) as the local time of day, "14:05".
fn local_time(at_millis: f64) -> String {
    let date = js_sys::Date::new(&at_millis.into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
