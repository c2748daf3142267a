//! Bytes held in send queues: per connection, and in total over all connections.
//!
//! A message is accounted when it is queued, by a [`Reservation`] that travels with it through the
//! queue and gives its bytes back when dropped: once the message was handed to the socket, or when
//! the queue is dropped with it. Each message counts its length plus [`MESSAGE_OVERHEAD`], so that
//! a flood of tiny messages is bounded as well.
//!
//! A queue whose connection is told to close ([`QueueBytes::close`]) sends nothing more: its bytes
//! go back to the server's budget at once (its task frees the memory moments later), so that the
//! messages announcing its departure to the others still fit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Bytes accounted per queued message beyond its text: the queue's own bookkeeping.
pub const MESSAGE_OVERHEAD: usize = 64;

/// The bytes all send queues together may hold.
#[derive(Debug)]
pub struct SendBudget {
    max: usize,
    held: AtomicUsize,
}

impl SendBudget {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            held: AtomicUsize::new(0),
        })
    }

    /// Bytes queued right now, over all connections.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }
}

/// One connection's share: the bytes its queue holds, at most `max` (but always one message, so
/// that a message larger than `max` can still be sent to an idle client).
#[derive(Debug)]
pub struct QueueBytes {
    max: usize,
    state: Mutex<QueueState>,
    budget: Arc<SendBudget>,
}

/// Under the queue's lock, so that the budget always holds exactly the bytes of open queues.
#[derive(Debug, Default)]
struct QueueState {
    held: usize,
    /// Told to close: takes nothing more, and its bytes no longer count against the budget.
    closed: bool,
}

/// Bytes taken from a queue's share and from the budget, given back on drop.
#[derive(Debug)]
pub struct Reservation {
    queue: Arc<QueueBytes>,
    bytes: usize,
}

/// Which bound a message would have broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    #[error("the connection's send queue holds its maximum of bytes, or is closing")]
    Queue,
    #[error("all send queues together hold the server's maximum of bytes")]
    Server,
}

impl QueueBytes {
    pub fn new(max: usize, budget: &Arc<SendBudget>) -> Arc<Self> {
        Arc::new(Self {
            max,
            state: Mutex::new(QueueState::default()),
            budget: Arc::clone(budget),
        })
    }

    /// Takes room for a message of `len` bytes, or says which bound it would break.
    pub fn reserve(self: &Arc<Self>, len: usize) -> Result<Reservation, OverBudget> {
        let bytes = len.saturating_add(MESSAGE_OVERHEAD);
        let mut state = self.lock();
        let total = state
            .held
            .checked_add(bytes)
            .filter(|total| !state.closed && (state.held == 0 || *total <= self.max))
            .ok_or(OverBudget::Queue)?;
        let budget = &self.budget;
        budget
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(bytes).filter(|total| *total <= budget.max)
            })
            .map_err(|_| OverBudget::Server)?;
        state.held = total;
        Ok(Reservation {
            queue: Arc::clone(self),
            bytes,
        })
    }

    /// Stops taking messages and gives this queue's bytes back to the budget.
    pub fn close(&self) {
        let mut state = self.lock();
        if !state.closed {
            state.closed = true;
            self.budget.held.fetch_sub(state.held, Ordering::AcqRel);
        }
    }

    /// Bytes this queue holds right now.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.lock().held
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Every operation leaves the state consistent, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        state.held = state.held.saturating_sub(self.bytes);
        if !state.closed {
            self.queue
                .budget
                .held
                .fetch_sub(self.bytes, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_holds_up_to_its_maximum_and_always_one_message() {
        let budget = SendBudget::new(1 << 20);
        let queue = QueueBytes::new(200, &budget);
        let big = queue.reserve(1000).expect("one message always fits");
        assert_eq!(queue.reserve(1).err(), Some(OverBudget::Queue));
        drop(big);
        let first = queue.reserve(100 - MESSAGE_OVERHEAD).expect("first");
        let second = queue.reserve(100 - MESSAGE_OVERHEAD).expect("exactly full");
        assert_eq!(queue.held(), 200);
        assert_eq!(queue.reserve(0).err(), Some(OverBudget::Queue));
        drop((first, second));
        assert_eq!((queue.held(), budget.held()), (0, 0), "all given back");
    }

    #[test]
    fn the_budget_is_shared_by_all_queues() {
        let budget = SendBudget::new(300);
        let a = QueueBytes::new(1000, &budget);
        let b = QueueBytes::new(1000, &budget);
        let held_by_a = a.reserve(200 - MESSAGE_OVERHEAD).expect("a");
        let _held_by_b = b.reserve(100 - MESSAGE_OVERHEAD).expect("b");
        assert_eq!(b.reserve(0).err(), Some(OverBudget::Server));
        assert_eq!(b.held(), 100, "the refused message took nothing");
        assert_eq!(budget.held(), 300);
        drop(held_by_a);
        assert!(b.reserve(100).is_ok());
    }

    #[test]
    fn a_closed_queue_gives_its_bytes_back_at_once_and_takes_no_more() {
        let budget = SendBudget::new(1000);
        let queue = QueueBytes::new(1000, &budget);
        let held = queue.reserve(100).expect("fits");
        queue.close();
        assert_eq!(budget.held(), 0, "given back before the message is dropped");
        assert_eq!(queue.reserve(1).err(), Some(OverBudget::Queue));
        drop(held);
        assert_eq!(
            (queue.held(), budget.held()),
            (0, 0),
            "not given back twice"
        );
        queue.close();
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn an_empty_queue_still_answers_to_the_budget() {
        let budget = SendBudget::new(100);
        let queue = QueueBytes::new(10, &budget);
        assert_eq!(queue.reserve(1000).err(), Some(OverBudget::Server));
        assert_eq!((queue.held(), budget.held()), (0, 0));
    }
}
