//! The browser's device list and speaker output: `enumerateDevices()` into [`mesh::Devices`],
//! a watch on `devicechange` (a headset plugged in or out), the device id a capture track
//! actually uses, and `setSinkId` on a media element where the browser has it.

use super::error::{JsError, resolve};
use super::media::{MediaKind, MediaProblem, request_track};
use gloo_events::EventListener;
use mesh::{Device, DeviceKind, Devices};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlMediaElement, MediaDeviceInfo, MediaDevices, MediaStreamTrack};

#[wasm_bindgen]
extern "C" {
    /// An `HTMLMediaElement` with `setSinkId()`, which web-sys binds only as an unstable API.
    #[wasm_bindgen(extends = HtmlMediaElement, js_name = HTMLMediaElement)]
    type SinkElement;

    #[wasm_bindgen(method, catch, js_name = setSinkId)]
    fn set_sink_id(this: &SinkElement, id: &str) -> Result<js_sys::Promise, JsValue>;
}

fn media_devices() -> Option<MediaDevices> {
    web_sys::window()?.navigator().media_devices().ok()
}

/// The cameras, microphones and speakers the browser lists now (labels only once the page has
/// permission for that kind). Empty if the browser lists none or refuses.
pub async fn list() -> Devices {
    let Some(promise) = media_devices().and_then(|devices| devices.enumerate_devices().ok()) else {
        return Devices::default();
    };
    let Ok(entries) = resolve(promise).await else {
        return Devices::default();
    };
    let entries = js_sys::Array::from(&entries);
    Devices::new(entries.iter().filter_map(|entry| {
        let info: MediaDeviceInfo = entry.dyn_into().ok()?;
        let kind = js_sys::Reflect::get(&info, &"kind".into())
            .ok()?
            .as_string()?;
        Some(Device {
            kind: DeviceKind::from_browser(&kind)?,
            id: info.device_id(),
            label: info.label(),
        })
    }))
}

/// Asks for a track of `kind`: from the device `chosen` exactly, or else from the device the
/// user last chose while it is plugged in, else from the system default. Before permission the
/// browser hides which devices there are; once the first track reveals them, a remembered device
/// that is plugged in but not the one given is asked for in its place. Returns the track and the
/// device list as it is then.
pub async fn acquire(
    kind: MediaKind,
    chosen: Option<String>,
) -> Result<(MediaStreamTrack, Devices), MediaProblem> {
    if let Some(id) = chosen {
        let track = request_track(kind, Some(&id)).await?;
        return Ok((track, list().await));
    }
    let remembered = crate::prefs::chosen_device(kind.device());
    let before = list().await;
    let listed = remembered
        .as_deref()
        .is_some_and(|id| before.contains(kind.device(), id));
    let track = request_track(kind, remembered.as_deref().filter(|_| listed)).await?;
    let after = list().await;
    let revealed = remembered.filter(|id| {
        !listed && after.contains(kind.device(), id) && device_of(&track).as_ref() != Some(id)
    });
    let Some(id) = revealed else {
        return Ok((track, after));
    };
    match request_track(kind, Some(&id)).await {
        Ok(better) => {
            track.stop();
            Ok((better, after))
        }
        // The remembered device is busy or gone after all: the default will do.
        Err(_) => Ok((track, after)),
    }
}

/// Calls `changed` whenever the browser's device list changes, until dropped.
pub struct DeviceWatch {
    _listener: Option<EventListener>,
}

impl DeviceWatch {
    pub fn new(changed: impl FnMut() + 'static) -> Self {
        let mut changed = changed;
        Self {
            _listener: media_devices()
                .map(|devices| EventListener::new(&devices, "devicechange", move |_| changed())),
        }
    }
}

/// The id of the device a capture track comes from.
pub fn device_of(track: &MediaStreamTrack) -> Option<String> {
    let id = track.get_settings().get_device_id()?;
    (!id.is_empty()).then_some(id)
}

/// Whether this browser can choose where a media element plays its sound.
pub fn can_choose_speaker() -> bool {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &"HTMLMediaElement".into()).ok())
        .and_then(|class| js_sys::Reflect::get(&class, &"prototype".into()).ok())
        .is_some_and(|prototype| {
            js_sys::Reflect::has(&prototype, &"setSinkId".into()).unwrap_or(false)
        })
}

/// Plays `element`'s sound on the speaker `id` (an empty id is the system default).
pub async fn play_on(element: &HtmlMediaElement, id: &str) -> Result<(), JsError> {
    if !can_choose_speaker() {
        return Ok(());
    }
    let promise = element.unchecked_ref::<SinkElement>().set_sink_id(id)?;
    resolve(promise).await.map(drop)
}
