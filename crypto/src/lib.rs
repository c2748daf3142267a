//! Stube's passphrase cryptography: everything two browsers need to talk end-to-end encrypted through
//! an untrusted signalling server, with no browser dependency so it is tested natively and as wasm.
//! This is construction version 2 (labels `stube/v2/...`, envelope version byte 2).
//!
//! - [`room`]: room names (generated or typed) and the opaque [`protocol::RoomId`] the server sees.
//! - [`kdf`] and [`keys`]: passphrase + room name -> Argon2id -> a root secret -> one HKDF-SHA256 key
//!   per purpose, each its own type, and the admission token the server groups members by.
//! - [`seal`]: the signalling envelope and the hello, sealed under the room's signalling key.
//! - [`pair`]: per-pair, per-direction keys bound to both hellos, for every message after them.
//! - [`padding`]: plaintexts padded to buckets so that lengths do not show.
//! - [`commitment`]: the commitment to a DTLS certificate that a hello carries.
//! - [`stream`]: high-volume streams (chat, files, media) under per-sender stream keys and counter
//!   nonces.
//! - [`safety`]: the short safety number two people read aloud to verify a connection.
//! - [`passphrase`] and [`wordlist`]: generated passphrases and a lean strength estimate.
//!
//! The construction (labels, parameters, wire formats) is documented on the modules that own it; the
//! labels are the `*_LABEL` and `*_SALT` constants.

pub mod commitment;
pub mod encoding;
pub mod kdf;
pub mod keys;
pub mod padding;
pub mod pair;
pub mod passphrase;
pub mod random;
pub mod room;
pub mod safety;
pub mod seal;
pub mod stream;
pub mod webcrypto;
pub mod wordlist;

mod aead;
mod hash;
#[cfg(test)]
mod vectors;

pub use commitment::{Commitment, dtls_commitment};
pub use encoding::{from_base64, to_base64};
pub use kdf::{KDF_V1, KdfError, KdfParams, RootSecret};
pub use keys::{
    ChatKey, Key, MediaKey, Purpose, RoomKeys, SafetyKey, SignalKey, derive_room_keys,
    stretch_passphrase,
};
pub use pair::{PairChannel, PairError};
pub use passphrase::{
    Strength, Verdict, estimate_strength, generate_passphrase, generate_passphrase_words,
};
pub use random::{RngError, challenge};
pub use room::{RoomName, RoomNameError, generate_room_name, room_id};
pub use safety::{FingerprintError, SafetyNumber, normalize_fingerprint, safety_number};
pub use seal::{HELLO_KIND, OpenError, Opened, SealError, envelope_kind, open_hello, seal_hello};
pub use stream::{Authenticated, FrameSpec, StreamId, StreamKey, StreamOpener, StreamSealer};
pub use wordlist::{Language, WordList, WordListError};
