//! The file data channel of one peer connection: negotiated channel 1
//! ([`super::data_channel`]), beside the chat channel
//! so that a large file never holds up a chat line. It carries the frames of
//! [`mesh::Outgoing`] (chunks sealed under each transfer's stream), left as JavaScript buffers
//! both ways (WebCrypto seals and opens them). Sending is paced by the
//! browser's send buffer: [`FileChannel::has_room`] says whether another chunk may go, and
//! [`PeerEvent::FileRoom`] comes when the buffer has drained below [`LOW_WATER_BYTES`].

use super::data_channel::{binary_buffer, negotiated};
use super::error::JsError;
use super::peer::PeerEvent;
use gloo_events::EventListener;
use web_sys::{RtcDataChannel, RtcDataChannelState, RtcPeerConnection};

/// Chunks are sent while the send buffer holds less than this.
const HIGH_WATER_BYTES: u32 = 4 << 20;
/// When the buffer drains below this, sending goes on.
const LOW_WATER_BYTES: u32 = 1 << 20;

pub struct FileChannel {
    channel: RtcDataChannel,
    _listeners: [EventListener; 3],
}

impl FileChannel {
    pub fn open(
        connection: &RtcPeerConnection,
        notify: impl Fn(PeerEvent) + Clone + 'static,
    ) -> Result<Self, JsError> {
        let channel = negotiated(connection, "files", 1);
        channel.set_buffered_amount_low_threshold(LOW_WATER_BYTES);
        let (on_message, on_low, on_close) = (notify.clone(), notify.clone(), notify);
        let listeners = [
            EventListener::new(&channel, "message", move |event| {
                if let Some(frame) = binary_buffer(event) {
                    on_message(PeerEvent::FileFrame(frame));
                }
            }),
            EventListener::new(&channel, "bufferedamountlow", move |_| {
                on_low(PeerEvent::FileRoom)
            }),
            EventListener::new(&channel, "close", move |_| on_close(PeerEvent::FilesClosed)),
        ];
        Ok(Self {
            channel,
            _listeners: listeners,
        })
    }

    pub fn is_open(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Open
    }

    /// Whether another chunk may be sent now.
    pub fn has_room(&self) -> bool {
        self.is_open() && self.channel.buffered_amount() < HIGH_WATER_BYTES
    }

    /// Sends one frame; `false` if the channel is closed or refused it.
    pub fn send(&self, frame: &js_sys::Uint8Array) -> bool {
        self.is_open() && self.channel.send_with_array_buffer_view(frame).is_ok()
    }
}

impl Drop for FileChannel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
