//! A server on an ephemeral port, and a WebSocket client that speaks the protocol.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser as _;
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{AdmissionToken, ClientMessage, PROTOCOL_VERSION, PeerId, RoomId, ServerMessage};
use signal_server::{Config, ServeError, serve};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// How long any single await in a test may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The defaults, with an empty static directory, adjusted by `configure`.
pub fn config(configure: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::parse_from(["signal-server"]);
    config.static_dir = Some("/nonexistent/stube-test-static".into());
    configure(&mut config);
    config
}

pub fn room(n: u8) -> RoomId {
    RoomId::parse(&format!("{n:02x}").repeat(32)).expect("valid room id")
}

/// The admission token of passphrase `n`; [`Client::join`] uses passphrase 1.
pub fn admission(n: u8) -> AdmissionToken {
    AdmissionToken::from_bytes(&[n; 32])
}

/// A `join` of this protocol version.
pub fn join_message(room: &RoomId, admission: &AdmissionToken) -> ClientMessage {
    ClientMessage::Join {
        version: PROTOCOL_VERSION,
        room: room.clone(),
        admission: admission.clone(),
    }
}

/// A loopback address other than 127.0.0.1, in the /24 `127.0.<net>.0`.
pub fn loopback(net: u8, host: u8) -> IpAddr {
    IpAddr::from([127, 0, net, host])
}

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServeError>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut Config)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(config(configure), listener, None, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub async fn client(&self) -> Client {
        Client::connect(self.addr, None).await
    }

    /// A client on `/ws/<room>`, the URL the app opens.
    pub async fn client_in(&self, room: &RoomId) -> Client {
        let url = format!("ws://{}/ws/{}", self.addr, room.as_str());
        Client::handshake_request(self.addr, TcpSocket::new_v4().expect("socket"), url).await
    }

    /// A client connecting from `source` (a loopback address), to count against its address and
    /// network.
    pub async fn client_from(&self, source: IpAddr) -> Client {
        Client::connect_from(self.addr, source).await
    }

    /// Starts the graceful shutdown and waits for `serve` to return.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        timeout(PATIENCE, &mut self.task)
            .await
            .expect("serve returns in time")
            .expect("serve task")
    }
}

/// What the server closed a connection with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
    /// Text messages received before the close frame.
    pub messages_before: usize,
}

pub struct Client<S = TcpStream> {
    ws: WebSocketStream<S>,
}

impl Client {
    /// Connects to `/ws`, optionally with a small receive buffer (for a client that is slow to read).
    pub async fn connect(addr: SocketAddr, recv_buffer: Option<u32>) -> Self {
        let socket = TcpSocket::new_v4().expect("socket");
        if let Some(size) = recv_buffer {
            socket
                .set_recv_buffer_size(size)
                .expect("receive buffer size");
        }
        Self::handshake(addr, socket).await
    }

    /// Connects to `/ws` from `source`.
    pub async fn connect_from(addr: SocketAddr, source: IpAddr) -> Self {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind(SocketAddr::new(source, 0))
            .expect("bind a loopback source address");
        Self::handshake(addr, socket).await
    }

    /// Connects to `/ws` with an extra request header (as a reverse proxy would add).
    pub async fn connect_with_header(addr: SocketAddr, name: &'static str, value: &str) -> Self {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        let mut request = format!("ws://{addr}/ws")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
        Self::handshake_request(addr, TcpSocket::new_v4().expect("socket"), request).await
    }

    async fn handshake(addr: SocketAddr, socket: TcpSocket) -> Self {
        Self::handshake_request(addr, socket, format!("ws://{addr}/ws")).await
    }

