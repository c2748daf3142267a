//! The key schedule: passphrase + room name -> root secret ([`crate::kdf`]) -> one HKDF-SHA256 key
//! per purpose, each typed by its purpose so that one can never be passed where another is expected.
//!
//! `key(P) = HKDF-SHA256(salt = KEY_SCHEDULE_SALT, ikm = root, info = P::LABEL)`, 32 bytes. Keys are
//! derived once per room, zeroized on drop, and their `Debug` output never shows key bytes. The
//! same schedule gives the admission token ([`RoomKeys::admission_token`]), under its own label.

use std::fmt;
use std::marker::PhantomData;

use protocol::RoomId;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

use crate::hash::hkdf;
use crate::kdf::{KdfError, RootSecret, argon2_salt, stretch_normalized};
use crate::room::{RoomName, hex, room_id};

/// HKDF salt of the key schedule (the extract step from the root secret).
pub const KEY_SCHEDULE_SALT: &[u8] = b"stube/v2/key-schedule";
/// HKDF label of the signalling key.
pub const SIGNAL_KEY_LABEL: &[u8] = b"stube/v2/signal-key";
/// HKDF label of the chat-and-file key.
pub const CHAT_KEY_LABEL: &[u8] = b"stube/v2/chat-key";
/// HKDF label of the media-frame key.
pub const MEDIA_KEY_LABEL: &[u8] = b"stube/v2/media-key";
/// HKDF label of the safety-number key.
pub const SAFETY_KEY_LABEL: &[u8] = b"stube/v2/safety-number-key";
/// HKDF label of the admission token ([`RoomKeys::admission_token`]).
pub const ADMISSION_LABEL: &[u8] = b"stube/v2/admission";
/// Length of the admission token in bytes (it travels as twice as many hex digits).
pub const ADMISSION_LEN: usize = 32;

/// Length of every derived key in bytes.
pub const KEY_LEN: usize = 32;

mod sealed {
    pub trait Sealed {}
}

/// What a key is for. Implemented only by this crate's marker types.
pub trait Purpose: sealed::Sealed {
    /// The HKDF label this purpose's key is derived with.
    const LABEL: &'static [u8];
    /// A name for `Debug` output.
    const NAME: &'static str;
}

macro_rules! purpose {
    ($(#[$doc:meta])* $marker:ident, $alias:ident, $label:expr, $name:literal) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $marker {}
        impl sealed::Sealed for $marker {}
        impl Purpose for $marker {
            const LABEL: &'static [u8] = $label;
            const NAME: &'static str = $name;
        }
        $(#[$doc])*
        pub type $alias = Key<$marker>;
    };
}

purpose!(
    /// Seals hellos ([`crate::seal_hello`]) and keys the per-pair channels ([`crate::PairChannel`]).
    Signal, SignalKey, SIGNAL_KEY_LABEL, "signal"
);
purpose!(
    /// Seals chat messages and files on data channels ([`crate::StreamSealer`]).
    Chat, ChatKey, CHAT_KEY_LABEL, "chat"
);
purpose!(
    /// Seals media frames ([`crate::StreamSealer`]).
    Media, MediaKey, MEDIA_KEY_LABEL, "media"
);
purpose!(
    /// Keys the safety number ([`crate::safety_number`]).
    Safety, SafetyKey, SAFETY_KEY_LABEL, "safety-number"
);

/// A 32-byte key for purpose `P`. Zeroized on drop; not `Clone`, not printable.
pub struct Key<P: Purpose> {
    bytes: [u8; KEY_LEN],
    purpose: PhantomData<P>,
}

impl<P: Purpose> Key<P> {
    fn derive(root: &RootSecret) -> Self {
        Self::from_bytes(hkdf(KEY_SCHEDULE_SALT, root.expose(), P::LABEL))
    }

    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self {
            bytes,
            purpose: PhantomData,
        }
    }

    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }
}

impl<P: Purpose> Drop for Key<P> {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl<P: Purpose> fmt::Debug for Key<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key<{}>(redacted)", P::NAME)
    }
}

/// Everything one participant derives from the passphrase and the room name, once per room.
pub struct RoomKeys {
    room_id: RoomId,
    signal: SignalKey,
    chat: ChatKey,
    media: MediaKey,
    safety: SafetyKey,
    admission: String,
}

impl RoomKeys {
    /// Derives the subkeys and the admission token from the root secret of `room`
    /// ([`stretch_passphrase`]): HKDF only, cheap.
    pub fn from_root(room: &RoomName, root: &RootSecret) -> Self {
        Self {
            room_id: room_id(room),
            signal: Key::derive(root),
            chat: Key::derive(root),
            media: Key::derive(root),
            safety: Key::derive(root),
            admission: hex(&hkdf::<ADMISSION_LEN>(
                KEY_SCHEDULE_SALT,
                root.expose(),
                ADMISSION_LABEL,
            )),
        }
    }

    /// The room id the server sees (derived from the room name alone).
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }
    pub fn signal(&self) -> &SignalKey {
        &self.signal
    }
    pub fn chat(&self) -> &ChatKey {
        &self.chat
    }
    pub fn media(&self) -> &MediaKey {
        &self.media
    }
    pub fn safety(&self) -> &SafetyKey {
        &self.safety
    }

    /// The admission token: `hex(HKDF-SHA256(salt = KEY_SCHEDULE_SALT, ikm = root, info =
    /// ADMISSION_LABEL))`, 64 lowercase hex digits. Sent to the server at join, which compares it
    /// for equality only, to group the members who share a passphrase (so that people without it
    /// cannot take the places of those with it). Like any sealed hello it lets whoever sees it test
    /// passphrase guesses offline at the cost of one Argon2id run each; every member of a room (and
    /// the server, which relays the hellos) has that oracle already, so the token adds none. It
    /// is independent of every key: knowing it opens nothing.
    pub fn admission_token(&self) -> &str {
        &self.admission
    }
}

impl fmt::Debug for RoomKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoomKeys")
            .field("room_id", &self.room_id)
            .field("signal", &self.signal)
            .field("chat", &self.chat)
            .field("media", &self.media)
            .field("safety", &self.safety)
            .field("admission", &"redacted")
            .finish()
    }
}

/// The passphrase as it enters the KDF: leading and trailing whitespace trimmed, NFC-normalised (so
/// the same visible text typed on any system gives the same key).
pub fn normalize_passphrase(passphrase: &str) -> Zeroizing<String> {
    Zeroizing::new(passphrase.trim().nfc().collect())
}

/// Runs the whole key schedule: [`stretch_passphrase`], then [`RoomKeys::from_root`]. Run it once
/// per room and keep the [`RoomKeys`].
pub fn derive_room_keys(passphrase: &str, room: &RoomName) -> Result<RoomKeys, KdfError> {
    Ok(RoomKeys::from_root(
        room,
        &stretch_passphrase(passphrase, room)?,
    ))
}

/// The expensive half of the key schedule: one Argon2id at [`crate::KDF_V1`] (about 0.1 s and 32 MiB in a
/// browser) from the normalised passphrase to the room's root secret. The browser runs it in a
/// web worker, off the page's thread.
pub fn stretch_passphrase(passphrase: &str, room: &RoomName) -> Result<RootSecret, KdfError> {
    stretch_normalized(&normalize_passphrase(passphrase), &argon2_salt(room))
}
