//! Every configurable limit ends the offending connection with its close code and reason.

use std::time::Duration;

use futures_util::StreamExt as _;
use protocol::{AdmissionToken, ClientMessage, CloseCode, RoomId, ServerMessage};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Client, PATIENCE, TestServer, admission, expected, join_message, room};
use signal_server::Config;

pub fn nonzero(n: usize) -> std::num::NonZeroUsize {
    n.try_into().expect("nonzero")
}

pub fn nonzero_u32(n: u32) -> std::num::NonZeroU32 {
    n.try_into().expect("nonzero")
}

/// Joins `room` as a new client, retrying while the server still refuses with `refusal` (for
/// limits released asynchronously, when the server notices a departed client).
pub async fn join_eventually(server: &TestServer, room: &RoomId, refusal: CloseCode) -> Client {
    join_eventually_with(server, room, &admission(1), refusal).await
}

/// [`join_eventually`] with `admission`.
pub async fn join_eventually_with(
    server: &TestServer,
    room: &RoomId,
    admission: &AdmissionToken,
    refusal: CloseCode,
) -> Client {
    let attempts = async {
        loop {
            let mut client = server.client().await;
            client.send(&join_message(room, admission)).await;
            match client.closed_or_message().await {
                Ok(ServerMessage::Welcome { .. }) => return client,
                Ok(other) => panic!("expected a welcome, got {other:?}"),
                Err(code) => assert_eq!(code, refusal.code(), "unexpected close"),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(PATIENCE, attempts)
        .await
        .expect("the limit was released in time")
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let server = TestServer::with(|config| config.max_message_size = nonzero(1024)).await;
    let mut a = server.client().await;
    let (id, _) = a.join(&room(1)).await;
    // Just under the limit is fine.
    let fits = serde_json::to_string(&ClientMessage::Signal {
        to: id,
        payload: String::new(),
    })
    .expect("json")
    .len();
    a.send(&ClientMessage::Signal {
        to: id,
        payload: "x".repeat(1024 - fits),
    })
    .await;
    assert!(matches!(a.recv().await, ServerMessage::Signal { .. }));
    a.send(&ClientMessage::Signal {
        to: id,
        payload: "x".repeat(2000),
    })
    .await;
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::MessageTooLarge)
    );
}

#[tokio::test]
async fn a_full_room_refuses_the_next_joiner() {
    let server = TestServer::with(|config| config.max_peers_per_room = nonzero(2)).await;
    let mut a = server.client().await;
    let mut b = server.client().await;
    a.join(&room(1)).await;
    b.join(&room(1)).await;
    let mut c = server.client().await;
    c.send(&join_message(&room(1), &admission(1))).await;
    assert_eq!(
        c.closed().await.code_and_reason(),
        expected(CloseCode::RoomFull)
    );
    assert!(matches!(a.recv().await, ServerMessage::PeerJoined { .. }));
    a.expect_nothing_queued().await;
}

#[tokio::test]
async fn connections_per_address_are_limited_and_released() {
    refuses_a_third_connection_until_one_closes(|config| {
        config.max_connections_per_ip = nonzero(2)
    })
    .await;
}

#[tokio::test]
async fn connections_in_total_are_limited_and_released() {
    // The per-address limit (32 by default) is far away: only the total can refuse.
    refuses_a_third_connection_until_one_closes(|config| config.max_connections = nonzero(2)).await;
}

/// With a connection limit of two, a third connection is closed with 4003 while the first two
/// stay; once one of them goes, a new one gets in.
async fn refuses_a_third_connection_until_one_closes(limit: impl FnOnce(&mut Config)) {
    let server = TestServer::with(limit).await;
    let mut a = server.client().await;
    let mut b = server.client().await;
    let mut c = server.client().await;
    assert_eq!(
        c.closed().await.code_and_reason(),
        expected(CloseCode::TooManyConnections)
    );
    a.expect_nothing_queued().await;
    b.expect_nothing_queued().await;
    drop(a);
    join_eventually(&server, &room(1), CloseCode::TooManyConnections).await;
}

#[tokio::test]
async fn rooms_in_total_are_limited() {
    let server = TestServer::with(|config| config.max_rooms = nonzero(1)).await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    let mut b = server.client().await;
    b.send(&join_message(&room(2), &admission(1))).await;
    assert_eq!(
        b.closed().await.code_and_reason(),
        expected(CloseCode::TooManyRooms)
    );
    let mut c = server.client().await;
    c.join(&room(1)).await; // an existing room is still open
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let server = TestServer::with(|config| {
        config.idle_timeout = Duration::from_millis(300);
        config.ping_interval = Duration::from_secs(60);
    })
    .await;
    let mut a = server.client().await;
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::IdleTimeout)
    );
    let mut b = server.client().await;
    b.join(&room(1)).await;
    assert_eq!(
        b.closed().await.code_and_reason(),
        expected(CloseCode::IdleTimeout)
    );
}

