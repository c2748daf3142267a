//! The session task: one per meeting. It owns the signalling socket, the sealed channel, the
//! [`Room`] state machine, the local media and one [`PeerLink`] per participant, and runs them from
//! a single event queue that the browser callbacks and the UI feed. The UI reads [`MeetingState`].
//!
//! This file holds the task, its events and the loop that dispatches them to the room; each
//! concern the loop serves lives in a module of its own: the signalling server ([`server`]), the
//! peer connections and their verification ([`peers`]), what we send and hear ([`media`]), the
//! devices ([`devices`]), the chat ([`chat`]), file transfers ([`files`]), and the projection of
//! it all into the UI's signals ([`view`]).

mod chat;
mod devices;
mod files;
mod media;
mod peers;
mod server;
mod view;

pub use chat::ChatLine;
pub use devices::DeviceState;
pub use files::{TransferKey, TransferState, TransferView};
pub use server::ServerState;
pub use view::{MeetingState, TileView};

use super::devices::DeviceWatch;
use super::dtls::Certificate;
use super::error::JsError;
use super::handle::Share;
use super::media::{LocalMedia, MediaKind, MediaProblem};
use super::peer::{IceConfig, PeerEvent, PeerLink};
use super::signalling::{Signalling, SocketEvent};
use super::track_watch::{TrackEvent, TrackWatch};
use crypto::RoomKeys;
use crypto::webcrypto::WebCryptoError;
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use mesh::{
    Chat, Command, ConnectionProblem, ConnectionState, Input, Reconnect, RelayOffer, Room, Route,
    Speaking, Spotlight,
};
use protocol::{ClientMessage, PeerId};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use std::sync::Arc;
use web_sys::MediaStreamTrack;

/// How often the received audio levels are sampled for the speaking indicator.
const LEVEL_SAMPLE_MILLIS: u32 = 150;

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
    /// A block of our file transfer `transfer` was read.
    FileRead {
        transfer: u64,
        result: Result<js_sys::Uint8Array, JsError>,
    },
    /// The chunks of the block just read were sealed into frames.
    FileSealed {
        transfer: u64,
        result: Result<Vec<js_sys::Uint8Array>, WebCryptoError>,
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
                Event::Ui(UiAction::ClearChat) => self.clear_chat(false),
                Event::Ui(UiAction::ClearChatForEveryone) => self.clear_chat(true),
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
                Event::Ui(UiAction::SendFile(file, to)) => self.send_file(file.take(), to).await,
                Event::Ui(UiAction::CancelTransfer(key)) => self.cancel_transfer(key),
                Event::FileRead { transfer, result } => {
                    self.on_file_read(transfer, result);
                    continue;
                }
                Event::FileSealed { transfer, result } => {
                    self.on_file_sealed(transfer, result);
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
