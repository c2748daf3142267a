//! Seats are held per admission token: people without the passphrase (another token) can never
//! take the seats of those with it, and a room holds a bounded number of such groups.

use protocol::{ClientMessage, CloseCode, ServerMessage};

use crate::limits::{join_eventually_with, nonzero};
use crate::support::{TestServer, admission, expected, join_message, room};

async fn refused(server: &TestServer, admission_of: u8) -> (u16, String) {
    let mut client = server.client().await;
    client
        .send(&join_message(&room(1), &admission(admission_of)))
        .await;
    client.closed().await.code_and_reason()
}

#[tokio::test]
async fn people_without_the_passphrase_cannot_take_the_seats_of_those_with_it() {
    let server = TestServer::with(|config| config.max_peers_per_room = nonzero(2)).await;
    let mut alice = server.client().await;
    let (alice_id, _) = alice.join_with(&room(1), &admission(1)).await;
    // Two with only the link (another token) fill a group of their own; the third is refused.
    let mut strangers = Vec::new();
    for _ in 0..2 {
        let mut stranger = server.client().await;
        let (id, _) = stranger.join_with(&room(1), &admission(2)).await;
        strangers.push((stranger, id));
    }
    assert_eq!(refused(&server, 2).await, expected(CloseCode::RoomFull));
    // The second with the passphrase still has a seat, and hears of everyone present.
    let mut bob = server.client().await;
    let (bob_id, peers) = bob.join_with(&room(1), &admission(1)).await;
    assert_eq!(peers, [alice_id, strangers[0].1, strangers[1].1]);
    assert_eq!(refused(&server, 1).await, expected(CloseCode::RoomFull));
    // Relaying ignores groups: a stranger's hello reaches Alice (whose browser then reports a
    // different passphrase).
    let (stranger, stranger_id) = &mut strangers[0];
    stranger
        .send(&ClientMessage::Signal {
            to: alice_id,
            payload: "sealed hello".into(),
        })
        .await;
    let mut heard = Vec::new();
    loop {
        match alice.recv().await {
            ServerMessage::Signal { from, payload } => {
                assert_eq!((from, payload.as_str()), (*stranger_id, "sealed hello"));
                break;
            }
            other => heard.push(other),
        }
    }
    assert!(heard.contains(&ServerMessage::PeerJoined { peer_id: bob_id }));
}

#[tokio::test]
async fn a_room_holds_at_most_the_configured_number_of_groups() {
    let server = TestServer::with(|config| config.max_groups_per_room = nonzero(2)).await;
    let mut alice = server.client().await;
    alice.join_with(&room(1), &admission(1)).await;
    let mut stranger = server.client().await;
    stranger.join_with(&room(1), &admission(2)).await;
    assert_eq!(refused(&server, 3).await, expected(CloseCode::RoomBusy));
    // Existing groups still have seats, and other rooms are not affected.
    let mut bob = server.client().await;
    bob.join_with(&room(1), &admission(1)).await;
    let mut elsewhere = server.client().await;
    elsewhere.join_with(&room(2), &admission(3)).await;
    // Once the stranger's group is gone, a third one fits again.
    drop(stranger);
    join_eventually_with(&server, &room(1), &admission(3), CloseCode::RoomBusy).await;
}
