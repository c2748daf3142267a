//! The local camera and microphone: acquired on request, stopped when turned off and when the
//! [`LocalMedia`] is dropped, so the camera light goes off on leaving.

use super::error::{JsError, resolve};
use mesh::DeviceKind;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    /// The track kind string the browser uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }

    /// The kind of device that captures it.
    pub fn device(self) -> DeviceKind {
        match self {
            Self::Audio => DeviceKind::Microphone,
            Self::Video => DeviceKind::Camera,
        }
    }
}

/// Why a device could not be started, in terms the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaProblem {
    /// The user or the browser's settings denied permission.
    Denied,
    /// There is no such device.
    Missing,
    /// Anything else (the device is busy, the constraints failed).
    Failed,
}

impl From<JsError> for MediaProblem {
    fn from(error: JsError) -> Self {
        match error.name.as_str() {
            "NotAllowedError" | "SecurityError" => Self::Denied,
            "NotFoundError" | "OverconstrainedError" => Self::Missing,
            _ => Self::Failed,
        }
    }
}

/// The local tracks, and the self-view stream, which holds only the camera: one's own microphone
/// is never played back, whatever the element's `muted` state.
pub struct LocalMedia {
    stream: MediaStream,
    audio: Option<MediaStreamTrack>,
    video: Option<MediaStreamTrack>,
}

impl LocalMedia {
    pub fn new() -> Result<Self, JsError> {
        Ok(Self {
            stream: MediaStream::new()?,
            audio: None,
            video: None,
        })
    }

    /// The self-view stream: the camera track, if any.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    pub fn track(&self, kind: MediaKind) -> Option<&MediaStreamTrack> {
        match kind {
            MediaKind::Audio => self.audio.as_ref(),
            MediaKind::Video => self.video.as_ref(),
        }
    }

    pub fn is_on(&self, kind: MediaKind) -> bool {
        self.track(kind).is_some()
    }

    /// Takes over a track from [`request_track`]; a track already there of that kind is stopped.
    pub fn insert(&mut self, kind: MediaKind, track: MediaStreamTrack) {
        self.stop(kind);
        if kind == MediaKind::Video {
            self.stream.add_track(&track);
        }
        *self.slot(kind) = Some(track);
    }

    /// Stops the device of `kind` (its light goes off).
    pub fn stop(&mut self, kind: MediaKind) {
        if let Some(track) = self.slot(kind).take() {
            track.stop();
            self.stream.remove_track(&track);
        }
    }

    fn slot(&mut self, kind: MediaKind) -> &mut Option<MediaStreamTrack> {
        match kind {
            MediaKind::Audio => &mut self.audio,
            MediaKind::Video => &mut self.video,
        }
    }
}

impl Drop for LocalMedia {
    fn drop(&mut self) {
        self.stop(MediaKind::Audio);
        self.stop(MediaKind::Video);
    }
}

/// Asks the browser for one track of `kind` (the permission prompt, if any, shows now), from the
/// device `device` (exactly that one: Chromium ignores a mere preference while another camera is
/// open), or from the system default.
pub async fn request_track(
    kind: MediaKind,
    device: Option<&str>,
) -> Result<MediaStreamTrack, MediaProblem> {
    let devices = web_sys::window()
        .and_then(|window| window.navigator().media_devices().ok())
        .ok_or(MediaProblem::Missing)?;
    let wanted: JsValue = match device {
        Some(id) => {
            let constraint = js_sys::Object::new();
            let exact = js_sys::Object::new();
            js_sys::Reflect::set(&exact, &"exact".into(), &id.into()).map_err(JsError::from)?;
            js_sys::Reflect::set(&constraint, &"deviceId".into(), &exact).map_err(JsError::from)?;
            constraint.into()
        }
        None => JsValue::TRUE,
    };
    let constraints = MediaStreamConstraints::new();
    match kind {
        MediaKind::Audio => constraints.set_audio(&wanted),
        MediaKind::Video => constraints.set_video(&wanted),
    }
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(JsError::from)?;
    let stream: MediaStream = resolve(promise).await?.dyn_into().map_err(JsError::from)?;
    let track = stream
        .get_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| MediaProblem::Missing)?;
    Ok(track)
}
