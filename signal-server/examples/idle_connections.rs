//! Load tool: opens N WebSocket connections to a running signal-server, joins them eight to a
//! room, and holds them (answering pings) until Ctrl-C, so that the server's memory can be measured.
//!
//! ```text
//! cargo run --release -p signal-server --example idle_connections -- 127.0.0.1:8080 1000
//! ```
//! The server needs `--max-connections-per-ip` and `--max-connections-per-ipv4-24` of at least N,
//! `--max-joins-per-minute-per-ip` and `--max-joins-per-minute-per-network` of at least N, and
//! `ulimit -n` above N on both sides.

use std::net::SocketAddr;

use anyhow::Context as _;
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{AdmissionToken, ClientMessage, PROTOCOL_VERSION, RoomId};
use tokio_tungstenite::tungstenite::Message;

const PEERS_PER_ROOM: usize = 8;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .as_deref()
        .unwrap_or("127.0.0.1:8080")
        .parse()
        .context("address")?;
    let count: usize = args
        .next()
        .as_deref()
        .unwrap_or("1000")
        .parse()
        .context("connection count")?;
    let url = format!("ws://{addr}/ws");
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..count {
        let (mut ws, _) = tokio_tungstenite::connect_async(&url)
            .await
            .with_context(|| format!("connection {n}"))?;
        let room = RoomId::parse(&format!("{:064x}", n / PEERS_PER_ROOM)).context("room id")?;
        let join = serde_json::to_string(&ClientMessage::Join {
            version: PROTOCOL_VERSION,
            room,
            admission: AdmissionToken::from_bytes(&[7; 32]),
        })?;
        ws.send(Message::text(join))
            .await
            .with_context(|| format!("join {n}"))?;
        // Reading answers the server's pings; everything else is ignored.
        tasks.spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
    }
    println!(
        "{count} connections open in {} rooms; Ctrl-C to close them",
        count.div_ceil(PEERS_PER_ROOM)
    );
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("Ctrl-C")?,
        Some(_) = tasks.join_next() => println!("a connection ended early"),
    }
    Ok(())
}
