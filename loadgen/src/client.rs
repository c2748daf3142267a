//! One WebSocket client of the server: connected from a chosen loopback source address with
//! small buffers (so that ten thousand of them fit in this process), joining a room, and reading
//! server messages or the close code that ends them.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use futures_util::{SinkExt as _, Stream, StreamExt as _};
use protocol::{AdmissionToken, ClientMessage, PROTOCOL_VERSION, PeerId, RoomId, ServerMessage};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

pub type Ws = WebSocketStream<TcpStream>;

/// How long a connection, a handshake or a join may take before the run gives up on it.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Every generated member shows the same admission token (the same passphrase).
const ADMISSION: [u8; 32] = [7; 32];

/// Room `n` of a `namespace` (one per scenario, so that scenarios never share a room).
pub fn room(namespace: u8, n: usize) -> Result<RoomId> {
    RoomId::parse(&format!("{namespace:02x}{n:062x}")).context("room id")
}

/// Connects from `source` and completes the WebSocket handshake. A `receive_buffer` shrinks the
/// kernel's receive buffer (for a client that never reads).
pub async fn connect(
    server: SocketAddr,
    source: IpAddr,
    receive_buffer: Option<u32>,
) -> Result<Ws> {
    let socket = TcpSocket::new_v4().context("socket")?;
    socket
        .bind(SocketAddr::new(source, 0))
        .with_context(|| format!("binding to {source}"))?;
    if let Some(bytes) = receive_buffer {
        socket.set_recv_buffer_size(bytes).context("SO_RCVBUF")?;
    }
    socket.set_nodelay(true).context("TCP_NODELAY")?;
    let handshake = async {
        let stream = socket.connect(server).await.context("connect")?;
        stream.set_nodelay(true).context("TCP_NODELAY")?;
        let config = WebSocketConfig::default().read_buffer_size(4096);
        let (ws, _) = client_async_with_config(format!("ws://{server}/ws"), stream, Some(config))
            .await
            .context("WebSocket handshake")?;
        anyhow::Ok(ws)
    };
    tokio::time::timeout(PATIENCE, handshake)
        .await
        .context("connecting took too long")?
}

/// Joins `room` and waits for the welcome: this member's id and those already there.
pub async fn join(ws: &mut Ws, room: RoomId) -> Result<(PeerId, Vec<PeerId>)> {
    let join = ClientMessage::Join {
        version: PROTOCOL_VERSION,
        room,
        admission: AdmissionToken::from_bytes(&ADMISSION),
    };
    ws.send(text(&join)?).await.context("sending join")?;
    let welcome = async {
        loop {
            match next_event(ws).await {
                Event::Message(ServerMessage::Welcome { peer_id, peers, .. }) => {
                    return Ok((peer_id, peers));
                }
                Event::Message(_) => {}
                Event::Closed(code) => bail!("closed before the welcome ({})", describe(code)),
            }
        }
    };
    tokio::time::timeout(PATIENCE, welcome)
        .await
        .context("no welcome in time")?
}

/// A `signal` frame to `to`.
pub fn signal(to: PeerId, payload: String) -> Result<Message> {
    text(&ClientMessage::Signal { to, payload })
}

fn text(message: &ClientMessage) -> Result<Message> {
    Ok(Message::text(
        serde_json::to_string(message).context("encoding")?,
    ))
}

/// What the server did next.
#[derive(Debug)]
pub enum Event {
    Message(ServerMessage),
    /// The connection ended: with the close frame's code, or without one (reset, end of stream).
    Closed(Option<u16>),
}

/// Reads until the next server message or the end; pings are answered on the way.
pub async fn next_event<S>(stream: &mut S) -> Event
where
    S: Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => {
                if let Ok(message) = serde_json::from_str(text.as_str()) {
                    return Event::Message(message);
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return Event::Closed(frame.map(|frame| u16::from(frame.code)));
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Event::Closed(None),
        }
    }
}

/// Reads until the connection ends and returns its close code (`None`: ended without one).
pub async fn close_code<S>(stream: &mut S) -> Option<u16>
where
    S: Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    loop {
        if let Event::Closed(code) = next_event(stream).await {
            return code;
        }
    }
}

/// A close code for a table: `4005`, or `no close frame`.
pub fn describe(code: Option<u16>) -> String {
    code.map_or_else(|| "no close frame".to_owned(), |code| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_of_different_namespaces_differ() {
        let room = |namespace, n| room(namespace, n).expect("room id");
        assert_ne!(room(1, 5), room(2, 5));
        assert_ne!(room(1, 5), room(1, 6));
    }
}
