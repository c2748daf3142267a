//! The passphrase KDF: Argon2id (RFC 9106) with versioned parameters, all in this one place.
//!
//! `root = Argon2id(m, t, p; password = NFC(trim(passphrase)), salt = SHA-256(ARGON2_SALT_LABEL ||
//! u32be(len(room)) || room))`, 32 bytes, where `room` is the validated, NFC-normalised room name.
//! The salt is specific to Stube and to the room, so no precomputation serves two rooms. Every
//! guess of a passphrase costs one full Argon2id run at [`KDF_V1`]; nothing Stube publishes is
//! cheaper to test a guess against.

use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::hash::sha256;
use crate::room::RoomName;

/// Domain-separation label of the Argon2id salt.
pub const ARGON2_SALT_LABEL: &[u8] = b"stube/v2/argon2-salt";

/// The Argon2 variant and version Stube uses (and the published vectors test).
pub const ARGON2_ALGORITHM: Algorithm = Algorithm::Argon2id;
/// Argon2 version 1.3 (0x13), the one RFC 9106 specifies.
pub const ARGON2_VERSION: Version = Version::V0x13;

/// Argon2id cost parameters. Changing them changes every key: bump the version with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Which parameter set this is; part of the documentation, not of the hash input.
    pub version: u8,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

/// Stube's parameters, version 1: m = 32 MiB, t = 3, p = 1, about 2.5 times the work per guess of
/// OWASP's minimum (m = 19 MiB, t = 2). On a 2-core server Argon2id at these settings took about
/// 0.1 s as wasm in headless Chromium (release build; 0.3 s with the machine busy) and 70 ms
/// natively; a slow phone may take several times that, once per join. One lane, because wasm in
/// the browser runs single-threaded anyway. `examples/bench.rs` and `tests/wasm_bench.rs` measure
/// the alternatives. Construction version 2 uses this parameter set unchanged (only the labels,
/// and so the salt, changed).
pub const KDF_V1: KdfParams = KdfParams {
    version: 1,
    m_kib: 32 * 1024,
    t: 3,
    p: 1,
};

// Never below OWASP's minimum for Argon2id (m = 19 MiB, t = 2, p = 1), as SECURITY.md requires.
const _: () = assert!(KDF_V1.m_kib >= 19 * 1024 && KDF_V1.t >= 2 && KDF_V1.p >= 1);

/// Length of the root secret in bytes.
pub const ROOT_SECRET_LEN: usize = 32;

/// The KDF could not run (the parameters are invalid or memory could not be allocated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the key derivation failed: {0}")]
pub struct KdfError(argon2::Error);

/// The 32-byte Argon2id output every key of a room is derived from. Zeroized on drop; not
/// `Clone`, not printable. Its bytes leave it only to cross from the thread that ran the KDF to
/// the one that uses the keys ([`RootSecret::expose`], [`RootSecret::from_bytes`]).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RootSecret([u8; ROOT_SECRET_LEN]);

impl RootSecret {
    /// The secret whose bytes are `bytes` (for example as another thread computed them).
    pub fn from_bytes(bytes: [u8; ROOT_SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The secret's bytes.
    pub fn expose(&self) -> &[u8; ROOT_SECRET_LEN] {
        &self.0
    }
}

/// The Argon2id salt for a room: `SHA-256(ARGON2_SALT_LABEL || u32be(len) || room name)`.
pub fn argon2_salt(room: &RoomName) -> [u8; 32] {
    let name = room.as_str().as_bytes();
    // A room name is at most RoomName::MAX_CHARS characters, far below u32::MAX bytes.
    let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
    sha256(&[ARGON2_SALT_LABEL, &len.to_be_bytes(), name])
}

/// The expensive step of the key schedule alone: Argon2id at [`KDF_V1`] over a passphrase already
/// normalised ([`crate::normalize_passphrase`]) with a room's salt ([`argon2_salt`]). For the
/// browser's KDF worker, which so needs neither the Unicode tables nor the room name.
pub fn stretch_normalized(password: &str, salt: &[u8; 32]) -> Result<RootSecret, KdfError> {
    argon2id(&KDF_V1, password.as_bytes(), salt)
}

/// Argon2id (RFC 9106) with `params`, no secret and no associated data, to a 32-byte root secret.
pub(crate) fn argon2id(
    params: &KdfParams,
    password: &[u8],
    salt: &[u8],
) -> Result<RootSecret, KdfError> {
    let argon2_params =
        Params::new(params.m_kib, params.t, params.p, Some(ROOT_SECRET_LEN)).map_err(KdfError)?;
    let mut out = [0u8; ROOT_SECRET_LEN];
    Argon2::new(ARGON2_ALGORITHM, ARGON2_VERSION, argon2_params)
        .hash_password_into(password, salt, &mut out)
        .map_err(KdfError)?;
    let root = RootSecret(out);
    out.zeroize();
    Ok(root)
}
