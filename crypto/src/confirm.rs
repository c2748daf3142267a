//! Key confirmation: a value that shows whether two participants derived the same keys (typed the
//! same passphrase for the same room) without revealing anything else about them.
//!
//! `confirmation = HKDF-SHA256(salt = KEY_SCHEDULE_SALT, ikm = root, info = KEY_CONFIRMATION_LABEL)`,
//! 32 bytes, compared in constant time. A hello may carry it in the clear so that a joiner with a
//! different passphrase is told so. Whoever sees it (the server, for one) can test passphrase guesses
//! against it, but each guess costs a full Argon2id run: it is no cheaper an oracle than any sealed
//! message, so it adds nothing to the offline-guessing attack the design already accepts.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::hash::hkdf;
use crate::kdf::RootSecret;
use crate::keys::KEY_SCHEDULE_SALT;

/// HKDF label of the key-confirmation value.
pub const KEY_CONFIRMATION_LABEL: &[u8] = b"stube/v2/key-confirmation";

/// Length of a key-confirmation value in bytes.
pub const KEY_CONFIRMATION_LEN: usize = 32;

/// The key-confirmation value of one room and passphrase. Equality is constant-time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyConfirmation([u8; KEY_CONFIRMATION_LEN]);

impl KeyConfirmation {
    pub(crate) fn derive(root: &RootSecret) -> Self {
        Self(hkdf(
            KEY_SCHEDULE_SALT,
            root.expose(),
            KEY_CONFIRMATION_LABEL,
        ))
    }

    /// The bytes to put into a hello.
    pub fn as_bytes(&self) -> &[u8; KEY_CONFIRMATION_LEN] {
        &self.0
    }

    /// A value received from a peer; `None` unless exactly [`KEY_CONFIRMATION_LEN`] bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; KEY_CONFIRMATION_LEN]>::try_from(bytes).ok().map(Self)
    }

    /// Whether a peer derived the same keys, in constant time.
    pub fn matches(&self, other: &KeyConfirmation) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl PartialEq for KeyConfirmation {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

impl Eq for KeyConfirmation {}

impl fmt::Debug for KeyConfirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyConfirmation(redacted)")
    }
}
