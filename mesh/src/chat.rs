//! The chat of one meeting, in memory only: what this browser shows, and what travels on each
//! peer's chat data channel (inside the DTLS connection whose safety number the people compare).
//!
//! A message shows its sender's name as the handshake verified it, never a name the message
//! claims. Leaving or reloading forgets everything. "Clear chat" empties this browser's history;
//! "Clear for everyone" empties it and asks every other browser to do the same (each shows who
//! asked). History and message length are bounded, so a flood costs a fixed amount of memory.

use crate::files::FileOffer;
use protocol::PeerId;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use thiserror::Error;

/// Messages kept; older ones are forgotten first.
pub const MAX_CHAT_MESSAGES: usize = 500;
/// Longest message, in characters.
pub const MAX_CHAT_CHARS: usize = 4_000;

/// What one browser sends another on the chat channel (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ChatWire {
    Message {
        text: String,
    },
    ClearForEveryone,
    /// The sender offers a file (its chunks follow on the file channel).
    FileOffer(FileOffer),
    /// The sender stopped sending its transfer `transfer`.
    FileCancelled {
        transfer: u64,
    },
    /// The receiver declined (or cancelled) the sender's transfer `transfer`.
    FileDeclined {
        transfer: u64,
    },
}

/// Why a message was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ChatError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is longer than {MAX_CHAT_CHARS} characters")]
    TooLong,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Me,
    Peer(PeerId),
}

/// One line of the chat as this browser shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEntry {
    /// Unique in this chat, increasing.
    pub id: u64,
    pub author: Author,
    pub name: String,
    pub text: String,
    /// When it was sent or received, in milliseconds since the Unix epoch.
    pub at_millis: f64,
    /// For our own messages: the people it could not be delivered to.
    pub not_delivered_to: Vec<String>,
}

/// What a received chat frame did.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// A message was added (its id).
    Message(u64),
    /// `name` cleared the chat for everyone: it is empty now.
    ClearedBy(String),
    /// Something about a file transfer, for the transfers' bookkeeping.
    File(ChatWire),
}

/// The chat history and its unread count.
#[derive(Debug, Default)]
pub struct Chat {
    entries: VecDeque<ChatEntry>,
    next_id: u64,
    unread: usize,
    open: bool,
}

impl Chat {
    /// Adds our own message and returns its id and the frame to send to every peer.
    pub fn compose(
        &mut self,
        my_name: &str,
        text: &str,
        at_millis: f64,
    ) -> Result<(u64, Vec<u8>), ChatError> {
        let text = check(text)?;
        let frame = encode(&ChatWire::Message {
            text: text.to_owned(),
        });
        let id = self.push(Author::Me, my_name, text, at_millis);
        Ok((id, frame))
    }

    /// Handles a frame from `peer`, whose verified name is `name`. A frame that is not valid chat
    /// (malformed, empty, too long) is ignored: `None`.
    pub fn receive(
        &mut self,
        peer: PeerId,
        name: &str,
        frame: &[u8],
        at_millis: f64,
    ) -> Option<ChatEvent> {
        match serde_json::from_slice::<ChatWire>(frame).ok()? {
            ChatWire::Message { text } => {
                let text = check(&text).ok()?.to_owned();
                let id = self.push(Author::Peer(peer), name, &text, at_millis);
                if !self.open {
                    self.unread += 1;
                }
                Some(ChatEvent::Message(id))
            }
            ChatWire::ClearForEveryone => {
                self.clear();
                Some(ChatEvent::ClearedBy(name.to_owned()))
            }
            file => Some(ChatEvent::File(file)),
        }
    }

    /// Our message `id` could not be delivered to `name` (its channel closed before it opened).
    pub fn mark_not_delivered(&mut self, id: u64, name: &str) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.id == id)
            && !entry.not_delivered_to.iter().any(|known| known == name)
        {
            entry.not_delivered_to.push(name.to_owned());
        }
    }

    /// Empties this browser's history.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.unread = 0;
    }

    /// Empties this browser's history and returns the frame that asks every peer to do the same.
    pub fn clear_for_everyone(&mut self) -> Vec<u8> {
        self.clear();
        encode(&ChatWire::ClearForEveryone)
    }

    /// The panel was opened (everything is read) or closed.
    pub fn set_open(&mut self, open: bool) {
        self.open = open;
        if open {
            self.unread = 0;
        }
    }

    pub fn unread(&self) -> usize {
        self.unread
    }

    pub fn entries(&self) -> impl Iterator<Item = &ChatEntry> {
        self.entries.iter()
    }

    fn push(&mut self, author: Author, name: &str, text: &str, at_millis: f64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if self.entries.len() == MAX_CHAT_MESSAGES {
            self.entries.pop_front();
        }
        self.entries.push_back(ChatEntry {
            id,
            author,
            name: name.to_owned(),
            text: text.to_owned(),
            at_millis,
            not_delivered_to: Vec::new(),
        });
        id
    }
}

