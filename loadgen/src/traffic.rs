//! Traffic between two members of one room, checked for exactly-once, in-order delivery in each
//! direction: ping-pong with a window of messages in flight (latency, throughput, a paced normal
//! pair beside the abuse), or one way at a fixed rate (background load).
//!
//! Each payload starts with its sequence number and the time it was sent, on one monotonic clock
//! shared by the whole process, and is padded to a fixed length. The receiver checks the sequence
//! and records the one-way latency, from the sending call to the read that returned it: the
//! relay through the server plus both clients' scheduling.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use futures_util::{FutureExt as _, Sink, SinkExt as _, StreamExt as _};
use protocol::{PeerId, RoomId, ServerMessage};
use tokio::sync::watch;
use tokio::time::{MissedTickBehavior, interval, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::addresses::{Role, source};
use crate::client::{Event, PATIENCE, Ws, connect, describe, join, next_event, signal};
use crate::stats::Latencies;

/// Faults kept word for word per pair; the rest are only counted.
const FAULTS_KEPT: usize = 3;

/// Turns true when the traffic should stop (messages in flight are still awaited).
pub type Stop = watch::Receiver<bool>;

/// A stop that comes after `duration`.
pub fn stop_after(duration: Duration) -> Stop {
    let (set, stop) = watch::channel(false);
    tokio::spawn(async move {
        tokio::time::sleep(duration).await;
        let _ = set.send(true);
    });
    stop
}

/// Two members of one room, each knowing the other's id.
pub struct Pair {
    a: Ws,
    a_id: PeerId,
    b: Ws,
    b_id: PeerId,
}

impl Pair {
    /// Connects two members from the addresses of connections `index` and `index + 1` of `role`,
    /// joins both to `room` and waits until the first has heard of the second.
    pub async fn open(server: SocketAddr, role: Role, index: usize, room: RoomId) -> Result<Self> {
        let mut a = connect(server, source(role, index), None).await?;
        let (a_id, _) = join(&mut a, room.clone()).await?;
        let mut b = connect(server, source(role, index + 1), None).await?;
        let (b_id, peers) = join(&mut b, room).await?;
        ensure!(
            peers.contains(&a_id),
            "the second member was not told of the first"
        );
        let heard = async {
            loop {
                match next_event(&mut a).await {
                    Event::Message(ServerMessage::PeerJoined { peer_id }) if peer_id == b_id => {
                        return Ok(());
                    }
                    Event::Message(_) => {}
                    Event::Closed(code) => {
                        anyhow::bail!("closed while waiting for its peer ({})", describe(code))
                    }
                }
            }
        };
        timeout(PATIENCE, heard)
            .await
            .context("the first member never heard of the second")??;
        Ok(Self { a, a_id, b, b_id })
    }
}

/// What one pair's traffic came to.
#[derive(Debug, Default)]
pub struct Tally {
    /// Messages received, both directions together.
    pub relayed: u64,
    pub latencies: Latencies,
    /// Lost, duplicated or reordered messages and unexpected closes, in words.
    pub faults: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.relayed += other.relayed;
        self.latencies.extend(other.latencies);
        self.faults.extend(other.faults);
    }
}

/// The receiving end of one direction: checks the sequence, records latencies.
struct Receiver {
    epoch: Instant,
    name: &'static str,
    received: u64,
    /// The sequence number the next message should carry.
    next: u64,
    latencies: Latencies,
    faults: Vec<String>,
    hidden_faults: usize,
}

impl Receiver {
    fn new(epoch: Instant, name: &'static str) -> Self {
        Self {
            epoch,
            name,
            received: 0,
            next: 0,
            latencies: Latencies::default(),
            faults: Vec::new(),
            hidden_faults: 0,
        }
    }

    fn take(&mut self, payload: &str) {
        let mut fields = payload.split(' ');
        let sequence = fields.next().and_then(|field| field.parse::<u64>().ok());
        let sent_at = fields.next().and_then(|field| field.parse::<u64>().ok());
        match (sequence, sent_at) {
            (Some(sequence), Some(sent_at)) => {
                if sequence != self.next {
                    self.fault(format!(
                        "{}: expected message #{}, got #{sequence}",
                        self.name, self.next
                    ));
                }
                self.next = sequence + 1;
                let now = self.epoch.elapsed();
                self.latencies
                    .push(now.saturating_sub(Duration::from_nanos(sent_at)));
            }
            _ => self.fault(format!("{}: a payload that was not sent", self.name)),
        }
        self.received += 1;
    }

