//! What happens to a capture track underneath the page: the device was unplugged (`ended`), or
//! the operating system or the hardware muted it (`mute`, `unmute`). Listens until dropped.

use gloo_events::EventListener;
use web_sys::MediaStreamTrack;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackEvent {
    /// The device is gone (unplugged, or taken away by the system); the track delivers nothing
    /// more.
    Ended,
    /// The track delivers silence or black frames for a while (muted below the browser).
    Muted,
    Unmuted,
}

pub struct TrackWatch {
    _listeners: [EventListener; 3],
}

impl TrackWatch {
    pub fn new(track: &MediaStreamTrack, on_event: impl Fn(TrackEvent) + Clone + 'static) -> Self {
        let listen = |name: &'static str, event: TrackEvent| {
            let on_event = on_event.clone();
            EventListener::new(track, name, move |_| on_event(event))
        };
        Self {
            _listeners: [
                listen("ended", TrackEvent::Ended),
                listen("mute", TrackEvent::Muted),
                listen("unmute", TrackEvent::Unmuted),
            ],
        }
    }
}
