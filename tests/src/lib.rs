//! The end-to-end test harness: the release `signal-server` serving the built app on loopback,
//! and headless Chromium driven over the DevTools protocol.
//!
//! `cargo xtask test` runs these tests inside a private network namespace that has only loopback
//! and sets `STUBE_E2E=1`; without it the tests report that they were skipped.

mod browser;
mod meeting;
mod proxy;
mod server;

pub use browser::{Browser, Devices, Page, wait_until};
pub use meeting::{
    Inbound, click, decoding_from, fill, inbound_media, join, open_meeting, wait_for_text,
};
pub use proxy::RecordingProxy;
pub use server::Server;

/// Whether `cargo xtask test` asked for the end-to-end tests (they need the built app, the release
/// server, Chromium and an isolated network namespace). Prints why a test is skipped otherwise.
pub fn enabled() -> bool {
    let enabled = std::env::var_os("STUBE_E2E").is_some();
    if !enabled {
        eprintln!("skipped: end-to-end tests run under `cargo xtask test` (STUBE_E2E is not set)");
    }
    enabled
}
