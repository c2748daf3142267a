//! The session's file transfers: sending a file to everyone (or one person) one chunk at a time,
//! paced by each file channel's send buffer, and receiving others' files into a `Blob` that is
//! offered for saving once the whole file arrived and matches its SHA-256. The bookkeeping and the
//! sealing are [`mesh::Outgoing`] and [`mesh::Incoming`]; the offer and cancellations travel on
//! the chat channel ([`ChatWire`]), sealed under our chat stream.

use super::{Event, Task};
use crate::call::error::{JsError, resolve};
use crate::i18n::Texts;
use leptos::prelude::*;
use mesh::{ChatWire, FileError, FileOffer, Incoming, MAX_INCOMING, Outgoing, Received};
use protocol::PeerId;
use std::collections::{BTreeMap, BTreeSet};
use web_sys::{Blob, BlobPropertyBag, File, Url};

/// Chunks read from the file at once (1 MiB): one read per chunk would make the reads' latency,
/// not sealing or the network, set the pace.
const CHUNKS_PER_READ: u64 = 16;

/// One transfer, as the UI lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TransferKey {
    /// Ours, by our number.
    Out(u64),
    /// From `PeerId`, by their number.
    In(PeerId, u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransferState {
    Active,
    /// Sent to everyone still receiving, or received whole: `Some(url)` to save it from.
    Done(Option<String>),
    Cancelled,
    /// The file did not match its SHA-256: nothing is offered for saving.
    Damaged,
    /// The connection closed, or the file could not be read.
    Failed,
}

/// What the files panel shows for one transfer.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferView {
    pub key: TransferKey,
    pub name: String,
    pub size: u64,
    /// The sender's name as given (maybe empty) for a file we receive; `None` for ours.
    pub from: Option<String>,
    pub percent: u8,
    pub bytes_per_second: f64,
    pub state: TransferState,
}

/// A file we send.
struct Sending {
    file: File,
    outgoing: Outgoing,
    /// Who still receives it.
    recipients: BTreeSet<PeerId>,
    /// A chunk is being read from the file.
    reading: bool,
}

/// A file we receive: its chunks so far, held by the browser (not in wasm memory).
struct Receiving {
    incoming: Incoming,
    parts: js_sys::Array,
}

/// Every transfer of the session.
#[derive(Default)]
pub struct Transfers {
    next: u64,
    sending: BTreeMap<u64, Sending>,
    receiving: BTreeMap<(PeerId, u64), Receiving>,
    /// Object URLs of received files, revoked when the session ends.
    urls: Vec<String>,
    /// File-channel frames that did not open.
    pub dropped: u64,
}

impl Task {
    /// Offers `file` to `to` (everyone if `None`) and starts sending; a file over the limit is
    /// refused here, before anything is sent.
    pub(super) fn send_file(&mut self, file: File, to: Option<PeerId>) {
        let now = js_sys::Date::now();
        let transfer = self.transfers.next;
        let size = file.size() as u64;
        let outgoing = match Outgoing::new(&self.keys, transfer, &file.name(), size, now) {
            Ok(outgoing) => outgoing,
            Err(error) => {
                return self.toast(move |texts| file_error_text(texts, &error).to_owned());
            }
        };
        let recipients: BTreeSet<PeerId> = self
            .links
            .iter()
            .filter(|(peer, link)| {
                to.is_none_or(|to| to == **peer) && link.chat().is_open() && link.files().is_open()
            })
            .map(|(peer, _)| *peer)
            .collect();
        if recipients.is_empty() {
            return self.toast(|texts| texts.file_nobody.to_owned());
        }
        self.transfers.next += 1;
        self.tell(&recipients, &ChatWire::FileOffer(outgoing.offer().clone()));
        self.show_transfer(TransferView {
            key: TransferKey::Out(transfer),
            name: outgoing.offer().name.clone(),
            size,
            from: None,
            percent: 0,
            bytes_per_second: 0.0,
            state: TransferState::Active,
        });
        self.transfers.sending.insert(
            transfer,
            Sending {
                file,
                outgoing,
                recipients,
                reading: false,
            },
        );
        self.pump(transfer);
    }

