//! The end-to-end test harness: the release `signal-server` serving the built app on loopback,
//! headless Chromium driven over the DevTools protocol, and headless Firefox driven over
//! WebDriver (geckodriver); coturn and NATS from Debian where a test needs them.
//!
//! The tests are `#[ignore]`d, so a plain `cargo test` reports them as ignored: `cargo xtask test`
//! runs them with `--include-ignored` inside a private network namespace that has only loopback,
//! after building the app and the release server they need.

mod accessibility;
mod browser;
mod files;
mod firefox;
mod meeting;
mod mitm;
mod nats;
mod network;
mod perception;
mod proxy;
mod server;
mod turn;

pub use accessibility::accessibility_violations;
pub use browser::{Browser, Devices, Page, Tab, save_screenshot, set_viewport, wait_until};
pub use files::{FILE_TOOLS, drop_onto_meeting, pick, received_hash, save_link};
pub use firefox::Firefox;
pub use meeting::{
    Inbound, button, check_safety_numbers, choose, click, connected_tiles, covering_toasts,
    csp_violations, decoding_from, fill, inbound_media, join, meet, open_meeting,
    remember_connections, remembered_connections, remote_tile, safety_numbers, set_device,
    shows_muted, wait_for_text, wait_until_media_flows,
};
pub use mitm::MaliciousServer;
pub use nats::{NatsServer, NatsTap};
pub use network::Blackout;
pub use perception::{
    live_capture_tracks, self_view_is_muted, wait_until_audible, wait_until_moving,
    wait_until_silent, wait_until_still, wait_until_tiles_play,
};
pub use proxy::RecordingProxy;
pub use server::{Server, http_get_with};
pub use turn::TurnServer;
