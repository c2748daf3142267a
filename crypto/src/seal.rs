//! Sealed signalling between two browsers, relayed by the untrusted server (construction
//! version 2): the envelope format, and the hello, the one message sealed under the room's
//! signalling key. Everything after the hellos is sealed under per-pair keys ([`crate::pair`]).
//!
//! Envelope, all integers big-endian:
//!
//! ```text
//! version(1) = 2 || kind(1) || seq(8) || nonce(12, random) || AES-256-GCM(padded plaintext) || tag(16)
//! ```
//!
//! Every plaintext is padded ([`crate::padding`]) before sealing; a hello to at least
//! [`HELLO_PADDED_MIN`] bytes, so that hellos of short and long names look alike.
//!
//! A hello has kind [`HELLO_KIND`] and seq 0, and is sealed under the signalling key with
//! associated data
//!
//! ```text
//! HELLO_AAD_LABEL || version(1) || room id (64 ASCII hex digits) || sender PeerId(8)
//!   || recipient PeerId(8) || kind(1)
//! ```
//!
//! so it cannot be moved to another room, redirected to another recipient, or reflected to its
//! sender. It carries no replay protection of its own: a hello only contributes to the per-pair
//! keys ([`crate::pair`]), which also depend on the recipient's own fresh hello, so a replayed or
//! reflected hello never leads to a message that opens. Nonces are random (96 bits): every
//! participant of a room seals its hellos under the one signalling key, far below the 2^32
//! messages per key where random nonces would start to risk a collision.

use protocol::{PeerId, RoomId};
use thiserror::Error;

use crate::aead::{Cipher, NONCE_LEN, Nonce, TAG_LEN};
use crate::keys::SignalKey;
use crate::padding::{pad, unpad};
use crate::random::RngError;

/// Format version of sealed signalling envelopes (the construction version).
pub const SIGNAL_VERSION: u8 = 2;
/// The kind byte of a hello; no other message may use it.
pub const HELLO_KIND: u8 = 1;
/// Domain-separation label at the start of the associated data of hellos.
pub const HELLO_AAD_LABEL: &[u8] = b"stube/v2/hello";
/// Hellos are padded to at least this many bytes: a name of the longest length the app shows
/// still fits, so every hello has the same length.
pub const HELLO_PADDED_MIN: usize = 512;

pub(crate) const HEADER_LEN: usize = 1 + 1 + 8;
/// Length of an envelope around an empty padded plaintext (add the padded length for the rest).
pub const SIGNAL_OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// A message could not be opened. Deliberately one coarse error: it does not say whether the
/// message was malformed, forged, replayed, reflected, badly padded or sealed under another
/// passphrase or pair key.
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
    #[error("this kind of message cannot be sealed here")]
    ReservedKind,
}

/// An opened message: the application's kind byte and the (unpadded) plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub kind: u8,
    pub plaintext: Vec<u8>,
}

/// The kind byte of an envelope of this version, to tell hellos from pair messages before
/// opening; `None` for anything too short or of another version. Unauthenticated: only a hint
/// which key to try.
pub fn envelope_kind(envelope: &[u8]) -> Option<u8> {
    match envelope {
        [SIGNAL_VERSION, kind, ..] if envelope.len() >= SIGNAL_OVERHEAD => Some(*kind),
        _ => None,
    }
}

/// Seals `hello` (the hello's plaintext, before padding) from `from` to `to` under the room's
/// signalling key, with a fresh random nonce.
pub fn seal_hello(
    key: &SignalKey,
    room: &RoomId,
    from: PeerId,
    to: PeerId,
    hello: &[u8],
) -> Result<Vec<u8>, SealError> {
    seal_hello_with_nonce(key, room, from, to, hello, Nonce::random()?)
}

pub(crate) fn seal_hello_with_nonce(
    key: &SignalKey,
    room: &RoomId,
    from: PeerId,
    to: PeerId,
    hello: &[u8],
    nonce: Nonce,
) -> Result<Vec<u8>, SealError> {
    let aad = hello_aad(room, from, to);
    let padded = pad(hello, HELLO_PADDED_MIN);
    seal_envelope(
        &Cipher::new(key.expose()),
        HELLO_KIND,
        0,
        nonce,
        &aad,
        &padded,
    )
}

