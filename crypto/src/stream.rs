//! High-volume streams (chat messages, files, later media frames) under per-sender stream keys.
//!
//! Each sender picks a random 128-bit [`StreamId`] (never the server-assigned peer id, which an
//! untrusted server could hand to two participants at once) and announces it inside a sealed
//! signalling message. The stream key is
//! `HKDF-SHA256(salt = stream id, ikm = chat or media key, info = STREAM_KEY_LABEL)`, and the nonce
//! of frame `n` is `n` as a 96-bit big-endian number, so nonces never repeat under one key: each
//! stream key has one sender, whose counter only goes up and never wraps (the sealer refuses instead).
//!
//! Frame (version 2): `version(1) = 2 || kind(1) || counter(8, BE) || ciphertext || tag(16)`, with
//! associated data `STREAM_AAD_LABEL || version(1) || room id (64 ASCII hex) || stream id(16) ||
//! kind(1) || counter(8)`. The opener accepts only counters above the last authenticated one, so
//! replayed, reordered or dropped-and-reinserted frames are rejected (data channels are ordered).

use protocol::RoomId;

use zeroize::Zeroizing;

use crate::aead::{Cipher, NONCE_LEN, Nonce, TAG_LEN};
use crate::hash::hkdf;
use crate::keys::{Chat, Key, Media, Purpose};
use crate::random::{RngError, bytes};
use crate::seal::{OpenError, Opened, SealError};

/// HKDF label of per-sender stream keys.
pub const STREAM_KEY_LABEL: &[u8] = b"stube/v2/stream-key";
/// Domain-separation label at the start of the associated data of stream frames.
pub const STREAM_AAD_LABEL: &[u8] = b"stube/v2/stream";
/// Format version of stream frames.
pub const STREAM_VERSION: u8 = 2;

/// Length of a frame's header: `version || kind || counter`.
pub const STREAM_HEADER_LEN: usize = 1 + 1 + 8;
/// Length of a frame with an empty plaintext.
pub const STREAM_OVERHEAD: usize = STREAM_HEADER_LEN + TAG_LEN;

/// Purposes whose keys may seal streams: chat-and-file and media.
pub trait StreamPurpose: Purpose {}
impl StreamPurpose for Chat {}
impl StreamPurpose for Media {}

/// A sender's random 128-bit stream id. Not secret; it travels inside a sealed signalling message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamId([u8; 16]);

impl StreamId {
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }
    /// `None` unless exactly 16 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 16]>::try_from(bytes).ok().map(Self)
    }
}

/// A stream's AES-256-GCM key. It leaves this crate only to be imported, non-extractable, into the
/// browser's WebCrypto ([`crate::webcrypto`]), which has hardware AES for file chunks.
pub struct StreamKey(Zeroizing<[u8; 32]>);

impl StreamKey {
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// One frame before its AES-256-GCM runs: its kind and counter, from which come the header
/// before the ciphertext, the nonce and the associated data. [`StreamSealer::seal`] and
/// [`StreamOpener::open`] run the AES-GCM in this crate; [`crate::webcrypto`] runs the same one
/// in the browser, with these same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSpec {
    stream: StreamId,
    kind: u8,
    counter: u64,
    aad: Vec<u8>,
}

impl FrameSpec {
    pub fn kind(&self) -> u8 {
        self.kind
    }

    /// `version || kind || counter`, the frame's first bytes.
    pub fn header(&self) -> [u8; STREAM_HEADER_LEN] {
        let mut header = [0; STREAM_HEADER_LEN];
        header[0] = STREAM_VERSION;
        header[1] = self.kind;
        header[2..].copy_from_slice(&self.counter.to_be_bytes());
        header
    }

    pub fn nonce(&self) -> [u8; NONCE_LEN] {
        *Nonce::from_counter(self.counter).as_bytes()
    }

    pub fn aad(&self) -> &[u8] {
        &self.aad
    }

    /// The proof for this spec, once its frame's tag verified.
    pub(crate) fn authenticated(&self) -> Authenticated {
        Authenticated {
            stream: self.stream,
            counter: self.counter,
        }
    }
}

/// Proof that a frame's tag verified under its stream: made only by [`StreamOpener::open_spec`]
/// and [`crate::webcrypto::WebStreamKey::open`], and what [`StreamOpener::accept`] takes, so
/// that no counter is accepted for a frame that did not authenticate.
#[derive(Debug, PartialEq, Eq)]
pub struct Authenticated {
    stream: StreamId,
    counter: u64,
}

impl Authenticated {
    /// Whether this is the proof for the frame of `spec`.
    pub fn is_for(&self, spec: &FrameSpec) -> bool {
        self.stream == spec.stream && self.counter == spec.counter
    }
}

/// The key, cipher and associated-data prefix shared by both ends of one stream.
struct StreamCipher {
    key: StreamKey,
    cipher: Cipher,
    room: RoomId,
    id: StreamId,
}

impl StreamCipher {
    fn new<P: StreamPurpose>(key: &Key<P>, room: &RoomId, id: StreamId) -> Self {
        let stream_key = StreamKey(Zeroizing::new(hkdf(&id.0, key.expose(), STREAM_KEY_LABEL)));
        Self {
            cipher: Cipher::new(stream_key.expose()),
            key: stream_key,
            room: room.clone(),
            id,
        }
    }

