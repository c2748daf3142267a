//! Padding of sealed plaintexts to a few bucket sizes, so that the length of a name, an SDP or an
//! ICE candidate does not show through the ciphertext.
//!
//! ISO/IEC 7816-4 padding: the plaintext, one `0x80` byte, then zeros up to the bucket. The buckets
//! are [`BUCKETS`] (256, 512, 1024, 2048 and 4096 bytes), then every multiple of 4096; a plaintext
//! of `n` bytes goes into the smallest bucket of at least `n + 1` bytes (and at least the caller's
//! minimum). Padding is canonical: [`unpad`] accepts only exactly what [`pad`] produces for the
//! plaintext it recovers, so a padded message has one encoding. It runs only on authenticated
//! plaintext, so it is no oracle.

use crate::seal::OpenError;

/// The bucket sizes below [`LARGE_BUCKET`]; above it, every multiple of it is a bucket.
pub const BUCKETS: [usize; 5] = [256, 512, 1024, 2048, 4096];
/// The step of the buckets above the largest listed one.
pub const LARGE_BUCKET: usize = 4096;
/// The first byte of the padding.
pub const PADDING_MARKER: u8 = 0x80;

/// The padded length of a plaintext of `len` bytes: the smallest bucket of at least `len + 1`
/// bytes and at least `minimum` bytes.
pub fn padded_len(len: usize, minimum: usize) -> usize {
    let needed = len.saturating_add(1).max(minimum);
    BUCKETS
        .iter()
        .copied()
        .find(|&bucket| bucket >= needed)
        .unwrap_or_else(|| needed.div_ceil(LARGE_BUCKET).saturating_mul(LARGE_BUCKET))
}

/// `plaintext || 0x80 || 0x00...` up to [`padded_len`]`(plaintext.len(), minimum)`.
pub fn pad(plaintext: &[u8], minimum: usize) -> Vec<u8> {
    let len = padded_len(plaintext.len(), minimum);
    let mut padded = Vec::with_capacity(len);
    padded.extend_from_slice(plaintext);
    padded.push(PADDING_MARKER);
    padded.resize(len, 0);
    padded
}

/// The plaintext inside `padded`, which must be exactly what [`pad`] makes of it with `minimum`.
pub fn unpad(padded: &[u8], minimum: usize) -> Result<&[u8], OpenError> {
    let zeros = padded.iter().rev().take_while(|&&b| b == 0).count();
    let marker = padded.len().checked_sub(zeros + 1).ok_or(OpenError)?;
    if padded[marker] != PADDING_MARKER || padded_len(marker, minimum) != padded.len() {
        return Err(OpenError);
    }
    Ok(&padded[..marker])
}