/// Opens a hello the server says `from` sent to `to` (normally `to` is this participant) and
/// returns its unpadded plaintext. Fails (with one coarse error) unless it was sealed under this
/// room's signalling key by `from` for `to` in this room, and `from` differs from `to`.
pub fn open_hello(
    key: &SignalKey,
    room: &RoomId,
    from: PeerId,
    to: PeerId,
    envelope: &[u8],
) -> Result<Vec<u8>, OpenError> {
    if from == to {
        return Err(OpenError);
    }
    let parsed = Parsed::parse(envelope)?;
    if parsed.kind != HELLO_KIND || parsed.seq != 0 {
        return Err(OpenError);
    }
    let padded =
        Cipher::new(key.expose()).open(&parsed.nonce, &hello_aad(room, from, to), parsed.sealed)?;
    Ok(unpad(&padded, HELLO_PADDED_MIN)?.to_vec())
}

fn hello_aad(room: &RoomId, from: PeerId, to: PeerId) -> Vec<u8> {
    envelope_aad(HELLO_AAD_LABEL, room, from, to, HELLO_KIND, None)
}

/// The associated data of an envelope: `label || version || room id || from || to || kind`, then
/// `|| seq` for pair messages (a hello has no sequence number).
pub(crate) fn envelope_aad(
    label: &[u8],
    room: &RoomId,
    from: PeerId,
    to: PeerId,
    kind: u8,
    seq: Option<u64>,
) -> Vec<u8> {
    let room = room.as_str().as_bytes();
    let mut aad = Vec::with_capacity(label.len() + 1 + room.len() + 8 + 8 + 1 + 8);
    aad.extend_from_slice(label);
    aad.push(SIGNAL_VERSION);
    aad.extend_from_slice(room);
    aad.extend_from_slice(&from.0.to_be_bytes());
    aad.extend_from_slice(&to.0.to_be_bytes());
    aad.push(kind);
    if let Some(seq) = seq {
        aad.extend_from_slice(&seq.to_be_bytes());
    }
    aad
}

/// `version || kind || seq || nonce || seal(padded) || tag`.
pub(crate) fn seal_envelope(
    cipher: &Cipher,
    kind: u8,
    seq: u64,
    nonce: Nonce,
    aad: &[u8],
    padded: &[u8],
) -> Result<Vec<u8>, SealError> {
    let mut envelope = Vec::with_capacity(SIGNAL_OVERHEAD + padded.len());
    envelope.push(SIGNAL_VERSION);
    envelope.push(kind);
    envelope.extend_from_slice(&seq.to_be_bytes());
    envelope.extend_from_slice(nonce.as_bytes());
    let start = envelope.len();
    envelope.extend_from_slice(padded);
    cipher
        .seal_in_place(&nonce, aad, &mut envelope, start)
        .map_err(|_| SealError::TooLong)?;
    Ok(envelope)
}

/// The cleartext fields of an envelope of this version, and the sealed rest.
pub(crate) struct Parsed<'a> {
    pub(crate) kind: u8,
    pub(crate) seq: u64,
    pub(crate) nonce: Nonce,
    pub(crate) sealed: &'a [u8],
}

impl<'a> Parsed<'a> {
    pub(crate) fn parse(envelope: &'a [u8]) -> Result<Self, OpenError> {
        let (header, rest) = envelope.split_at_checked(HEADER_LEN).ok_or(OpenError)?;
        let (nonce, sealed) = rest.split_at_checked(NONCE_LEN).ok_or(OpenError)?;
        let [version, kind, seq @ ..] = header else {
            return Err(OpenError);
        };
        if *version != SIGNAL_VERSION {
            return Err(OpenError);
        }
        Ok(Self {
            kind: *kind,
            seq: u64::from_be_bytes(<[u8; 8]>::try_from(seq).map_err(|_| OpenError)?),
            nonce: Nonce::from_bytes(<[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| OpenError)?),
            sealed,
        })
    }
}
