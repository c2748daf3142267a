//! Sealed signalling messages between two peers, relayed by the untrusted server.
//!
//! Wire format (version 1), all integers big-endian:
//!
//! ```text
//! version(1) = 1 || kind(1) || seq(8) || nonce(12, random) || AES-256-GCM ciphertext || tag(16)
//! ```
//!
//! The associated data binds everything the server could tamper with:
//!
//! ```text
//! SIGNAL_AAD_LABEL || version(1) || room id (64 ASCII hex digits) || sender PeerId(8)
//!   || recipient PeerId(8) || kind(1) || seq(8)
//! ```
//!
//! so a message cannot be redirected to another peer or room, reflected back to its sender, or have
//! its kind or sequence number changed. Each channel numbers what it sends from 1, strictly
//! increasing; the receiver accepts from each sender only sequence numbers above the last one it
//! authenticated (messages on one WebSocket arrive in order), so replays and reordering are
//! rejected. Replay state only advances after authentication, so unauthenticated input cannot
//! change it. Nonces are random (96 bits): signalling is low-volume, far below the 2^32 messages per
//! key where random nonces would start to risk a collision.

use std::collections::BTreeMap;
use std::fmt;

use protocol::{PeerId, RoomId};
use thiserror::Error;

use crate::aead::{Cipher, NONCE_LEN, Nonce, TAG_LEN};
use crate::keys::SignalKey;
use crate::random::RngError;

/// Format version of sealed signalling messages.
pub const SIGNAL_VERSION: u8 = 1;
/// Domain-separation label at the start of the associated data of signalling messages.
pub const SIGNAL_AAD_LABEL: &[u8] = b"stube/v1/signal";
/// Most peers whose replay state a channel keeps. A room has at most a few dozen; a new sender
/// beyond this bound is refused until [`SignalChannel::forget`] frees an entry.
pub const MAX_TRACKED_PEERS: usize = 256;

const HEADER_LEN: usize = 1 + 1 + 8;
/// Length of a sealed message with an empty plaintext.
pub const SIGNAL_OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// A message could not be opened. Deliberately one coarse error: it does not say whether the
/// message was malformed, forged, replayed, reflected or sealed under another passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the message could not be opened")]
pub struct OpenError;

/// A message could not be sealed; nothing is sent in the clear instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SealError {
    #[error(transparent)]
    Rng(#[from] RngError),
    #[error("the sequence numbers or counters of this channel are used up")]
    Exhausted,
    #[error("the message is too long to seal")]
    TooLong,
}

/// An opened message: the application's kind byte and the plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub kind: u8,
    pub plaintext: Vec<u8>,
}

/// One participant's signalling channel in one room: seals to and opens from the other peers.
pub struct SignalChannel {
    cipher: Cipher,
    room: RoomId,
    me: PeerId,
    next_seq: u64,
    last_seen: BTreeMap<PeerId, u64>,
}

impl fmt::Debug for SignalChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalChannel")
            .field("room", &self.room)
            .field("me", &self.me)
            .field("next_seq", &self.next_seq)
            .field("tracked_peers", &self.last_seen.len())
            .finish_non_exhaustive()
    }
}

impl SignalChannel {
    /// A channel for peer `me` (the id the server assigned) in `room`.
    pub fn new(key: &SignalKey, room: RoomId, me: PeerId) -> Self {
        Self {
            cipher: Cipher::new(key.expose()),
            room,
            me,
            next_seq: 1,
            last_seen: BTreeMap::new(),
        }
    }

    /// This channel's own peer id.
    pub fn me(&self) -> PeerId {
        self.me
    }

    /// Seals `plaintext` of application kind `kind` for peer `to`, under the next sequence number
    /// and a fresh random nonce.
    pub fn seal(&mut self, to: PeerId, kind: u8, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce = Nonce::random()?;
        self.seal_with_nonce(to, kind, plaintext, nonce)
    }

    /// [`Self::seal`] with a given nonce: only for the frozen test vectors.
    pub(crate) fn seal_with_nonce(
        &mut self,
        to: PeerId,
        kind: u8,
        plaintext: &[u8],
        nonce: Nonce,
    ) -> Result<Vec<u8>, SealError> {
        let seq = self.next_seq;
        self.next_seq = seq.checked_add(1).ok_or(SealError::Exhausted)?;
        let aad = self.aad(self.me, to, kind, seq);
        let mut envelope = Vec::with_capacity(SIGNAL_OVERHEAD + plaintext.len());
        envelope.push(SIGNAL_VERSION);
        envelope.push(kind);
        envelope.extend_from_slice(&seq.to_be_bytes());
        envelope.extend_from_slice(nonce.as_bytes());
        let start = envelope.len();
        envelope.extend_from_slice(plaintext);
        self.cipher
            .seal_in_place(&nonce, &aad, &mut envelope, start)
            .map_err(|_| SealError::TooLong)?;
        Ok(envelope)
    }

    /// Opens a message the server says came from `from`. Fails (with one coarse error) unless it was
    /// sealed under this room's signalling key by `from` for this peer, in this room, with a sequence
    /// number above every earlier one from `from`, and `from` is not this peer itself.
    pub fn open(&mut self, from: PeerId, envelope: &[u8]) -> Result<Opened, OpenError> {
        if from == self.me {
            return Err(OpenError);
        }
        let (header, rest) = envelope.split_at_checked(HEADER_LEN).ok_or(OpenError)?;
        let (nonce, sealed) = rest.split_at_checked(NONCE_LEN).ok_or(OpenError)?;
        let [version, kind, seq @ ..] = header else {
            return Err(OpenError);
        };
        let seq = u64::from_be_bytes(<[u8; 8]>::try_from(seq).map_err(|_| OpenError)?);
        let nonce = Nonce::from_bytes(<[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| OpenError)?);
        if *version != SIGNAL_VERSION {
            return Err(OpenError);
        }
        match self.last_seen.get(&from) {
            Some(&last) if seq <= last => return Err(OpenError),
            None if self.last_seen.len() >= MAX_TRACKED_PEERS => return Err(OpenError),
            _ => {}
        }
        let aad = self.aad(from, self.me, *kind, seq);
        let plaintext = self.cipher.open(&nonce, &aad, sealed)?;
        // Authenticated: only now may the replay state move.
        self.last_seen.insert(from, seq);
        Ok(Opened {
            kind: *kind,
            plaintext,
        })
    }

    /// Forgets `peer`'s replay state when the server reports that it left, so that the state stays
    /// bounded and a peer id the server reuses starts afresh at sequence number 1. The server decides
    /// when a peer "left": after a `forget` it could replay that peer's earlier messages once more
    /// (still only as from that peer, to this peer, in this room). The application should treat a
    /// peer as present only after a fresh exchange with it, not because of an old message.
    pub fn forget(&mut self, peer: PeerId) {
        self.last_seen.remove(&peer);
    }

    fn aad(&self, from: PeerId, to: PeerId, kind: u8, seq: u64) -> Vec<u8> {
        let room = self.room.as_str().as_bytes();
        let mut aad = Vec::with_capacity(SIGNAL_AAD_LABEL.len() + 1 + room.len() + 8 + 8 + 1 + 8);
        aad.extend_from_slice(SIGNAL_AAD_LABEL);
        aad.push(SIGNAL_VERSION);
        aad.extend_from_slice(room);
        aad.extend_from_slice(&from.0.to_be_bytes());
        aad.extend_from_slice(&to.0.to_be_bytes());
        aad.push(kind);
        aad.extend_from_slice(&seq.to_be_bytes());
        aad
    }
}
