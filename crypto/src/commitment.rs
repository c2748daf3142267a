//! Commitments to DTLS certificates: each browser generates a fresh certificate for each peer
//! before the handshake and puts a commitment to its fingerprint into its sealed hello, so that
//! whoever sits in the middle must fix its own certificate before it sees the one it would have to
//! match (see [`crate::safety`] for what that buys).
//!
//! `commitment = SHA-256(DTLS_COMMITMENT_LABEL || normalised fingerprint)`, where the fingerprint
//! is normalised as for the safety number (`sha-256 AB:CD:...`, see
//! [`crate::safety::normalize_fingerprint`]). It need not hide anything: the fingerprint it binds is
//! revealed in SDP a moment later, and it is the hash of a fresh key, so nothing can be learned from
//! the commitment before that. Comparison is constant-time.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::hash::sha256;
use crate::room::hex;
use crate::safety::{FingerprintError, normalize_fingerprint};

/// Domain-separation label of the certificate commitment.
pub const DTLS_COMMITMENT_LABEL: &[u8] = b"stube/v2/dtls-commitment";
/// Length of a commitment in bytes.
pub const COMMITMENT_LEN: usize = 32;

/// A commitment to one DTLS certificate fingerprint. Equality is constant-time.
#[derive(Clone, Copy)]
pub struct Commitment([u8; COMMITMENT_LEN]);

/// The commitment to the certificate with fingerprint `fingerprint` (`sha-256 AB:CD:...`, in any
/// case, with or without an `a=fingerprint:` prefix).
pub fn dtls_commitment(fingerprint: &str) -> Result<Commitment, FingerprintError> {
    let normalised = normalize_fingerprint(fingerprint)?;
    Ok(Commitment(sha256(&[
        DTLS_COMMITMENT_LABEL,
        normalised.as_bytes(),
    ])))
}

impl Commitment {
    pub fn from_bytes(bytes: [u8; COMMITMENT_LEN]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; COMMITMENT_LEN] {
        &self.0
    }

    /// 64 lowercase hex digits, as the hello carries it.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Exactly 64 hex digits (either case); `None` otherwise.
    pub fn from_hex(text: &str) -> Option<Self> {
        // `from_str_radix` alone would also take a sign (`+f`).
        if text.len() != 2 * COMMITMENT_LEN || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; COMMITMENT_LEN];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// Whether `fingerprint` is the one committed to, in constant time. A malformed fingerprint
    /// matches nothing.
    pub fn opens_to(&self, fingerprint: &str) -> bool {
        dtls_commitment(fingerprint).is_ok_and(|other| self.matches(&other))
    }

    /// Constant-time equality.
    pub fn matches(&self, other: &Commitment) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl PartialEq for Commitment {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

impl Eq for Commitment {}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Commitment({})", self.to_hex())
    }
}
