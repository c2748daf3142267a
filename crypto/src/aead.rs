//! AES-256-GCM (NIST SP 800-38D) as Stube uses it: a [`Nonce`] newtype, sealing in place with the
//! 16-byte tag appended, and opening with one coarse error.

use aes_gcm::aead::array::Array;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Tag};

use crate::random::{RngError, bytes};
use crate::seal::OpenError;

/// Length of an AES-GCM nonce in bytes (96 bits).
pub(crate) const NONCE_LEN: usize = 12;
/// Length of an AES-GCM tag in bytes.
pub(crate) const TAG_LEN: usize = 16;

/// A 96-bit AES-GCM nonce. Never reused under one key: random for signalling, a counter for streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// A fresh random nonce.
    pub(crate) fn random() -> Result<Self, RngError> {
        Ok(Self(bytes()?))
    }

    /// The nonce of stream counter `counter`: the counter as a 96-bit big-endian number.
    pub(crate) fn from_counter(counter: u64) -> Self {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[NONCE_LEN - 8..].copy_from_slice(&counter.to_be_bytes());
        Self(nonce)
    }

    pub(crate) fn from_bytes(bytes: [u8; NONCE_LEN]) -> Self {
        Self(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.0
    }
}

/// An AES-256-GCM instance for one key. Its key schedule is zeroized on drop (feature `zeroize`).
pub(crate) struct Cipher(Aes256Gcm);

/// The plaintext was too long for AES-GCM (more than about 64 GiB).
#[derive(Debug)]
pub(crate) struct TooLong;

impl Cipher {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        Self(Aes256Gcm::new(key.into()))
    }

    /// Encrypts `buf[start..]` in place and appends the tag.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &Nonce,
        aad: &[u8],
        buf: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), TooLong> {
        let plaintext = buf.get_mut(start..).ok_or(TooLong)?;
        let tag = self
            .0
            .encrypt_inout_detached(&Array::from(nonce.0), aad, plaintext.into())
            .map_err(|_| TooLong)?;
        buf.extend_from_slice(&tag);
        Ok(())
    }

    /// Decrypts and authenticates `ciphertext || tag`.
    pub(crate) fn open(
        &self,
        nonce: &Nonce,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        let split = sealed.len().checked_sub(TAG_LEN).ok_or(OpenError)?;
        let (ciphertext, tag) = sealed.split_at(split);
        let tag = Tag::try_from(tag).map_err(|_| OpenError)?;
        let mut plaintext = ciphertext.to_vec();
        self.0
            .decrypt_inout_detached(
                &Array::from(nonce.0),
                aad,
                plaintext.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| OpenError)?;
        Ok(plaintext)
    }
}
