//! `/metrics` on its own address: counts of connections, rooms, relayed messages and bytes, and
//! refusals by reason; nothing of it on the public address.

use std::net::SocketAddr;

use protocol::{ClientMessage, CloseCode, ServerMessage};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::limits::nonzero;
use crate::support::{TestServer, expected, room};

async fn get(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("response");
    response
}

#[tokio::test]
async fn metrics_count_connections_relays_and_refusals_on_their_own_address() {
    let metrics_address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let server = TestServer::with(|config| {
        config.metrics_listen = Some(metrics_address);
        config.max_peers_per_room = nonzero(2);
    })
    .await;
    let mut a = server.client().await;
    let (a_id, _) = a.join(&room(1)).await;
    let mut b = server.client().await;
    b.join(&room(1)).await;
    b.send(&ClientMessage::Signal {
        to: a_id,
        payload: "12345".into(),
    })
    .await;
    while !matches!(a.recv().await, ServerMessage::Signal { .. }) {}
    let mut full = server.client().await;
    full.send(&crate::support::join_message(
        &room(1),
        &crate::support::admission(1),
    ))
    .await;
    assert_eq!(
        full.closed().await.code_and_reason(),
        expected(CloseCode::RoomFull)
    );

    // A WebSocket upgrade to a path that names no room: 400, and counted.
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let upgrade = "GET /ws/not-a-room-id HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\
        Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    stream.write_all(upgrade.as_bytes()).await.expect("request");
    let mut refused = [0; 12];
    stream.read_exact(&mut refused).await.expect("a response");
    assert_eq!(&refused, b"HTTP/1.1 400");

    let text = get(metrics_address, "/metrics").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    for line in [
        "stube_rooms 1",
        "stube_participants 2",
        "stube_relayed_messages_total 1",
        "stube_relayed_bytes_total 5",
        "stube_refusals_total{reason=\"room_full\"} 1",
        "stube_refusals_total{reason=\"too_many_messages\"} 0",
        "stube_refusals_total{reason=\"not_a_room\"} 1",
        "# TYPE stube_connections gauge",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    assert!(!text.contains("going_away"));
    let public = get(server.addr, "/metrics").await;
    assert!(
        !public.contains("stube_relayed"),
        "metrics on the public address"
    );
}
