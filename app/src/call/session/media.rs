//! What the session sends and hears: turning the microphone and camera on and off (a device
//! prompt never holds up the meeting), audio-only mode, the video caps for the meeting's size,
//! sharing the screen, announcing all of it to the room, and who is speaking.

use super::{Event, Task};
use crate::call::caps;
use crate::call::handle::Share;
use crate::call::media::{MediaKind, MediaProblem};
use crate::call::screen::request_screen;
use leptos::prelude::*;
use mesh::{Input, MediaState, VideoCaps, video_caps};
use protocol::PeerId;
use web_sys::MediaStreamTrack;

impl Task {
    /// Turns a device off at once, or asks for it in a task of its own so that a permission
    /// prompt never holds up the meeting.
    pub(super) async fn toggle(&mut self, kind: MediaKind) {
        if self.local.is_on(kind) {
            self.local.stop(kind);
            self.forget_track(kind);
            self.send_track(kind, None).await;
        } else if self.requesting.is_none() {
            self.requesting = Some(kind);
            self.request_device(kind, None);
        }
    }

    pub(super) async fn on_device(
        &mut self,
        kind: MediaKind,
        result: Result<MediaStreamTrack, MediaProblem>,
    ) {
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

    pub(super) async fn send_track(&mut self, kind: MediaKind, track: Option<&MediaStreamTrack>) {
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

    /// Samples every connection's received audio level; the UI's speakers change only when the
    /// set of people speaking does.
    pub(super) fn sample_levels(&mut self) {
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
    pub(super) async fn set_audio_only(&mut self, on: bool) {
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

    /// The caps for the meeting with `peer` in it (verified or not yet), and the height the
    /// camera captures if it is on.
    pub(super) fn caps_with(&self, peer: PeerId) -> (VideoCaps, Option<u32>) {
        let participants = self.room.participants();
        let counted = participants
            .iter()
            .any(|participant| participant.peer == peer);
        let people = participants.len() + 1 + usize::from(!counted);
        let capture_height = self
            .local
            .track(MediaKind::Video)
            .and_then(caps::capture_height);
        (video_caps(people), capture_height)
    }

    /// Caps the video every connection sends for the meeting's size ([`mesh::video_caps`]), where
    /// the size or the camera changed since, or a negotiation has ended since (they are set
    /// only between negotiations, which may reset them).
    pub(super) async fn cap_video(&mut self) {
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
    pub(super) async fn toggle_screen(&mut self) {
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

    pub(super) async fn on_screen(&mut self, result: Result<MediaStreamTrack, MediaProblem>) {
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
    pub(super) async fn stop_screen(&mut self) {
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
    pub(super) async fn announce_media(&mut self) {
        let media = MediaState {
            microphone: self.local.is_on(MediaKind::Audio),
            camera: self.local.is_on(MediaKind::Video),
            screen: self.screen.is_some(),
        };
        self.handle(Input::LocalMedia(media)).await;
    }
}
