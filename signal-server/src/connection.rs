//! One participant's WebSocket: the upgrade (after the `Origin` check), and the task that serves
//! it until it closes.
//!
//! Clients open `/ws/{room}`, which names the room in the path so that a load balancer may send
//! every member of a meeting to the same instance; the `join` must then name the same room. Plain
//! `/ws` (older apps) leaves the room to the `join` alone.
//!
//! The task runs a send loop (queued messages, keep-alive pings, close requests) and a receive loop
//! (client messages, join deadline, idle timer), joined with `select!`: when one ends, the other is dropped, the
//! participant leaves its room, and the socket is closed with a [`CloseCode`] where there is one.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{
    AdmissionToken, ClientMessage, CloseCode, ErrorCode, InvalidRoomId, PROTOCOL_VERSION, PeerId,
    RoomId, ServerMessage,
};
use serde::Deserialize;
use tokio::time::{Instant, sleep, timeout};

use crate::AppState;
use crate::limits::{ConnectionPermit, LimitReached};
use crate::metrics::Refusal;
use crate::outbox::{CloseRequests, Inbox, Outbox, Undelivered, encode, outbox};
use crate::rooms::{JoinError, Membership, RelayError};

/// Read buffer per socket, allocated when the socket opens and also the most one read takes:
/// small, because most sockets are idle most of the time (a larger message grows the buffer only
/// while it is being read; signalling messages are a few KiB).
const READ_BUFFER: usize = 1024;

/// Bytes the write side gathers before it writes to the socket (a threshold, not an allocation).
const SOCKET_BUFFER: usize = 4 * 1024;

/// How long a closing socket may take to send its close frame and hear the client's answer.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Limits that apply to each connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_message_size: usize,
    /// Time from the upgrade to the `join`.
    pub join_timeout: Duration,
    /// Time allowed between any two frames from the client (Pongs included).
    pub idle_timeout: Duration,
    pub ping_interval: Duration,
    /// Bytes one connection's send queue may hold.
    pub send_queue_bytes: usize,
    pub max_malformed: usize,
    /// Client messages (text frames) per second and the burst above it.
    pub message_rate: governor::Quota,
}

/// `GET /ws` and `GET /ws/{room}`: refuses pages of other origins with 403, then a path that
/// names no valid room with 400, else counts the connection against its client's address (behind
/// a trusted proxy, the forwarded one) and upgrades to a WebSocket sized for many idle
/// connections.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    path: Result<Option<Path<String>>, PathRejection>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !state.origins.permit(&headers, &uri) {
        state.metrics.refused(Refusal::ForeignOrigin);
        return (
            StatusCode::FORBIDDEN,
            "this page's origin may not connect here\n",
        )
            .into_response();
    }
    let Ok(named) = named_room(path) else {
        state.metrics.refused(Refusal::NotARoom);
        return (StatusCode::BAD_REQUEST, "not a room id\n").into_response();
    };
    let client = state.proxies.client(client.ip(), &headers);
    let permit = state.limiter.try_acquire(client);
    let max = state.limits.max_message_size;
    upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        // Room for the largest relayed message (never longer than what was received) plus a
        // buffer's worth of smaller ones, when the client is slow to read.
        .max_write_buffer_size(max + 2 * SOCKET_BUFFER)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| {
            state
                .shutdown
                .track(serve_socket(socket, state.clone(), client, named, permit))
        })
}

/// The room the path names: none for plain `/ws`. A path that is not valid UTF-8 once decoded
/// names no room either, so its rejection (checked only after the origin) is an invalid room.
fn named_room(
    path: Result<Option<Path<String>>, PathRejection>,
) -> Result<Option<RoomId>, InvalidRoomId> {
    match path {
        Ok(None) => Ok(None),
        Ok(Some(Path(hex))) => RoomId::parse(&hex).map(Some),
        Err(_) => Err(InvalidRoomId),
    }
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The server closes it with this code.
    Close(CloseCode),
    /// The client sent a close frame; it gets the answer.
    ClientClosed,
    /// The transport failed or ended; nothing left to say.
    Broken,
}

