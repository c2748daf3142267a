//! Two `stube` instances sharing rooms through a real `nats-server`: members on different
//! instances meet and signal each other, the broker sees no room id and no plaintext, a killed
//! instance's members leave the others' view within 5 s, and a call whose participant's instance
//! dies goes on while that participant comes back through the other instance.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{AdmissionToken, ClientMessage, PROTOCOL_VERSION, PeerId, RoomId, ServerMessage};
use tests::{
    Browser, Devices, NatsServer, NatsTap, Page, RecordingProxy, Server, connected_tiles,
    decoding_from, join, open_meeting, remember_connections, remembered_connections, set_device,
    wait_until, wait_until_tiles_play,
};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

const SECRET: &str = "a secret only the two instances share";
const ROOM: &str = "e2e-nats-4kqm-2xhd-9vwp";
const PASSPHRASE: &str = "correct horse battery staple";
const NAMES: [&str; 3] = ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"];
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a member of a dead instance may stay in the others' view.
const DEAD_INSTANCE_NOTICED: Duration = Duration::from_secs(5);
/// How long one protocol message may take.
const PATIENCE: Duration = Duration::from_secs(10);

/// An instance of the release server sharing rooms through `nats`.
fn instance(nats: &NatsServer) -> anyhow::Result<Server> {
    Server::start(&["--nats", &nats.url(), "--nats-secret", SECRET])
}

/// A signalling client speaking the protocol to one instance.
struct Member {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    id: PeerId,
    /// The other members it has heard of, by welcome or `peer_joined`, minus those that left.
    others: Vec<PeerId>,
}

impl Member {
    async fn join(server: &Server, room: &RoomId, admission: &AdmissionToken) -> Self {
        let url = format!("ws://{}/ws", server.address());
        let (mut socket, _) = timeout(PATIENCE, tokio_tungstenite::connect_async(url))
            .await
            .expect("connects in time")
            .expect("connects");
        let join = ClientMessage::Join {
            version: PROTOCOL_VERSION,
            room: room.clone(),
            admission: admission.clone(),
        };
        let text = serde_json::to_string(&join).expect("a join");
        socket.send(Message::text(text)).await.expect("sends");
        let mut member = Self {
            socket,
            id: PeerId(0),
            others: Vec::new(),
        };
        match member.next().await {
            ServerMessage::Welcome { peer_id, peers, .. } => {
                member.id = peer_id;
                member.others = peers;
            }
            other => panic!("expected a welcome, got {other:?}"),
        }
        member
    }

    /// The next protocol message, keeping track of who is there.
    async fn next(&mut self) -> ServerMessage {
        loop {
            let frame = timeout(PATIENCE, self.socket.next())
                .await
                .expect("a message in time");
            let Some(Ok(Message::Text(text))) = frame else {
                assert!(
                    matches!(frame, Some(Ok(Message::Ping(_)))),
                    "expected a message, got {frame:?}"
                );
                continue;
            };
            let message = serde_json::from_str(text.as_str()).expect("protocol JSON");
            match &message {
                ServerMessage::PeerJoined { peer_id } => self.others.push(*peer_id),
                ServerMessage::PeerLeft { peer_id, .. } => self.others.retain(|p| p != peer_id),
                _ => {}
            }
            return message;
        }
    }

    /// Reads messages until `peer` is among the others.
    async fn wait_for(&mut self, peer: PeerId) {
        while !self.others.contains(&peer) {
            self.next().await;
        }
    }

    async fn signal(&mut self, to: PeerId, payload: &str) {
        let message = ClientMessage::Signal {
            to,
            payload: payload.to_owned(),
        };
        let text = serde_json::to_string(&message).expect("a signal");
        self.socket.send(Message::text(text)).await.expect("sends");
    }

    /// Reads messages until a signal arrives; returns its sender and payload.
    async fn signalled(&mut self) -> (PeerId, String) {
        loop {
            if let ServerMessage::Signal { from, payload } = self.next().await {
                return (from, payload);
            }
        }
    }
}

