//! Stube's crypto through its public interface, natively and as wasm in headless Chromium
//! (`cargo test -p crypto --target wasm32-unknown-unknown`). Property tests run natively only.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod commitment;
mod keys;
mod padding;
mod pair;
mod passphrase;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod room;
mod safety;
mod seal;
mod stream;

use std::sync::OnceLock;

use crypto::{RoomKeys, RoomName, derive_room_keys};

/// The room most tests use.
pub const ROOM: &str = "k7qm-2xhd-9fpa-rt3w-bn6e";

/// Keys for [`ROOM`] and passphrase "correct horse battery staple", derived once per test binary
/// (each derivation is a full Argon2id run).
pub fn keys() -> &'static RoomKeys {
    static KEYS: OnceLock<RoomKeys> = OnceLock::new();
    KEYS.get_or_init(|| derive("correct horse battery staple", ROOM))
}

/// Keys for [`ROOM`] under a different passphrase.
pub fn other_keys() -> &'static RoomKeys {
    static KEYS: OnceLock<RoomKeys> = OnceLock::new();
    KEYS.get_or_init(|| derive("correct horse battery stapler", ROOM))
}

pub fn derive(passphrase: &str, room: &str) -> RoomKeys {
    let room = RoomName::parse(room).expect("a valid room name");
    derive_room_keys(passphrase, &room).expect("the key schedule runs")
}
