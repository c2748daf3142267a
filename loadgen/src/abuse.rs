//! Abuse: clients that break the rules, each expected to be closed with its own code, all at
//! once, while a normal pair in another room goes on at a signalling pace (its latency is
//! measured). Run against a server with the default limits (only the join timeout shortened).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{CloseCode, ServerMessage};
use tokio::sync::watch;
use tokio::time::{sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::addresses::{Role, source};
use crate::client::{
    Event, PATIENCE, close_code, connect, describe, join, next_event, room, signal,
};
use crate::traffic::{Pair, PingPong, Tally, ping_pong};

/// The normal pair's pace: 25 round trips a second, half the default per-sender rate.
pub const NORMAL_PACE: Duration = Duration::from_millis(40);
/// The server's default largest message.
const DEFAULT_MAX_MESSAGE: usize = 64 * 1024;
/// The server's default connections per address.
const DEFAULT_PER_ADDRESS: usize = 32;
/// Room namespace of the abuse cases.
const ROOMS: u8 = 4;

/// One abuse case and how the server ended it.
#[derive(Debug)]
pub struct Outcome {
    pub case: &'static str,
    pub expected: u16,
    /// The close code the abusive client got (`None`: none, or the case failed before).
    pub got: Option<u16>,
    pub detail: String,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.got == Some(self.expected)
    }

    fn of(case: &'static str, expected: CloseCode, result: Result<(Option<u16>, String)>) -> Self {
        let (got, detail) = result.unwrap_or_else(|error| (None, format!("{error:#}")));
        Self {
            case,
            expected: expected.code(),
            got,
            detail,
        }
    }
}

/// How long the flood (and the fill of a queue that is never read) may go on.
#[derive(Debug, Clone, Copy)]
pub struct Abuse {
    pub flood_for: Duration,
    pub join_timeout: Duration,
    /// How long the normal pair goes on at least (longer if the cases take longer).
    pub normal_for: Duration,
}

/// Runs every case at once beside a normal pair; returns the outcomes and the pair's tally.
pub async fn run(
    server: SocketAddr,
    abuse: Abuse,
    epoch: Instant,
) -> Result<(Vec<Outcome>, Tally)> {
    let (stop, stopped) = watch::channel(false);
    let pair = Pair::open(server, Role::Abuse(5), 0, room(ROOMS, 5)?).await?;
    let pace = PingPong {
        window: 1,
        payload: 1024,
        pace: Some(NORMAL_PACE),
    };
    let normal = tokio::spawn(ping_pong(pair, pace, stopped, epoch));
    let measured_for = sleep(abuse.normal_for);
    // The cap is tried before the flood loads the machine: its held connections must all be
    // open before the join timeout closes the first of them.
    let cases = async {
        let past_cap = past_address_cap(server).await;
        let oversize = oversize(server).await;
        let (flood, never_reads) = tokio::join!(
            flood(server, abuse.flood_for),
            never_reads(server, abuse.flood_for)
        );
        (flood, oversize, never_reads, past_cap)
    };
    let ((flood, oversize, never_reads, past_cap), never_joins, ()) =
        tokio::join!(cases, never_joins(server, abuse.join_timeout), measured_for);
    let outcomes = vec![
        Outcome::of("a member floods another", CloseCode::TooManyMessages, flood),
        Outcome::of(
            "a frame over the size limit",
            CloseCode::MessageTooLarge,
            oversize,
        ),
        Outcome::of("a member never reads", CloseCode::SlowConsumer, never_reads),
        Outcome::of(
            "one connection past the per-address cap",
            CloseCode::TooManyConnections,
            past_cap,
        ),
        Outcome::of(
            "a connection never joins",
            CloseCode::ProtocolViolation,
            never_joins,
        ),
    ];
    let _ = stop.send(true);
    let tally = normal.await?;
    Ok((outcomes, tally))
}

/// A member sends 1 KiB messages to another as fast as it can, for at most `flood_for`; the
/// other reads them all.
async fn flood(server: SocketAddr, flood_for: Duration) -> Result<(Option<u16>, String)> {
    let mut victim = connect(server, source(Role::Abuse(0), 0), None).await?;
    let (victim_id, _) = join(&mut victim, room(ROOMS, 0)?).await?;
    let mut flooder = connect(server, source(Role::Abuse(0), 1), None).await?;
    let (flooder_id, _) = join(&mut flooder, room(ROOMS, 0)?).await?;
    let victim_task = tokio::spawn(async move {
        let mut received = 0_u64;
        loop {
            match next_event(&mut victim).await {
                Event::Message(ServerMessage::Signal { .. }) => received += 1,
                Event::Message(ServerMessage::PeerLeft { peer_id, .. })
                    if peer_id == flooder_id =>
                {
                    return (received, "still open".to_owned());
                }
                Event::Message(_) => {}
                Event::Closed(code) => return (received, format!("closed {}", describe(code))),
            }
        }
    });
    let (mut tx, mut rx) = flooder.split();
    let message = signal(victim_id, "x".repeat(1024))?;
    let sent = AtomicU64::new(0);
    let writer = async {
        loop {
            if tx.send(message.clone()).await.is_err() {
                break;
            }
            if sent.fetch_add(1, Ordering::Relaxed) % 64 == 63 {
                tokio::task::yield_now().await;
            }
        }
    };
    let (closed, elapsed) = {
        let reader = close_code(&mut rx);
        tokio::pin!(reader);
        let start = Instant::now();
        let closed = tokio::select! {
            code = &mut reader => Some(code),
            () = writer => timeout(PATIENCE, &mut reader).await.ok(),
            () = sleep(flood_for) => None,
        };
        (closed, start.elapsed())
    };
    drop((tx, rx));
    let (received, victim_end) = timeout(PATIENCE, victim_task)
        .await
        .unwrap_or(Ok((0, "did not hear that the flooder left".to_owned())))?;
    let sent = sent.load(Ordering::Relaxed);
    let flooder_end = match closed {
        Some(code) => format!(
            "closed {} after {:.1} s",
            describe(code),
            elapsed.as_secs_f64()
        ),
        None => format!("not closed in {:.0} s", flood_for.as_secs_f64()),
    };
    Ok((
        closed.flatten(),
        format!("flooder {flooder_end}, {sent} sent; victim {victim_end}, {received} received"),
    ))
}

