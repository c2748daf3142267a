//! Per-pair, per-direction keys: everything two browsers say to each other after their hellos
//! (the ack, SDP, ICE candidates, later data) is sealed under keys that only this pair, in this
//! session, in this direction has.
//!
//! Once a participant has sent its hello to a peer and opened the peer's hello, both sides
//! derive, from the two hello plaintexts (before padding) as they were sealed and opened,
//!
//! ```text
//! K(A -> B) = HKDF-SHA256(salt = PAIR_KEY_SALT, ikm = signal key,
//!                         info = SHA-256(hello_A) || SHA-256(hello_B))
//! ```
//!
//! where A is the sender; A seals with K(A -> B) and opens with K(B -> A). Each hello carries a
//! fresh random challenge of its sender, so a pair key is new as soon as one side is: nothing
//! sealed in another session, for another pair or in the other direction opens, whatever the
//! server replays, and a peer id that the server reuses inherits nothing.
//!
//! Envelope as in [`crate::seal`] (version 2, random nonce, padded plaintext), with associated
//! data
//!
//! ```text
//! PAIR_AAD_LABEL || version(1) || room id (64 ASCII hex digits) || sender PeerId(8)
//!   || recipient PeerId(8) || kind(1) || seq(8)
//! ```
//!
//! Each direction numbers its messages from 1; the receiver accepts only sequence numbers above
//! the last one it authenticated (the server relays in order, gaps are fine), and only after the
//! tag verified. The replay state lives in the [`PairChannel`] and nothing resets it: only
//! dropping the channel ends it, and a new channel has new keys.

use std::fmt;

use protocol::{PeerId, RoomId};
use thiserror::Error;
use zeroize::Zeroize;

use crate::aead::{Cipher, Nonce};
use crate::hash::{hkdf, sha256};
use crate::keys::SignalKey;
use crate::padding::{pad, unpad};
use crate::seal::{HELLO_KIND, OpenError, Opened, Parsed, SealError, envelope_aad, seal_envelope};

/// HKDF salt of the per-pair keys.
pub const PAIR_KEY_SALT: &[u8] = b"stube/v2/pair-key";
/// Domain-separation label at the start of the associated data of pair messages.
pub const PAIR_AAD_LABEL: &[u8] = b"stube/v2/pair";
/// Pair messages are padded to the buckets of [`crate::padding`] from the smallest one on.
pub const PAIR_PADDED_MIN: usize = crate::padding::BUCKETS[0];

/// A pair channel cannot be built from these hellos: the two are the same (a reflection), or the
/// two peers are one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a pair channel needs two different peers and two different hellos")]
pub struct PairError;

/// `K(sender -> receiver)`: HKDF over the signalling key, bound to both hellos.
pub(crate) fn pair_key(key: &SignalKey, sender_hello: &[u8], receiver_hello: &[u8]) -> [u8; 32] {
    let info = [sha256(&[sender_hello]), sha256(&[receiver_hello])].concat();
    hkdf(PAIR_KEY_SALT, key.expose(), &info)
}

/// The sealed channel between this participant and one peer, for one pair session.
pub struct PairChannel {
    send: Cipher,
    receive: Cipher,
    room: RoomId,
    me: PeerId,
    peer: PeerId,
    next_seq: u64,
    last_seen: u64,
}

impl fmt::Debug for PairChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairChannel")
            .field("room", &self.room)
            .field("me", &self.me)
            .field("peer", &self.peer)
            .field("next_seq", &self.next_seq)
            .field("last_seen", &self.last_seen)
            .finish_non_exhaustive()
    }
}

impl PairChannel {
    /// The channel between `me` and `peer` after `me` sent `my_hello` and opened `their_hello`
    /// (both the plaintexts before padding, byte for byte as sealed and opened).
    pub fn new(
        key: &SignalKey,
        room: RoomId,
        me: PeerId,
        peer: PeerId,
        my_hello: &[u8],
        their_hello: &[u8],
    ) -> Result<Self, PairError> {
        if me == peer || my_hello == their_hello {
            return Err(PairError);
        }
        let mut send_key = pair_key(key, my_hello, their_hello);
        let mut receive_key = pair_key(key, their_hello, my_hello);
        let channel = Self {
            send: Cipher::new(&send_key),
            receive: Cipher::new(&receive_key),
            room,
            me,
            peer,
            next_seq: 1,
            last_seen: 0,
        };
        send_key.zeroize();
        receive_key.zeroize();
        Ok(channel)
    }

    pub fn me(&self) -> PeerId {
        self.me
    }

    pub fn peer(&self) -> PeerId {
        self.peer
    }

    /// Pads and seals `plaintext` of application kind `kind` (anything but [`HELLO_KIND`]) for
    /// the peer, under the next sequence number and a fresh random nonce.
    pub fn seal(&mut self, kind: u8, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        self.seal_with_nonce(kind, plaintext, Nonce::random()?)
    }

    pub(crate) fn seal_with_nonce(
        &mut self,
        kind: u8,
        plaintext: &[u8],
        nonce: Nonce,
    ) -> Result<Vec<u8>, SealError> {
        if kind == HELLO_KIND {
            return Err(SealError::ReservedKind);
        }
        let seq = self.next_seq;
        self.next_seq = seq.checked_add(1).ok_or(SealError::Exhausted)?;
        let aad = self.aad(self.me, self.peer, kind, seq);
        let padded = pad(plaintext, PAIR_PADDED_MIN);
        seal_envelope(&self.send, kind, seq, nonce, &aad, &padded)
    }

    /// Opens a message from the peer. Fails (with one coarse error) unless it was sealed by the
    /// peer for this participant in this pair session, in this room, with a sequence number above
    /// every earlier one, and correctly padded.
    pub fn open(&mut self, envelope: &[u8]) -> Result<Opened, OpenError> {
        let parsed = Parsed::parse(envelope)?;
        if parsed.kind == HELLO_KIND || parsed.seq <= self.last_seen {
            return Err(OpenError);
        }
        let aad = self.aad(self.peer, self.me, parsed.kind, parsed.seq);
        let padded = self.receive.open(&parsed.nonce, &aad, parsed.sealed)?;
        let plaintext = unpad(&padded, PAIR_PADDED_MIN)?.to_vec();
        // Authenticated and well-formed: only now may the replay state move.
        self.last_seen = parsed.seq;
        Ok(Opened {
            kind: parsed.kind,
            plaintext,
        })
    }

    fn aad(&self, from: PeerId, to: PeerId, kind: u8, seq: u64) -> Vec<u8> {
        envelope_aad(PAIR_AAD_LABEL, &self.room, from, to, kind, Some(seq))
    }

    #[cfg(test)]
    pub(crate) fn set_next_seq(&mut self, next: u64) {
        self.next_seq = next;
    }
}