    fn fault(&mut self, fault: String) {
        if self.faults.len() < FAULTS_KEPT {
            self.faults.push(fault);
        } else {
            self.hidden_faults += 1;
        }
    }

    /// Checks that exactly `sent` messages arrived and closes the tally.
    fn finish(mut self, sent: u64) -> Tally {
        if self.received != sent {
            self.fault(format!(
                "{}: received {} of {sent} messages",
                self.name, self.received
            ));
        }
        if self.hidden_faults > 0 {
            self.faults
                .push(format!("{}: {} more faults", self.name, self.hidden_faults));
        }
        Tally {
            relayed: self.received,
            latencies: self.latencies,
            faults: self.faults,
        }
    }
}

/// Message `sequence`, stamped now and padded with `x` to `length` bytes.
fn payload(sequence: u64, epoch: Instant, length: usize) -> String {
    let mut text = format!("{sequence} {} ", epoch.elapsed().as_nanos());
    let pad = length.saturating_sub(text.len());
    text.extend(std::iter::repeat_n('x', pad));
    text
}

/// Queues `message` without flushing, if it could be encoded; whether it was taken.
async fn feed<S>(sink: &mut S, message: Result<Message>) -> bool
where
    S: Sink<Message> + Unpin,
{
    match message {
        Ok(message) => sink.feed(message).await.is_ok(),
        Err(_) => false,
    }
}

/// Sends `message` if it could be encoded; whether it went out.
async fn deliver<S>(sink: &mut S, message: Result<Message>) -> bool
where
    S: Sink<Message> + Unpin,
{
    match message {
        Ok(message) => sink.send(message).await.is_ok(),
        Err(_) => false,
    }
}

/// How a ping-pong runs.
#[derive(Debug, Clone, Copy)]
pub struct PingPong {
    /// Messages from A in flight at once.
    pub window: usize,
    pub payload: usize,
    /// At most one message from A per this interval.
    pub pace: Option<Duration>,
}

/// A sends, B echoes each message back, A sends the next when an echo returns, until `stop`;
/// then the messages in flight are awaited and A leaves.
pub async fn ping_pong(pair: Pair, how: PingPong, mut stop: Stop, epoch: Instant) -> Tally {
    let Pair { a, a_id, b, b_id } = pair;
    let (mut a_tx, mut a_rx) = a.split();
    let (mut b_tx, mut b_rx) = b.split();
    let echo = tokio::spawn(async move {
        let mut got = Receiver::new(epoch, "B");
        let mut sent = 0_u64;
        let mut fed = false;
        loop {
            // Echoes are written together: flushed only when no more messages are ready.
            let event = match next_event(&mut b_rx).now_or_never() {
                Some(event) => event,
                None => {
                    if fed && b_tx.flush().await.is_err() {
                        got.fault("B: could not send".to_owned());
                        break;
                    }
                    fed = false;
                    next_event(&mut b_rx).await
                }
            };
            match event {
                Event::Message(ServerMessage::Signal { payload: text, .. }) => {
                    got.take(&text);
                    if feed(&mut b_tx, signal(a_id, payload(sent, epoch, how.payload))).await {
                        sent += 1;
                        fed = true;
                    } else {
                        got.fault("B: could not send".to_owned());
                        break;
                    }
                }
                Event::Message(ServerMessage::PeerLeft { peer_id, .. }) if peer_id == a_id => {
                    break;
                }
                Event::Message(_) => {}
                Event::Closed(code) => {
                    got.fault(format!("B: closed ({})", describe(code)));
                    break;
                }
            }
        }
        let _ = b_tx.close().await;
        (got, sent)
    });

    let mut got = Receiver::new(epoch, "A");
    let mut sent = 0_u64;
    let mut pace = how.pace.map(|every| {
        let mut ticker = interval(every);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ticker
    });
    let send = |sequence: u64| signal(b_id, payload(sequence, epoch, how.payload));
    let mut stopped = *stop.borrow_and_update();
    for _ in 0..how.window {
        if feed(&mut a_tx, send(sent)).await {
            sent += 1;
        } else {
            got.fault("A: could not send".to_owned());
        }
    }
    let mut fed = true;
    while got.received < sent {
        // Messages are written together: flushed only when no more echoes are ready.
        let event = match next_event(&mut a_rx).now_or_never() {
            Some(event) => Ok(event),
            None => {
                if fed && a_tx.flush().await.is_err() {
                    got.fault("A: could not send".to_owned());
                    break;
                }
                fed = false;
                tokio::select! {
                    event = timeout(PATIENCE, next_event(&mut a_rx)) => event,
                    _ = stop.changed(), if !stopped => { stopped = true; continue; }
                }
            }
        };
        match event {
            Ok(Event::Message(ServerMessage::Signal { payload: text, .. })) => {
                got.take(&text);
                if stopped {
                    continue;
                }
                if let Some(ticker) = pace.as_mut() {
                    ticker.tick().await;
                }
                if feed(&mut a_tx, send(sent)).await {
                    sent += 1;
                    fed = true;
                } else {
                    got.fault("A: could not send".to_owned());
                    break;
                }
            }
            Ok(Event::Message(_)) => {}
            Ok(Event::Closed(code)) => {
                got.fault(format!("A: closed ({})", describe(code)));
                break;
            }
            Err(_) => {
                got.fault(format!("A: nothing for {PATIENCE:?}"));
                break;
            }
        }
    }
    let _ = a_tx.close().await;
    let mut tally = Tally::default();
    match timeout(PATIENCE, echo).await {
        Ok(Ok((b_got, b_sent))) => {
            tally.add(got.finish(b_sent));
            tally.add(b_got.finish(sent));
        }
        _ => {
            tally.add(got.finish(0));
            tally.faults.push("B: did not hear that A left".to_owned());
        }
    }
    tally
}

