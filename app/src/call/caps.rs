//! Applying [`mesh::VideoCaps`] to a connection's video sender with `setParameters` (no
//! renegotiation): resolution through `scaleResolutionDownBy`, frame rate and bitrate.

use super::error::{JsError, resolve};
use js_sys::{Array, Reflect};
use mesh::VideoCaps;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStreamTrack, RtcRtpSender};

#[wasm_bindgen]
extern "C" {
    /// `RTCRtpSender` with the parameters as plain objects (web-sys types them field by field).
    #[wasm_bindgen(extends = RtcRtpSender, js_name = RTCRtpSender)]
    type SenderExt;

    #[wasm_bindgen(method, js_name = getParameters)]
    fn get_parameters_object(this: &SenderExt) -> JsValue;

    #[wasm_bindgen(method, js_name = setParameters)]
    fn set_parameters_object(this: &SenderExt, parameters: &JsValue) -> js_sys::Promise;
}

/// The height of what the camera captures (`getSettings().height`), if it says.
pub fn capture_height(track: &MediaStreamTrack) -> Option<u32> {
    let settings = track.get_settings();
    let height = Reflect::get(&settings, &"height".into()).ok()?.as_f64()?;
    (height >= 1.0).then_some(height as u32)
}

/// Caps what `sender` sends. `Ok(false)` while it has no encoding yet (before its connection's
/// first negotiation): apply again later.
pub async fn apply(
    sender: &RtcRtpSender,
    caps: VideoCaps,
    capture_height: u32,
) -> Result<bool, JsError> {
    let sender = sender.unchecked_ref::<SenderExt>();
    let parameters = sender.get_parameters_object();
    let encodings: Array = Reflect::get(&parameters, &"encodings".into())?.dyn_into()?;
    if encodings.length() == 0 {
        return Ok(false);
    }
    for encoding in encodings.iter() {
        let set = |name: &str, value: f64| Reflect::set(&encoding, &name.into(), &value.into());
        set("maxBitrate", f64::from(caps.max_bitrate))?;
        set("maxFramerate", f64::from(caps.max_framerate))?;
        set("scaleResolutionDownBy", caps.scale_down_by(capture_height))?;
    }
    resolve(sender.set_parameters_object(&parameters)).await?;
    Ok(true)
}
