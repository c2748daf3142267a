//! Rooms shared by several instances through NATS (`--nats`): core publish/subscribe, nothing
//! stored by the broker.
//!
//! Every instance holds every room's members: its own connections, and the others' as they
//! announce them ([`wire`]). A joiner's welcome is therefore answered at once, from memory, and a
//! signal for a member of another instance goes straight to that instance's subject. Changes are
//! numbered per instance; a receiver that misses one (a gap in the numbers, or an `alive` with a
//! higher number) asks the sender for all its members again ([`instances`]). An instance not
//! heard for [`instances::SILENCE`] is taken for dead and its members for lost.
//!
//! [`Bus`] is what the registry holds: it queues messages without waiting, in a bounded queue
//! that one task ([`nats`]) drains to the broker. A message that does not fit is dropped and
//! counted: for a change of membership the numbers reveal the loss and a snapshot repairs it;
//! a dropped signal is lost like a packet, and the browsers' negotiation recovers as after a
//! network loss.

pub mod instances;
pub mod nats;
pub mod wire;

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use tokio::sync::mpsc;

use self::wire::{BusMessage, InstanceId, Subject};

/// Messages waiting for the broker; with signalling messages of at most 64 KiB, at most 64 MiB.
pub const QUEUE: usize = 1024;

/// A message on its way to the broker.
#[derive(Debug)]
pub struct Outgoing {
    pub subject: Subject,
    pub payload: Bytes,
}

/// This instance's side of the bus: its name and the queue to the broker.
#[derive(Debug)]
pub struct Bus {
    instance: InstanceId,
    queue: mpsc::Sender<Outgoing>,
    dropped: AtomicU64,
}

impl Bus {
    /// A bus for `instance` and the receiving end of its queue.
    pub fn new(instance: InstanceId) -> (Self, mpsc::Receiver<Outgoing>) {
        let (queue, outgoing) = mpsc::channel(QUEUE);
        let bus = Self {
            instance,
            queue,
            dropped: AtomicU64::new(0),
        };
        (bus, outgoing)
    }

    pub fn instance(&self) -> InstanceId {
        self.instance
    }

    /// Queues `message` for `subject` without waiting; drops it (and counts it) if the queue is
    /// full or the connection to the broker is gone for good.
    pub fn send(&self, subject: Subject, message: &BusMessage) {
        let payload = match serde_json::to_vec(message) {
            Ok(json) => Bytes::from(json),
            Err(error) => {
                tracing::error!(%error, "cannot encode a message for the bus");
                return;
            }
        };
        if self.queue.try_send(Outgoing { subject, payload }).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Messages dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
