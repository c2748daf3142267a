//! One connection's send queue, bounded in bytes, and the switch that closes the connection from
//! elsewhere.
//!
//! Anyone may hand a connection a message with [`Outbox::deliver`]; it never waits. Each queue may
//! hold a configured number of bytes, and all queues together a server-wide budget ([`budget`]).
//! When a message would break either bound, the recipient is not reading fast enough, or too many
//! are not: the message is dropped and the recipient is told to close with
//! [`CloseCode::SlowConsumer`] (its room removes it and tells the others), and its queued bytes go
//! back to the budget at once. The server never grows a queue beyond its bounds, and a client that
//! reads keeps working while its neighbour is closed. (When the server's budget is what is full,
//! the recipient of the message that does not fit is the one closed, slow or not: with the
//! defaults that takes hundreds of clients far behind at once.)

pub mod budget;

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use protocol::{CloseCode, ServerMessage};
use tokio::sync::{mpsc, watch};

use self::budget::{QueueBytes, Reservation, SendBudget};

/// The sending half, cloned into the room registry.
#[derive(Debug, Clone)]
pub struct Outbox {
    queue: mpsc::UnboundedSender<Queued>,
    bytes: Arc<QueueBytes>,
    close: watch::Sender<Option<CloseCode>>,
}

/// The queue's receiving end, owned by the connection's send loop. Dropping it gives back the
/// bytes of everything still queued.
#[derive(Debug)]
pub struct Inbox {
    queue: mpsc::UnboundedReceiver<Queued>,
}

/// A queued message and the bytes it holds until it is dropped.
#[derive(Debug)]
pub struct Queued {
    pub text: Utf8Bytes,
    pub held: Reservation,
}

/// Where the connection learns that it must close, and why.
#[derive(Debug)]
pub struct CloseRequests {
    close: watch::Receiver<Option<CloseCode>>,
}

/// Why a message was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undelivered {
    /// The queue or the server's budget was full; the connection has been told to close with
    /// `SlowConsumer`.
    Full,
    /// The connection is already gone.
    Gone,
}

/// A queue of at most `max_bytes` (but always one message), drawing on `budget`, and its close
/// switch.
pub fn outbox(max_bytes: usize, budget: &Arc<SendBudget>) -> (Outbox, Inbox, CloseRequests) {
    let (queue_tx, queue_rx) = mpsc::unbounded_channel();
    let (close_tx, close_rx) = watch::channel(None);
    (
        Outbox {
            queue: queue_tx,
            bytes: QueueBytes::new(max_bytes, budget),
            close: close_tx,
        },
        Inbox { queue: queue_rx },
        CloseRequests { close: close_rx },
    )
}

impl Outbox {
    /// Queues `text` without waiting, if it fits the queue and the budget.
    pub fn deliver(&self, text: Utf8Bytes) -> Result<(), Undelivered> {
        let Ok(held) = self.bytes.reserve(text.len()) else {
            self.close(CloseCode::SlowConsumer);
            return Err(Undelivered::Full);
        };
        // A closed queue hands the message back, and dropping it gives its bytes back.
        self.queue
            .send(Queued { text, held })
            .map_err(|_| Undelivered::Gone)
    }

    /// Tells the connection to close with `code`. The first reason given wins. Nothing queued
    /// will be sent any more, so the queue's bytes go back to the budget.
    pub fn close(&self, code: CloseCode) {
        self.bytes.close();
        self.close.send_if_modified(|reason| {
            if reason.is_some() {
                return false;
            }
            *reason = Some(code);
            true
        });
    }

    /// Whether both handles belong to the same connection.
    pub fn same_connection(&self, other: &Outbox) -> bool {
        self.queue.same_channel(&other.queue)
    }
}

impl Inbox {
    /// The next queued message; pending forever once the queue is closed.
    pub async fn next(&mut self) -> Queued {
        match self.queue.recv().await {
            Some(queued) => queued,
            None => std::future::pending().await,
        }
    }

    /// The next queued message, without waiting.
    #[cfg(test)]
    pub fn try_next(&mut self) -> Option<Utf8Bytes> {
        self.queue.try_recv().ok().map(|queued| queued.text)
    }
}

impl CloseRequests {
    /// Resolves once someone asked the connection to close, with the reason.
    pub async fn closed(&mut self) -> CloseCode {
        loop {
            if let Some(code) = *self.close.borrow_and_update() {
                return code;
            }
            if self.close.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The reason asked for, if any, without waiting.
    #[cfg(test)]
    pub fn close_requested(&self) -> Option<CloseCode> {
        *self.close.borrow()
    }
}

/// Serialises a server message once, to be queued for one or many connections.
pub fn encode(message: &ServerMessage) -> Option<Utf8Bytes> {
    match serde_json::to_string(message) {
        Ok(json) => Some(json.into()),
        Err(error) => {
            tracing::error!(%error, "could not serialise a server message");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::budget::MESSAGE_OVERHEAD;
    use super::*;

    #[tokio::test]
    async fn a_full_queue_asks_the_connection_to_close_as_a_slow_consumer() {
        let budget = SendBudget::new(1 << 20);
        let (outbox, mut inbox, mut close) = outbox(2 * MESSAGE_OVERHEAD, &budget);
        assert_eq!(outbox.deliver("a".into()), Ok(()));
        assert_eq!(outbox.deliver("b".into()), Err(Undelivered::Full));
        assert_eq!(close.closed().await, CloseCode::SlowConsumer);
        outbox.close(CloseCode::GoingAway);
        assert_eq!(
            close.close_requested(),
            Some(CloseCode::SlowConsumer),
            "first reason wins"
        );
        assert_eq!(inbox.next().await.text.as_str(), "a");
    }

    #[tokio::test]
    async fn a_full_budget_closes_the_recipient_and_sent_messages_give_their_bytes_back() {
        let budget = SendBudget::new(3 * (MESSAGE_OVERHEAD + 1));
        let (a, mut a_in, a_close) = outbox(1 << 20, &budget);
        let (b, _b_in, b_close) = outbox(1 << 20, &budget);
        for text in ["1", "2"] {
            assert_eq!(a.deliver(text.into()), Ok(()));
        }
        assert_eq!(b.deliver("3".into()), Ok(()));
        assert_eq!(b.deliver("4".into()), Err(Undelivered::Full));
        assert_eq!(b_close.close_requested(), Some(CloseCode::SlowConsumer));
        assert_eq!(a_close.close_requested(), None);
        assert_eq!(
            budget.held(),
            2 * (MESSAGE_OVERHEAD + 1),
            "b's queue was given back when it was told to close"
        );
        let sent = a_in.next().await;
        assert_eq!(budget.held(), 2 * (MESSAGE_OVERHEAD + 1), "held until sent");
        drop(sent);
        assert_eq!(budget.held(), MESSAGE_OVERHEAD + 1);
        drop(a_in);
        assert_eq!(budget.held(), 0, "a's queue was dropped");
        assert_eq!(a.deliver("5".into()), Err(Undelivered::Gone));
        assert_eq!(budget.held(), 0);
    }
}