/// The text without surrounding whitespace, if it may be sent.
fn check(text: &str) -> Result<&str, ChatError> {
    let text = text.trim();
    if text.is_empty() {
        Err(ChatError::Empty)
    } else if text.chars().count() > MAX_CHAT_CHARS {
        Err(ChatError::TooLong)
    } else {
        Ok(text)
    }
}

/// The frame for `wire`.
pub fn encode(wire: &ChatWire) -> Vec<u8> {
    // Serialising strings, numbers and byte arrays cannot fail.
    serde_json::to_vec(wire).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: PeerId = PeerId(7);

    #[test]
    fn a_message_travels_and_shows_the_verified_name_not_a_claimed_one() {
        let mut ada = Chat::default();
        let mut grace = Chat::default();
        let (_, frame) = ada
            .compose("Ada", "  see https://example.org  ", 1.0)
            .expect("a message");
        let event = grace.receive(GRACE, "Ada (verified)", &frame, 2.0);
        let shown: Vec<_> = grace.entries().collect();
        assert_eq!(event, Some(ChatEvent::Message(shown[0].id)));
        assert_eq!(shown[0].name, "Ada (verified)");
        assert_eq!(shown[0].text, "see https://example.org");
        assert_eq!(shown[0].author, Author::Peer(GRACE));
        assert_eq!(grace.unread(), 1);
        grace.set_open(true);
        assert_eq!(grace.unread(), 0);
        assert_eq!(ada.entries().next().map(|e| e.author), Some(Author::Me));
    }

    #[test]
    fn empty_too_long_and_malformed_messages_are_refused() {
        let mut chat = Chat::default();
        assert_eq!(chat.compose("Ada", "   ", 0.0), Err(ChatError::Empty));
        let long = "x".repeat(MAX_CHAT_CHARS + 1);
        assert_eq!(chat.compose("Ada", &long, 0.0), Err(ChatError::TooLong));
        let frame = encode(&ChatWire::Message { text: long });
        assert_eq!(chat.receive(GRACE, "Grace", &frame, 0.0), None);
        assert_eq!(chat.receive(GRACE, "Grace", b"{not json", 0.0), None);
        assert_eq!(chat.entries().count(), 0);
    }

    #[test]
    fn the_history_is_bounded_and_clearing_for_everyone_empties_both_sides() {
        let mut ada = Chat::default();
        let mut grace = Chat::default();
        for n in 0..MAX_CHAT_MESSAGES + 10 {
            let (_, frame) = ada.compose("Ada", &n.to_string(), 0.0).expect("a message");
            grace.receive(GRACE, "Ada", &frame, 0.0);
        }
        assert_eq!(grace.entries().count(), MAX_CHAT_MESSAGES);
        assert_eq!(grace.entries().next().map(|e| e.text.as_str()), Some("10"));
        let frame = ada.clear_for_everyone();
        assert_eq!(ada.entries().count(), 0);
        assert_eq!(
            grace.receive(GRACE, "Ada", &frame, 0.0),
            Some(ChatEvent::ClearedBy("Ada".to_owned()))
        );
        assert_eq!(grace.entries().count(), 0);
        assert_eq!(grace.unread(), 0);
    }

    #[test]
    fn undelivered_messages_name_each_person_once() {
        let mut chat = Chat::default();
        let (id, _) = chat.compose("Ada", "hello", 0.0).expect("a message");
        chat.mark_not_delivered(id, "Grace");
        chat.mark_not_delivered(id, "Grace");
        let entry = chat.entries().next().expect("the message");
        assert_eq!(entry.not_delivered_to, ["Grace"]);
    }

    #[test]
    fn file_messages_pass_to_the_transfers_and_stay_out_of_the_history() {
        let mut chat = Chat::default();
        let offer = FileOffer {
            transfer: 3,
            name: "notes.txt".into(),
            size: 22,
            stream: [9; 16],
        };
        for wire in [
            ChatWire::FileOffer(offer),
            ChatWire::FileCancelled { transfer: 3 },
            ChatWire::FileDeclined { transfer: 3 },
        ] {
            let frame = encode(&wire);
            assert_eq!(
                chat.receive(GRACE, "Grace", &frame, 0.0),
                Some(ChatEvent::File(wire))
            );
        }
        assert_eq!(chat.entries().count(), 0);
        assert_eq!(chat.unread(), 0);
    }
}
