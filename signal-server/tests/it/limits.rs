//! Every configurable limit ends the offending connection with its close code and reason.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{ClientMessage, CloseCode, PROTOCOL_VERSION, RoomId, ServerMessage};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::support::{Client, PATIENCE, TestServer, expected, room};
use signal_server::Config;

fn nonzero(n: usize) -> std::num::NonZeroUsize {
    n.try_into().expect("nonzero")
}

/// Joins `room` as a new client, retrying while the server still refuses with `refusal` (for
/// limits released asynchronously, when the server notices a departed client).
pub async fn join_eventually(server: &TestServer, room: &RoomId, refusal: CloseCode) -> Client {
    let attempts = async {
        loop {
            let mut client = server.client().await;
            client
                .send(&ClientMessage::Join {
                    version: PROTOCOL_VERSION,
                    room: room.clone(),
                })
                .await;
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
    c.send(&ClientMessage::Join {
        version: PROTOCOL_VERSION,
        room: room(1),
    })
    .await;
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
    b.send(&ClientMessage::Join {
        version: PROTOCOL_VERSION,
        room: room(2),
    })
    .await;
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
async fn a_client_that_does_not_read_is_closed_as_a_slow_consumer() {
    let server = TestServer::with(|config| config.send_queue = nonzero(4)).await;
    // The victim reads its welcome, then nothing while it is flooded.
    let mut victim = Client::connect(server.addr, Some(4096)).await;
    let (victim_id, _) = victim.join(&room(1)).await;
    let (mut flood_tx, mut flood_rx) = server.client().await.into_inner().split();
    let join = serde_json::to_string(&ClientMessage::Join {
        version: PROTOCOL_VERSION,
        room: room(1),
    })
    .expect("json");
    flood_tx.send(Message::text(join)).await.expect("join");
    let stop = CancellationToken::new();
    let flooding = tokio::spawn({
        let stop = stop.clone();
        let signal = serde_json::to_string(&ClientMessage::Signal {
            to: victim_id,
            payload: "x".repeat(32_000),
        })
        .expect("json");
        async move {
            // At most ~64 MB: far beyond any socket buffers, so the victim's queue must fill.
            for _ in 0..2000 {
                tokio::select! {
                    () = stop.cancelled() => break,
                    sent = flood_tx.send(Message::text(signal.clone())) => sent.expect("flood"),
                }
            }
            flood_tx
        }
    });
    // The flooder hears that the victim left (and reads the refusals of signals sent after that).
    let left = async {
        loop {
            let text = match flood_rx.next().await {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("the flooder's connection ended: {other:?}"),
            };
            if serde_json::from_str::<ServerMessage>(text.as_str()).ok()
                == Some(ServerMessage::PeerLeft { peer_id: victim_id })
            {
                break;
            }
        }
    };
    timeout(PATIENCE, left)
        .await
        .expect("the victim was dropped from the room");
    stop.cancel();
    let _flood_tx = timeout(PATIENCE, flooding)
        .await
        .expect("flooding stops")
        .expect("flood task");
    let closed = victim.closed().await;
    assert_eq!(closed.code_and_reason(), expected(CloseCode::SlowConsumer));
    assert!(
        closed.messages_before > 0,
        "the victim got part of the flood first"
    );
}