impl Ending {
    /// Whether the client lost the connection rather than leaving: it did not close it itself,
    /// and it will try again (a broken transport, an idle or slow client cut off, a shutdown).
    fn is_loss(&self) -> bool {
        match self {
            Self::Close(code) => code.is_retryable(),
            Self::ClientClosed => false,
            Self::Broken => true,
        }
    }
}

async fn serve_socket(
    socket: WebSocket,
    state: AppState,
    client: IpAddr,
    named: Option<RoomId>,
    permit: Result<ConnectionPermit, LimitReached>,
) {
    let refusal = match &permit {
        Err(limit) => {
            tracing::debug!(%limit, "refusing a connection");
            Some(CloseCode::TooManyConnections)
        }
        Ok(_) if state.shutdown.is_requested() => Some(CloseCode::GoingAway),
        Ok(_) => None,
    };
    let (mut sink, mut stream) = socket.split();
    let ending = match refusal {
        Some(code) => Ending::Close(code),
        None => {
            tracing::debug!(connections = state.limiter.total(), "connection opened");
            let (outbox, mut inbox, mut close) =
                outbox(state.limits.send_queue_bytes, &state.send_budget);
            let mut session = Session {
                state: &state,
                rate: governor::RateLimiter::direct(state.limits.message_rate),
                client,
                named,
                outbox,
                joined: None,
                refused: 0,
                lost: false,
            };
            let ending = tokio::select! {
                ending = send_loop(&mut sink, &mut inbox, &mut close, &state) => ending,
                ending = receive_loop(&mut stream, &mut session) => ending,
            };
            session.lost = ending.is_loss();
            drop(session); // leaves the room before the socket is closed
            drop(inbox); // gives the queued bytes back to the budget at once
            ending
        }
    };
    if let Ending::Close(code) = ending {
        state.metrics.refused(Refusal::Closed(code));
        tracing::debug!(
            code = code.code(),
            reason = code.reason(),
            "closing a connection"
        );
    }
    finish(&mut sink, &mut stream, ending).await;
    drop(permit);
    let census = state.rooms.census();
    tracing::debug!(
        connections = state.limiter.total(),
        rooms = census.rooms,
        peers = census.peers,
        queued_bytes = state.send_budget.held(),
        "connection closed"
    );
}

/// Sends queued messages and pings until someone asks the connection to close.
async fn send_loop(
    sink: &mut SplitSink<WebSocket, Message>,
    inbox: &mut Inbox,
    close: &mut CloseRequests,
    state: &AppState,
) -> Ending {
    let every = state.limits.ping_interval;
    let mut ping = tokio::time::interval_at(Instant::now() + every, every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // A queued message holds its bytes until it has been handed to the socket.
        let (message, _held) = tokio::select! {
            biased;
            () = state.shutdown.requested() => return Ending::Close(CloseCode::GoingAway),
            code = close.closed() => return Ending::Close(code),
            _ = ping.tick() => (Message::Ping(Bytes::new()), None),
            queued = inbox.next() => (Message::Text(queued.text), Some(queued.held)),
        };
        // A client that does not read blocks this send; a close request must still get through.
        tokio::select! {
            biased;
            () = state.shutdown.requested() => return Ending::Close(CloseCode::GoingAway),
            code = close.closed() => return Ending::Close(code),
            sent = sink.send(message) => if sent.is_err() { return Ending::Broken },
        }
    }
}

