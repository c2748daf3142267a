//! Applying [`mesh::VideoCaps`] to a connection's video sender: resolution through
//! `scaleResolutionDownBy`, frame rate and bitrate. From the start where the connection is made
//! with them (`sendEncodings` on the side that offers, `setParameters` before the answer on the
//! other), and with `setParameters` (no renegotiation) when the meeting's size changes. A
//! `setParameters` that changes something reconfigures the encoder, which delays a first frame
//! by about 40 ms (BENCHMARKS.md), so one that would change nothing is not made.

use super::error::{JsError, resolve};
use js_sys::{Array, Object, Reflect};
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

/// The encoding parameters `caps` mean for a camera capturing `capture_height` pixels high (the
/// resolution is left alone while that is unknown: the camera is off).
fn parameters(caps: VideoCaps, capture_height: Option<u32>) -> Vec<(&'static str, f64)> {
    let mut wanted = vec![
        ("maxBitrate", f64::from(caps.max_bitrate)),
        ("maxFramerate", f64::from(caps.max_framerate)),
    ];
    if let Some(height) = capture_height {
        wanted.push(("scaleResolutionDownBy", caps.scale_down_by(height)));
    }
    wanted
}

/// `sendEncodings` for the camera's transceiver on the side that offers: it sends within `caps`
/// from its first frame.
pub fn send_encodings(caps: VideoCaps, capture_height: Option<u32>) -> Array {
    let encoding = Object::new();
    for (name, value) in parameters(caps, capture_height) {
        // Setting a property of a fresh plain object does not fail.
        let _ = Reflect::set(&encoding, &name.into(), &value.into());
    }
    Array::of1(&encoding)
}

/// Caps what `sender` sends. `Ok(false)` while it has no encoding yet (before its connection's
/// first negotiation): apply again later. Makes no `setParameters` if the sender keeps to the
/// caps already.
pub async fn apply(
    sender: &RtcRtpSender,
    caps: VideoCaps,
    capture_height: u32,
) -> Result<bool, JsError> {
    let sender = sender.unchecked_ref::<SenderExt>();
    let parameters_now = sender.get_parameters_object();
    let encodings: Array = Reflect::get(&parameters_now, &"encodings".into())?.dyn_into()?;
    if encodings.length() == 0 {
        return Ok(false);
    }
    let mut changed = false;
    for encoding in encodings.iter() {
        for (name, value) in parameters(caps, Some(capture_height)) {
            let now = Reflect::get(&encoding, &name.into())?.as_f64();
            if now.is_none_or(|now| (now - value).abs() > 1e-9) {
                Reflect::set(&encoding, &name.into(), &value.into())?;
                changed = true;
            }
        }
    }
    if changed {
        resolve(sender.set_parameters_object(&parameters_now)).await?;
    }
    Ok(true)
}
