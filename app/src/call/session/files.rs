//! The session's file transfers: sending a file to everyone (or one person) one block at a time,
//! paced by each file channel's send buffer, and receiving others' files into a `Blob` that is
//! offered for saving once the whole file arrived and matches its SHA-256. The bookkeeping (and
//! the frames' heads, nonces and associated data) are [`mesh::Outgoing`] and [`mesh::Incoming`];
//! the AES-GCM of the chunks runs in the browser's WebCrypto ([`WebStreamKey`]), so the chunks stay
//! JavaScript buffers and only their hash needs a copy in wasm. The offer and cancellations
//! travel on the chat channel ([`ChatWire`]), sealed under our chat stream.

use super::{Event, Task};
use crate::call::error::{JsError, resolve};
use crate::i18n::Locale;
use crypto::webcrypto::{WebCryptoError, WebStreamKey};
use js_sys::{ArrayBuffer, Uint8Array};
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{
    ChatWire, FRAME_HEAD_BYTES, FileError, FileOffer, Incoming, MAX_INCOMING, Outgoing, Received,
    SealJob,
};
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
    /// The stream's key in WebCrypto.
    key: WebStreamKey,
    /// Who still receives it.
    recipients: BTreeSet<PeerId>,
    /// A block is being read from the file or sealed.
    busy: bool,
}