    /// Reads the next chunk of `transfer` if every recipient's send buffer has room, or sends
    /// the end once the whole file went.
    pub(super) fn pump(&mut self, transfer: u64) {
        let links = &self.links;
        let Some(sending) = self.transfers.sending.get_mut(&transfer) else {
            return;
        };
        sending
            .recipients
            .retain(|peer| links.get(peer).is_some_and(|link| link.files().is_open()));
        if sending.reading {
            return;
        }
        if sending.recipients.is_empty() {
            self.transfers.sending.remove(&transfer);
            return self.set_transfer_state(TransferKey::Out(transfer), TransferState::Failed);
        }
        let room = sending
            .recipients
            .iter()
            .all(|peer| links.get(peer).is_some_and(|link| link.files().has_room()));
        if !room {
            // `PeerEvent::FileRoom` pumps again.
            return;
        }
        let Some((start, end)) = sending.outgoing.next_block(CHUNKS_PER_READ) else {
            let end = sending.outgoing.seal_end();
            let recipients = std::mem::take(&mut sending.recipients);
            self.transfers.sending.remove(&transfer);
            if let Ok(frame) = end {
                for peer in &recipients {
                    self.links.get(peer).map(|link| link.files().send(&frame));
                }
            }
            return self.set_transfer_state(TransferKey::Out(transfer), TransferState::Done(None));
        };
        sending.reading = true;
        let slice = sending
            .file
            .slice_with_f64_and_f64(start as f64, end as f64);
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let result = match slice {
                Ok(blob) => read(&blob).await,
                Err(error) => Err(JsError::from(error)),
            };
            drop(sender.unbounded_send(Event::FileRead { transfer, result }));
        });
    }

    /// A block of `transfer` was read: sealed chunk by chunk, once, and sent to every recipient.
    pub(super) fn on_file_read(&mut self, transfer: u64, result: Result<Vec<u8>, JsError>) {
        let Some(sending) = self.transfers.sending.get_mut(&transfer) else {
            return;
        };
        sending.reading = false;
        // Every chunk of the block, or nothing (a short read fails the chunk's length check).
        let outgoing = &mut sending.outgoing;
        let frames = result.ok().and_then(|block| {
            let mut frames = Vec::new();
            let mut rest = block.as_slice();
            while !rest.is_empty() {
                let (start, end) = outgoing.next_range()?;
                let length = usize::try_from(end - start).ok()?.min(rest.len());
                let (chunk, after) = rest.split_at(length);
                frames.push(outgoing.seal_chunk(chunk).ok()?);
                rest = after;
            }
            Some(frames)
        });
        let Some(frames) = frames else {
            let recipients = std::mem::take(&mut sending.recipients);
            self.transfers.sending.remove(&transfer);
            self.tell(&recipients, &ChatWire::FileCancelled { transfer });
            return self.set_transfer_state(TransferKey::Out(transfer), TransferState::Failed);
        };
        for peer in &sending.recipients {
            if let Some(link) = self.links.get(peer) {
                for frame in &frames {
                    link.files().send(frame);
                }
            }
        }
        let progress = sending.outgoing.progress(js_sys::Date::now());
        self.show_progress(TransferKey::Out(transfer), progress);
        self.pump(transfer);
    }

    /// `peer`'s file channel has room again.
    pub(super) fn on_file_room(&mut self, peer: PeerId) {
        let waiting: Vec<u64> = self
            .transfers
            .sending
            .iter()
            .filter(|(_, sending)| sending.recipients.contains(&peer))
            .map(|(transfer, _)| *transfer)
            .collect();
        for transfer in waiting {
            self.pump(transfer);
        }
    }

    /// An offer, cancellation or refusal from `peer` (on its chat stream).
    pub(super) fn on_file_message(&mut self, peer: PeerId, wire: ChatWire) {
        match wire {
            ChatWire::FileOffer(offer) => self.on_offer(peer, offer),
            ChatWire::FileCancelled { transfer } => {
                if self.transfers.receiving.remove(&(peer, transfer)).is_some() {
                    let key = TransferKey::In(peer, transfer);
                    self.set_transfer_state(key, TransferState::Cancelled);
                }
            }
            ChatWire::FileDeclined { transfer } => {
                if let Some(sending) = self.transfers.sending.get_mut(&transfer) {
                    sending.recipients.remove(&peer);
                    if sending.recipients.is_empty() {
                        self.transfers.sending.remove(&transfer);
                        let key = TransferKey::Out(transfer);
                        self.set_transfer_state(key, TransferState::Cancelled);
                    }
                }
            }
            ChatWire::Message { .. } | ChatWire::ClearForEveryone => {}
        }
    }

    fn on_offer(&mut self, peer: PeerId, offer: FileOffer) {
        let transfer = offer.transfer;
        let busy = self.transfers.receiving.len() >= MAX_INCOMING
            || self.transfers.receiving.contains_key(&(peer, transfer));
        let accepted = if busy {
            None
        } else {
            Incoming::accept(&self.keys, peer, offer, js_sys::Date::now()).ok()
        };
        let Some(incoming) = accepted else {
            return self.tell(
                &BTreeSet::from([peer]),
                &ChatWire::FileDeclined { transfer },
            );
        };
        self.show_transfer(TransferView {
            key: TransferKey::In(peer, transfer),
            name: incoming.offer().name.clone(),
            size: incoming.offer().size,
            from: Some(self.participant_name(peer)),
            percent: 0,
            bytes_per_second: 0.0,
            state: TransferState::Active,
        });
        let parts = js_sys::Array::new();
        self.transfers
            .receiving
            .insert((peer, transfer), Receiving { incoming, parts });
    }

    /// A frame on `peer`'s file channel.
    pub(super) fn on_file_frame(&mut self, peer: PeerId, frame: &[u8]) {
        let key = mesh::transfer_of(frame).map(|transfer| (peer, transfer));
        let Some(receiving) = key.and_then(|key| self.transfers.receiving.get_mut(&key)) else {
            self.transfers.dropped += 1;
            return self.show_dropped();
        };
        let (peer, transfer) = key.unwrap_or((peer, 0));
        let view = TransferKey::In(peer, transfer);
        match receiving.incoming.receive(frame) {
            Ok(Received::Chunk(chunk)) => {
                receiving
                    .parts
                    .push(&js_sys::Uint8Array::from(chunk.as_slice()));
                let progress = receiving.incoming.progress(js_sys::Date::now());
                self.show_progress(view, progress);
            }
            Ok(Received::Complete) => {
                let done = self.transfers.receiving.remove(&(peer, transfer));
                let url = done.and_then(|done| saved(&done.parts));
                let state = match url {
                    Some(url) => {
                        self.transfers.urls.push(url.clone());
                        TransferState::Done(Some(url))
                    }
                    None => TransferState::Failed,
                };
                self.set_transfer_state(view, state);
            }
            Err(FileError::Unopenable) => {
                self.transfers.dropped += 1;
                self.show_dropped();
            }
            Err(error) => {
                self.transfers.receiving.remove(&(peer, transfer));
                self.tell(
                    &BTreeSet::from([peer]),
                    &ChatWire::FileDeclined { transfer },
                );
                let state = if error == FileError::HashMismatch {
                    TransferState::Damaged
                } else {
                    TransferState::Failed
                };
                self.set_transfer_state(view, state);
            }
        }
    }

    /// The user cancels a transfer, ours or one we receive; the other side is told.
    pub(super) fn cancel_transfer(&mut self, key: TransferKey) {
        match key {
            TransferKey::Out(transfer) => {
                let Some(sending) = self.transfers.sending.remove(&transfer) else {
                    return;
                };
                self.tell(&sending.recipients, &ChatWire::FileCancelled { transfer });
            }
            TransferKey::In(peer, transfer) => {
                if self.transfers.receiving.remove(&(peer, transfer)).is_none() {
                    return;
                }
                self.tell(
                    &BTreeSet::from([peer]),
                    &ChatWire::FileDeclined { transfer },
                );
            }
        }
        self.set_transfer_state(key, TransferState::Cancelled);
    }

    /// `peer`'s connection is gone: what it sent us is incomplete, and it receives nothing more.
    pub(super) fn files_lost(&mut self, peer: PeerId) {
        let broken: Vec<u64> = self
            .transfers
            .receiving
            .keys()
            .filter(|(from, _)| *from == peer)
            .map(|(_, transfer)| *transfer)
            .collect();
        for transfer in broken {
            self.transfers.receiving.remove(&(peer, transfer));
            self.set_transfer_state(TransferKey::In(peer, transfer), TransferState::Failed);
        }
        let sending: Vec<u64> = self.transfers.sending.keys().copied().collect();
        for transfer in sending {
            if let Some(sending) = self.transfers.sending.get_mut(&transfer) {
                sending.recipients.remove(&peer);
            }
            self.pump(transfer);
        }
    }

    /// Forgets every transfer and frees the received files.
    pub(super) fn end_transfers(&mut self) {
        self.transfers.sending.clear();
        self.transfers.receiving.clear();
        for url in self.transfers.urls.drain(..) {
            let _ = Url::revoke_object_url(&url);
        }
        self.state.transfers.set(Vec::new());
    }

    /// Sends `wire` on the chat channel of each of `peers`, sealed under our chat stream.
    fn tell(&mut self, peers: &BTreeSet<PeerId>, wire: &ChatWire) {
        let Some(sealed) = self.room.seal_chat(&mesh::encode_chat(wire)) else {
            return;
        };
        for peer in peers {
            self.links.get(peer).map(|link| link.chat().send(&sealed));
        }
    }

    fn show_transfer(&self, view: TransferView) {
        self.state.transfers.update(|views| views.push(view));
    }

    fn show_progress(&self, key: TransferKey, progress: mesh::Progress) {
        let percent = progress.percent();
        // One update per whole percent: a 200 MB file does not redraw the panel 12,800 times.
        let changed = self.state.transfers.with_untracked(|views| {
            views
                .iter()
                .any(|view| view.key == key && view.percent != percent)
        });
        if changed {
            self.state.transfers.update(|views| {
                if let Some(view) = views.iter_mut().find(|view| view.key == key) {
                    view.percent = percent;
                    view.bytes_per_second = progress.bytes_per_second;
                }
            });
        }
    }

    fn set_transfer_state(&self, key: TransferKey, state: TransferState) {
        self.state.transfers.update(|views| {
            if let Some(view) = views.iter_mut().find(|view| view.key == key) {
                if matches!(state, TransferState::Done(_)) {
                    view.percent = 100;
                }
                view.state = state;
            }
        });
    }
}

/// The bytes of `blob` (one chunk of a file).
async fn read(blob: &Blob) -> Result<Vec<u8>, JsError> {
    let buffer = resolve(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A URL to save the received `parts` from, as one file that is never opened by the page.
fn saved(parts: &js_sys::Array) -> Option<String> {
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = Blob::new_with_u8_array_sequence_and_options(parts, &options).ok()?;
    Url::create_object_url_with_blob(&blob).ok()
}

/// Why a file could not be sent.
fn file_error_text(texts: &Texts, error: &FileError) -> &'static str {
    match error {
        FileError::TooLarge => texts.file_too_large,
        FileError::Empty => texts.file_empty,
        _ => texts.file_failed,
    }
}
