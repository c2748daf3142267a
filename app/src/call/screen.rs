//! Sharing one's screen: the browser's picker (`getDisplayMedia`), the shared track marked as
//! detail content (the encoder keeps resolution over frame rate, text stays sharp).

use super::error::{JsError, resolve};
use super::media::MediaProblem;
use js_sys::Reflect;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack};

/// Asks the browser for a screen, window or tab to share (its picker shows now).
pub async fn request_screen() -> Result<MediaStreamTrack, MediaProblem> {
    let devices = web_sys::window()
        .and_then(|window| window.navigator().media_devices().ok())
        .ok_or(MediaProblem::Missing)?;
    let promise = devices.get_display_media().map_err(JsError::from)?;
    let stream: MediaStream = resolve(promise).await?.dyn_into().map_err(JsError::from)?;
    let track: MediaStreamTrack = stream
        .get_video_tracks()
        .get(0)
        .dyn_into()
        .map_err(|_| MediaProblem::Missing)?;
    // Where the browser does not know the hint, the share works all the same.
    let _ = Reflect::set(&track, &"contentHint".into(), &"detail".into());
    Ok(track)
}
