//! Bad input is refused with an error (the connection stays) or closes with its code; never more.

use protocol::{ClientMessage, CloseCode, ErrorCode, PROTOCOL_VERSION, PeerId, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Client, TestServer, admission, expected, join_message, room};

async fn expect_error(client: &mut Client, expected: ErrorCode) {
    match client.recv().await {
        ServerMessage::Error { code, message } => {
            assert_eq!(code, expected);
            assert!(!message.is_empty());
        }
        other => panic!("expected error {expected:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_and_unknown_kinds_are_refused_and_the_connection_stays() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    for text in [
        "not json",
        r#"{"type":"dance"}"#,
        r#"{"type":"signal"}"#,
        r#"{"type":"join","room":"NOT-HEX"}"#,
        "",
        "\u{0}",
    ] {
        a.send_raw(Message::text(text)).await;
        expect_error(&mut a, ErrorCode::Malformed).await;
    }
    a.join(&room(1)).await;
}

#[tokio::test]
async fn too_many_malformed_messages_close_the_connection() {
    let server = TestServer::with(|config| config.max_malformed = 3).await;
    let mut a = server.client().await;
    for _ in 0..3 {
        a.send_raw(Message::text("{")).await;
        expect_error(&mut a, ErrorCode::Malformed).await;
    }
    a.send_raw(Message::text("{")).await;
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::ProtocolViolation)
    );
}

#[tokio::test]
async fn a_binary_frame_closes_the_connection() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.send_raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::BinaryFrame)
    );
}

#[tokio::test]
async fn a_signal_to_a_peer_not_in_the_room_is_refused() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    a.send(&ClientMessage::Signal {
        to: PeerId(12_345),
        payload: "x".into(),
    })
    .await;
    expect_error(&mut a, ErrorCode::UnknownPeer).await;
    a.expect_nothing_queued().await;
}

#[tokio::test]
async fn a_second_join_is_refused() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.join(&room(1)).await;
    a.send(&join_message(&room(2), &admission(1))).await;
    expect_error(&mut a, ErrorCode::AlreadyJoined).await;
}

#[tokio::test]
async fn a_signal_before_join_is_refused() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.send(&ClientMessage::Signal {
        to: PeerId(1),
        payload: "x".into(),
    })
    .await;
    expect_error(&mut a, ErrorCode::NotJoined).await;
    a.join(&room(1)).await;
}

#[tokio::test]
async fn another_protocol_version_closes_the_connection() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.send(&ClientMessage::Join {
        version: PROTOCOL_VERSION + 1,
        room: room(1),
        admission: admission(1),
    })
    .await;
    assert_eq!(
        a.closed().await.code_and_reason(),
        expected(CloseCode::UnsupportedVersion)
    );
    // Also when the rest of another version's join does not parse: a future shape, or a client
    // of version 1 that sends no admission token.
    for text in [
        format!(
            r#"{{"type":"join","version":{},"room":{{"new":"shape"}}}}"#,
            PROTOCOL_VERSION + 1
        ),
        format!(
            r#"{{"type":"join","version":1,"room":"{}"}}"#,
            "ab".repeat(32)
        ),
    ] {
        let mut b = server.client().await;
        b.send_raw(Message::text(text)).await;
        assert_eq!(
            b.closed().await.code_and_reason(),
            expected(CloseCode::UnsupportedVersion)
        );
    }
}

#[tokio::test]
async fn a_join_with_an_invalid_room_or_admission_token_is_a_protocol_violation() {
    let server = TestServer::start().await;
    let (good_room, good_token) = ("ab".repeat(32), "cd".repeat(32));
    for (room, admission) in [
        ("NOT-HEX".to_owned(), format!(r#""{good_token}""#)),
        (good_room.clone(), r#""NOT-HEX""#.to_owned()),
        (
            good_room.clone(),
            format!(r#""{}""#, good_token.to_uppercase()),
        ),
        (good_room.clone(), format!(r#""{good_token}00""#)),
        (good_room.clone(), "42".to_owned()),
        (good_room.clone(), "null".to_owned()),
    ] {
        let mut a = server.client().await;
        let text = format!(
            r#"{{"type":"join","version":{PROTOCOL_VERSION},"room":"{room}","admission":{admission}}}"#
        );
        a.send_raw(Message::text(text.clone())).await;
        assert_eq!(
            a.closed().await.code_and_reason(),
            expected(CloseCode::ProtocolViolation),
            "{text}"
        );
    }
    let mut b = server.client().await;
    b.send_raw(Message::text(format!(
        r#"{{"type":"join","version":{PROTOCOL_VERSION},"room":"{good_room}"}}"#
    )))
    .await;
    assert_eq!(
        b.closed().await.code_and_reason(),
        expected(CloseCode::ProtocolViolation),
        "no admission token"
    );
}