/// Reads client frames until the client closes, errs, idles, fails to join in time or breaks a rule.
///
/// Any frame proves the client alive and resets the idle timer; only a `join` stops the join
/// deadline, so a live browser that never joins is not held forever.
async fn receive_loop(stream: &mut SplitStream<WebSocket>, session: &mut Session<'_>) -> Ending {
    let ConnectionLimits {
        join_timeout,
        idle_timeout,
        ..
    } = session.state.limits;
    let join_deadline = sleep(join_timeout);
    let idle_deadline = sleep(idle_timeout);
    tokio::pin!(join_deadline, idle_deadline);
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            () = &mut idle_deadline => return Ending::Close(CloseCode::IdleTimeout),
            () = &mut join_deadline, if session.joined.is_none() => {
                return Ending::Close(CloseCode::ProtocolViolation);
            }
        };
        idle_deadline.as_mut().reset(Instant::now() + idle_timeout);
        let handled = match frame {
            Some(Ok(Message::Text(_))) if session.rate.check().is_err() => {
                Err(CloseCode::TooManyMessages)
            }
            Some(Ok(Message::Text(text))) => session.handle(text.as_str()),
            Some(Ok(Message::Binary(_))) => Err(CloseCode::BinaryFrame),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
            Some(Ok(Message::Close(_))) => return Ending::ClientClosed,
            Some(Err(error)) => return ending_for(error),
            None => return Ending::Broken,
        };
        if let Err(code) = handled {
            return Ending::Close(code);
        }
        // Let the send loop and the recipients' tasks drain their queues before the next message,
        // so that a burst of messages read at once cannot overflow a queue that is being read.
        tokio::task::yield_now().await;
    }
}

/// Maps a read error to a close code where the client broke a limit or the WebSocket protocol.
fn ending_for(error: axum::Error) -> Ending {
    let error = error.into_inner();
    match error.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => Ending::Close(CloseCode::MessageTooLarge),
        // The connection ended without a close frame: lost, not a protocol breach.
        Some(tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        )) => Ending::Broken,
        Some(tungstenite::Error::Protocol(_) | tungstenite::Error::Utf8(_)) => {
            Ending::Close(CloseCode::ProtocolViolation)
        }
        _ => {
            tracing::debug!(%error, "connection failed");
            Ending::Broken
        }
    }
}

/// Sends the close frame and waits (briefly) for the client's answer, so that the client reads the
/// code before the TCP connection goes away.
async fn finish(
    sink: &mut SplitSink<WebSocket, Message>,
    stream: &mut SplitStream<WebSocket>,
    ending: Ending,
) {
    match ending {
        Ending::Close(code) => {
            let frame = CloseFrame {
                code: code.code(),
                reason: code.reason().into(),
            };
            let closing = async {
                if sink.send(Message::Close(Some(frame))).await.is_ok() {
                    while let Some(Ok(_)) = stream.next().await {}
                }
            };
            // Past the grace period the client gets no more courtesy: the socket is dropped.
            let _ = timeout(CLOSE_GRACE, closing).await;
        }
        Ending::ClientClosed => {
            let _ = timeout(CLOSE_GRACE, sink.flush()).await;
        }
        Ending::Broken => {}
    }
}

/// What one connection has done so far.
struct Session<'a> {
    state: &'a AppState,
    /// This connection's message rate: a flooder is closed before its messages reach anyone.
    rate: governor::DefaultDirectRateLimiter,
    /// The client's address, for the join rate (never logged).
    client: IpAddr,
    /// The room the URL named (`/ws/{room}`), which the `join` must name too: a load balancer
    /// routed the connection by it, so a `join` of another room would land on an instance that
    /// may not hold that room's other members.
    named: Option<RoomId>,
    outbox: Outbox,
    joined: Option<Membership>,
    /// Messages refused so far (malformed or out of order).
    refused: usize,
    /// How the connection ended, for the others in the room: lost (the client may come back
    /// under a new id) or left.
    lost: bool,
}

/// Just enough of a `join` to tell a client of another protocol version, or an invalid join, from
/// a malformed message.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
}

