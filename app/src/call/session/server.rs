//! The session's signalling server connection: connecting (again, after a pause the room's
//! [`mesh::Reconnect`] policy chooses, when it is lost), joining with the admission token, and
//! turning what the server says into the room's inputs. The call goes on while it is away.

use super::{Event, Task};
use crate::call::peer::IceConfig;
use crate::call::signalling::{Signalling, SocketEvent};
use leptos::prelude::*;
use mesh::{AfterClose, Input, RelayOffer};
use protocol::{AdmissionToken, ClientMessage, CloseCode, PROTOCOL_VERSION, ServerMessage};

/// The signalling server connection, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    Connecting,
    Connected,
    /// Lost; a reconnect is scheduled (or under way). The call goes on meanwhile.
    Lost,
    /// The server closed the connection for good (room full, too many rooms, …).
    Refused(Option<CloseCode>),
}

impl Task {
    pub(super) fn connect(&mut self) {
        self.socket_generation += 1;
        // Once in the meeting, the banner says "Reconnecting to the server" until it is back.
        if self.state.server.get_untracked() != ServerState::Lost {
            self.state.server.set(ServerState::Connecting);
        }
        let generation = self.socket_generation;
        let room = self.room.keys().room_id();
        match Signalling::connect(room, self.sender.clone(), move |event| Event::Socket {
            generation,
            event,
        }) {
            Ok(socket) => self.socket = Some(socket),
            Err(_) => {
                self.retry_later(None);
            }
        }
    }

    /// Schedules the next attempt to reach the server after the socket closed with `close` (or
    /// could not open); `false`, and the refusal shown, when it will not pass.
    pub(super) fn retry_later(&mut self, close: Option<CloseCode>) -> bool {
        match self.reconnect.after_close(close, js_sys::Math::random()) {
            AfterClose::GiveUp => {
                self.state.server.set(ServerState::Refused(close));
                false
            }
            AfterClose::RetryAfterMillis(delay) => {
                self.add_timer(delay, Event::Reconnect);
                true
            }
        }
    }

    /// Handles a socket event; `false` ends the session.
    pub(super) async fn on_socket(&mut self, event: SocketEvent) -> bool {
        match event {
            SocketEvent::Open => {
                let keys = self.room.keys();
                let Ok(admission) = AdmissionToken::parse(keys.admission_token()) else {
                    self.state.server.set(ServerState::Refused(None));
                    return false;
                };
                let join = ClientMessage::Join {
                    version: PROTOCOL_VERSION,
                    room: keys.room_id().clone(),
                    admission,
                };
                self.send(&join);
            }
            SocketEvent::Message(message) => self.on_server(message).await,
            SocketEvent::Malformed => self.room.count_dropped(),
            SocketEvent::Closed(code) => {
                self.socket = None;
                if !self.retry_later(CloseCode::from_code(code)) {
                    return false;
                }
                self.state.server.set(ServerState::Lost);
            }
        }
        true
    }

    pub(super) async fn on_server(&mut self, message: ServerMessage) {
        let input = match message {
            ServerMessage::Welcome {
                peer_id,
                peers,
                ice_servers,
                relay_only,
                ..
            } => {
                self.reconnect.welcomed();
                self.state.server.set(ServerState::Connected);
                let urls = ice_servers.iter().flat_map(|server| &server.urls);
                self.relay_offer = RelayOffer::of_welcome(urls.map(String::as_str), relay_only);
                self.state.relay.set(Some(self.relay_offer));
                self.ice = IceConfig {
                    servers: ice_servers,
                    relay_only: self
                        .relay_offer
                        .relay_policy(self.state.hide_ip.get_untracked()),
                };
                // Connections that outlived the old signalling connection (a server restart)
                // get the fresh credentials too; one that refuses keeps its old servers.
                for link in self.links.values() {
                    let _ = link.use_ice(&self.ice);
                }
                Input::Welcomed { me: peer_id, peers }
            }
            ServerMessage::Signal { from, payload } => match crypto::from_base64(&payload) {
                Ok(bytes) => Input::Envelope { from, bytes },
                Err(_) => {
                    self.room.count_dropped();
                    return;
                }
            },
            other => Input::Server(other),
        };
        self.handle(input).await;
    }

    pub(super) fn send(&self, message: &ClientMessage) {
        if let Some(socket) = &self.socket {
            let _ = socket.send(message);
        }
    }
}
