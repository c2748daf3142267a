//! The NATS side of the bus: the connection, one task that drains the queue to the broker, and
//! one that applies what the other instances say to the registry and says every second that
//! this instance is alive.

use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::instances::{ALIVE_INTERVAL, Instances, Verdict};
use super::wire::{BusMessage, InstanceId, Subject};
use super::{Outgoing, QUEUE};
use crate::AppState;

/// How long the first connection to NATS may take before the server gives up starting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stopping server gives its last messages (its members leaving) to reach the broker.
const FLUSH_GRACE: Duration = Duration::from_secs(2);

/// Why the bus could not start.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to NATS")]
    Connect(#[from] async_nats::ConnectError),
    #[error("cannot subscribe on NATS")]
    Subscribe(#[from] async_nats::SubscribeError),
}

/// Connects to one of the NATS servers at `urls` (those of a cluster). The client reconnects by
/// itself, to any server of the cluster, for as long as this server runs; what was missed
/// meanwhile is repaired by snapshots.
pub async fn connect(urls: &[String]) -> Result<async_nats::Client, BusError> {
    let client = async_nats::ConnectOptions::new()
        .name("stube")
        .connection_timeout(CONNECT_TIMEOUT)
        .subscription_capacity(QUEUE)
        .connect(urls)
        .await?;
    Ok(client)
}

/// The bus's running tasks.
#[derive(Debug)]
pub struct Running {
    stop: watch::Sender<bool>,
    publisher: JoinHandle<()>,
    listener: JoinHandle<()>,
}

/// Subscribes (before anything is announced) and starts the tasks that serve `state`'s
/// registry, whose bus queue ends in `outgoing`.
pub async fn start(
    client: async_nats::Client,
    outgoing: mpsc::Receiver<Outgoing>,
    state: AppState,
    me: InstanceId,
) -> Result<Running, BusError> {
    let mut subscriptions = Vec::new();
    for subject in Subject::subscriptions(me) {
        subscriptions.push(client.subscribe(subject).await?);
    }
    let incoming = futures_util::stream::select_all(subscriptions);
    let (stop, stopped) = watch::channel(false);
    let publisher = tokio::spawn(publish(client, outgoing, stopped.clone()));
    let listener = tokio::spawn(listen(incoming, state, me, stopped));
    Ok(Running {
        stop,
        publisher,
        listener,
    })
}

impl Running {
    /// Stops listening and sends what is still queued (the departures of the members this
    /// server just closed), for at most [`FLUSH_GRACE`].
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.listener.abort();
        if tokio::time::timeout(FLUSH_GRACE, self.publisher)
            .await
            .is_err()
        {
            tracing::warn!("could not pass the last departures to NATS in time");
        }
    }
}

/// Drains the queue to the broker, in order; when told to stop, sends what is left and flushes.
async fn publish(
    client: async_nats::Client,
    mut outgoing: mpsc::Receiver<Outgoing>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let message = tokio::select! {
            message = outgoing.recv() => message,
            _ = stop.wait_for(|stop| *stop) => break,
        };
        let Some(message) = message else { break };
        send(&client, message).await;
    }
    while let Ok(message) = outgoing.try_recv() {
        send(&client, message).await;
    }
    if let Err(error) = client.flush().await {
        tracing::warn!(%error, "could not flush NATS");
    }
}

async fn send(client: &async_nats::Client, message: Outgoing) {
    if let Err(error) = client
        .publish(message.subject.name(), message.payload)
        .await
    {
        tracing::warn!(%error, "could not publish on NATS");
    }
}

/// Applies the other instances' messages; says every [`ALIVE_INTERVAL`] that this instance is
/// alive and forgets instances that went silent.
async fn listen(
    mut incoming: impl futures_util::Stream<Item = async_nats::Message> + Unpin,
    state: AppState,
    me: InstanceId,
    mut stop: watch::Receiver<bool>,
) {
    let mut instances = Instances::new(me);
    let mut alive = tokio::time::interval(ALIVE_INTERVAL);
    alive.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            _ = alive.tick() => {
                state.rooms.announce_alive();
                for dead in instances.silent(Instant::now()) {
                    tracing::info!("another instance went silent; its members are lost");
                    state.rooms.remote_gone(dead);
                }
            }
            message = incoming.next() => match message {
                Some(message) => apply(&message.payload, &state, &mut instances),
                None => return,
            },
        }
    }
}

/// Applies one message from the bus.
fn apply(payload: &[u8], state: &AppState, instances: &mut Instances) {
    let Ok(message) = serde_json::from_slice::<BusMessage>(payload) else {
        tracing::warn!("ignoring an unreadable message on NATS");
        return;
    };
    let rooms = &state.rooms;
    let now = Instant::now();
    let ask = |from: InstanceId| rooms.ask_snapshot(from);
    match message {
        BusMessage::Joined { from, seq, seat } => match instances.on_change(from, seq, now) {
            Verdict::Apply => rooms.remote_joined(from, seat),
            Verdict::AskSnapshot => ask(from),
            Verdict::Ignore => {}
        },
        BusMessage::Left {
            from,
            seq,
            room,
            peer,
            lost,
        } => match instances.on_change(from, seq, now) {
            Verdict::Apply => rooms.remote_left(from, room, peer, lost),
            Verdict::AskSnapshot => ask(from),
            Verdict::Ignore => {}
        },
        BusMessage::Alive { from, seq } => {
            if instances.on_alive(from, seq, now) == Verdict::AskSnapshot {
                ask(from);
            }
        }
        BusMessage::SnapshotRequest { from } => rooms.send_snapshot(from),
        BusMessage::Snapshot {
            from,
            seq,
            seats,
            last,
        } => {
            if let Some(seats) = instances.on_snapshot(from, seq, seats, last, now) {
                rooms.remote_snapshot(from, &seats);
            }
        }
        BusMessage::Signal {
            from,
            room,
            peer,
            to,
            payload,
        } => rooms.remote_signal(from, room, peer, to, payload),
    }
}
