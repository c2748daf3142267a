//! The stream construction's AES-256-GCM run by the browser's WebCrypto, for the bulk of a file
//! transfer: wasm has no AES instructions, so sealing in this crate's own AES-GCM set the pace of
//! a transfer (BENCHMARKS.md §6), while WebCrypto uses the processor's.
//!
//! The construction is exactly [`crate::stream`]'s: this crate takes the counter and builds the
//! header, the nonce and the associated data ([`FrameSpec`]); WebCrypto only computes
//! `ciphertext || tag` (128-bit tag) under the stream key, imported non-extractable. A frame
//! sealed here opens with [`crate::StreamOpener::open`] and the reverse (the wasm tests check
//! both ways in Chromium and Firefox). The bytes stay JavaScript buffers, so a file's chunks
//! never pass through wasm memory for the cipher.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, Crypto, CryptoKey, SubtleCrypto};

use crate::seal::OpenError;
use crate::stream::{Authenticated, FrameSpec, StreamKey};

/// WebCrypto is missing (not a secure context) or refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the browser's WebCrypto is not available or refused the key")]
pub struct WebCryptoError;

/// A stream key inside WebCrypto (non-extractable), for sealing and opening its frames.
#[derive(Debug, Clone)]
pub struct WebStreamKey {
    subtle: SubtleCrypto,
    key: CryptoKey,
}

impl WebStreamKey {
    /// Imports `key`; the copy handed to the browser is zero-filled once it is imported.
    pub async fn import(key: &StreamKey) -> Result<Self, WebCryptoError> {
        let subtle = subtle()?;
        let raw = Uint8Array::from(key.expose().as_slice());
        let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
        let imported = subtle.import_key_with_str("raw", &raw, "AES-GCM", false, &usages);
        raw.fill(0, 0, raw.length());
        let key = resolve(imported).await?;
        Ok(Self {
            subtle,
            key: key.dyn_into().map_err(|_| WebCryptoError)?,
        })
    }

    /// `ciphertext || tag` of `plaintext` for `spec` (the frame without its header).
    pub async fn seal(
        &self,
        spec: &FrameSpec,
        plaintext: &Uint8Array,
    ) -> Result<ArrayBuffer, WebCryptoError> {
        let sealing =
            self.subtle
                .encrypt_with_object_and_buffer_source(&params(spec), &self.key, plaintext);
        let sealed = resolve(sealing).await?;
        sealed.dyn_into().map_err(|_| WebCryptoError)
    }

    /// The plaintext of `sealed` (`ciphertext || tag`) for `spec`, with the proof for
    /// [`crate::StreamOpener::accept`]; [`OpenError`] if it does not authenticate.
    pub async fn open(
        &self,
        spec: &FrameSpec,
        sealed: &Uint8Array,
    ) -> Result<(ArrayBuffer, Authenticated), OpenError> {
        let opening =
            self.subtle
                .decrypt_with_object_and_buffer_source(&params(spec), &self.key, sealed);
        let opened = resolve(opening).await.map_err(|_| OpenError)?;
        let plaintext = opened.dyn_into().map_err(|_| OpenError)?;
        Ok((plaintext, spec.authenticated()))
    }
}

/// AES-GCM's parameters for one frame: its nonce, associated data and a 128-bit tag.
fn params(spec: &FrameSpec) -> Object {
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(spec.nonce().as_slice()));
    params.set_additional_data_u8_array(&Uint8Array::from(spec.aad()));
    params.set_tag_length(128);
    params.into()
}

/// `crypto.subtle` of the page or the worker this runs in.
fn subtle() -> Result<SubtleCrypto, WebCryptoError> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(|_| WebCryptoError)?;
    let crypto: Crypto = crypto.dyn_into().map_err(|_| WebCryptoError)?;
    Ok(crypto.subtle())
}

async fn resolve(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, WebCryptoError> {
    JsFuture::from(promise.map_err(|_| WebCryptoError)?)
        .await
        .map_err(|_| WebCryptoError)
}
