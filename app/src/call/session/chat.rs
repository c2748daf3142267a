//! The session's chat: composing and broadcasting sealed messages (queued, bounded, for a peer
//! whose channel is still opening, and marked "not delivered" for whoever cannot get them),
//! opening what arrives, clearing, and the lines the panel shows. The history itself is
//! [`mesh::Chat`].

use super::Task;
use crate::i18n::person;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{Author, ChatError, ChatEvent};
use protocol::PeerId;

/// Chat messages kept per peer while its channel is still opening.
const MAX_PENDING_CHAT: usize = 100;

/// One line of the chat, as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    pub id: u64,
    /// The sender's name as given (maybe empty): put into words when shown.
    pub name: String,
    pub mine: bool,
    pub text: String,
    /// Local time, "14:05".
    pub time: String,
    /// The people our message could not be delivered to, their names as given.
    pub not_delivered_to: Vec<String>,
}

impl Task {
    /// Empties this browser's chat; `for_everyone` also asks every other browser to.
    pub(super) fn clear_chat(&mut self, for_everyone: bool) {
        if for_everyone {
            let frame = self.chat.clear_for_everyone();
            self.broadcast_chat(None, &frame);
        } else {
            self.chat.clear();
        }
        self.show_chat();
    }

    /// `peer`'s chat channel opened: what waited for it goes now.
    pub(super) fn on_chat_open(&mut self, peer: PeerId) {
        let pending = self.chat_pending.remove(&peer).unwrap_or_default();
        let Some(link) = self.links.get(&peer) else {
            return;
        };
        let failed: Vec<u64> = pending
            .into_iter()
            .filter(|(_, frame)| !link.chat().send(frame))
            .map(|(id, _)| id)
            .collect();
        let name = self.participant_name(peer);
        failed
            .into_iter()
            .for_each(|id| self.chat.mark_not_delivered(id, &name));
        self.show_chat();
    }

    /// A sealed frame on `peer`'s chat channel: a message, a request to clear, or a file's offer
    /// or cancellation. What does not open is dropped (and counted by the room).
    pub(super) fn on_chat_frame(&mut self, peer: PeerId, sealed: &[u8]) {
        let Some(frame) = self.room.open_chat(peer, sealed) else {
            return;
        };
        let name = self.participant_name(peer);
        let now = js_sys::Date::now();
        match self.chat.receive(peer, &name, &frame, now) {
            Some(ChatEvent::ClearedBy(by)) => {
                self.toast(move |locale| {
                    td_string!(locale, chat_cleared_by, name = person(locale, &by))
                });
            }
            Some(ChatEvent::File(wire)) => return self.on_file_message(peer, wire),
            Some(ChatEvent::Message(_)) | None => {}
        }
        self.show_chat();
    }

    /// Sends a chat message to every participant: at once where the channel is open, once it
    /// opens where it is still connecting.
    pub(super) fn send_chat(&mut self, text: &str) {
        let now = js_sys::Date::now();
        match self.chat.compose(&self.my_name, text, now) {
            Ok((id, frame)) => self.broadcast_chat(Some(id), &frame),
            Err(ChatError::TooLong) => {
                self.toast(|locale| td_string!(locale, chat_too_long).to_owned())
            }
            Err(ChatError::Empty) => {}
        }
        self.show_chat();
    }

    /// Seals `frame` under our chat stream and sends it to every participant; message `id` (if
    /// any) is marked not delivered for whoever cannot get it (everyone, if it cannot be sealed).
    pub(super) fn broadcast_chat(&mut self, id: Option<u64>, frame: &[u8]) {
        let sealed = self.room.seal_chat(frame);
        for participant in self.room.participants() {
            let peer = participant.peer;
            let channel = self.links.get(&peer).map(|link| link.chat());
            let Some(frame) = sealed.as_deref() else {
                if let Some(id) = id {
                    self.chat.mark_not_delivered(id, &participant.name);
                }
                continue;
            };
            if channel.is_some_and(|channel| channel.send(frame)) {
                continue;
            }
            let connecting = channel.is_some_and(|channel| !channel.is_open());
            let queue = self.chat_pending.entry(peer).or_default();
            match id {
                Some(id) if connecting && queue.len() < MAX_PENDING_CHAT => {
                    queue.push((id, frame.to_owned()));
                }
                Some(id) => self.chat.mark_not_delivered(id, &participant.name),
                None => {}
            }
        }
    }

    /// `peer`'s channel closed, or it left: what waited for it was not delivered.
    pub(super) fn chat_not_delivered(&mut self, peer: PeerId) {
        let pending = self.chat_pending.remove(&peer).unwrap_or_default();
        if pending.is_empty() {
            return;
        }
        let name = self.participant_name(peer);
        for (id, _) in pending {
            self.chat.mark_not_delivered(id, &name);
        }
        self.show_chat();
    }

    /// `peer`'s name as they gave it (empty if none): put into words only when shown.
    pub(super) fn participant_name(&self, peer: PeerId) -> String {
        self.room
            .participants()
            .into_iter()
            .find(|participant| participant.peer == peer)
            .map(|participant| participant.name)
            .unwrap_or_default()
    }

    /// Copies the chat into the UI's signals.
    pub(super) fn show_chat(&self) {
        let lines = self
            .chat
            .entries()
            .map(|entry| ChatLine {
                id: entry.id,
                name: entry.name.clone(),
                mine: entry.author == Author::Me,
                text: entry.text.clone(),
                time: local_time(entry.at_millis),
                not_delivered_to: entry.not_delivered_to.clone(),
            })
            .collect();
        self.state.chat.set(lines);
        self.state.chat_unread.set(self.chat.unread());
    }
}

/// `at_millis` (since the Unix epoch) as the local time of day, "14:05".
fn local_time(at_millis: f64) -> String {
    let date = js_sys::Date::new(&at_millis.into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