#[tokio::test]
#[ignore = "needs cargo xtask test (release server, Debian's nats-server, private network namespace)"]
async fn members_on_two_instances_meet_and_a_dead_instance_is_noticed_within_five_seconds()
-> anyhow::Result<()> {
    let nats = NatsServer::start()?;
    let tap = NatsTap::start(&nats.url()).await?;
    let a = instance(&nats)?;
    let mut b = instance(&nats)?;
    let room = RoomId::parse(&"7e".repeat(32))?;
    let admission = AdmissionToken::parse(&"a5".repeat(32))?;

    let mut on_a = Member::join(&a, &room, &admission).await;
    let mut on_b = Member::join(&b, &room, &admission).await;
    // Whether b's welcome already names a's member depends on whether b has heard a's members
    // yet; either way each learns of the other.
    on_a.wait_for(on_b.id).await;
    on_b.wait_for(on_a.id).await;
    on_a.signal(on_b.id, "sealed-from-a").await;
    assert_eq!(
        on_b.signalled().await,
        (on_a.id, "sealed-from-a".to_owned())
    );
    on_b.signal(on_a.id, "sealed-from-b").await;
    assert_eq!(
        on_a.signalled().await,
        (on_b.id, "sealed-from-b".to_owned())
    );

    let seen = String::from_utf8_lossy(&tap.recorded()).into_owned();
    assert!(
        seen.contains("sealed-from-a"),
        "the tap saw no relayed signal: {seen}"
    );
    for secret in [room.as_str(), admission.as_str()] {
        assert!(
            !seen.contains(secret),
            "the broker saw a room id or admission token in the clear: {seen}"
        );
    }

    b.kill()?;
    let killed = Instant::now();
    let gone = on_b.id;
    timeout(DEAD_INSTANCE_NOTICED, async {
        while on_a.others.contains(&gone) {
            on_a.next().await;
        }
    })
    .await
    .map_err(|_| anyhow::anyhow!("the dead instance's member was still there after 5 s"))?;
    println!(
        "the dead instance's member left the view after {:?}",
        killed.elapsed()
    );
    // Its participant comes back through the instance that runs.
    let back = Member::join(&a, &room, &admission).await;
    assert_eq!(back.others, [on_a.id]);
    on_a.wait_for(back.id).await;
    Ok(())
}

/// Joins through `origin` with camera and microphone on.
async fn join_with_camera(browser: &Browser, origin: &str, name: &str) -> anyhow::Result<Page> {
    let page = open_meeting(browser, origin, ROOM).await?;
    set_device(&page, "Camera", true).await?;
    set_device(&page, "Microphone", true).await?;
    join(&page, name, PASSPHRASE, true, true).await?;
    Ok(page)
}

async fn wait_until_decoding(page: &Page, who: &str, peers: usize) -> anyhow::Result<()> {
    page.bring_to_front().await?;
    let what = format!("{who} decodes {peers} peers");
    wait_until(page, &what, &decoding_from(peers), CONNECT_TIMEOUT).await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, Debian's nats-server, private network namespace)"]
async fn three_people_on_two_instances_have_a_call_that_outlives_one_instance() -> anyhow::Result<()>
{
    let nats = NatsServer::start()?;
    let tap = NatsTap::start(&nats.url()).await?;
    let a = instance(&nats)?;
    let mut b = instance(&nats)?;
    // Each instance behind a proxy that records what it relays; the second one's proxy stands
    // for a load balancer that sends new connections elsewhere once its instance is gone.
    let to_a = RecordingProxy::start(a.address()).await?;
    let to_b = RecordingProxy::start(b.address()).await?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let origins = [to_a.origin(), to_a.origin(), to_b.origin()];
    let mut pages = Vec::new();
    for (name, origin) in NAMES.iter().zip(&origins) {
        pages.push(join_with_camera(&browser, origin, name).await?);
    }
    for (page, name) in pages.iter().zip(NAMES) {
        wait_until_decoding(page, name, 2).await?;
        wait_until_tiles_play(page, name, 2).await?;
    }

    let room_id = crypto::room_id(&crypto::RoomName::parse(ROOM)?);
    let recorded = [
        ("instance A", to_a.recorded()),
        ("instance B", to_b.recorded()),
        ("NATS", tap.recorded()),
    ];
    for (where_, bytes) in &recorded {
        let seen = String::from_utf8_lossy(bytes);
        assert!(
            seen.contains("\"type\":\"signal\""),
            "nothing relayed was recorded on {where_}"
        );
        for secret in ["v=0", "a=fingerprint", "candidate:", ROOM, PASSPHRASE]
            .into_iter()
            .chain(NAMES)
        {
            assert!(
                !seen.contains(secret),
                "{where_} carried plaintext: {secret:?}"
            );
        }
    }
    assert!(
        !String::from_utf8_lossy(&tap.recorded()).contains(room_id.as_str()),
        "NATS carried the room id"
    );

    for page in &pages {
        remember_connections(page).await?;
    }
    b.kill()?;
    to_b.redirect(a.address());
    // The media goes directly between the browsers, so the call goes on; Katherine's page
    // reconnects to the server through the balancer, now to instance A, and resumes the same
    // connections there. Someone joining instance A then meets all three: Katherine is there.
    let dan = join_with_camera(&browser, &to_a.origin(), "Dan").await?;
    wait_until_decoding(&dan, "Dan", 3).await?;
    wait_until_tiles_play(&dan, "Dan", 3).await?;
    for (page, name) in pages.iter().zip(NAMES) {
        wait_until_decoding(page, name, 3).await?;
        wait_until(
            page,
            "three connected tiles",
            &connected_tiles(3),
            CONNECT_TIMEOUT,
        )
        .await?;
        assert_eq!(
            remembered_connections(page).await?,
            (2, 2, 3),
            "{name}: the same two connections as before, and one new to Dan"
        );
    }
    browser.close().await
}