impl Session<'_> {
    /// Handles one text frame; `Err` closes the connection with that code.
    fn handle(&mut self, text: &str) -> Result<(), CloseCode> {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Join {
                version,
                room,
                admission,
            }) => self.join(version, room, &admission),
            Ok(ClientMessage::Signal { to, payload }) => self.signal(to, payload),
            Ok(ClientMessage::Ping) => self.reply(&ServerMessage::Pong),
            Err(_) => match join_version(text) {
                Some(version) if version != u64::from(PROTOCOL_VERSION) => {
                    Err(CloseCode::UnsupportedVersion)
                }
                // A join of this version with an invalid room id or admission token.
                Some(_) => Err(CloseCode::ProtocolViolation),
                None => self.refuse(ErrorCode::Malformed, "not a valid message"),
            },
        }
    }

    fn join(
        &mut self,
        version: u32,
        room: RoomId,
        admission: &AdmissionToken,
    ) -> Result<(), CloseCode> {
        if self.joined.is_some() {
            return self.refuse(ErrorCode::AlreadyJoined, "already joined a room");
        }
        if version != PROTOCOL_VERSION {
            return Err(CloseCode::UnsupportedVersion);
        }
        if self.named.as_ref().is_some_and(|named| *named != room) {
            return Err(CloseCode::ProtocolViolation);
        }
        if let Err(refusal) = self.state.join_rate.check(self.client) {
            tracing::debug!(%refusal, "refusing a join");
            return Err(CloseCode::TooManyJoins);
        }
        let ice = self.state.ice.for_welcome(std::time::SystemTime::now());
        let membership = self
            .state
            .rooms
            .join(&room, admission, &self.outbox, ice)
            .map_err(|error| match error {
                JoinError::RoomFull => CloseCode::RoomFull,
                JoinError::RoomBusy => CloseCode::RoomBusy,
                JoinError::TooManyRooms => CloseCode::TooManyRooms,
                JoinError::SlowConsumer => CloseCode::SlowConsumer,
            })?;
        self.joined = Some(membership);
        let census = self.state.rooms.census();
        tracing::debug!(rooms = census.rooms, peers = census.peers, "joined a room");
        Ok(())
    }

    fn signal(&mut self, to: PeerId, payload: String) -> Result<(), CloseCode> {
        let Some(membership) = self.joined else {
            return self.refuse(ErrorCode::NotJoined, "join a room first");
        };
        let bytes = payload.len();
        match self
            .state
            .rooms
            .relay(membership, &self.outbox, to, payload)
        {
            Ok(()) => {
                self.state.metrics.relayed(bytes);
                Ok(())
            }
            // Removed from the room as a slow consumer: the connection is already closing.
            Err(RelayError::NotMember) => Ok(()),
            // Not counted as misbehaviour: the peer may just have left.
            Err(RelayError::UnknownPeer) => self.reply(&ServerMessage::Error {
                code: ErrorCode::UnknownPeer,
                message: "no such peer in this room".to_owned(),
            }),
        }
    }

    /// Answers with an error, or closes the connection once too many were refused.
    fn refuse(&mut self, code: ErrorCode, message: &str) -> Result<(), CloseCode> {
        self.refused += 1;
        if self.refused > self.state.limits.max_malformed {
            return Err(CloseCode::ProtocolViolation);
        }
        self.reply(&ServerMessage::Error {
            code,
            message: message.to_owned(),
        })
    }

    fn reply(&self, message: &ServerMessage) -> Result<(), CloseCode> {
        match encode(message).map(|text| self.outbox.deliver(text)) {
            Some(Err(Undelivered::Full)) => Err(CloseCode::SlowConsumer),
            _ => Ok(()),
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Some(membership) = self.joined.take() {
            self.state.rooms.leave(membership, &self.outbox, self.lost);
        }
    }
}

/// The version a `join` names, if `text` is one at all (whether or not the rest is valid).
fn join_version(text: &str) -> Option<u64> {
    serde_json::from_str::<VersionProbe>(text)
        .ok()
        .filter(|probe| probe.kind == "join")
        .map(|probe| probe.version)
}