    fn spec(&self, kind: u8, counter: u64) -> FrameSpec {
        let room = self.room.as_str().as_bytes();
        let mut aad = Vec::with_capacity(STREAM_AAD_LABEL.len() + 1 + room.len() + 16 + 1 + 8);
        aad.extend_from_slice(STREAM_AAD_LABEL);
        aad.push(STREAM_VERSION);
        aad.extend_from_slice(room);
        aad.extend_from_slice(&self.id.0);
        aad.push(kind);
        aad.extend_from_slice(&counter.to_be_bytes());
        FrameSpec {
            stream: self.id,
            kind,
            counter,
            aad,
        }
    }
}

/// The sending end of one stream.
pub struct StreamSealer {
    stream: StreamCipher,
    next: u64,
}

impl std::fmt::Debug for StreamSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSealer")
            .field("id", &self.stream.id)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl StreamSealer {
    /// A new stream with a fresh random id; announce [`Self::stream_id`] to the receivers.
    pub fn new<P: StreamPurpose>(key: &Key<P>, room: &RoomId) -> Result<Self, RngError> {
        Ok(Self::with_id(key, room, StreamId(bytes()?)))
    }

    /// A stream with a given id: only for the frozen test vectors (reusing an id reuses nonces).
    pub(crate) fn with_id<P: StreamPurpose>(key: &Key<P>, room: &RoomId, id: StreamId) -> Self {
        Self {
            stream: StreamCipher::new(key, room, id),
            next: 0,
        }
    }

    pub fn stream_id(&self) -> StreamId {
        self.stream.id
    }

    /// Seals the next frame. Fails with [`SealError::Exhausted`] once the counter would wrap;
    /// start a new stream then.
    pub fn seal(&mut self, kind: u8, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let spec = self.next_spec(kind)?;
        self.seal_spec(&spec, plaintext)
    }

    /// Takes the next counter for a frame of `kind`, to be sealed with [`Self::seal_spec`] or
    /// outside this crate under [`Self::key`]. Fails like [`Self::seal`].
    pub fn next_spec(&mut self, kind: u8) -> Result<FrameSpec, SealError> {
        let counter = self.next;
        self.next = counter.checked_add(1).ok_or(SealError::Exhausted)?;
        Ok(self.stream.spec(kind, counter))
    }

    /// The frame `header || ciphertext || tag` of a spec from [`Self::next_spec`].
    pub fn seal_spec(&self, spec: &FrameSpec, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut frame = Vec::with_capacity(STREAM_OVERHEAD + plaintext.len());
        frame.extend_from_slice(&spec.header());
        frame.extend_from_slice(plaintext);
        self.stream
            .cipher
            .seal_in_place(
                &Nonce::from_counter(spec.counter),
                &spec.aad,
                &mut frame,
                STREAM_HEADER_LEN,
            )
            .map_err(|_| SealError::TooLong)?;
        Ok(frame)
    }

    pub fn key(&self) -> &StreamKey {
        &self.stream.key
    }

    #[cfg(test)]
    pub(crate) fn set_next_counter(&mut self, next: u64) {
        self.next = next;
    }
}

/// The receiving end of one stream.
pub struct StreamOpener {
    stream: StreamCipher,
    last: Option<u64>,
}

impl std::fmt::Debug for StreamOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamOpener")
            .field("id", &self.stream.id)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl StreamOpener {
    /// Opens the stream a sender announced as `id`.
    pub fn new<P: StreamPurpose>(key: &Key<P>, room: &RoomId, id: StreamId) -> Self {
        Self {
            stream: StreamCipher::new(key, room, id),
            last: None,
        }
    }

    /// Opens the next frame; its counter must be above every earlier authenticated one.
    pub fn open(&mut self, frame: &[u8]) -> Result<Opened, OpenError> {
        let (header, sealed) = frame.split_at_checked(STREAM_HEADER_LEN).ok_or(OpenError)?;
        let spec = self.spec(header)?;
        let (plaintext, proof) = self.open_spec(&spec, sealed)?;
        self.accept(proof);
        Ok(Opened {
            kind: spec.kind,
            plaintext,
        })
    }

    /// The spec of a frame from its first [`STREAM_HEADER_LEN`] bytes, if its version is known
    /// and its counter above every accepted one. Open it with [`Self::open_spec`] (or outside
    /// this crate under [`Self::key`]) and then [`Self::accept`] it.
    pub fn spec(&self, header: &[u8]) -> Result<FrameSpec, OpenError> {
        let [version, kind, counter @ ..] = header.get(..STREAM_HEADER_LEN).ok_or(OpenError)?
        else {
            return Err(OpenError);
        };
        let counter = u64::from_be_bytes(<[u8; 8]>::try_from(counter).map_err(|_| OpenError)?);
        if *version != STREAM_VERSION || self.last.is_some_and(|last| counter <= last) {
            return Err(OpenError);
        }
        Ok(self.stream.spec(*kind, counter))
    }

    /// The plaintext of `sealed` (`ciphertext || tag`, the frame after its header), with the
    /// proof that it authenticated.
    pub fn open_spec(
        &self,
        spec: &FrameSpec,
        sealed: &[u8],
    ) -> Result<(Vec<u8>, Authenticated), OpenError> {
        let plaintext =
            self.stream
                .cipher
                .open(&Nonce::from_counter(spec.counter), &spec.aad, sealed)?;
        Ok((plaintext, spec.authenticated()))
    }

    /// Records that a frame of this stream opened: no counter up to its own is accepted again.
    /// A proof from another stream changes nothing.
    pub fn accept(&mut self, proof: Authenticated) {
        if proof.stream == self.stream.id {
            self.last = Some(
                self.last
                    .map_or(proof.counter, |last| last.max(proof.counter)),
            );
        }
    }

    pub fn key(&self) -> &StreamKey {
        &self.stream.key
    }
}