#[tokio::test]
async fn a_live_connection_that_never_joins_is_closed_at_the_join_deadline() {
    let join_timeout = Duration::from_millis(300);
    let server = TestServer::with(|config| {
        config.join_timeout = join_timeout;
        config.ping_interval = Duration::from_millis(50);
    })
    .await;
    let opened = Instant::now();
    let mut a = server.client().await;
    // Application pings, answered, and the server's own pings, answered while reading: lively, but
    // never a join.
    let mut pongs = 0;
    let lively = async {
        loop {
            a.send(&ClientMessage::Ping).await;
            match a.closed_or_message().await {
                Ok(ServerMessage::Pong) => pongs += 1,
                Ok(other) => panic!("expected a pong, got {other:?}"),
                Err(code) => return code,
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let code = timeout(PATIENCE, lively)
        .await
        .expect("closed at the join deadline");
    assert_eq!(code, CloseCode::ProtocolViolation.code());
    assert!(opened.elapsed() >= join_timeout, "closed early");
    assert!(pongs >= 3, "only {pongs} pongs before the close");
}

#[tokio::test]
async fn a_connection_that_joined_outlives_the_join_deadline() {
    let join_timeout = Duration::from_millis(200);
    let server = TestServer::with(|config| config.join_timeout = join_timeout).await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    tokio::time::sleep(join_timeout * 3).await;
    a.expect_nothing_queued().await;
}

#[tokio::test]
async fn answered_pings_keep_an_idle_connection_open() {
    let server = TestServer::with(|config| {
        config.idle_timeout = Duration::from_millis(400);
        config.ping_interval = Duration::from_millis(50);
    })
    .await;
    let mut ws = server.client().await.into_inner();
    // Reading answers each Ping with a Pong; several idle timeouts pass without a close.
    let mut pings = 0;
    while pings < 20 {
        match timeout(PATIENCE, ws.next()).await.expect("a frame in time") {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected only pings, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let server = TestServer::with(|config| {
        config.max_connections_per_ip = nonzero(1);
        config.trusted_proxy = vec!["127.0.0.1".parse().expect("proxy")];
    })
    .await;
    let header = "x-forwarded-for";
    let mut first = Client::connect_with_header(server.addr, header, "203.0.113.1").await;
    let mut second = Client::connect_with_header(server.addr, header, "203.0.113.2").await;
    first.expect_nothing_queued().await;
    second.expect_nothing_queued().await;
    let mut again = Client::connect_with_header(server.addr, header, "203.0.113.1").await;
    assert_eq!(
        again.closed().await.code_and_reason(),
        expected(CloseCode::TooManyConnections)
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarded_headers_are_ignored() {
    let server = TestServer::with(|config| config.max_connections_per_ip = nonzero(1)).await;
    let header = "x-forwarded-for";
    let mut first = Client::connect_with_header(server.addr, header, "203.0.113.1").await;
    first.expect_nothing_queued().await;
    let mut forged = Client::connect_with_header(server.addr, header, "203.0.113.2").await;
    assert_eq!(
        forged.closed().await.code_and_reason(),
        expected(CloseCode::TooManyConnections)
    );
}
