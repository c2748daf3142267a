//! `/ws/{room}`: the room in the URL path, for load balancers that route by it. The `join` must
//! name the same room; a path that names no room is refused before the upgrade.

use protocol::{ClientMessage, CloseCode, ServerMessage};

use crate::origin::open_path_with_origin;
use crate::support::{TestServer, admission, expected, join_message, room};

#[tokio::test]
async fn members_who_name_the_room_in_the_path_meet_and_relay() {
    let server = TestServer::start().await;
    let mut a = server.client_in(&room(1)).await;
    let (id_a, _) = a.join(&room(1)).await;
    let mut b = server.client_in(&room(1)).await;
    let (id_b, peers) = b.join(&room(1)).await;
    assert_eq!(peers, [id_a]);
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer_id: id_b });
    a.send(&ClientMessage::Signal {
        to: id_b,
        payload: "sealed".into(),
    })
    .await;
    assert_eq!(
        b.recv().await,
        ServerMessage::Signal {
            from: id_a,
            payload: "sealed".into()
        }
    );
}

#[tokio::test]
async fn an_app_on_plain_ws_meets_one_on_the_room_path() {
    let server = TestServer::start().await;
    let mut old = server.client().await;
    let (id_old, _) = old.join(&room(1)).await;
    let mut new = server.client_in(&room(1)).await;
    let (_, peers) = new.join(&room(1)).await;
    assert_eq!(peers, [id_old], "the pages of one meeting share its room");
}

#[tokio::test]
async fn a_join_of_another_room_than_the_path_is_a_protocol_violation() {
    let server = TestServer::start().await;
    let mut stray = server.client_in(&room(1)).await;
    stray.send(&join_message(&room(2), &admission(1))).await;
    assert_eq!(
        stray.closed().await.code_and_reason(),
        expected(CloseCode::ProtocolViolation)
    );
    let mut other = server.client().await;
    let (_, peers) = other.join(&room(2)).await;
    assert_eq!(peers, [], "the refused join took a seat in room 2");
}

#[tokio::test]
async fn a_path_that_names_no_room_is_refused_with_400() {
    let server = TestServer::start().await;
    let valid = room(0xab);
    let valid = valid.as_str();
    for path in [
        "/ws/abc".to_owned(),
        format!("/ws/{}", valid.to_uppercase()),
        format!("/ws/{valid}00"),
        format!("/ws/{}", "g".repeat(64)),
        format!("/ws/{}%FF", &valid[2..]),
    ] {
        assert_eq!(
            open_path_with_origin(server.addr, &path, None).await,
            Err(400),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_origin_is_checked_before_the_path() {
    let server = TestServer::start().await;
    for path in ["/ws/abc".to_owned(), format!("/ws/{}", room(1).as_str())] {
        assert_eq!(
            open_path_with_origin(server.addr, &path, Some("https://evil.example")).await,
            Err(403),
            "{path}"
        );
    }
}
