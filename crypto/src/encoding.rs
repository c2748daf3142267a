//! Base64 (RFC 4648, standard alphabet, with padding) for carrying sealed bytes in JSON.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub use base64::DecodeError;

/// Base64 of `bytes`.
pub fn to_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Bytes from base64; fails on anything but canonical standard base64.
pub fn from_base64(text: &str) -> Result<Vec<u8>, DecodeError> {
    STANDARD.decode(text)
}
