//! The session's projection into the UI: the signals the meeting page reads ([`MeetingState`]),
//! one tile per participant that changes only when what it shows does, and toasts.

use super::{ChatLine, DeviceState, Event, ServerState, Task, TransferView};
use crate::call::handle::Share;
use crate::call::media::MediaProblem;
use crate::i18n::{Locale, person};
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{
    ConnectionProblem, MediaState, Notice, ParticipantStatus, RelayOffer, RoomStatus, Route,
    Verification,
};
use protocol::PeerId;
use send_wrapper::SendWrapper;
use std::sync::Arc;
use web_sys::MediaStream;

/// How long a toast stays.
const TOAST_MILLIS: u32 = 6_000;

/// One remote participant on the page. What their tile and list entry show is a signal of its
/// own: a change to one person re-renders only their tile, and the list of tiles changes only when
/// someone comes or goes.
#[derive(Clone)]
pub struct Tile {
    pub peer: PeerId,
    pub view: ArcRwSignal<TileView>,
}

/// What one remote participant's tile shows.
#[derive(Clone, PartialEq)]
pub struct TileView {
    pub name: String,
    pub status: ParticipantStatus,
    pub stream: RemoteStream,
    /// Changes whenever a track is added, so the tile re-attaches the stream.
    pub tracks: u32,
    /// Its shared screen while it shares one, and a count that changes with its tracks.
    pub screen: Option<RemoteStream>,
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

/// A connection's received stream, for a `<video>` to play. Two are equal when they are the same
/// stream object.
#[derive(Clone)]
pub struct RemoteStream(SendWrapper<MediaStream>);

impl PartialEq for RemoteStream {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl std::ops::Deref for RemoteStream {
    type Target = MediaStream;

    fn deref(&self) -> &MediaStream {
        &self.0
    }
}

/// A short notice that goes by itself. It is put in words when shown, so it follows the language
/// switch.
#[derive(Clone)]
pub struct Toast {
    pub id: u32,
    pub text: Arc<dyn Fn(Locale) -> String + Send + Sync>,
}

/// Everything the meeting UI shows, written by the session task.
#[derive(Clone, Copy)]
pub struct MeetingState {
    pub server: RwSignal<ServerState>,
    pub room: RwSignal<RoomStatus>,
    pub tiles: RwSignal<Vec<Tile>>,
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

impl Task {
    /// Joins and leaves are toasts; a refused connection stays on screen until the meeting ends.
    pub(super) fn notify(&mut self, notice: Notice) {
        match notice {
            Notice::Joined { name } => {
                self.toast(move |locale| td_string!(locale, joined, name = person(locale, &name)));
            }
            Notice::Left { name } => {
                self.toast(move |locale| td_string!(locale, left, name = person(locale, &name)));
            }
            Notice::ForeignPassphraseAttempt => {
                self.toast(|locale| td_string!(locale, foreign_attempt).to_owned());
            }
            Notice::HandRaised { name } => {
                self.toast(move |locale| {
                    td_string!(locale, hand_raised_by, name = person(locale, &name))
                });
            }
            Notice::Untrustworthy { name } => {
                self.state.untrustworthy.update(|names| names.push(name));
            }
        }
    }

    pub(super) fn toast(&mut self, text: impl Fn(Locale) -> String + Send + Sync + 'static) {
        let id = self.add_timer(TOAST_MILLIS, Event::ExpireToast);
        let text = Arc::new(text);
        self.state
            .toasts
            .update(|toasts| toasts.push(Toast { id, text }));
    }

    /// Copies the room's view into the UI's signals; each is set only if what it shows changed.
    pub(super) fn publish(&self) {
        set_if_changed(self.state.room, self.room.status());
        self.show_dropped();
        set_if_changed(self.state.unverified, self.room.unverified_present());
        set_if_changed(self.state.hand, self.room.my_hand());
        let shown = self.state.tiles.get_untracked();
        let tiles: Vec<Tile> = self
            .room
            .participants()
            .into_iter()
            .filter_map(|participant| {
                let link = self.links.get(&participant.peer)?;
                let earlier = shown.iter().find(|tile| tile.peer == participant.peer);
                let (tracks, screen_tracks) = earlier.map_or((0, 0), |tile| {
                    tile.view
                        .with_untracked(|view| (view.tracks, view.screen_tracks))
                });
                let view = TileView {
                    name: participant.name.clone(),
                    status: participant.status,
                    stream: RemoteStream(SendWrapper::new(link.remote_stream().share())),
                    tracks,
                    screen: participant
                        .media
                        .screen
                        .then(|| RemoteStream(SendWrapper::new(link.remote_screen().share()))),
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
                };
                let Some(tile) = earlier else {
                    return Some(Tile {
                        peer: participant.peer,
                        view: ArcRwSignal::new(view),
                    });
                };
                if tile.view.with_untracked(|shown| *shown != view) {
                    tile.view.set(view);
                }
                Some(tile.clone())
            })
            .collect();
        // The same people in the same order keep the list (and every tile's DOM) as it is.
        if !tiles
            .iter()
            .map(|tile| tile.peer)
            .eq(shown.iter().map(|tile| tile.peer))
        {
            self.state.tiles.set(tiles);
        }
    }

    /// A track arrived on `peer`'s connection (a screen's, or the camera's and microphone's): its
    /// tile attaches the stream again.
    pub(super) fn show_track(&self, peer: PeerId, screen: bool) {
        self.state.tiles.with_untracked(|tiles| {
            let Some(tile) = tiles.iter().find(|tile| tile.peer == peer) else {
                return;
            };
            tile.view.update(|view| {
                if screen {
                    view.screen_tracks += 1;
                } else {
                    view.tracks += 1;
                }
            });
        });
    }

    /// How many messages did not open: signalling and chat (the room's count) and file frames.
    pub(super) fn show_dropped(&self) {
        let dropped = self.room.dropped_envelopes() + self.transfers.dropped;
        if self.state.dropped.get_untracked() != dropped {
            self.state.dropped.set(dropped);
        }
    }
}

/// Sets `signal` to `value` unless it already holds it, so that nothing reading it runs again.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|shown| *shown != value) {
        signal.set(value);
    }
}
