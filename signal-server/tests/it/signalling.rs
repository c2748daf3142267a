//! Joining, hearing of others, relaying, keep-alive.

use std::time::{SystemTime, UNIX_EPOCH};

use protocol::{ClientMessage, CloseCode, ErrorCode, IceServer, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{TestServer, admission, join_message, room};

#[tokio::test]
async fn a_joiner_is_welcomed_with_its_id_and_the_peers_present() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    let (id_a, peers) = a.join(&room(1)).await;
    assert_eq!(peers, [], "the first joiner finds nobody");
    let mut b = server.client().await;
    let (id_b, peers) = b.join(&room(1)).await;
    assert_eq!(peers, [id_a]);
    assert_ne!(id_a, id_b);
    for id in [id_a, id_b] {
        assert!(
            id.0 < 1 << 53,
            "peer id {id} does not fit a JavaScript number"
        );
    }
}

#[tokio::test]
async fn peer_ids_are_random_not_a_counter() {
    let server = TestServer::start().await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let mut client = server.client().await;
        ids.push(client.join(&room(n)).await.0);
    }
    let small = ids.iter().filter(|id| id.0 < 1_000_000).count();
    assert!(small == 0, "ids look like a counter: {ids:?}");
}

#[tokio::test]
async fn the_welcome_carries_the_configured_ice_servers_with_turn_credentials() {
    let server = TestServer::with(|config| {
        config.ice_server = vec![
            "stun:turn.example.org:3478".into(),
            "turn:turn.example.org:3478".into(),
        ];
        config.turn_secret = Some("secret".parse().expect("secret"));
    })
    .await;
    let mut a = server.client().await;
    a.send(&join_message(&room(1), &admission(1))).await;
    let ServerMessage::Welcome { ice_servers, .. } = a.recv().await else {
        panic!("expected a welcome")
    };
    let [stun, turn] = ice_servers.as_slice() else {
        panic!("expected two entries: {ice_servers:?}")
    };
    assert_eq!(
        stun,
        &IceServer {
            urls: vec!["stun:turn.example.org:3478".into()],
            username: None,
            credential: None
        }
    );
    assert_eq!(turn.urls, ["turn:turn.example.org:3478"]);
    let username = turn.username.as_deref().expect("a TURN username");
    assert!(username.contains(":stube-"), "username {username}");
    assert!(turn.credential.as_deref().is_some_and(|c| !c.is_empty()));
}

#[tokio::test]
async fn every_welcome_carries_fresh_turn_credentials_valid_for_ten_minutes() {
    let server = TestServer::with(|config| {
        config.ice_server = vec!["turn:turn.example.org:3478".into()];
        config.turn_secret = Some("secret".parse().expect("secret"));
    })
    .await;
    let mut credentials = Vec::new();
    // Two participants, then the first one's reconnect: three welcomes within a second.
    let mut a = server.client().await;
    credentials.push(turn_of(&mut a).await);
    let mut b = server.client().await;
    credentials.push(turn_of(&mut b).await);
    drop(a);
    let mut again = server.client().await;
    credentials.push(turn_of(&mut again).await);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    for (username, _) in &credentials {
        let (expiry, user) = username.split_once(':').expect("<expiry>:<user>");
        let expiry: u64 = expiry.parse().expect("a unix time");
        assert!(
            (now + 590..=now + 600).contains(&expiry),
            "expires {} s from now",
            expiry.saturating_sub(now)
        );
        assert!(user.starts_with("stube-"), "{user}");
    }
    for (i, first) in credentials.iter().enumerate() {
        for second in &credentials[i + 1..] {
            assert_ne!(first.0, second.0, "a username was handed out twice");
            assert_ne!(first.1, second.1, "a credential was handed out twice");
        }
    }
}

