//! Send queues are bounded in bytes, per connection and over all connections: a client that does
//! not read is closed as a slow consumer while the others keep working.

use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{ClientMessage, CloseCode, ServerMessage};
use signal_server::Config;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::limits::{nonzero, nonzero_u32};
use crate::support::{Client, PATIENCE, TestServer, admission, expected, join_message, room};

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_when_its_queue_holds_its_bytes() {
    // The server's budget is far away: only the victim's own queue can fill.
    a_victim_that_does_not_read_is_closed_and_others_keep_working(|config| {
        config.send_queue_bytes = nonzero(64 * 1024);
    })
    .await;
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_when_all_queues_hold_the_budget() {
    // The victim's own queue could take 16 MiB: only the server's budget can fill.
    a_victim_that_does_not_read_is_closed_and_others_keep_working(|config| {
        config.send_queue_bytes = nonzero(16 << 20);
        config.send_budget_bytes = nonzero(128 * 1024);
    })
    .await;
}

/// A victim reads its welcome, then nothing while a flooder in its room sends it large signals; a
/// bystander in the same room reads as usual. The victim is closed with 4005 after part of the
/// flood, everyone hears that it left, and then the bystander still gets a signal and a pong.
async fn a_victim_that_does_not_read_is_closed_and_others_keep_working(
    limits: impl FnOnce(&mut Config),
) {
    let server = TestServer::with(|config| {
        // This test is about queues: the flooder must not be stopped by its message rate first.
        config.max_message_burst = nonzero_u32(u32::MAX);
        limits(config);
    })
    .await;
    let mut victim = Client::connect(server.addr, Some(4096)).await;
    let (victim_id, _) = victim.join(&room(1)).await;
    let mut bystander = server.client().await;
    let (bystander_id, _) = bystander.join(&room(1)).await;
    let (mut flood_tx, mut flood_rx) = server.client().await.into_inner().split();
    let join = serde_json::to_string(&join_message(&room(1), &admission(1))).expect("json");
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
                == Some(ServerMessage::PeerLeft {
                    peer_id: victim_id,
                    lost: true,
                })
            {
                break;
            }
        }
    };
    timeout(PATIENCE, left)
        .await
        .expect("the victim was dropped from the room");
    stop.cancel();
    let mut flood_tx = timeout(PATIENCE, flooding)
        .await
        .expect("flooding stops")
        .expect("flood task");
    let closed = victim.closed().await;
    assert_eq!(closed.code_and_reason(), expected(CloseCode::SlowConsumer));
    assert!(
        closed.messages_before > 0,
        "the victim got part of the flood first"
    );

    // The bystander heard of the flooder and of the victim's departure, and still gets signals.
    let hello = serde_json::to_string(&ClientMessage::Signal {
        to: bystander_id,
        payload: "still here?".into(),
    })
    .expect("json");
    flood_tx.send(Message::text(hello)).await.expect("signal");
    let mut heard = Vec::new();
    loop {
        match bystander.recv().await {
            ServerMessage::Signal { payload, .. } => {
                assert_eq!(payload, "still here?");
                break;
            }
            other => heard.push(other),
        }
    }
    assert!(
        heard.contains(&ServerMessage::PeerLeft {
            peer_id: victim_id,
            lost: true,
        }),
        "{heard:?}"
    );
    assert!(
        matches!(heard.first(), Some(ServerMessage::PeerJoined { .. })),
        "{heard:?}"
    );
    bystander.expect_nothing_queued().await;
}
