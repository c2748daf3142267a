//! The chat data channel of one peer connection: negotiated channel 0 ([`super::data_channel`]).
//! It carries binary frames the room sealed under the sender's chat stream
//! ([`mesh::Room::seal_chat`]). It owns its listeners; its events go to the session like every
//! other callback's.

use super::data_channel::{binary_frame, negotiated};
use super::error::JsError;
use super::peer::PeerEvent;
use gloo_events::EventListener;
use web_sys::{RtcDataChannel, RtcDataChannelState, RtcPeerConnection};

/// More than this many bytes waiting in the browser's send buffer and a message is not queued
/// (it is reported not delivered): a stalled peer cannot make this tab's memory grow.
const MAX_BUFFERED_BYTES: u32 = 1 << 20;

pub struct ChatChannel {
    channel: RtcDataChannel,
    _listeners: [EventListener; 3],
}

impl ChatChannel {
    pub fn open(
        connection: &RtcPeerConnection,
        notify: impl Fn(PeerEvent) + Clone + 'static,
    ) -> Result<Self, JsError> {
        let channel = negotiated(connection, "chat", 0);
        let (on_open, on_message, on_close) = (notify.clone(), notify.clone(), notify);
        let listeners = [
            EventListener::new(&channel, "open", move |_| on_open(PeerEvent::ChatOpen)),
            EventListener::new(&channel, "message", move |event| {
                if let Some(frame) = binary_frame(event) {
                    on_message(PeerEvent::ChatFrame(frame));
                }
            }),
            EventListener::new(&channel, "close", move |_| on_close(PeerEvent::ChatClosed)),
        ];
        Ok(Self {
            channel,
            _listeners: listeners,
        })
    }

    pub fn is_open(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Open
    }

    /// Sends one sealed chat frame; `false` if the channel is not open, its buffer is full, or
    /// the browser refused.
    pub fn send(&self, frame: &[u8]) -> bool {
        self.is_open()
            && self.channel.buffered_amount() < MAX_BUFFERED_BYTES
            && self.channel.send_with_u8_array(frame).is_ok()
    }
}

impl Drop for ChatChannel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