/// A sends `rate` messages a second to B until `stop`, then leaves; B counts and checks them.
pub async fn one_way(pair: Pair, rate: f64, length: usize, stop: Stop, epoch: Instant) -> Tally {
    let Pair { a, a_id, b, b_id } = pair;
    let (mut a_tx, _a_rx) = a.split();
    let (_b_tx, mut b_rx) = b.split();
    let receiver = tokio::spawn(async move {
        let mut got = Receiver::new(epoch, "B");
        loop {
            match next_event(&mut b_rx).await {
                Event::Message(ServerMessage::Signal { payload: text, .. }) => got.take(&text),
                Event::Message(ServerMessage::PeerLeft { peer_id, .. }) if peer_id == a_id => {
                    break;
                }
                Event::Message(_) => {}
                Event::Closed(code) => {
                    got.fault(format!("B: closed ({})", describe(code)));
                    break;
                }
            }
        }
        got
    });
    let mut ticker = interval(Duration::from_secs_f64(1.0 / rate.max(0.001)));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut sent = 0_u64;
    let mut faults = Vec::new();
    loop {
        ticker.tick().await;
        if *stop.borrow() {
            break;
        }
        if deliver(&mut a_tx, signal(b_id, payload(sent, epoch, length))).await {
            sent += 1;
        } else {
            faults.push("A: could not send".to_owned());
            break;
        }
    }
    let _ = a_tx.close().await;
    let mut tally = match timeout(PATIENCE, receiver).await {
        Ok(Ok(got)) => got.finish(sent),
        _ => Tally {
            faults: vec!["B: did not hear that A left".to_owned()],
            ..Tally::default()
        },
    };
    tally.faults.extend(faults);
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_has_its_length_and_reads_back_in_order() {
        let epoch = Instant::now();
        let mut receiver = Receiver::new(epoch, "B");
        for sequence in 0..3 {
            let text = payload(sequence, epoch, 1024);
            assert_eq!(text.len(), 1024);
            receiver.take(&text);
        }
        let tally = receiver.finish(3);
        assert!(tally.faults.is_empty(), "{:?}", tally.faults);
        assert_eq!(tally.relayed, 3);
    }

    #[test]
    fn a_gap_a_duplicate_and_a_missing_message_are_faults() {
        let epoch = Instant::now();
        let mut receiver = Receiver::new(epoch, "B");
        for sequence in [0, 2, 2] {
            receiver.take(&payload(sequence, epoch, 64));
        }
        let tally = receiver.finish(4);
        assert_eq!(tally.faults.len(), 3, "{:?}", tally.faults);
    }
}
