//! The room keys, derived while the person is still on the pre-join page: once the passphrase
//! has rested for [`PAUSE_MILLIS`], the key schedule runs (on the page's thread, in that pause in
//! typing; about 120 ms, BENCHMARKS.md §1), so that "Join" need not wait for it. The keys are kept
//! with a SHA-256 digest of the passphrase they belong to, not the passphrase, and used only if
//! Join is pressed with that very passphrase; a change, or leaving the page, drops them.

use crypto::{RoomKeys, RoomName};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use sha2::{Digest, Sha256};

/// How long the passphrase must stay unchanged before the keys are derived.
pub const PAUSE_MILLIS: u32 = 400;

struct Derived {
    digest: [u8; 32],
    keys: RoomKeys,
}

/// Keys derived ahead for the passphrase field's current text.
#[derive(Clone, Copy)]
pub struct EarlyKeys {
    derived: StoredValue<Option<Derived>, LocalStorage>,
}

impl EarlyKeys {
    /// Derives the keys for `room` whenever `passphrase` has rested for [`PAUSE_MILLIS`].
    pub fn follow(passphrase: RwSignal<String>, room: RoomName) -> Self {
        let derived = StoredValue::new_local(None::<Derived>);
        let pending = StoredValue::new_local(None::<Timeout>);
        Effect::new(move |_| {
            let typed = passphrase.get();
            derived.set_value(None);
            if typed.trim().is_empty() {
                pending.set_value(None);
                return;
            }
            let room = room.clone();
            // Replacing the timer cancels the one for the previous text.
            pending.set_value(Some(Timeout::new(PAUSE_MILLIS, move || {
                let keys = crypto::derive_room_keys(&typed, &room);
                if let Ok(keys) = keys {
                    let digest = Sha256::digest(typed.as_bytes()).into();
                    let _ = derived.try_set_value(Some(Derived { digest, keys }));
                }
            })));
        });
        Self { derived }
    }

    /// The keys for `typed`, if they were derived ahead for exactly that passphrase.
    pub fn take_for(self, typed: &str) -> Option<RoomKeys> {
        let digest: [u8; 32] = Sha256::digest(typed.as_bytes()).into();
        self.derived
            .try_update_value(|derived| {
                derived
                    .take()
                    .filter(|found| found.digest == digest)
                    .map(|found| found.keys)
            })
            .flatten()
    }
}
