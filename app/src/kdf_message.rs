//! The messages between the page and its KDF worker, as the JavaScript values `postMessage`
//! carries: a request `[id, normalised passphrase, Argon2id salt of the room]` (the page does the
//! cheap parts, so that the worker carries only Argon2); from the worker `"ready"` once its program
//! has loaded (a message that arrived before would find nobody listening, so the page holds its
//! request until then), and a reply `[id, root secret bytes or null]` (null: the KDF could not
//! run). Ids let the page ignore replies for text it has since dropped.
//!
//! The root secret crosses as a `Uint8Array` copy; the receiving side fills the array with zeros
//! once it has the bytes, and the sending side its own copy after posting.

use crypto::RootSecret;
use crypto::kdf::ROOT_SECRET_LEN;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The worker's script, relative to the page (Trunk's loader for `bin/kdf_worker.rs`).
pub const WORKER_SCRIPT: &str = "./kdf_worker_loader.js";

/// The worker's first message: it is listening.
pub const READY: &str = "ready";

/// A message from the worker.
pub enum FromWorker {
    /// [`READY`].
    Ready,
    Reply(Reply),
}

impl FromWorker {
    /// The message in `value`, or `None` if it is none of the worker's.
    pub fn from_js(value: &JsValue) -> Option<Self> {
        if value.as_string().as_deref() == Some(READY) {
            return Some(Self::Ready);
        }
        Reply::from_js(value).map(Self::Reply)
    }
}

/// Stretch `password` (`crypto::keys::normalize_passphrase`) with `salt` (`crypto::kdf::argon2_salt`).
pub struct Request {
    pub id: u32,
    pub password: String,
    pub salt: [u8; 32],
}

impl Request {
    pub fn to_js(&self) -> JsValue {
        Array::of3(
            &self.id.into(),
            &self.password.as_str().into(),
            &Uint8Array::from(&self.salt[..]).into(),
        )
        .into()
    }

    /// The request in `value`, or `None` if it is not one.
    pub fn from_js(value: &JsValue) -> Option<Self> {
        let parts = value.dyn_ref::<Array>()?;
        Some(Self {
            id: id_of(&parts.get(0))?,
            password: parts.get(1).as_string()?,
            salt: bytes_of(&parts.get(2).dyn_into().ok()?)?,
        })
    }
}

/// The answer to request `id`: the root secret, or `None` if the KDF could not run.
pub struct Reply {
    pub id: u32,
    pub root: Option<RootSecret>,
}

impl Reply {
    pub fn to_js(&self) -> JsValue {
        let root = self.root.as_ref().map_or(JsValue::NULL, |root| {
            Uint8Array::from(&root.expose()[..]).into()
        });
        Array::of2(&self.id.into(), &root).into()
    }

    /// The reply in `value`, or `None` if it is not one. Zero-fills the bytes it read.
    pub fn from_js(value: &JsValue) -> Option<Self> {
        let parts = value.dyn_ref::<Array>()?;
        let id = id_of(&parts.get(0))?;
        let root = parts.get(1);
        if root.is_null() {
            return Some(Self { id, root: None });
        }
        let array = root.dyn_into::<Uint8Array>().ok()?;
        let bytes = bytes_of::<ROOT_SECRET_LEN>(&array)?;
        array.fill(0, 0, array.length());
        Some(Self {
            id,
            root: Some(RootSecret::from_bytes(bytes)),
        })
    }

    /// Zero-fills the JavaScript copy `to_js` made, once it has been posted (which copies it).
    pub fn wipe_posted(posted: &JsValue) {
        if let Some(array) = posted
            .dyn_ref::<Array>()
            .and_then(|parts| parts.get(1).dyn_into::<Uint8Array>().ok())
        {
            array.fill(0, 0, array.length());
        }
    }
}

/// The bytes of `array`, if it holds exactly `N`.
fn bytes_of<const N: usize>(array: &Uint8Array) -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    (array.length() as usize == N).then(|| {
        array.copy_to(&mut bytes);
        bytes
    })
}

fn id_of(value: &JsValue) -> Option<u32> {
    let number = value.as_f64()?;
    (number.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number))
        .then_some(number as u32)
}
