//! The session's devices: which camera, microphone and speaker are in use, switching between
//! them during the call (`replaceTrack` on every connection, no renegotiation), keeping the lists
//! fresh when something is plugged in or out, and saying so when a device in use disappears or is
//! muted below the browser.

use super::{Event, Task};
use crate::call::devices::{self, DeviceWatch};
use crate::call::media::MediaKind;
use crate::call::track_watch::{TrackEvent, TrackWatch};
use crate::i18n::Locale;
use crate::prefs;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::DeviceKind;
use web_sys::MediaStreamTrack;

/// The device lists and the devices in use, for the UI.
#[derive(Clone, Copy)]
pub struct DeviceState {
    pub devices: RwSignal<mesh::Devices>,
    /// The camera and microphone in use (from their tracks) and the chosen speaker.
    pub in_use: RwSignal<std::collections::BTreeMap<DeviceKind, String>>,
    /// The microphone is on but muted below the browser (an operating-system switch, a key).
    pub microphone_silenced: RwSignal<bool>,
}

impl DeviceState {
    pub fn new() -> Self {
        let in_use = prefs::chosen_device(DeviceKind::Speaker)
            .map(|id| (DeviceKind::Speaker, id))
            .into_iter()
            .collect();
        Self {
            devices: RwSignal::new(mesh::Devices::default()),
            in_use: RwSignal::new(in_use),
            microphone_silenced: RwSignal::new(false),
        }
    }
}

impl Task {
    /// Starts watching the device list and the tracks the pre-join page handed over.
    pub(super) fn watch_devices(&mut self) {
        let sender = self.sender.clone();
        self.device_watch = Some(DeviceWatch::new(move || {
            drop(sender.unbounded_send(Event::DevicesChanged))
        }));
        self.refresh_devices();
        for kind in [MediaKind::Audio, MediaKind::Video] {
            if let Some(track) = self.local.track(kind).map(crate::call::Share::share) {
                self.watch_track(kind, &track);
            }
        }
    }

    /// Reads the device list again, off the event loop.
    pub(super) fn refresh_devices(&self) {
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            drop(sender.unbounded_send(Event::DeviceList(devices::list().await)));
        });
    }

    /// Follows what happens to a capture track we send, and shows which device it comes from.
    pub(super) fn watch_track(&mut self, kind: MediaKind, track: &MediaStreamTrack) {
        let sender = self.sender.clone();
        let id = track.id();
        let watch = TrackWatch::new(track, move |event| {
            drop(sender.unbounded_send(Event::Track {
                kind,
                id: id.clone(),
                event,
            }))
        });
        self.track_watches.insert(kind, watch);
        if let Some(device) = devices::device_of(track) {
            self.state
                .devices
                .in_use
                .update(|in_use| drop(in_use.insert(kind.device(), device)));
        }
        if kind == MediaKind::Audio {
            self.state.devices.microphone_silenced.set(track.muted());
        }
    }

    /// The user chose another device: remembered, and switched to at once if it is in use.
    pub(super) async fn use_device(&mut self, kind: DeviceKind, id: String) {
        prefs::remember_chosen_device(kind, &id);
        let media = match kind {
            DeviceKind::Speaker => {
                self.state
                    .devices
                    .in_use
                    .update(|in_use| drop(in_use.insert(kind, id)));
                return;
            }
            DeviceKind::Camera => MediaKind::Video,
            DeviceKind::Microphone => MediaKind::Audio,
        };
        if self.local.is_on(media) && self.requesting.is_none() {
            self.requesting = Some(media);
            self.request_device(media, Some(id));
        }
    }

    /// Asks for a track of `kind` in a task of its own, so that a permission prompt never holds
    /// up the meeting: from the device `chosen` exactly, or else from the remembered one while
    /// it is plugged in ([`devices::acquire`]). The answer comes back as [`Event::Device`].
    pub(super) fn request_device(&self, kind: MediaKind, chosen: Option<String>) {
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let result = devices::acquire(kind, chosen).await.map(|(track, _)| track);
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

    /// Something happened to the track `id` of `kind` underneath the page.
    pub(super) async fn on_track(&mut self, kind: MediaKind, id: &str, event: TrackEvent) {
        let current = self.local.track(kind).is_some_and(|track| track.id() == id);
        if !current {
            return;
        }
        match event {
            TrackEvent::Ended => {
                self.local.stop(kind);
                self.track_watches.remove(&kind);
                self.send_track(kind, None).await;
                let text: fn(Locale) -> &'static str = match kind {
                    MediaKind::Audio => |locale| td_string!(locale, microphone_disconnected),
                    MediaKind::Video => |locale| td_string!(locale, camera_disconnected),
                };
                self.toast(move |locale| text(locale).to_owned());
                self.refresh_devices();
            }
            TrackEvent::Muted | TrackEvent::Unmuted if kind == MediaKind::Audio => {
                self.state
                    .devices
                    .microphone_silenced
                    .set(event == TrackEvent::Muted);
            }
            TrackEvent::Muted | TrackEvent::Unmuted => {}
        }
    }

    /// The device in use of `kind` is no longer in use.
    pub(super) fn forget_track(&mut self, kind: MediaKind) {
        self.track_watches.remove(&kind);
        if kind == MediaKind::Audio {
            self.state.devices.microphone_silenced.set(false);
        }
    }
}
