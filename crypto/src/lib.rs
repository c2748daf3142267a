//! Stube's passphrase cryptography: everything two browsers need to talk end-to-end encrypted through
//! an untrusted signalling server, with no browser dependency so it is tested natively and as wasm.
//!
//! - [`room`]: room names (generated or typed) and the opaque [`protocol::RoomId`] the server sees.
//! - [`kdf`] and [`keys`]: passphrase + room name -> Argon2id -> a root secret -> one HKDF-SHA256 key
//!   per purpose, each its own type.
//! - [`seal`]: sealed signalling messages between two peers (AES-256-GCM, random nonces, replay and
//!   reflection protection).
//! - [`stream`]: high-volume streams (chat, files, media) under per-sender stream keys and counter
//!   nonces.
//! - [`confirm`]: a key-confirmation value that tells whether two people typed the same passphrase.
//! - [`safety`]: the short safety number two people read aloud to verify a connection.
//! - [`passphrase`] and [`wordlist`]: generated passphrases and a lean strength estimate.
//!
//! The construction (labels, parameters, wire formats) is documented on the modules that own it; the
//! labels are the `*_LABEL` constants.

pub mod confirm;
pub mod encoding;
pub mod kdf;
pub mod keys;
pub mod passphrase;
pub mod random;
pub mod room;
pub mod safety;
pub mod seal;
pub mod stream;
pub mod wordlist;

mod aead;
mod hash;
#[cfg(test)]
mod vectors;

pub use confirm::KeyConfirmation;
pub use encoding::{from_base64, to_base64};
pub use kdf::{KDF_V1, KdfError, KdfParams};
pub use keys::{ChatKey, Key, MediaKey, Purpose, RoomKeys, SafetyKey, SignalKey, derive_room_keys};
pub use passphrase::{
    Strength, Verdict, estimate_strength, generate_passphrase, generate_passphrase_words,
};
pub use random::{RngError, challenge};
pub use room::{RoomName, RoomNameError, generate_room_name, room_id};
pub use safety::{FingerprintError, SafetyNumber, safety_number};
pub use seal::{OpenError, Opened, SealError, SignalChannel};
pub use stream::{StreamId, StreamOpener, StreamSealer};
pub use wordlist::Language;
