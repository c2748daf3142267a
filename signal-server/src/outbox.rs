//! One connection's bounded send queue, and the switch that closes the connection from elsewhere.
//!
//! Anyone may hand a connection a message with [`Outbox::deliver`]; it never waits. When the queue
//! is full the client is not reading fast enough: the connection is told to close with
//! [`CloseCode::SlowConsumer`] rather than letting memory grow.

use axum::extract::ws::Utf8Bytes;
use protocol::{CloseCode, ServerMessage};
use tokio::sync::{mpsc, watch};

/// The sending half, cloned into the room registry.
#[derive(Debug, Clone)]
pub struct Outbox {
    queue: mpsc::Sender<Utf8Bytes>,
    close: watch::Sender<Option<CloseCode>>,
}

/// The queue's receiving end, owned by the connection's send loop.
#[derive(Debug)]
pub struct Inbox {
    queue: mpsc::Receiver<Utf8Bytes>,
}

/// Where the connection learns that it must close, and why.
#[derive(Debug)]
pub struct CloseRequests {
    close: watch::Receiver<Option<CloseCode>>,
}

/// Why a message was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undelivered {
    /// The queue was full; the connection has been told to close with `SlowConsumer`.
    Full,
    /// The connection is already gone.
    Gone,
}

/// A bounded queue of `capacity` messages (at least one) and its close switch.
pub fn outbox(capacity: usize) -> (Outbox, Inbox, CloseRequests) {
    let (queue_tx, queue_rx) = mpsc::channel(capacity.max(1));
    let (close_tx, close_rx) = watch::channel(None);
    (
        Outbox {
            queue: queue_tx,
            close: close_tx,
        },
        Inbox { queue: queue_rx },
        CloseRequests { close: close_rx },
    )
}

impl Outbox {
    /// Queues `text` without waiting.
    pub fn deliver(&self, text: Utf8Bytes) -> Result<(), Undelivered> {
        self.queue.try_send(text).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => {
                self.close(CloseCode::SlowConsumer);
                Undelivered::Full
            }
            mpsc::error::TrySendError::Closed(_) => Undelivered::Gone,
        })
    }

    /// Tells the connection to close with `code`. The first reason given wins.
    pub fn close(&self, code: CloseCode) {
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
    pub async fn next(&mut self) -> Utf8Bytes {
        match self.queue.recv().await {
            Some(text) => text,
            None => std::future::pending().await,
        }
    }

    /// The next queued message, without waiting.
    #[cfg(test)]
    pub fn try_next(&mut self) -> Option<Utf8Bytes> {
        self.queue.try_recv().ok()
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
    use super::*;

    #[tokio::test]
    async fn a_full_queue_asks_the_connection_to_close_as_a_slow_consumer() {
        let (outbox, mut inbox, mut close) = outbox(1);
        assert_eq!(outbox.deliver("a".into()), Ok(()));
        assert_eq!(outbox.deliver("b".into()), Err(Undelivered::Full));
        assert_eq!(close.closed().await, CloseCode::SlowConsumer);
        outbox.close(CloseCode::GoingAway);
        assert_eq!(
            close.close_requested(),
            Some(CloseCode::SlowConsumer),
            "first reason wins"
        );
        assert_eq!(inbox.next().await.as_str(), "a");
    }
}
