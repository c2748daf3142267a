//! What the app's two wasm programs share: the page (`main.rs`) and its KDF worker
//! (`bin/kdf_worker.rs`) speak [`kdf_message`] to each other.

pub mod kdf_message;
