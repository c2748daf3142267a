//! What the chat and file channels share: a negotiated, binary data channel (both sides create
//! it with the same id, so it needs no signalling of its own and rides the DTLS connection whose
//! safety number people compare), and the bytes of a binary message.

use wasm_bindgen::JsCast;
use web_sys::{
    Event, MessageEvent, RtcDataChannel, RtcDataChannelInit, RtcDataChannelType, RtcPeerConnection,
};

/// The channel `label` with the negotiated `id` on `connection`, delivering `ArrayBuffer`s.
pub fn negotiated(connection: &RtcPeerConnection, label: &str, id: u16) -> RtcDataChannel {
    let init = RtcDataChannelInit::new();
    init.set_negotiated(true);
    init.set_id(id);
    let channel = connection.create_data_channel_with_data_channel_dict(label, &init);
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    channel
}

/// The bytes of a `message` event; `None` for a text message (never Stube's, dropped like any
/// frame that does not open).
pub fn binary_frame(event: &Event) -> Option<Vec<u8>> {
    binary_buffer(event).map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The buffer of a binary `message` event, left in JavaScript; `None` for a text message.
pub fn binary_buffer(event: &Event) -> Option<js_sys::ArrayBuffer> {
    event
        .dyn_ref::<MessageEvent>()?
        .data()
        .dyn_into::<js_sys::ArrayBuffer>()
        .ok()
}
