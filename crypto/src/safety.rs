//! Safety numbers: a short code two participants read aloud to verify that the connection between
//! them is end-to-end, that is, that both see the same pair of DTLS certificate fingerprints.
//!
//! `n = HMAC-SHA256(safety key, SAFETY_NUMBER_LABEL || u32be(len a) || a || u32be(len b) || b)`
//! where `a <= b` are the two normalised fingerprints (so both sides compute the same number), the
//! first 16 bytes of `n` read as a big-endian integer modulo 10^15 (bias below 2^-78), shown as three
//! groups of five digits, e.g. `04711 23815 99120`: about 49.8 bits, digits that read aloud easily in
//! German and English. Only someone who knows the passphrase can compute it.
//!
//! What it proves, against a signalling server that knows the passphrase: the fingerprints must be
//! those of the certificates DTLS verified (read from the transport, not from SDP), and each
//! browser commits to a fresh certificate per peer in its sealed hello ([`crate::commitment`])
//! before it sees the peer's. A man in the middle must commit to its certificate toward each side
//! before that side reveals its own, so whichever reveal comes last is a fresh random input against
//! a number already fixed: each try succeeds with probability about 10^-15, and a failed try shows
//! as different numbers. Without the commitment it could choose both its certificates after seeing
//! both real ones and search for a collision, about 2^25 certificates per side (a birthday bound
//! on 10^15).

use std::fmt;

use thiserror::Error;

use crate::hash::hmac_sha256;
use crate::keys::SafetyKey;

/// Domain-separation label of the safety number.
pub const SAFETY_NUMBER_LABEL: &[u8] = b"stube/v2/safety-number";
/// Decimal digits in a safety number.
pub const SAFETY_NUMBER_DIGITS: usize = 15;
const MODULUS: u128 = 10u128.pow(SAFETY_NUMBER_DIGITS as u32);

/// A DTLS fingerprint that is not of the form `<hash name> <hex bytes separated by colons>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("not a DTLS certificate fingerprint")]
pub struct FingerprintError;

/// A 15-digit safety number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafetyNumber(u64);

impl SafetyNumber {
    /// The three groups of five digits.
    pub fn groups(&self) -> [String; 3] {
        let digits = self.digits();
        [
            digits[0..5].to_owned(),
            digits[5..10].to_owned(),
            digits[10..15].to_owned(),
        ]
    }

    /// All fifteen digits, without spaces.
    pub fn digits(&self) -> String {
        format!("{:015}", self.0)
    }
}

impl fmt::Display for SafetyNumber {
    /// `12345 67890 12345`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.groups().join(" "))
    }
}

/// A fingerprint as in SDP (`sha-256 AB:CD:...`), normalised: one space, the hash name in lowercase,
/// the hex digits in uppercase. Leading and trailing whitespace and an `a=fingerprint:` prefix are
/// accepted.
pub fn normalize_fingerprint(fingerprint: &str) -> Result<String, FingerprintError> {
    let trimmed = fingerprint.trim();
    let trimmed = trimmed.strip_prefix("a=fingerprint:").unwrap_or(trimmed);
    let mut parts = trimmed.split_whitespace();
    let (Some(hash), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(FingerprintError);
    };
    let hash_ok = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let value_ok = value
        .split(':')
        .all(|byte| byte.len() == 2 && byte.bytes().all(|b| b.is_ascii_hexdigit()));
    if !hash_ok || !value_ok {
        return Err(FingerprintError);
    }
    Ok(format!(
        "{} {}",
        hash.to_ascii_lowercase(),
        value.to_ascii_uppercase()
    ))
}

/// The safety number of the connection between the certificates with fingerprints `ours` and
/// `theirs` (either order gives the same number).
pub fn safety_number(
    key: &SafetyKey,
    ours: &str,
    theirs: &str,
) -> Result<SafetyNumber, FingerprintError> {
    let ours = normalize_fingerprint(ours)?;
    let theirs = normalize_fingerprint(theirs)?;
    let (a, b) = if ours <= theirs {
        (ours, theirs)
    } else {
        (theirs, ours)
    };
    let len = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mac = hmac_sha256(
        key.expose(),
        &[
            SAFETY_NUMBER_LABEL,
            &len(&a),
            a.as_bytes(),
            &len(&b),
            b.as_bytes(),
        ],
    );
    let mut first = [0u8; 16];
    first.copy_from_slice(&mac[..16]);
    let number = u128::from_be_bytes(first) % MODULUS;
    Ok(SafetyNumber(
        u64::try_from(number).unwrap_or_else(|_| unreachable!("below 10^15")),
    ))
}
