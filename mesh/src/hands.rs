//! Raised hands, in the order they went up, as this participant saw them: each raise takes the
//! next ticket, so the queue is "first come, first asked" from where one sits.

use std::collections::BTreeMap;

use protocol::PeerId;

/// Whose hand: ours, or a peer's (by its handle in the room).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hand {
    Mine,
    Peer(PeerId),
}

/// The raised hands and the order they went up in.
#[derive(Debug, Default)]
pub struct HandQueue {
    tickets: BTreeMap<Hand, u64>,
    next: u64,
}

impl HandQueue {
    /// Raises `hand` (already raised: it keeps its place). `true` if it went up now.
    pub fn raise(&mut self, hand: Hand) -> bool {
        if self.tickets.contains_key(&hand) {
            return false;
        }
        self.next += 1;
        self.tickets.insert(hand, self.next);
        true
    }

    pub fn lower(&mut self, hand: Hand) {
        self.tickets.remove(&hand);
    }

    /// Where `hand` is in the queue (1 for the first up), if raised.
    pub fn position(&self, hand: Hand) -> Option<usize> {
        let ticket = self.tickets.get(&hand)?;
        Some(
            self.tickets
                .values()
                .filter(|other| *other <= ticket)
                .count(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_keep_the_order_they_went_up_in() {
        let mut queue = HandQueue::default();
        assert!(queue.raise(Hand::Peer(PeerId(9))));
        assert!(queue.raise(Hand::Mine));
        assert!(queue.raise(Hand::Peer(PeerId(2))));
        assert!(
            !queue.raise(Hand::Peer(PeerId(9))),
            "already up: keeps its place"
        );
        assert_eq!(queue.position(Hand::Peer(PeerId(9))), Some(1));
        assert_eq!(queue.position(Hand::Mine), Some(2));
        assert_eq!(queue.position(Hand::Peer(PeerId(2))), Some(3));
        queue.lower(Hand::Peer(PeerId(9)));
        assert_eq!(queue.position(Hand::Peer(PeerId(9))), None);
        assert_eq!(queue.position(Hand::Mine), Some(1));
        assert!(queue.raise(Hand::Peer(PeerId(9))), "up again: at the end");
        assert_eq!(queue.position(Hand::Peer(PeerId(9))), Some(3));
    }
}
