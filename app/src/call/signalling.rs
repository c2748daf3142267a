//! The WebSocket to the signalling server at `/ws/<room id>` on the app's own origin. Its
//! callbacks only push [`SocketEvent`]s into the session's channel; the socket closes when dropped.

use super::error::JsError;
use futures_channel::mpsc::UnboundedSender;
use gloo_events::EventListener;
use protocol::{ClientMessage, RoomId, ServerMessage};
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug)]
pub enum SocketEvent {
    Open,
    Message(ServerMessage),
    /// A frame that is not a server message (a bug or a tampering server): dropped and counted.
    Malformed,
    /// The socket closed with this close code.
    Closed(u16),
}

/// An open (or opening) signalling socket.
pub struct Signalling {
    socket: WebSocket,
    _listeners: [EventListener; 3],
}

impl Signalling {
    /// Opens `ws(s)://<this origin>/ws/<room>`; every event goes to `events`, mapped by `wrap`.
    pub fn connect<E: 'static>(
        room: &RoomId,
        events: UnboundedSender<E>,
        wrap: impl Fn(SocketEvent) -> E + Clone + 'static,
    ) -> Result<Self, JsError> {
        let socket = WebSocket::new(&own_socket_url(room)?)?;
        let (sender, on_open) = (events.clone(), wrap.clone());
        let open = EventListener::new(&socket, "open", move |_| {
            let _ = sender.unbounded_send(on_open(SocketEvent::Open));
        });
        let (sender, on_message) = (events.clone(), wrap.clone());
        let message = EventListener::new(&socket, "message", move |event| {
            let text = event
                .dyn_ref::<MessageEvent>()
                .and_then(|event| event.data().as_string());
            let parsed = text.and_then(|text| serde_json::from_str::<ServerMessage>(&text).ok());
            let _ = sender.unbounded_send(on_message(
                parsed.map_or(SocketEvent::Malformed, SocketEvent::Message),
            ));
        });
        let close = EventListener::new(&socket, "close", move |event| {
            let code = event.dyn_ref::<CloseEvent>().map_or(1006, CloseEvent::code);
            let _ = events.unbounded_send(wrap(SocketEvent::Closed(code)));
        });
        Ok(Self {
            socket,
            _listeners: [open, message, close],
        })
    }

    pub fn send(&self, message: &ClientMessage) -> Result<(), JsError> {
        let text = serde_json::to_string(message).map_err(|error| JsError {
            name: "SerializeError".into(),
            message: error.to_string(),
        })?;
        self.socket.send_with_str(&text)?;
        Ok(())
    }
}

impl Drop for Signalling {
    fn drop(&mut self) {
        let _ = self.socket.close();
    }
}

/// The signalling URL on the page's own origin: the page contacts no other. It names the room
/// (the opaque id the `join` names too, never the meeting's name), so that a load balancer may send
/// every member of a meeting to the same server.
fn own_socket_url(room: &RoomId) -> Result<String, JsError> {
    let location = web_sys::window()
        .ok_or_else(|| JsError {
            name: "NoWindow".into(),
            message: "no window".into(),
        })?
        .location();
    let scheme = if location.protocol()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Ok(format!(
        "{scheme}://{}/ws/{}",
        location.host()?,
        room.as_str()
    ))
}