/// A file we receive: its chunks so far, held by the browser (not in wasm memory).
struct Receiving {
    incoming: Incoming,
    /// The stream's key in WebCrypto, imported with the first frame.
    key: Option<WebStreamKey>,
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
    pub(super) async fn send_file(&mut self, file: File, to: Option<PeerId>) {
        let now = js_sys::Date::now();
        let transfer = self.transfers.next;
        let size = file.size() as u64;
        let outgoing = match Outgoing::new(&self.keys, transfer, &file.name(), size, now) {
            Ok(outgoing) => outgoing,
            Err(error) => {
                return self.toast(move |locale| file_error_text(locale, &error).to_owned());
            }
        };
        let Ok(key) = WebStreamKey::import(outgoing.key()).await else {
            return self.toast(|locale| td_string!(locale, file_failed).to_owned());
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
            return self.toast(|locale| td_string!(locale, file_nobody).to_owned());
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
                key,
                recipients,
                busy: false,
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
        if sending.busy {
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
                let frame = Uint8Array::from(frame.as_slice());
                for peer in &recipients {
                    self.links.get(peer).map(|link| link.files().send(&frame));
                }
            }
            return self.set_transfer_state(TransferKey::Out(transfer), TransferState::Done(None));
        };
        sending.busy = true;
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

    /// A block of `transfer` was read: hashed and counted chunk by chunk, then sealed in
    /// WebCrypto (its chunks at once) for [`Self::on_file_sealed`].
    pub(super) fn on_file_read(&mut self, transfer: u64, result: Result<Uint8Array, JsError>) {
        let Some(sending) = self.transfers.sending.get_mut(&transfer) else {
            return;
        };
        // Every chunk of the block, or nothing (a short read fails the chunk's length check).
        let outgoing = &mut sending.outgoing;
        let jobs = result.ok().and_then(|block| {
            let bytes = block.to_vec();
            let mut jobs = Vec::new();
            let mut start = 0;
            while start < bytes.len() {
                let (from, to) = outgoing.next_range()?;
                let end = usize::try_from(to - from).ok()?.saturating_add(start);
                let end = end.min(bytes.len());
                let job = outgoing.chunk_job(&bytes[start..end]).ok()?;
                jobs.push((job, block.subarray(start as u32, end as u32)));
                start = end;
            }
            Some(jobs)
        });
        let Some(jobs) = jobs else {
            return self.end_sending(transfer, TransferState::Failed);
        };
        let key = sending.key.clone();
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let sealing = jobs.iter().map(|(job, chunk)| key.seal(job.spec(), chunk));
            let result = futures_util::future::try_join_all(sealing)
                .await
                .map(|sealed| {
                    let jobs = jobs.iter().map(|(job, _)| job);
                    jobs.zip(&sealed)
                        .map(|(job, sealed)| frame(job, sealed))
                        .collect()
                });
            drop(sender.unbounded_send(Event::FileSealed { transfer, result }));
        });
    }

    /// The frames of a block of `transfer` are sealed: sent to every recipient, and on to the
    /// next block.
    pub(super) fn on_file_sealed(
        &mut self,
        transfer: u64,
        result: Result<Vec<Uint8Array>, WebCryptoError>,
    ) {
        let Some(sending) = self.transfers.sending.get_mut(&transfer) else {
            return;
        };
        sending.busy = false;
        let Ok(frames) = result else {
            return self.end_sending(transfer, TransferState::Failed);
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

    /// Our `transfer` ends before all of it went (`state`: cancelled, or the file could not be
    /// read or sealed); the recipients are told.
    fn end_sending(&mut self, transfer: u64, state: TransferState) {
        let Some(sending) = self.transfers.sending.remove(&transfer) else {
            return;
        };
        self.tell(&sending.recipients, &ChatWire::FileCancelled { transfer });
        self.set_transfer_state(TransferKey::Out(transfer), state);
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
        let receiving = Receiving {
            incoming,
            key: None,
            parts: js_sys::Array::new(),
        };
        self.transfers.receiving.insert((peer, transfer), receiving);
    }

    /// A frame on `peer`'s file channel, opened in WebCrypto.
    pub(super) async fn on_file_frame(&mut self, peer: PeerId, frame: &ArrayBuffer) {
        let head_length = frame.byte_length().min(FRAME_HEAD_BYTES as u32);
        let head = Uint8Array::new_with_byte_offset_and_length(frame, 0, head_length).to_vec();
        let key = mesh::transfer_of(&head).map(|transfer| (peer, transfer));
        let Some(receiving) = key.and_then(|key| self.transfers.receiving.get_mut(&key)) else {
            return self.count_dropped();
        };
        let (peer, transfer) = key.unwrap_or((peer, 0));
        let view = TransferKey::In(peer, transfer);
        let Ok(job) = receiving.incoming.open_job(&head) else {
            return self.count_dropped();
        };
        let cipher = match &receiving.key {
            Some(cipher) => cipher.clone(),
            None => match WebStreamKey::import(receiving.incoming.key()).await {
                Ok(cipher) => receiving.key.insert(cipher).clone(),
                Err(_) => return self.end_receiving(peer, transfer, TransferState::Failed),
            },
        };
        let sealed = Uint8Array::new_with_byte_offset(frame, head_length);
        let Ok((plaintext, proof)) = cipher.open(job.spec(), &sealed).await else {
            return self.count_dropped();
        };
        let bytes = Uint8Array::new(&plaintext).to_vec();
        match receiving.incoming.opened(job, bytes, proof) {
            Ok(Received::Chunk(_)) => {
                receiving.parts.push(&plaintext);
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
            Err(FileError::Unopenable) => self.count_dropped(),
            Err(FileError::HashMismatch) => {
                self.end_receiving(peer, transfer, TransferState::Damaged)
            }
            Err(_) => self.end_receiving(peer, transfer, TransferState::Failed),
        }
    }

    /// A file-channel frame did not open: dropped and counted.
    fn count_dropped(&mut self) {
        self.transfers.dropped += 1;
        self.show_dropped();
    }

    /// The transfer `peer` sends us as `transfer` ends unsaved (`state`); the sender is told.
    fn end_receiving(&mut self, peer: PeerId, transfer: u64, state: TransferState) {
        if self.transfers.receiving.remove(&(peer, transfer)).is_none() {
            return;
        }
        self.tell(
            &BTreeSet::from([peer]),
            &ChatWire::FileDeclined { transfer },
        );
        self.set_transfer_state(TransferKey::In(peer, transfer), state);
    }

    /// The user cancels a transfer, ours or one we receive; the other side is told.
    pub(super) fn cancel_transfer(&mut self, key: TransferKey) {
        match key {
            TransferKey::Out(transfer) => self.end_sending(transfer, TransferState::Cancelled),
            TransferKey::In(peer, transfer) => {
                self.end_receiving(peer, transfer, TransferState::Cancelled)
            }
        }
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

/// The bytes of `blob` (one block of a file).
async fn read(blob: &Blob) -> Result<Uint8Array, JsError> {
    let buffer = resolve(blob.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer))
}

/// The frame of `job`: its head, then the chunk's `ciphertext || tag`.
fn frame(job: &SealJob, sealed: &ArrayBuffer) -> Uint8Array {
    let head = job.head();
    let frame = Uint8Array::new_with_length(head.len() as u32 + sealed.byte_length());
    frame.subarray(0, head.len() as u32).copy_from(head);
    frame.set(&Uint8Array::new(sealed), head.len() as u32);
    frame
}

/// A URL to save the received `parts` from, as one file that is never opened by the page.
fn saved(parts: &js_sys::Array) -> Option<String> {
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = Blob::new_with_u8_array_sequence_and_options(parts, &options).ok()?;
    Url::create_object_url_with_blob(&blob).ok()
}

/// Why a file could not be sent.
fn file_error_text(locale: Locale, error: &FileError) -> &'static str {
    match error {
        FileError::TooLarge => td_string!(locale, file_too_large),
        FileError::Empty => td_string!(locale, file_empty),
        _ => td_string!(locale, file_failed),
    }
}
