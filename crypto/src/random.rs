//! Randomness from the operating system (`getrandom`; in the browser `crypto.getRandomValues`), and
//! uniformly random indices by rejection sampling (no modulo bias).

use thiserror::Error;

/// The system's random number generator failed. Nothing is sealed or generated without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the system random number generator is unavailable")]
pub struct RngError;

/// Fills `buf` with random bytes.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), RngError> {
    getrandom::fill(buf).map_err(|_| RngError)
}

/// A fresh random 128-bit challenge, e.g. for a hello that the peer must echo to prove it is
/// live now and not a recording.
pub fn challenge() -> Result<u128, RngError> {
    bytes::<16>().map(u128::from_be_bytes)
}

/// A random array of `N` bytes.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], RngError> {
    let mut buf = [0u8; N];
    fill(&mut buf)?;
    Ok(buf)
}

/// A uniformly random index in `0..n`, by rejection sampling: draws 32-bit values and rejects those
/// in the incomplete last block of `n`, so every index is equally likely.
///
/// # Panics
/// Never for `n > 0`; `n == 0` has no index to return and is a caller bug.
pub(crate) fn index_below(n: u32) -> Result<u32, RngError> {
    assert!(n > 0, "no index below 0");
    // The largest multiple of n that fits in 2^32 values; draws at or above it are rejected.
    let zone = u32::MAX - (u32::MAX - n + 1) % n;
    loop {
        let draw = u32::from_be_bytes(bytes()?);
        if draw <= zone {
            return Ok(draw % n);
        }
    }
}
