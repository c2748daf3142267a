//! The per-connection message rate: a member flooding another is closed with 4009; its victim
//! keeps its connection, gets at most the burst, and hears that the flooder left.

use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{ClientMessage, CloseCode, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

use crate::limits::nonzero_u32;
use crate::support::{TestServer, closed, expected, room};

const BURST: u32 = 20;

#[tokio::test]
async fn a_flooding_member_is_closed_and_its_victim_is_not() {
    let server = TestServer::with(|config| {
        config.max_messages_per_second = nonzero_u32(1);
        config.max_message_burst = nonzero_u32(BURST);
    })
    .await;
    let mut victim = server.client().await;
    let (victim_id, _) = victim.join(&room(1)).await;
    let mut flooder = server.client().await;
    let (flooder_id, _) = flooder.join(&room(1)).await;
    assert_eq!(
        victim.recv().await,
        ServerMessage::PeerJoined {
            peer_id: flooder_id
        }
    );

    // Far more than the burst, written without waiting for anything.
    let (mut flood_tx, mut flood_rx) = flooder.into_inner().split();
    let signal = serde_json::to_string(&ClientMessage::Signal {
        to: victim_id,
        payload: "flood".into(),
    })
    .expect("json");
    for _ in 0..10 * BURST {
        if flood_tx.send(Message::text(signal.clone())).await.is_err() {
            break; // the server already closed the connection
        }
    }
    let flooder_closed = closed(&mut flood_rx).await;
    assert_eq!(
        flooder_closed.code_and_reason(),
        expected(CloseCode::TooManyMessages)
    );

    // The victim got no more than the join (one message) and the burst, then the departure.
    let mut signals = 0;
    loop {
        match victim.recv().await {
            ServerMessage::Signal { from, payload } => {
                assert_eq!((from, payload.as_str()), (flooder_id, "flood"));
                signals += 1;
            }
            ServerMessage::PeerLeft { peer_id, .. } => {
                assert_eq!(peer_id, flooder_id);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        signals < BURST + 1,
        "the victim got {signals} signals, more than the burst"
    );
    assert!(signals > 0, "the victim got part of the flood first");
    victim.expect_nothing_queued().await;
}
