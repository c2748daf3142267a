//! Sharing a handle to a JavaScript object, never copying the object.
//!
//! `web_sys::MediaStream` and `web_sys::MediaStreamTrack` each have an inherent `clone()` that
//! calls JavaScript's `clone()`: a *new* stream with cloned tracks (a second capture that keeps
//! the camera light on until it is stopped separately), or an empty stream if the original had no
//! tracks yet. That inherent method shadows `Clone::clone`, so `stream.clone()` silently does the
//! wrong thing. Stube always means "the same object": call [`Share::share`]. Clippy's
//! `disallowed-methods` (see `clippy.toml`) refuses the inherent `clone()` of both types.

use wasm_bindgen::JsCast;

/// Another Rust handle to the same JavaScript object (`Clone::clone` semantics).
pub trait Share {
    fn share(&self) -> Self;
}

impl<T: JsCast + Clone> Share for T {
    fn share(&self) -> Self {
        Clone::clone(self)
    }
}