/// Joins room 1 and returns the TURN username and credential of the welcome.
async fn turn_of(client: &mut crate::support::Client) -> (String, String) {
    client.send(&join_message(&room(1), &admission(1))).await;
    let ServerMessage::Welcome { ice_servers, .. } = client.recv().await else {
        panic!("expected a welcome")
    };
    let [turn] = ice_servers.as_slice() else {
        panic!("expected one TURN entry: {ice_servers:?}")
    };
    (
        turn.username.clone().expect("a username"),
        turn.credential.clone().expect("a credential"),
    )
}

#[tokio::test]
async fn the_welcome_says_whether_browsers_must_relay() {
    let relayed = TestServer::with(|config| {
        config.ice_server = vec!["turns:turn.example.org:5349".into()];
        config.turn_secret = Some("secret".parse().expect("secret"));
        config.relay_only = true;
    })
    .await;
    let direct = TestServer::start().await;
    for (server, relay) in [(&relayed, true), (&direct, false)] {
        let mut client = server.client().await;
        client.send(&join_message(&room(1), &admission(1))).await;
        let ServerMessage::Welcome {
            relay_only,
            ice_servers,
            ..
        } = client.recv().await
        else {
            panic!("expected a welcome")
        };
        assert_eq!(relay_only, relay);
        assert_eq!(ice_servers.len(), usize::from(relay));
    }
}

#[tokio::test]
async fn others_hear_of_joins_and_departures() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    let mut b = server.client().await;
    let (id_b, _) = b.join(&room(1)).await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer_id: id_b });
    // Leaving closes the socket: left.
    b.send_raw(Message::Close(None)).await;
    let left = ServerMessage::PeerLeft {
        peer_id: id_b,
        lost: false,
    };
    assert_eq!(a.recv().await, left);
    // A connection that just breaks (no close frame): lost, it may come back.
    let mut c = server.client().await;
    let (id_c, _) = c.join(&room(1)).await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer_id: id_c });
    drop(c);
    let lost = ServerMessage::PeerLeft {
        peer_id: id_c,
        lost: true,
    };
    assert_eq!(a.recv().await, lost);
}

#[tokio::test]
async fn a_signal_reaches_the_named_peer_only_and_unchanged() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    let mut b = server.client().await;
    let mut c = server.client().await;
    let (id_a, _) = a.join(&room(1)).await;
    let (id_b, _) = b.join(&room(1)).await;
    c.join(&room(1)).await;
    let payload = r#"opaque "sealed" \ payload ü 🎥 {"type":"welcome"}"#.to_owned();
    a.send(&ClientMessage::Signal {
        to: id_b,
        payload: payload.clone(),
    })
    .await;
    // b heard of c's join first, then the signal.
    assert!(matches!(b.recv().await, ServerMessage::PeerJoined { .. }));
    assert_eq!(
        b.recv().await,
        ServerMessage::Signal {
            from: id_a,
            payload
        }
    );
    c.expect_nothing_queued().await;
}

#[tokio::test]
async fn rooms_are_isolated() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    let mut x = server.client().await;
    a.join(&room(1)).await;
    let (id_x, _) = x.join(&room(2)).await;
    let mut b = server.client().await;
    let (id_b, _) = b.join(&room(1)).await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer_id: id_b });
    a.send(&ClientMessage::Signal {
        to: id_x,
        payload: "for another room".into(),
    })
    .await;
    assert!(matches!(
        a.recv().await,
        ServerMessage::Error {
            code: ErrorCode::UnknownPeer,
            ..
        }
    ));
    x.expect_nothing_queued().await;
}

#[tokio::test]
async fn ping_is_answered_with_pong_before_and_after_joining() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.expect_nothing_queued().await;
    a.join(&room(1)).await;
    a.expect_nothing_queued().await;
}

#[tokio::test]
async fn a_room_is_forgotten_when_it_empties() {
    let server = TestServer::with(|config| config.max_rooms = 1.try_into().expect("nonzero")).await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    drop(a);
    // Once the room is gone, its single slot can hold another room.
    crate::limits::join_eventually(&server, &room(2), CloseCode::TooManyRooms).await;
}