/// A member sends one text frame a byte over the server's default message size.
async fn oversize(server: SocketAddr) -> Result<(Option<u16>, String)> {
    let mut ws = connect(server, source(Role::Abuse(1), 0), None).await?;
    join(&mut ws, room(ROOMS, 1)?).await?;
    // The server may close before the whole frame is written; the close code tells.
    let _ = ws
        .send(Message::text("x".repeat(DEFAULT_MAX_MESSAGE + 1)))
        .await;
    let code = timeout(PATIENCE, close_code(&mut ws)).await.ok().flatten();
    Ok((code, format!("{} bytes sent", DEFAULT_MAX_MESSAGE + 1)))
}

/// Members that fill the queue of one that never reads: the room's other seats but one (the
/// watcher), so that each sends few messages, well within any per-sender rate.
const FILLERS: usize = 6;
/// Payload of each filling message: near the server's default message size.
const FILL_PAYLOAD: usize = 60 * 1024;

/// A member with a small receive buffer never reads, while [`FILLERS`] others send it large
/// messages in turn until a watcher hears it leave (or `flood_for` passes); then it reads to
/// learn its close code.
async fn never_reads(server: SocketAddr, flood_for: Duration) -> Result<(Option<u16>, String)> {
    let room = room(ROOMS, 2)?;
    let mut slow = connect(server, source(Role::Abuse(2), 0), Some(4096)).await?;
    let (slow_id, _) = join(&mut slow, room.clone()).await?;
    let mut watcher = connect(server, source(Role::Abuse(2), 1), None).await?;
    join(&mut watcher, room.clone()).await?;
    let mut fillers = Vec::with_capacity(FILLERS);
    for n in 0..FILLERS {
        let mut filler = connect(server, source(Role::Abuse(2), 2 + n), None).await?;
        join(&mut filler, room.clone()).await?;
        fillers.push(filler);
    }
    let message = signal(slow_id, "x".repeat(FILL_PAYLOAD))?;
    let sent = AtomicU64::new(0);
    let writer = async {
        for n in (0..FILLERS).cycle() {
            if fillers[n].send(message.clone()).await.is_err() {
                return n;
            }
            sent.fetch_add(1, Ordering::Relaxed);
        }
        0
    };
    let gone = async {
        loop {
            match next_event(&mut watcher).await {
                Event::Message(ServerMessage::PeerLeft { peer_id, .. }) if peer_id == slow_id => {
                    return "the room heard it leave".to_owned();
                }
                Event::Message(_) => {}
                Event::Closed(code) => return format!("the watcher was closed {}", describe(code)),
            }
        }
    };
    let start = Instant::now();
    let seen = tokio::select! {
        seen = gone => format!("{seen} after {:.1} s", start.elapsed().as_secs_f64()),
        n = writer => {
            let code = timeout(PATIENCE, close_code(&mut fillers[n])).await.ok().flatten();
            format!("a filler was closed {}", describe(code))
        }
        () = sleep(flood_for) => format!("nothing happened in {:.0} s", flood_for.as_secs_f64()),
    };
    let mut read = 0_u64;
    let reading = async {
        loop {
            match next_event(&mut slow).await {
                Event::Message(ServerMessage::Signal { .. }) => read += 1,
                Event::Message(_) => {}
                Event::Closed(code) => return code,
            }
        }
    };
    let code = timeout(PATIENCE, reading).await.ok().flatten();
    let sent = sent.load(Ordering::Relaxed);
    Ok((
        code,
        format!(
            "{sent} × {} KiB written by {FILLERS} members; {seen}; then it read {read} before the close",
            FILL_PAYLOAD / 1024
        ),
    ))
}

/// As many connections from one address as the server allows by default, then one more.
async fn past_address_cap(server: SocketAddr) -> Result<(Option<u16>, String)> {
    let address = source(Role::Abuse(3), 0);
    let mut held = Vec::with_capacity(DEFAULT_PER_ADDRESS);
    for _ in 0..DEFAULT_PER_ADDRESS {
        held.push(connect(server, address, None).await?);
    }
    let mut extra = connect(server, address, None).await?;
    let code = timeout(PATIENCE, close_code(&mut extra))
        .await
        .ok()
        .flatten();
    Ok((
        code,
        format!("connection {} from one address", DEFAULT_PER_ADDRESS + 1),
    ))
}

/// A connection that never sends a join.
async fn never_joins(server: SocketAddr, join_timeout: Duration) -> Result<(Option<u16>, String)> {
    let mut ws = connect(server, source(Role::Abuse(4), 0), None).await?;
    let start = Instant::now();
    let code = timeout(join_timeout + PATIENCE, close_code(&mut ws))
        .await
        .ok()
        .flatten();
    Ok((
        code,
        format!(
            "closed after {:.1} s (join timeout {:.1} s)",
            start.elapsed().as_secs_f64(),
            join_timeout.as_secs_f64()
        ),
    ))
}
