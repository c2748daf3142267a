//! End-to-end tests: the release server and the built app in headless Chromium and Firefox,
//! inside a private network namespace (see `cargo xtask test`).

mod accessibility;
mod audio_only;
mod call;
mod caps;
mod chat;
mod devices;
mod dist;
mod edges;
mod files;
mod firefox;
mod hands;
mod language;
mod legal;
mod nats;
mod page_load;
mod resilience;
mod screen;
mod spotlight;
mod tls;
mod turn;
mod verification;
