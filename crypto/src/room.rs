//! Room names and the opaque room id the server sees.
//!
//! A room name is what the invite link carries in its URL fragment (never sent to the server). The
//! server sees only `room_id = hex(SHA-256(ROOM_ID_LABEL || room name))`, one-way and independent
//! of the passphrase, so everyone with the link meets in one signalling room. Generated names carry
//! about 99 bits, too many to guess from the id.

use protocol::RoomId;
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

use crate::hash::sha256;
use crate::random::{RngError, index_below};

/// Domain-separation label of the room id hash.
pub const ROOM_ID_LABEL: &[u8] = b"stube/v2/room-id";

/// The characters of generated room names: lowercase letters and digits without the look-alikes
/// `0 o 1 l i`. 31 symbols, log2(31) = 4.95 bits each.
pub const ROOM_NAME_ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Groups in a generated room name.
pub const ROOM_NAME_GROUPS: usize = 5;
/// Characters per group; 5 x 4 = 20 characters = 99.1 bits.
pub const ROOM_NAME_GROUP_LEN: usize = 4;

/// A validated room name: trimmed, inner whitespace runs collapsed to one space, lowercased, NFC,
/// 1 to [`RoomName::MAX_CHARS`] characters, no control characters. Typing a generated name in
/// capitals therefore reaches the same room.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoomName(String);

/// Why a typed room name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RoomNameError {
    #[error("the room name is empty")]
    Empty,
    #[error("the room name is longer than {} characters", RoomName::MAX_CHARS)]
    TooLong,
    #[error("the room name contains a control character")]
    ControlCharacter,
}

impl RoomName {
    /// Longest accepted room name, in characters (Unicode scalar values, after normalisation).
    pub const MAX_CHARS: usize = 128;

    /// Validates and normalises a typed (or linked) room name.
    pub fn parse(typed: &str) -> Result<Self, RoomNameError> {
        let collapsed = typed.split_whitespace().collect::<Vec<_>>().join(" ");
        let name: String = collapsed.to_lowercase().nfc().collect();
        if name.is_empty() {
            return Err(RoomNameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(RoomNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(RoomNameError::ControlCharacter);
        }
        Ok(Self(name))
    }

    /// The normalised name, as it goes into links and into the key schedule.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fresh random room name such as `k7qm-2xhd-9fpa-rt3w-bn6e`: [`ROOM_NAME_GROUPS`] groups of
/// [`ROOM_NAME_GROUP_LEN`] characters from [`ROOM_NAME_ALPHABET`], joined by `-` (URL-fragment safe).
pub fn generate_room_name() -> Result<RoomName, RngError> {
    let mut name = String::with_capacity(ROOM_NAME_GROUPS * (ROOM_NAME_GROUP_LEN + 1));
    for group in 0..ROOM_NAME_GROUPS {
        if group > 0 {
            name.push('-');
        }
        for _ in 0..ROOM_NAME_GROUP_LEN {
            let index = index_below(ROOM_NAME_ALPHABET.len() as u32)?;
            name.push(char::from(ROOM_NAME_ALPHABET[index as usize]));
        }
    }
    Ok(RoomName(name))
}

/// The opaque id the signalling server sees: `hex(SHA-256(ROOM_ID_LABEL || room name))`.
pub fn room_id(room: &RoomName) -> RoomId {
    let digest = sha256(&[ROOM_ID_LABEL, room.as_str().as_bytes()]);
    RoomId::parse(&hex(&digest)).unwrap_or_else(|_| unreachable!("64 lowercase hex digits"))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]])
        .map(char::from)
        .collect()
}