    async fn handshake_request(
        addr: SocketAddr,
        socket: TcpSocket,
        request: impl tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
    ) -> Self {
        let stream = timeout(PATIENCE, socket.connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        Self::upgrade(stream, request)
            .await
            .unwrap_or_else(|status| panic!("expected an upgrade, got HTTP {status}"))
    }

    /// Opens `request` (a URL, or a request with extra headers) on a new connection; `Err` is the
    /// HTTP status of a refused upgrade.
    pub async fn open(
        addr: SocketAddr,
        request: impl tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
    ) -> Result<Self, u16> {
        let stream = timeout(PATIENCE, TcpStream::connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        Self::upgrade(stream, request).await
    }

    async fn upgrade(
        stream: TcpStream,
        request: impl tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
    ) -> Result<Self, u16> {
        let handshake = timeout(PATIENCE, tokio_tungstenite::client_async(request, stream))
            .await
            .expect("handshake in time");
        match handshake {
            Ok((ws, _)) => Ok(Self { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(other) => panic!("handshake failed: {other}"),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    /// A client on a WebSocket already open (over TLS, say).
    pub fn from_stream(ws: WebSocketStream<S>) -> Self {
        Self { ws }
    }

    pub fn into_inner(self) -> WebSocketStream<S> {
        self.ws
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).expect("serialise");
        self.send_raw(Message::text(text)).await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        timeout(PATIENCE, self.ws.send(message))
            .await
            .expect("send in time")
            .expect("send");
    }

    /// The next protocol message (pings skipped); fails on a close or a timeout.
    pub async fn recv(&mut self) -> ServerMessage {
        loop {
            let frame = timeout(PATIENCE, self.ws.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .expect("server sends protocol JSON");
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// Joins `room` with passphrase 1 and returns the welcome's peer id and peer list.
    pub async fn join(&mut self, room: &RoomId) -> (PeerId, Vec<PeerId>) {
        self.join_with(room, &admission(1)).await
    }

    /// Joins `room` with `admission` and returns the welcome's peer id and peer list.
    pub async fn join_with(
        &mut self,
        room: &RoomId,
        admission: &AdmissionToken,
    ) -> (PeerId, Vec<PeerId>) {
        self.send(&join_message(room, admission)).await;
        match self.recv().await {
            ServerMessage::Welcome {
                version,
                peer_id,
                peers,
                ..
            } => {
                assert_eq!(version, PROTOCOL_VERSION);
                (peer_id, peers)
            }
            other => panic!("expected a welcome, got {other:?}"),
        }
    }

    /// Sends a ping and expects the pong as the very next message: proof that nothing else was
    /// queued for this client before it.
    pub async fn expect_nothing_queued(&mut self) {
        self.send(&ClientMessage::Ping).await;
        assert_eq!(
            self.recv().await,
            ServerMessage::Pong,
            "something was queued before the pong"
        );
    }

    /// The next protocol message, or the code the server closed with.
    pub async fn closed_or_message(&mut self) -> Result<ServerMessage, u16> {
        loop {
            match timeout(PATIENCE, self.ws.next())
                .await
                .expect("a frame in time")
            {
                Some(Ok(Message::Text(text))) => {
                    return Ok(
                        serde_json::from_str(text.as_str()).expect("server sends protocol JSON")
                    );
                }
                Some(Ok(Message::Close(Some(frame)))) => return Err(u16::from(frame.code)),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a message or a close frame, got {other:?}"),
            }
        }
    }

    /// Reads until the server's close frame.
    pub async fn closed(&mut self) -> Closed {
        closed(&mut self.ws).await
    }
}

pub async fn closed<S>(ws: &mut S) -> Closed
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let mut messages_before = 0;
    loop {
        match timeout(PATIENCE, ws.next())
            .await
            .expect("a close frame in time")
        {
            Some(Ok(Message::Close(Some(frame)))) => {
                // Reading on sends our answer to the close, as a browser does at once.
                let _ = timeout(PATIENCE, ws.next()).await;
                return Closed {
                    code: u16::from(frame.code),
                    reason: frame.reason.as_str().to_owned(),
                    messages_before,
                };
            }
            Some(Ok(Message::Text(_))) => messages_before += 1,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// The close a client with this protocol close code should see.
pub fn expected(code: protocol::CloseCode) -> (u16, String) {
    (code.code(), code.reason().to_owned())
}

impl Closed {
    pub fn code_and_reason(&self) -> (u16, String) {
        (self.code, self.reason.clone())
    }
}
